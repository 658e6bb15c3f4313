// Golden fixtures: fixtures/<case>/kong.yaml (plus any other *.yaml of the case, merged in name
// order) → fixtures/<case>/nginx.conf, and the stream include (stream routes) → stream.conf.
// Optional fixtures/<case>/options.json holds CompileOptions.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFiles, type CompileOptions } from '../../src/compile.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

export const FIXTURES_DIR = join(PACKAGE_ROOT, 'fixtures');

export interface Fixture {
  name: string;
  dir: string;
  inputs: string[];
  options: CompileOptions;
  golden: string;
  /** The stream include's golden (written when the fixture has stream routes). */
  streamGolden: string;
}

export function listFixtures(): Fixture[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(FIXTURES_DIR, d.name, 'kong.yaml')))
    .map((d) => {
      const dir = join(FIXTURES_DIR, d.name);
      const inputs = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f) && f !== 'options.json').sort().map((f) => join('fixtures', d.name, f));
      const optionsFile = join(dir, 'options.json');
      const options = existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as CompileOptions) : {};
      return { name: d.name, dir, inputs, options, golden: join(dir, 'nginx.conf'), streamGolden: join(dir, 'stream.conf') };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Compiles a fixture with paths relative to the package root, so diagnostics and goldens are stable. */
export function compileFixture(f: Fixture): string {
  return compileFixtureIncludes(f).text;
}

/** The http include and the stream include (null without stream routes). */
export function compileFixtureIncludes(f: Fixture): { text: string; stream: string | null } {
  const cwd = process.cwd();
  process.chdir(PACKAGE_ROOT);
  try {
    const r = compileFiles(f.inputs, f.options);
    return { text: r.text, stream: r.stream?.text ?? null };
  } finally {
    process.chdir(cwd);
  }
}
