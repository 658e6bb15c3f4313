// The build precompiles the templates and the schema's validator, stamped with a hash of their
// sources; a source edited after the build must be what kongc uses, never the stale precompiled
// file. Checked on a copy of the built package (bin/kongc, the bundle, dist/) whose sources are
// then edited, so it holds whatever state this checkout's own build is in.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { PACKAGE_ROOT, SCHEMA_FILE } from '../../src/paths.js';
import { tempDir } from '../support/temp.js';

const CONFIG = '_format_version: "3.0"\nservices:\n  - name: billing\n    host: 127.0.0.1\n    port: 9\n    routes:\n      - name: invoices\n        paths: ["/invoices"]\n';

/** A copy of the built package in `dir`: bin/, dist/src/, templates/, the schema, package.json. */
function copyPackage(dir: string): void {
  for (const part of ['bin', join('dist', 'src'), 'templates', 'package.json']) cpSync(join(PACKAGE_ROOT, part), join(dir, part), { recursive: true });
  mkdirSync(join(dir, 'src', 'validate'), { recursive: true });
  cpSync(SCHEMA_FILE, join(dir, 'src', 'validate', 'kong.schema.json'));
  symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'kong.yaml'), CONFIG);
}

async function run(dir: string, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa('node', [join(dir, 'bin', 'kongc'), ...args], { reject: false, cwd: dir, stdin: 'ignore', timeout: 120_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

describe('a build older than its sources', () => {
  it('renders a template edited after the build as edited', async (t) => {
    const dir = tempDir(t, 'kongc-stale-');
    copyPackage(dir);
    const before = await run(dir, ['build', 'kong.yaml']);
    assert.equal(before.exitCode, 0, before.stderr);
    const main = join(dir, 'templates', 'main.hbs');
    writeFileSync(main, readFileSync(main, 'utf8').replace(/^(# nginx include[^\n]*\n)/m, '$1# edited after the build\n'));
    const after = await run(dir, ['build', 'kong.yaml']);
    assert.equal(after.exitCode, 0, after.stderr);
    assert.doesNotMatch(before.stdout, /edited after the build/);
    assert.match(after.stdout, /^# edited after the build$/m);
  });

  it('validates with a schema edited after the build', async (t) => {
    const dir = tempDir(t, 'kongc-stale-');
    copyPackage(dir);
    assert.equal((await run(dir, ['validate', 'kong.yaml'])).exitCode, 0);
    // The edited schema allows names of at most 3 characters: 'billing' and 'invoices' are then refused.
    const file = join(dir, 'src', 'validate', 'kong.schema.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.$defs.utf8Name.maxLength = 3;
    writeFileSync(file, JSON.stringify(schema));
    const after = await run(dir, ['validate', 'kong.yaml']);
    assert.equal(after.exitCode, 1, after.stdout + after.stderr);
  });
});
