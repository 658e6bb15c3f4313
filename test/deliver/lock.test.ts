// The apply lock: exclusive, waits for a live holder, names it on timeout, takes over from the dead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../../src/deliver/lock.js';
import { CommandFailure } from '../../src/diagnostics.js';
import { deadPid, tempDir } from '../support/temp.js';

test('acquire, release, acquire again', async (t) => {
  const d = tempDir(t, 'kongc-lock-');
  const path = join(d, 'x.lock');
  const lock = await acquireLock(path, { timeoutMs: 100 });
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
  lock.release();
  assert.equal(existsSync(path), false);
  (await acquireLock(path, { timeoutMs: 100 })).release();
});

test('a live holder is waited for, then named on timeout', async (t) => {
  const d = tempDir(t, 'kongc-lock-');
  const holder = spawn('sleep', ['30']);
  t.after(() => holder.kill());
  const path = join(d, 'x.lock');
  writeFileSync(path, JSON.stringify({ pid: holder.pid, startTime: null, host: hostname() }));
  const logs: string[] = [];
  const started = Date.now();
  await assert.rejects(acquireLock(path, { timeoutMs: 400, log: (m) => logs.push(m) }), (e: unknown) => {
    assert.ok(e instanceof CommandFailure);
    assert.equal(e.exitCode, 1);
    assert.match(e.message, new RegExp(`pid ${holder.pid}`));
    return true;
  });
  assert.ok(Date.now() - started >= 400);
  assert.match(logs[0], /waiting for lock/);
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, holder.pid, 'a live lock is never removed');
});

test('the waiter gets the lock once the holder releases it', async (t) => {
  const d = tempDir(t, 'kongc-lock-');
  const path = join(d, 'x.lock');
  const first = await acquireLock(path, { timeoutMs: 100 });
  setTimeout(() => first.release(), 300);
  const second = await acquireLock(path, { timeoutMs: 5000 });
  second.release();
});

test('a stale lock (dead pid, or a reused pid with another start time) is taken over', async (t) => {
  const d = tempDir(t, 'kongc-lock-');
  const path = join(d, 'x.lock');
  writeFileSync(path, JSON.stringify({ pid: deadPid(), startTime: null, host: hostname() }));
  const logs: string[] = [];
  (await acquireLock(path, { timeoutMs: 100, log: (m) => logs.push(m) })).release();
  assert.match(logs.join('\n'), /took over stale lock/);
  // Our own pid, but a start time that is not ours: the holder died and the pid was reused.
  writeFileSync(path, JSON.stringify({ pid: process.pid, startTime: '1', host: hostname() }));
  (await acquireLock(path, { timeoutMs: 100 })).release();
});

test('release leaves a lock that is no longer ours alone', async (t) => {
  const d = tempDir(t, 'kongc-lock-');
  const path = join(d, 'x.lock');
  const lock = await acquireLock(path, { timeoutMs: 100 });
  writeFileSync(path, '{"pid":1}');
  lock.release();
  assert.equal(readFileSync(path, 'utf8'), '{"pid":1}');
});

test('an abort signal ends the wait', async (t) => {
  const d = tempDir(t, 'kongc-lock-');
  const path = join(d, 'x.lock');
  const first = await acquireLock(path, { timeoutMs: 100 });
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error('stop')), 100);
  await assert.rejects(acquireLock(path, { timeoutMs: 10_000, signal: ac.signal }), /stop/);
  first.release();
});
