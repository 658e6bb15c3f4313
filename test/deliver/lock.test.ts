// The apply lock: exclusive, waits for a live holder, names it on timeout, takes over from the dead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../../src/deliver/lock.js';
import { CommandFailure } from '../../src/diagnostics.js';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'kongc-lock-'));
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(r.stdout.toString().trim());
}

test('acquire, release, acquire again', async () => {
  const d = dir();
  try {
    const path = join(d, 'x.lock');
    const lock = await acquireLock(path, { timeoutMs: 100 });
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
    lock.release();
    assert.equal(existsSync(path), false);
    (await acquireLock(path, { timeoutMs: 100 })).release();
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a live holder is waited for, then named on timeout', async () => {
  const d = dir();
  const holder = spawn('sleep', ['30']);
  try {
    const path = join(d, 'x.lock');
    writeFileSync(path, JSON.stringify({ pid: holder.pid, startTime: null, host: hostname() }));
    const logs: string[] = [];
    const t = Date.now();
    await assert.rejects(acquireLock(path, { timeoutMs: 400, log: (m) => logs.push(m) }), (e: unknown) => {
      assert.ok(e instanceof CommandFailure);
      assert.equal(e.exitCode, 1);
      assert.match(e.message, new RegExp(`pid ${holder.pid}`));
      return true;
    });
    assert.ok(Date.now() - t >= 400);
    assert.match(logs[0], /waiting for lock/);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, holder.pid, 'a live lock is never removed');
  } finally {
    holder.kill();
    rmSync(d, { recursive: true, force: true });
  }
});

test('the waiter gets the lock once the holder releases it', async () => {
  const d = dir();
  try {
    const path = join(d, 'x.lock');
    const first = await acquireLock(path, { timeoutMs: 100 });
    setTimeout(() => first.release(), 300);
    const second = await acquireLock(path, { timeoutMs: 5000 });
    second.release();
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a stale lock (dead pid, or a reused pid with another start time) is taken over', async () => {
  const d = dir();
  try {
    const path = join(d, 'x.lock');
    writeFileSync(path, JSON.stringify({ pid: deadPid(), startTime: null, host: hostname() }));
    const logs: string[] = [];
    (await acquireLock(path, { timeoutMs: 100, log: (m) => logs.push(m) })).release();
    assert.match(logs.join('\n'), /took over stale lock/);
    // Our own pid, but a start time that is not ours: the holder died and the pid was reused.
    writeFileSync(path, JSON.stringify({ pid: process.pid, startTime: '1', host: hostname() }));
    (await acquireLock(path, { timeoutMs: 100 })).release();
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('release leaves a lock that is no longer ours alone', async () => {
  const d = dir();
  try {
    const path = join(d, 'x.lock');
    const lock = await acquireLock(path, { timeoutMs: 100 });
    writeFileSync(path, '{"pid":1}');
    lock.release();
    assert.equal(readFileSync(path, 'utf8'), '{"pid":1}');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('an abort signal ends the wait', async () => {
  const d = dir();
  try {
    const path = join(d, 'x.lock');
    const first = await acquireLock(path, { timeoutMs: 100 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop')), 100);
    await assert.rejects(acquireLock(path, { timeoutMs: 10_000, signal: ac.signal }), /stop/);
    first.release();
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
