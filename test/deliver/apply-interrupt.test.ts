// kongc apply under contention and interruption, against a real nginx master: two applies at
// once, SIGKILL at any moment (then recovery), SIGTERM mid-apply (rollback).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEcho, type EchoBackend } from '../support/echo.js';
import { request } from '../support/http.js';
import { freePort, NGINX_BIN, sleep, startNginx, type RunningNginx } from '../support/nginx.js';
import { eventually, kongc, kongYaml, spawnKongc } from '../support/kongc.js';

let work: string;
let echo: EchoBackend;
let nginx: RunningNginx;
let port: number;
let listen: string;
const yaml: Record<string, string> = {};
const rendered: Record<string, string> = {};

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kongc-apply-int-'));
  echo = await startEcho('echo');
  port = await freePort();
  listen = `127.0.0.1:${port}`;
  for (const [name, paths] of Object.entries({ a: ['/a'], b: ['/b'], c: ['/a', '/b', '/c'] })) {
    yaml[name] = kongYaml(join(work, `${name}.yaml`), echo.port, paths);
    const out = join(work, `${name}.conf`);
    const r = await kongc(['build', yaml[name], '--listen', listen, '-o', out]);
    assert.equal(r.exitCode, 0, r.stderr);
    rendered[name] = readFileSync(out, 'utf8');
  }
  nginx = await startNginx(rendered.a);
});

after(async () => {
  await nginx?.stop();
  await echo?.close();
  rmSync(work, { recursive: true, force: true });
});

const conf = () => join(nginx.prefix, 'nginx.conf');
const nginxTest = () => `${NGINX_BIN} -t -q -p ${nginx.prefix} -c ${conf()}`;

function applyArgs(name: string, ...extra: string[]): string[] {
  return ['apply', yaml[name], '--target', nginx.include, '--listen', listen, '--nginx', NGINX_BIN, '--prefix', nginx.prefix, '--nginx-conf', conf(), '--timeout', '10', ...extra];
}

function hashOf(text: string): string {
  return /^# kongc build ([0-9a-f]{16}) /.exec(text)![1];
}

async function liveHash(): Promise<string> {
  return (await request(port, '/__kongc/build')).body.trim();
}

/** The build nginx serves once the workers of a reload nobody waited for have taken over. */
function servedBuild(expected: string): Promise<string> {
  return eventually(liveHash, (h) => h === expected);
}

/** Which complete render the installed file is; fails on anything else (a partial file). */
function installedName(): string {
  const text = readFileSync(nginx.include, 'utf8');
  const name = Object.keys(rendered).find((n) => rendered[n] === text);
  assert.ok(name, `installed file is one complete render, got ${text.length} bytes:\n${text.slice(0, 200)}`);
  return name;
}

/** Lock, journal and temp files (backups and the kept Kong state are meant to stay). */
function leftovers(): string[] {
  return readdirSync(nginx.prefix).filter((n) => n.startsWith('.') && !/\.bak\.\d+(\.kong-state\.json)?$/.test(n) && n !== '.kongc.conf.kong-state.json');
}

function waitForOutput(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in:\n${seen}`)), 20_000);
    stream.on('data', (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 400 && !existsSync(path); i++) await sleep(25);
  assert.ok(existsSync(path), `${path} appeared`);
}

test('two concurrent applies both finish, one after the other; the result is one complete render', async () => {
  assert.equal((await kongc(applyArgs('a'))).exitCode, 0);
  // The first apply holds the lock in its test step until the second is seen waiting for it.
  const go = join(work, 'go');
  rmSync(go, { force: true });
  const first = spawnKongc(applyArgs('b', '--test-cmd', `while [ ! -e ${go} ]; do sleep 0.05; done; ${nginxTest()}`));
  await waitForFile(join(nginx.prefix, '.kongc.conf.lock'));
  const second = spawnKongc(applyArgs('c'));
  await waitForOutput(second.stderr, new RegExp(`lock: waiting for lock .* held by pid ${first.pid}`));
  writeFileSync(go, '');
  const [b, c] = await Promise.all([first, second]);
  assert.equal(b.exitCode, 0, String(b.stderr));
  assert.equal(c.exitCode, 0, String(c.stderr));
  assert.equal(installedName(), 'c', 'the waiter applied last, over the first one');
  assert.equal(await liveHash(), hashOf(rendered.c));
  assert.deepEqual(leftovers(), []);
});

test('a second apply gives up after --timeout, naming the holder pid', async () => {
  const holder = spawnKongc(applyArgs('b', '--test-cmd', `sleep 60; ${nginxTest()}`));
  try {
    const lock = join(nginx.prefix, '.kongc.conf.lock');
    await waitForFile(lock);
    const r = await kongc(applyArgs('c', '--timeout', '1'));
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, new RegExp(`kongc: another kongc apply \\(pid ${holder.pid}\\) holds the lock ${lock.replace(/\./g, '\\.')}; gave up after 1s`));
  } finally {
    // Interrupting the holder also stops its test step (sleep 60) and rolls its change back.
    holder.kill('SIGTERM');
  }
  const h = await holder;
  assert.equal(h.exitCode, 143, String(h.stderr));
  assert.deepEqual(leftovers(), []);
});

test('SIGKILL between write and reload leaves a complete file, and the next apply recovers', async () => {
  assert.equal((await kongc(applyArgs('a'))).exitCode, 0);
  const marker = join(work, 'test-step.pid');
  rmSync(marker, { force: true });
  // The test step runs after the new file is in place and before the reload: kill apply there.
  const victim = spawnKongc(applyArgs('b', '--test-cmd', `echo $$ > ${marker}; exec sleep 30`));
  await waitForFile(marker);
  victim.kill('SIGKILL');
  await victim;
  process.kill(Number(readFileSync(marker, 'utf8')), 'SIGKILL'); // the orphaned test step
  assert.equal(installedName(), 'b', 'the new file, complete');
  assert.equal(await liveHash(), hashOf(rendered.a), 'never reloaded');
  assert.ok(leftovers().includes('.kongc.conf.lock'), 'the dead process still holds the lock');

  const next = await kongc(applyArgs('b'));
  assert.equal(next.exitCode, 0, next.stderr);
  assert.match(next.stderr, /lock: took over stale lock .* left by pid \d+/);
  assert.match(next.stderr, /recover: an earlier apply was interrupted; restored the file it replaced/);
  assert.equal(installedName(), 'b');
  assert.equal(await liveHash(), hashOf(rendered.b));
  assert.equal((await request(port, '/b')).status, 200);
  assert.deepEqual(leftovers(), []);
});

test('SIGKILL at random moments never leaves a partial file; the next apply converges', async () => {
  for (let i = 0; i < 4; i++) {
    const victim = spawnKongc(applyArgs(i % 2 ? 'a' : 'c'));
    await sleep(1000 + Math.random() * 600); // CLI start-up + render take about a second
    victim.kill('SIGKILL');
    await victim;
    installedName();
  }
  await sleep(300); // let orphaned nginx -t / -s reload finish
  const r = await kongc(applyArgs('c'));
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(installedName(), 'c');
  assert.equal(await servedBuild(hashOf(rendered.c)), hashOf(rendered.c));
  assert.deepEqual(leftovers(), []);
});

test('SIGTERM during the test step rolls back, cleans up and exits 143', async () => {
  assert.equal((await kongc(applyArgs('a'))).exitCode, 0);
  const before = readFileSync(nginx.include);
  const marker = join(work, 'started');
  rmSync(marker, { force: true });
  const victim = spawnKongc(applyArgs('b', '--test-cmd', `touch ${marker}; sleep 0.5; ${nginxTest()}`));
  await waitForFile(marker);
  victim.kill('SIGTERM');
  const r = await victim;
  assert.equal(r.exitCode, 143, String(r.stderr));
  assert.match(String(r.stderr), /received SIGTERM: finishing the current step, then rolling back/);
  assert.match(String(r.stderr), /rollback: restored the previous/);
  assert.match(String(r.stderr), /kongc: interrupted by SIGTERM; nothing changed/);
  assert.deepEqual(readFileSync(nginx.include), before);
  assert.equal(await liveHash(), hashOf(rendered.a));
  assert.deepEqual(leftovers(), []);
});

test('SIGINT while waiting for the reload to show rolls back and reloads the previous config', async () => {
  assert.equal((await kongc(applyArgs('a'))).exitCode, 0);
  const marker = join(work, 'reloading');
  rmSync(marker, { force: true });
  // A reload command that does nothing: apply sits in the verify step until interrupted.
  const victim = spawnKongc(applyArgs('b', '--reload-cmd', `touch ${marker}`));
  await waitForFile(marker);
  await sleep(200);
  victim.kill('SIGINT');
  const r = await victim;
  assert.equal(r.exitCode, 130, String(r.stderr));
  assert.match(String(r.stderr), /interrupted: rolling back[\s\S]*rollback: reload: touch[\s\S]*rollback: nginx serves the previous build/);
  assert.equal(installedName(), 'a');
  assert.deepEqual(leftovers(), []);
  writeFileSync(marker, '');
});
