// `kongc replay` and `kongc build --from-log` as a user runs them: output, exit codes, --strict, --keep-ids, -o.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { kongc } from '../support/kongc.js';
import { tempDir } from '../support/temp.js';

const SEED = join(PACKAGE_ROOT, 'fixtures', 'seed', 'kong-load-balancing.md');

test('kongc replay prints YAML on stdout and the rejected calls on stderr (exit 0)', async () => {
  const r = await kongc(['replay', SEED]);
  assert.equal(r.exitCode, 0);
  // execa drops the final newline of stdout.
  assert.equal(r.stdout, readFileSync(join(PACKAGE_ROOT, 'fixtures', 'replay', 'kong-load-balancing.yaml'), 'utf8').replace(/\n$/, ''));
  assert.match(r.stderr, /kong-load-balancing\.md:109:1: warning: POST \/services\/service\.api\/routes → 409 UNIQUE violation/);
});

test('kongc replay --strict exits 1 with the rejected calls as errors', async () => {
  const r = await kongc(['replay', SEED, '--strict']);
  assert.equal(r.exitCode, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /:63:1: error: POST \/services\/service\.api → 405/);
  assert.match(r.stderr, /:42:1: warning: the recorded response/);
});

test('kongc replay -o writes the file; --keep-ids keeps ids', async (t) => {
  const dir = tempDir(t, 'kongc-replay-');
  const out = join(dir, 'kong.yaml');
  const r = await kongc(['replay', SEED, '-o', out, '--keep-ids']);
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdout, '');
  assert.match(readFileSync(out, 'utf8'), /id: 5b93eda7-7ba5-4acc-a536-cf12f58a1144/);
});

test('kongc replay: unreadable log → exit 1; over-long line → positioned error', async (t) => {
  const dir = tempDir(t, 'kongc-replay-');
  const missing = await kongc(['replay', join(dir, 'nope.sh')]);
  assert.equal(missing.exitCode, 1);
  assert.match(missing.stderr, /nope\.sh: error: no such file\n/);
  const long = join(dir, 'long.sh');
  writeFileSync(long, 'echo\ncurl localhost:8001/services -d name=' + 'x'.repeat(70_000) + '\n');
  const r = await kongc(['replay', long]);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /long\.sh:2:1: error: line longer than 65536 bytes/);
});

test('kongc build --from-log equals kongc build of the replayed YAML', async (t) => {
  const dir = tempDir(t, 'kongc-replay-');
  const yaml = join(dir, 'kong.yaml');
  assert.equal((await kongc(['replay', SEED, '-o', yaml])).exitCode, 0);
  const fromLog = await kongc(['build', '--from-log', SEED, '--allow-degraded']);
  const fromYaml = await kongc(['build', yaml, '--allow-degraded']);
  assert.equal(fromLog.exitCode, 0, fromLog.stderr);
  assert.equal(fromYaml.exitCode, 0, fromYaml.stderr);
  assert.equal(fromLog.stdout, fromYaml.stdout);
});
