// A user's clone has no ../shared/corpus: the tests that read it must not fail there, and must say
// in one line that they were skipped. Runs them from a copy of the built package in a temp folder
// (no shared/ beside it); with KONGC_REQUIRE_CORPUS=1 (CI) the same absence is a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { tempDir } from '../support/temp.js';

const CORPUS_TESTS = ['dist/test/replay/corpus.test.js', 'dist/test/replay/roundtrip.test.js', 'dist/test/unit/yaml-positions.test.js'];

function copyWithoutCorpus(root: string): string {
  const pkg = join(root, 'kongc');
  mkdirSync(join(pkg, 'src', 'validate'), { recursive: true });
  for (const p of ['dist', 'fixtures', 'templates', 'bin', 'package.json', join('src', 'validate', 'kong.schema.json')]) cpSync(join(PACKAGE_ROOT, p), join(pkg, p), { recursive: true });
  symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(pkg, 'node_modules'));
  assert.ok(!existsSync(join(root, 'shared')));
  return pkg;
}

async function runTests(cwd: string, env: Record<string, string | undefined>) {
  return execa('node', ['--test', '--test-reporter=tap', ...CORPUS_TESTS], { cwd, reject: false, env: { ...env }, extendEnv: false, timeout: 120_000 });
}

test('without ../shared/corpus the corpus tests pass, with one line saying they were skipped', async (t) => {
  const pkg = copyWithoutCorpus(tempDir(t, 'kongc-nocorpus-'));
  // NODE_TEST_CONTEXT would make the inner runner report to this one instead of printing TAP.
  const env = { ...process.env, KONGC_REQUIRE_CORPUS: undefined, NODE_TEST_CONTEXT: undefined };
  const r = await runTests(pkg, env);
  assert.equal(r.exitCode, 0, String(r.stdout) + String(r.stderr));
  const skips = String(r.stdout).split('\n').filter((l) => /# SKIP/.test(l));
  assert.equal(skips.length, 1, skips.join('\n'));
  assert.match(skips[0]!, /# SKIP no corpus at .*shared\/corpus: the tests that read it are skipped/);
  assert.match(String(r.stdout), /^# fail 0$/m);

  const required = await runTests(pkg, { ...env, KONGC_REQUIRE_CORPUS: '1' });
  assert.notEqual(required.exitCode, 0, 'CI requires the corpus: its absence fails');
  assert.match(String(required.stdout), /KONGC_REQUIRE_CORPUS=1 but there is no corpus/);
});
