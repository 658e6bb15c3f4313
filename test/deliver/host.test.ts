// kongc apply, rollback and diff on a host-like nginx (nginx.conf including conf.d/*.conf),
// against a real nginx master: the dry run tests inside the real include tree, a stopped nginx
// stops the apply before anything changes (or is started with --start), backups stay distinct,
// rollback restores and serves the previous config, and changes are shown as Kong entities.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listBackups } from '../../src/deliver/backup.js';
import { startEcho, type EchoBackend } from '../support/echo.js';
import { request } from '../support/http.js';
import { kongc, kongYaml } from '../support/kongc.js';
import { makeHost, type Host } from './host.js';

let work: string;
let echo: EchoBackend;
let host: Host;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kongc-host-'));
  echo = await startEcho('echo');
  host = await makeHost();
  const empty = join(work, 'empty.yaml');
  writeFileSync(empty, '_format_version: "3.0"\n');
  const built = await kongc(['build', empty, '--listen', host.listen, '-o', host.target]);
  assert.equal(built.exitCode, 0, built.stderr);
  await host.start();
});

after(async () => {
  await host?.dispose();
  await echo?.close();
  rmSync(work, { recursive: true, force: true });
});

function yaml(name: string, paths: string[]): string {
  return kongYaml(join(work, `${name}.yaml`), echo.port, paths);
}

function apply(file: string, ...extra: string[]) {
  return kongc(['apply', file, '--target', host.target, '--listen', host.listen, ...host.nginxArgs(), ...extra]);
}

function rollback(...extra: string[]) {
  return kongc(['rollback', '--target', host.target, ...host.nginxArgs(), ...extra]);
}

async function status(path: string): Promise<number> {
  return (await request(host.port, path)).status;
}

async function served(): Promise<string> {
  return (await request(host.port, '/__kongc/build')).body.trim();
}

function hashOf(file: string): string {
  return /^# kongc build ([0-9a-f]{16}) /.exec(readFileSync(file, 'utf8'))![1]!;
}

/** Every file under the prefix except nginx's own (logs, temp dirs, pid file), with contents. */
function snapshot(dir = host.prefix): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    if (dir === host.prefix && (name === 'logs' || name === 'tmp' || name === 'nginx.pid')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) for (const [k, v] of Object.entries(snapshot(p))) out[`${name}/${k}`] = v;
    else out[name] = readFileSync(p, 'utf8');
  }
  return out;
}

const lastLine = (s: string) => s.trimEnd().split('\n').pop() ?? '';

test('the dry run tests inside the real include tree: a sibling conf.d file that clashes is caught, as the apply would be', async () => {
  const v1 = yaml('dry1', ['/d1']);
  assert.equal((await apply(v1)).exitCode, 0);
  const v2 = yaml('dry2', ['/d1', '/d2']);
  // Another file in conf.d claims the default server of the same address.
  const sibling = join(host.prefix, 'conf.d', 'other.conf');
  writeFileSync(sibling, `server {\n    listen ${host.listen} default_server;\n    return 418;\n}\n`);
  try {
    const snap = snapshot();
    const dry = await apply(v2, '--dry-run');
    assert.equal(dry.exitCode, 1, dry.stdout + dry.stderr);
    assert.match(dry.stderr, /nginx -t rejected the new configuration in .*nginx\.conf:\n.*a duplicate default server for 127\.0\.0\.1:\d+ in .*conf\.d\/(other|kong)\.conf:\d+/);
    assert.doesNotMatch(dry.stderr, /kongc-dry-run-/, 'messages name the real files, not the temporary copy');
    assert.deepEqual(snapshot(), snap, 'the dry run changed nothing');

    // The real apply fails on the same conflict, and rolls back.
    const real = await apply(v2);
    assert.equal(real.exitCode, 1);
    assert.match(real.stderr, /a duplicate default server for 127\.0\.0\.1:\d+/);
    assert.equal(await status('/d2'), 404);
  } finally {
    rmSync(sibling);
  }
  const ok = await apply(v2, '--dry-run');
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.match(lastLine(ok.stdout), /^dry run: would apply build [0-9a-f]{16} .*; test passed/);
  assert.match(ok.stderr, /test: \S+ -t on a copy of .*nginx\.conf with the new .*conf\.d\/kong\.conf: ok/);
  assert.equal(await status('/d2'), 404);
});

test('the dry run fails when no include of nginx.conf reaches the target', async () => {
  const elsewhere = join(host.prefix, 'kong-elsewhere.conf');
  const r = await kongc(['apply', yaml('dry3', ['/d3']), '--target', elsewhere, '--listen', host.listen, ...host.nginxArgs(), '--dry-run']);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /no include in .*nginx\.conf reaches .*kong-elsewhere\.conf: nginx would never load it/);
  assert.ok(!existsSync(elsewhere));
});

test('with nginx stopped, apply exits 1 before changing anything; --start starts it with the new config', async () => {
  const v1 = yaml('stop1', ['/s1']);
  assert.equal((await apply(v1)).exitCode, 0);
  await host.stop();
  try {
    const snap = snapshot();
    const v2 = yaml('stop2', ['/s1', '/s2']);
    const r = await apply(v2);
    assert.equal(r.exitCode, 1, r.stderr);
    // No pid file, or an empty one (`nginx -t` creates it when missing).
    assert.match(r.stderr, /kongc: nginx is not running \((no pid file|pid file) [^)]*nginx\.pid( is empty)?\); nothing changed/);
    assert.doesNotMatch(r.stderr, /rollback|reload/);
    assert.equal(r.stdout, '');
    // The installed config again: not "no changes" while nothing serves it.
    const same = await apply(v1);
    assert.equal(same.exitCode, 1);
    assert.match(same.stderr, /nginx is not running/);
    // With a reload command of the user's, kongc can't read nginx's pid file; the live check
    // still refuses to call a file nothing serves "no changes".
    const viaCmd = await apply(v1, '--reload-cmd', 'true');
    assert.equal(viaCmd.exitCode, 1);
    assert.match(viaCmd.stderr, /kong\.conf is current, but nginx is not serving it: nothing listens on 127\.0\.0\.1:\d+; is nginx running\?/);
    assert.deepEqual(snapshot(), snap, 'target, backups and state unchanged');

    // --start with a config nginx cannot start with (its port is taken): the file is put back,
    // and the message says nginx is not running, not that a rollback reload failed.
    const clash = await kongc(['apply', v2, '--target', host.target, '--listen', `127.0.0.1:${echo.port}`, ...host.nginxArgs(), '--start']);
    assert.equal(clash.exitCode, 1, clash.stderr);
    assert.match(clash.stderr, /kongc: \S+ -p .* failed; the previous file is back in place; nginx is not running \([^)]*nginx\.pid[^)]*\):\n[^]*Address already in use/);
    assert.doesNotMatch(clash.stderr, /rollback failed|reloaded/);
    assert.deepEqual(readFileSync(host.target, 'utf8'), snap['conf.d/kong.conf']);

    const started = await apply(v2, '--start');
    assert.equal(started.exitCode, 0, started.stderr);
    assert.match(lastLine(started.stdout), /^applied \(nginx started\) build [0-9a-f]{16} to /);
    assert.match(started.stderr, /start: .* -p .*: ok/);
    assert.equal(await status('/s2'), 200);
  } finally {
    await host.stop(); // the daemonized master --start began
    await host.start();
  }
});

test('repeated failed applies keep distinct backups only; rollback --list shows them', async () => {
  const v1 = yaml('bak1', ['/b1']);
  assert.equal((await apply(v1)).exitCode, 0);
  const v2 = yaml('bak2', ['/b1', '/b2']);
  for (let i = 0; i < 3; i++) {
    const r = await apply(v2, '--test-cmd', 'exit 1');
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /rejected the new configuration; the previous file is back in place/);
  }
  const backups = listBackups(host.target);
  const contents = backups.map((b) => b.content.toString('utf8'));
  assert.equal(new Set(contents).size, contents.length, 'no two backups are the same');
  for (let i = 1; i < contents.length; i++) assert.notEqual(contents[i], contents[i - 1]);
  assert.equal(contents[0], readFileSync(host.target, 'utf8'), 'the live file was kept once, by the first failed apply');

  const list = await rollback('--list');
  assert.equal(list.exitCode, 0, list.stderr);
  assert.match(list.stdout, /^backups of .*kong\.conf, newest first/);
  assert.match(list.stdout, /^ {2}1 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC {2}build [0-9a-f]{16}, 1 service, 1 route, same as installed$/m);
  assert.equal(list.stdout.trim().split('\n').length, backups.length + 1);
});

test('rollback restores the previous distinct config and nginx serves it; --to picks an older one', async () => {
  const v1 = yaml('rb1', ['/r1']);
  const v2 = yaml('rb2', ['/r1', '/r2']);
  assert.equal((await apply(v1)).exitCode, 0);
  const h1 = hashOf(host.target);
  assert.equal((await apply(v2)).exitCode, 0);
  const h2 = hashOf(host.target);
  // A failed apply on top keeps v2 as backup 1; rollback skips it, as it equals the live file.
  assert.equal((await apply(yaml('rb3', ['/r3']), '--test-cmd', 'exit 1')).exitCode, 1);
  assert.equal(await status('/r2'), 200);

  const r = await rollback();
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^- route route-1 \(service echo\)$/m, 'the change in Kong terms');
  assert.match(lastLine(r.stdout), new RegExp(`^rolled back to backup \\d+: applied build ${h1} to .*kong\\.conf: 1 service, 1 route, `));
  assert.match(r.stderr, /rollback: verify: nginx serves build/);
  assert.equal(await served(), h1);
  assert.equal(await status('/r2'), 404);
  assert.equal(await status('/r1'), 200);
  // The kept state follows the rollback: kongc diff of v1 against the target is empty.
  const d = await kongc(['diff', v1, '--target', host.target, '--listen', host.listen, '--exit-code']);
  assert.deepEqual([d.exitCode, d.stdout, d.stderr], [0, '', '']);

  // v2 is now backup 1 (distinct from the live v1): --to 1 goes back to it.
  const back = await rollback('--to', '1');
  assert.equal(back.exitCode, 0, back.stderr);
  assert.equal(await served(), h2);

  const none = await rollback('--to', '99');
  assert.equal(none.exitCode, 1);
  assert.match(none.stderr, /there is no backup 99 of .*: \d+ kept/);
  assert.equal((await rollback('--to', '1', '--list')).exitCode, 2);
});

test('a rollback that nginx -t rejects leaves the live config in place', async () => {
  const v1 = yaml('rf1', ['/f1']);
  const v2 = yaml('rf2', ['/f1', '/f2']);
  assert.equal((await apply(v1)).exitCode, 0);
  assert.equal((await apply(v2)).exitCode, 0);
  const live = readFileSync(host.target);
  const r = await rollback('--test-cmd', 'exit 1');
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /rejected the new configuration; the previous file is back in place/);
  assert.deepEqual(readFileSync(host.target), live);
  assert.equal(await status('/f2'), 200);
});

test('apply and diff show what changed in Kong terms: services, routes, upstreams and targets added, changed and removed', async () => {
  const echo2 = await startEcho('echo2');
  try {
    const a = join(work, 'kong-a.yaml');
    const b = join(work, 'kong-b.yaml');
    writeFileSync(
      a,
      `_format_version: "3.0"
upstreams:
  - name: orders-up
    targets:
      - target: 127.0.0.1:${echo.port}
  - name: legacy
    targets:
      - target: 127.0.0.1:${echo.port}
services:
  - name: orders
    host: orders-up
    read_timeout: 60000
    routes:
      - name: orders-list
        paths: ["/orders"]
  - name: legacy
    host: legacy
    routes:
      - name: legacy-all
        paths: ["/legacy"]
`,
    );
    writeFileSync(
      b,
      `_format_version: "3.0"
upstreams:
  - name: orders-up
    algorithm: least-connections
    targets:
      - target: 127.0.0.1:${echo.port}
        weight: 50
      - target: 127.0.0.1:${echo2.port}
services:
  - name: orders
    host: orders-up
    read_timeout: 5000
    routes:
      - name: orders-list
        paths: ["/orders"]
      - name: orders-export
        paths: ["/orders/export"]
  - name: billing
    url: http://127.0.0.1:${echo.port}
    routes:
      - name: billing-all
        paths: ["/billing"]
`,
    );
    const first = await apply(a);
    assert.equal(first.exitCode, 0, first.stderr);
    assert.equal(await status('/legacy'), 200);
    const expected = [
      '+ service billing',
      '+ route billing-all (service billing)',
      '+ route orders-export (service orders)',
      `+ target 127.0.0.1:${echo2.port} (upstream orders-up)`,
      '~ service orders: read_timeout 60000 → 5000',
      '~ upstream orders-up: algorithm round-robin → least-connections',
      `~ target 127.0.0.1:${echo.port} (upstream orders-up): weight 100 → 50`,
      '- service legacy',
      '- route legacy-all (service legacy)',
      '- upstream legacy',
      `- target 127.0.0.1:${echo.port} (upstream legacy)`,
    ];
    const diff = await kongc(['diff', b, '--target', host.target, '--listen', host.listen, '--exit-code']);
    assert.equal(diff.exitCode, 3, diff.stderr);
    assert.deepEqual(diff.stdout.split('\n\n')[0]!.split('\n'), expected);
    assert.match(diff.stdout, /\n\n--- .*kong\.conf\n\+\+\+ /, 'then the nginx text diff');

    // In CI, with no host: the previous declarative file is the baseline.
    const ci = await kongc(['diff', b, '--from-state', a, '--listen', host.listen]);
    assert.equal(ci.exitCode, 0, ci.stderr);
    assert.deepEqual(ci.stdout.trimEnd().split('\n'), expected);

    // The state kept on the host serves as --from-state too.
    const kept = join(host.prefix, 'conf.d', '.kong.conf.kong-state.json');
    const fromKept = await kongc(['diff', b, '--from-state', kept, '--listen', host.listen]);
    assert.deepEqual(fromKept.stdout.trimEnd().split('\n'), expected);

    const second = await apply(b);
    assert.equal(second.exitCode, 0, second.stderr);
    assert.deepEqual(second.stdout.trimEnd().split('\n').slice(0, -1), expected);
    assert.match(second.stderr, /kong: 4 added, 3 changed, 4 removed/);
    assert.equal(await status('/legacy'), 404);
    assert.equal(await status('/billing'), 200);
  } finally {
    await echo2.close();
  }
});
