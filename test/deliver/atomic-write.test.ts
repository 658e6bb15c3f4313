// File replacement: atomic rename, the EBUSY fallback for bind-mounted files, backups, journal,
// and removal of temp files that dead processes left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pendingTempFiles, removeStaleTempFiles, replaceFile } from '../../src/deliver/atomic-write.js';
import { backupPath, rotateBackups } from '../../src/deliver/backup.js';
import { clearJournal, readJournal, writeJournal } from '../../src/deliver/journal.js';
import { deadPid, tempDir } from '../support/temp.js';

test('replaceFile renames over the target, keeps its mode, leaves no temp file', (t) => {
  const d = tempDir(t, 'kongc-write-');
  const target = join(d, 'kong.conf');
  writeFileSync(target, 'old\n');
  chmodSync(target, 0o640);
  assert.equal(replaceFile(target, 'new\n'), 'rename');
  assert.equal(readFileSync(target, 'utf8'), 'new\n');
  assert.equal(statSync(target).mode & 0o777, 0o640);
  assert.deepEqual(readdirSync(d), ['kong.conf']);
  assert.equal(pendingTempFiles.size, 0);
});

test('replaceFile writes in place when the target is a single-file bind mount (EBUSY)', (t) => {
  const d = tempDir(t, 'kongc-write-');
  const target = join(d, 'kong.conf');
  const source = join(d, 'outside.conf');
  writeFileSync(target, 'placeholder\n');
  writeFileSync(source, 'old old old\n');
  const m = spawnSync('mount', ['--bind', source, target]);
  if (m.status !== 0) return t.skip('cannot bind-mount here: ' + m.stderr);
  try {
    assert.equal(replaceFile(target, 'new\n'), 'in-place');
    assert.equal(readFileSync(target, 'utf8'), 'new\n');
    assert.equal(readFileSync(source, 'utf8'), 'new\n', 'written through the mount, truncated');
    assert.deepEqual(readdirSync(d).sort(), ['kong.conf', 'outside.conf']);
  } finally {
    // Before the folder is removed (after the test): a mounted file cannot be.
    spawnSync('umount', [target]);
  }
});

test('numbered backups rotate, newest first, and respect the count', (t) => {
  const d = tempDir(t, 'kongc-write-');
  const target = join(d, 'kong.conf');
  for (let i = 1; i <= 4; i++) rotateBackups(target, Buffer.from(`v${i}`), null, 3);
  assert.deepEqual([1, 2, 3].map((n) => readFileSync(backupPath(target, n), 'utf8')), ['v4', 'v3', 'v2']);
  assert.deepEqual(readdirSync(d).sort(), ['.kong.conf.bak.1', '.kong.conf.bak.2', '.kong.conf.bak.3']);
  rotateBackups(target, Buffer.from('v5'), null, 1);
  assert.deepEqual(readdirSync(d), ['.kong.conf.bak.1']);
  assert.deepEqual(rotateBackups(target, Buffer.from('v6'), null, 0), { kind: 'none' });
  assert.deepEqual(readdirSync(d), []);
});

test('a backup equal to the newest one is not added again; its Kong state moves with it', (t) => {
  const d = tempDir(t, 'kongc-write-');
  const target = join(d, 'kong.conf');
  const state = { format: 'kongc-state/1' as const, build: '0123456789abcdef', entities: [] };
  assert.equal(rotateBackups(target, Buffer.from('v1'), state, 3).kind, 'saved');
  for (let i = 0; i < 3; i++) assert.equal(rotateBackups(target, Buffer.from('v1'), null, 3).kind, 'same');
  assert.equal(rotateBackups(target, Buffer.from('v2'), null, 3).kind, 'saved');
  assert.deepEqual(readdirSync(d).sort(), ['.kong.conf.bak.1', '.kong.conf.bak.2', '.kong.conf.bak.2.kong-state.json']);
  assert.equal(readFileSync(backupPath(target, 2), 'utf8'), 'v1');
  assert.equal(statSync(join(d, '.kong.conf.bak.2.kong-state.json')).mode & 0o777, 0o600);
  // Not adjacent: v1 again is a new backup (it differs from the newest, v2).
  assert.equal(rotateBackups(target, Buffer.from('v1'), null, 3).kind, 'saved');
  assert.deepEqual([1, 2, 3].map((n) => readFileSync(backupPath(target, n), 'utf8')), ['v1', 'v2', 'v1']);
});

test('the journal records the previous content, or that there was none', (t) => {
  const d = tempDir(t, 'kongc-write-');
  const target = join(d, 'kong.conf');
  assert.equal(readJournal(target), undefined);
  writeJournal(target, Buffer.from(''));
  assert.deepEqual(readJournal(target), Buffer.from(''));
  clearJournal(target);
  writeJournal(target, null);
  assert.equal(readJournal(target), null);
  clearJournal(target);
  assert.deepEqual(readdirSync(d), []);
});

test('temp files of dead processes are removed, those of live ones kept', (t) => {
  const d = tempDir(t, 'kongc-write-');
  const dead = deadPid();
  const names = [`.kong.conf.kongc-${dead}-0123abcd.tmp`, `.kong.conf.bak.1.kongc-${dead}-0123abcd.tmp`, `.kong.conf.kongc-${process.pid}-0123abcd.tmp`, `.other.conf.kongc-${dead}-0123abcd.tmp`];
  for (const n of names) writeFileSync(join(d, n), '');
  assert.deepEqual(removeStaleTempFiles(join(d, 'kong.conf')).sort(), names.slice(0, 2).sort());
  assert.deepEqual(readdirSync(d).sort(), names.slice(2).sort());
});
