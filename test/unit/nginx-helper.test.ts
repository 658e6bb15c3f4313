// The tests' nginx helper stops every nginx it started on every path: a start that times out or
// fails, and a test process interrupted by SIGINT or SIGTERM. Nothing is left running or on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { freePort, sleep, startNginx, startedNginx } from '../support/nginx.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by a parent that is gone too) is not running.
  return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

function workersOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function gone(pids: number[], ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (pids.some(alive)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

const listening = (port: number) => `server { listen 127.0.0.1:${port}; return 200 "up\\n"; }\n`;

test('a start that times out waiting for the port stops the nginx it started', async () => {
  const served = await freePort();
  let awaited = await freePort();
  // Two free ports in a row can be the same one.
  while (awaited === served) awaited = await freePort();
  const before = startedNginx.length;
  // nginx serves one port while the helper waits for another: the wait runs out. Should something
  // else answer there, the test fails (and stops the nginx) instead of passing.
  const start = startNginx(listening(served), awaited, 1500).then(async (n) => {
    await n.stop();
    throw new Error(`something answered on 127.0.0.1:${awaited}`);
  });
  await assert.rejects(start, /nothing listens on 127\.0\.0\.1:/);
  assert.equal(startedNginx.length, before + 1);
  const { pid, prefix } = startedNginx[startedNginx.length - 1]!;
  assert.ok(await gone([pid]), `nginx master ${pid} still runs`);
  assert.ok(!existsSync(prefix), `${prefix} left behind`);
});

test('a start that fails nginx -t leaves nothing behind', async () => {
  const before = startedNginx.length;
  await assert.rejects(startNginx('server { listen 127.0.0.1:1; bogus_directive on; }\n'), /nginx -t failed/);
  assert.equal(startedNginx.length, before, 'no nginx was started');
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`a test process ended by ${signal} stops its nginx and removes its prefix`, async () => {
    const port = await freePort();
    const helper = join(PACKAGE_ROOT, 'dist', 'test', 'support', 'nginx.js');
    const script = `
      import { startNginx } from ${JSON.stringify(helper)};
      const n = await startNginx(${JSON.stringify(listening(port))}, ${port});
      const pid = Number((await import('node:fs')).readFileSync(n.prefix + '/nginx.pid', 'utf8'));
      console.log(JSON.stringify({ pid, prefix: n.prefix }));
      setInterval(() => {}, 1000);`;
    const child = execa('node', ['--input-type=module', '-e', script], { reject: false, timeout: 60_000 });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', () => reject(new Error(`exited before nginx started: ${out}`)));
    });
    const { pid, prefix } = JSON.parse(line) as { pid: number; prefix: string };
    await sleep(200); // the worker is forked after the pid file is written
    const workers = workersOf(pid);
    assert.ok(workers.length >= 1, 'nginx has a worker');
    child.kill(signal);
    const r = await child;
    assert.equal(r.exitCode, signal === 'SIGINT' ? 130 : 143);
    assert.ok(await gone([pid, ...workers]), `nginx ${pid} or its workers still run after ${signal}`);
    assert.ok(!existsSync(prefix), `${prefix} left behind`);
  });
}
