// The pipeline reads from the folder names, and imports follow it one way: a stage imports only
// the stages before it and the shared leaf modules, never a later one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';

const SRC = join(PACKAGE_ROOT, 'src');

/** Each part of src/ and its place in the pipeline; leaf modules (quoting, diagnostics, Kong's own rules) come first. */
const RANK: Record<string, number> = {
  kong: 0, 'diagnostics.ts': 0, 'nginx-quoting.ts': 0, 'paths.ts': 0, 'pcre.ts': 0, 'report.ts': 0, 'suggest.ts': 0, 'text.ts': 0, 'values.ts': 0, 'version.ts': 0,
  load: 1,
  model: 2,
  validate: 3,
  plan: 4,
  render: 5,
  explain: 6,
  deliver: 6,
  'compile.ts': 7,
  commands: 8,
  'cli.ts': 9,
  'launch.ts': 9,
  'bundle.ts': 10,
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The part of src/ a file belongs to: its top folder, or the file itself at the top. */
const partOf = (file: string) => relative(SRC, file).split('/')[0]!;

test('every import points to the same part of the pipeline or an earlier one', () => {
  const files = sources(SRC);
  assert.ok(files.length > 50, 'the sources are there');
  const wrong: string[] = [];
  for (const file of files) {
    const from = partOf(file);
    assert.ok(from in RANK, `${relative(SRC, file)}: a part of src/ this test does not place; add it to RANK`);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
      const to = partOf(join(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
      // Leaf modules may use each other (text helpers in diagnostics); everything else looks back only.
      if (to !== from && !(RANK[to]! < RANK[from]! || RANK[to] === 0 && RANK[from] === 0)) wrong.push(`${relative(SRC, file)} imports ${m[1]} (${from} → ${to})`);
    }
  }
  assert.deepEqual(wrong, []);
});
