// kongc apply / diff against a real nginx master (temp prefix, free 127.0.0.1 port): applying,
// no-op without reload, a failing test, a reload that does not take effect, dry run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEcho, type EchoBackend } from '../support/echo.js';
import { request } from '../support/http.js';
import { freePort, NGINX_BIN, startNginx, wrapperConfig, type RunningNginx } from '../support/nginx.js';
import { kongc, kongYaml, workerPids } from '../support/kongc.js';

let work: string;
let echo: EchoBackend;
let nginx: RunningNginx;
let port: number;
let listen: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kongc-apply-'));
  echo = await startEcho('echo');
  port = await freePort();
  listen = `127.0.0.1:${port}`;
  // nginx starts with a kongc build that has no routes: everything is a 404.
  const empty = join(work, 'empty.yaml');
  writeFileSync(empty, '_format_version: "3.0"\n');
  const built = await kongc(['build', empty, '--listen', listen]);
  assert.equal(built.exitCode, 0, built.stderr);
  nginx = await startNginx(built.stdout);
});

after(async () => {
  await nginx?.stop();
  await echo?.close();
  rmSync(work, { recursive: true, force: true });
});

function applyArgs(yaml: string, ...extra: string[]): string[] {
  return ['apply', yaml, '--target', nginx.include, '--listen', listen, '--nginx', NGINX_BIN, '--prefix', nginx.prefix, '--nginx-conf', join(nginx.prefix, 'nginx.conf'), '--timeout', '5', ...extra];
}

async function status(path: string): Promise<number> {
  return (await request(port, path)).status;
}

/** Everything in the include's folder except nginx's own logs and temp dirs, with contents. */
function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(nginx.prefix)) {
    if (name === 'logs' || name === 'tmp') continue;
    const p = join(nginx.prefix, name);
    out[name] = statSync(p).isFile() ? readFileSync(p, 'utf8') : '<dir>';
  }
  return out;
}

test('first apply serves the new routes; an identical second apply reports no changes and does not reload', async () => {
  const v1 = kongYaml(join(work, 'v1.yaml'), echo.port, ['/v1']);
  const before = readFileSync(nginx.include, 'utf8');
  assert.equal(await status('/v1'), 404);

  const first = await kongc(applyArgs(v1));
  assert.equal(first.exitCode, 0, first.stderr);
  assert.match(first.stdout, /^applied build [0-9a-f]{16} to .*: 1 service, 1 route, \+\d+ -\d+ lines, \d+\.\d\ds$/m);
  for (const step of ['compare:', 'lock: acquired', 'backup:', 'write:', 'test:', 'reload:', 'verify: nginx serves build', 'lock: released']) {
    assert.ok(first.stderr.includes(step), `step "${step}" logged:\n${first.stderr}`);
  }
  assert.equal(await status('/v1/x'), 200);
  const reply = await request(port, '/v1/x');
  assert.equal(reply.status, 200);
  assert.equal(reply.json().backend, 'echo');
  assert.equal(readFileSync(join(nginx.prefix, '.kongc.conf.bak.1'), 'utf8'), before, 'previous file kept as backup 1');

  const workers = await workerPids(nginx.prefix);
  const t = performance.now();
  const second = await kongc(applyArgs(v1));
  const noopMs = performance.now() - t;
  assert.equal(second.exitCode, 0, second.stderr);
  assert.match(second.stdout, /^no changes \(build [0-9a-f]{16}/);
  assert.doesNotMatch(second.stderr, /reload|lock:/);
  assert.deepEqual(await workerPids(nginx.prefix), workers, 'no reload: same worker pids');
  assert.equal(await status('/v1'), 200);
  console.log(`# no-op apply (whole CLI run): ${noopMs.toFixed(0)} ms`);
  assert.deepEqual(
    readdirSync(nginx.prefix).filter((n) => n.startsWith('.') && !n.includes('.bak.')),
    ['.kongc.conf.kong-state.json'],
    'the Kong state is kept; no lock, journal or temp file left',
  );
  assert.equal(statSync(join(nginx.prefix, '.kongc.conf.kong-state.json')).mode & 0o777, 0o600);
});

test('every connection opened after apply returns is served by the new build', async () => {
  // nginx starts the new workers before it tells the old ones to quit; until an old worker
  // handles that, it still accepts connections with the previous config. Apply must not return
  // in that window. Several rounds of many connections at once make the window hard to miss.
  const files = [kongYaml(join(work, 'r1.yaml'), echo.port, ['/r1']), kongYaml(join(work, 'r2.yaml'), echo.port, ['/r1', '/r2'])];
  for (let round = 0; round < 8; round++) {
    const r = await kongc(applyArgs(files[round % 2]!));
    assert.equal(r.exitCode, 0, r.stderr);
    const hash = /^applied build ([0-9a-f]{16})/m.exec(r.stdout)?.[1];
    assert.ok(hash, r.stdout);
    const served = await Promise.all(Array.from({ length: 24 }, () => request(port, '/__kongc/build').then((x) => x.body.trim())));
    assert.deepEqual(served, served.map(() => hash), `round ${round}: connections after apply returned`);
  }
});

test('a failing test command leaves the previous file byte-identical and traffic on the old config', async () => {
  const v1 = kongYaml(join(work, 'v1.yaml'), echo.port, ['/v1']);
  assert.equal((await kongc(applyArgs(v1))).exitCode, 0);
  const installed = readFileSync(nginx.include);
  const v2 = kongYaml(join(work, 'v2.yaml'), echo.port, ['/v1', '/v2']);

  const r = await kongc(applyArgs(v2, '--test-cmd', 'echo "config is bad" >&2; exit 1'));
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /kongc: echo "config is bad" >&2; exit 1 rejected the new configuration; the previous file is back in place:\nconfig is bad/);
  assert.deepEqual(readFileSync(nginx.include), installed);
  assert.equal(await status('/v2'), 404);
  assert.equal(await status('/v1'), 200);
});

test('nginx -t rejecting the new file is reported against the Kong entity, and the file restored', async () => {
  const v1 = kongYaml(join(work, 'v1.yaml'), echo.port, ['/v1']);
  assert.equal((await kongc(applyArgs(v1))).exitCode, 0);
  const installed = readFileSync(nginx.include);
  // A host config that includes the file twice: nginx -t fails with "duplicate upstream" on a
  // generated line, the kind of conflict only the host's own nginx -t can find.
  const twice = join(nginx.prefix, 'twice.conf');
  writeFileSync(twice, wrapperConfig(nginx.prefix, nginx.include).replace(/(  include .*\n)/, '$1$1'));
  const v2 = kongYaml(join(work, 'v2.yaml'), echo.port, ['/v1', '/v2']);
  try {
    const r = await kongc(applyArgs(v2, '--test-cmd', `${NGINX_BIN} -t -p ${nginx.prefix} -c ${twice}`));
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, /v2\.yaml:\d+:\d+: error: nginx rejected the configuration generated for service echo: duplicate upstream "[^"]+" \(generated line \d+\)/);
    assert.deepEqual(readFileSync(nginx.include), installed);
    assert.equal(await status('/v2'), 404);
  } finally {
    rmSync(twice);
  }
});

test('a reload that does not take effect is detected and rolled back', async () => {
  const v1 = kongYaml(join(work, 'v1.yaml'), echo.port, ['/v1']);
  assert.equal((await kongc(applyArgs(v1))).exitCode, 0);
  const installed = readFileSync(nginx.include);
  // The new config also listens on the echo backend's port: nginx -t passes (it binds nothing),
  // `nginx -s reload` exits 0, and the master fails to bind and keeps the old configuration.
  const v2 = kongYaml(join(work, 'v2.yaml'), echo.port, ['/v1', '/v2']);
  const r = await kongc(applyArgs(v2, '--listen', `127.0.0.1:${echo.port}`, '--timeout', '3'));
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /kongc: the reload did not take effect: after 3s nginx is serving build [0-9a-f]{16}/);
  assert.match(r.stderr, /rollback: restored the previous/);
  assert.match(r.stderr, /rollback: nginx serves the previous build/);
  assert.deepEqual(readFileSync(nginx.include), installed);
  assert.match(nginx.errorLog(), /Address already in use/);
  assert.equal(await status('/v1'), 200);
  assert.equal(await status('/v2'), 404);
});

test('--dry-run tests a temporary copy and changes nothing on disk', async () => {
  const v1 = kongYaml(join(work, 'v1.yaml'), echo.port, ['/v1']);
  assert.equal((await kongc(applyArgs(v1))).exitCode, 0);
  const v2 = kongYaml(join(work, 'v2.yaml'), echo.port, ['/v1', '/v2']);
  const snap = snapshot();
  const workers = await workerPids(nginx.prefix);
  const r = await kongc(applyArgs(v2, '--dry-run'));
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^\+ route route-1 \(service echo\)\ndry run: would apply build [0-9a-f]{16} to .*: 1 service, 2 routes, \+\d+ -\d+ lines; test passed/);
  assert.deepEqual(snapshot(), snap);
  assert.deepEqual(await workerPids(nginx.prefix), workers);
  assert.equal(await status('/v2'), 404);

  // With --test-cmd, the command sees the candidate (not the installed file) in $KONGC_CANDIDATE.
  const bad = await kongc(applyArgs(v2, '--dry-run', '--test-cmd', 'grep -q "/v2" "$KONGC_CANDIDATE" && ! grep -q "/v2" "$KONGC_TARGET" && exit 7'));
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /exit code 7/);
  assert.deepEqual(snapshot(), snap);
});

test('kongc diff: empty when equal, a unified diff otherwise, exit 3 with --exit-code', async () => {
  const v1 = kongYaml(join(work, 'v1.yaml'), echo.port, ['/v1']);
  assert.equal((await kongc(applyArgs(v1))).exitCode, 0);
  const same = await kongc(['diff', v1, '--target', nginx.include, '--listen', listen, '--exit-code']);
  assert.deepEqual([same.exitCode, same.stdout], [0, '']);
  const v2 = kongYaml(join(work, 'v2.yaml'), echo.port, ['/v1', '/v2']);
  const differ = await kongc(['diff', v2, '--target', nginx.include, '--listen', listen]);
  assert.equal(differ.exitCode, 0);
  // Kong's terms first, then the nginx text.
  assert.match(differ.stdout, new RegExp(`^\\+ route route-1 \\(service echo\\)\n\n--- ${nginx.include}\n\\+\\+\\+ ${nginx.include} \\(kongc\\)\n@@ `));
  assert.match(differ.stdout, /^\+.*"\/v2"/m);
  const code = await kongc(['diff', v2, '--target', nginx.include, '--listen', listen, '--exit-code']);
  assert.equal(code.exitCode, 3);
  const missing = await kongc(['diff', v2, '--target', join(work, 'nope.conf'), '--listen', listen, '--exit-code']);
  assert.equal(missing.exitCode, 3);
  assert.match(missing.stdout, /^@@ -0,0 \+1,\d+ @@$/m);
  assert.ok(existsSync(nginx.include));
});
