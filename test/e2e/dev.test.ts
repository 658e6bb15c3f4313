// kongc dev end to end: a real nginx on 127.0.0.1 in front of an echo backend; edits are served,
// a broken edit keeps the last good config, SIGINT stops nginx and removes its prefix.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEcho, type EchoBackend } from '../support/echo.js';
import { request } from '../support/http.js';
import { KONGC_BIN, eventually } from '../support/kongc.js';
import { freePort } from '../support/nginx.js';

function config(backend: number, path: string): string {
  return `_format_version: "3.0"\nservices:\n  - name: echo\n    url: http://127.0.0.1:${backend}\n    routes:\n      - name: r\n        paths: ["${path}"]\n`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('kongc dev', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kongc-dev-test-'));
  const file = join(dir, 'kong.yaml');
  let echo: EchoBackend;
  let port: number;
  let child: ChildProcess;
  let stderr = '';
  let nginxPid = 0;
  let prefix = '';

  /** Waits until stderr (from `from` on) matches; fails with what was printed after `ms`. */
  async function printed(re: RegExp, from: number, ms = 15_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = re.exec(stderr.slice(from));
      if (m) return m;
      if (Date.now() > deadline || child.exitCode !== null) assert.fail(`no ${re} in kongc dev's output:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  before(async () => {
    echo = await startEcho('echo');
    port = await freePort();
    writeFileSync(file, config(echo.port, '/one'));
    child = spawn(process.execPath, [KONGC_BIN, 'dev', file, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  });

  after(async () => {
    // Whatever happened above: nothing started here outlives the test.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (nginxPid && alive(nginxPid)) process.kill(-nginxPid, 'SIGKILL');
    if (prefix) rmSync(prefix, { recursive: true, force: true });
    await echo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts nginx and serves the config', async () => {
    const m = await printed(/serving build [0-9a-f]{16} on http:\/\/127\.0\.0\.1:\d+ \(1 service, 1 route\); nginx pid (\d+)/, 0);
    nginxPid = Number(m[1]);
    prefix = /nginx prefix (\S+)/.exec(stderr)![1]!;
    const r = await request(port, '/one/x');
    assert.equal(r.status, 200);
    assert.equal(r.json().url, '/x');
  });

  it('re-applies an edit: the new route is served', async () => {
    const from = stderr.length;
    writeFileSync(file, config(echo.port, '/two'));
    await printed(/applied build [0-9a-f]{16}/, from);
    assert.equal((await request(port, '/two/y')).json().url, '/y');
    assert.equal((await request(port, '/one/x')).status, 404);
  });

  it('a broken edit prints the error and keeps serving the last good config', async () => {
    const from = stderr.length;
    writeFileSync(file, config(echo.port, '/three').replace('paths:', 'path:'));
    await printed(/kong\.yaml:7:9: error: unknown field 'path' in services\[0\]\.routes\[0\]\n  hint: did you mean 'paths'\?\n/, from);
    await printed(/the configuration has errors; still serving build [0-9a-f]{16}/, from);
    assert.equal((await request(port, '/two/y')).status, 200);
    // Fixed again: served again.
    const fixed = stderr.length;
    writeFileSync(file, config(echo.port, '/three'));
    await printed(/applied build/, fixed);
    assert.equal((await eventually(() => request(port, '/three/z'), (r) => r.status === 200)).json().url, '/z');
  });

  it('SIGINT stops nginx and removes the prefix', async () => {
    assert.ok(nginxPid > 0 && alive(nginxPid), 'nginx runs before the signal');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
    const code = await Promise.race([exited, timeout]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /SIGINT: nginx stopped, \S+ removed/);
    assert.equal(alive(nginxPid), false, 'the nginx master is gone');
    assert.equal(existsSync(prefix), false, 'the temp prefix is gone');
    await assert.rejects(request(port, '/three/z', { timeoutMs: 2000 }), /ECONNREFUSED/);
  });
});

describe('kongc dev refuses to start, leaving nothing behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kongc-dev-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[]) => spawnSync(process.execPath, [KONGC_BIN, 'dev', ...args], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
  const prefixes = () => readdirSync(tmpdir()).filter((n) => n.startsWith('kongc-dev-') && !n.startsWith('kongc-dev-test-'));

  it('a config with errors: exit 1, the errors, no nginx, no prefix', () => {
    writeFileSync(join(dir, 'kong.yaml'), '_format_version: "3.0"\nservices:\n  - name: s\n    url: http://127.0.0.1:9\n    routes: [{name: r, path: [/x]}]\n');
    const before = prefixes();
    const r = run(['kong.yaml', '--listen', '127.0.0.1:1']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^kong\.yaml:5:24: error: unknown field 'path' in services\[0\]\.routes\[0\]\n  hint: did you mean 'paths'\?\nkongc: 1 error\n$/);
    assert.deepEqual(prefixes().filter((p) => !before.includes(p)), []);
  });
  it('no nginx: says how to get one', () => {
    writeFileSync(join(dir, 'kong.yaml'), '_format_version: "3.0"\n');
    const r = run(['kong.yaml', '--nginx', 'no-such-nginx']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^kongc: no-such-nginx not found on PATH nor in \/usr\/sbin.*; install nginx .* or pass --nginx PATH\n$/);
  });
});
