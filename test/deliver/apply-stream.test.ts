// kongc apply and diff with a stream include (--stream-target) against a real nginx that includes
// it in a stream {} block: both includes are written, tested and reloaded as one unit; a change
// to the stream routes alone is applied; a failed test puts both files back byte for byte.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, NGINX_BIN, startNginx, type RunningNginx } from '../support/nginx.js';
import { kongc } from '../support/kongc.js';
import { startTcpEcho, tcpExchange, type StreamBackend } from '../support/stream.js';

let work: string;
let nginx: RunningNginx;
let a: StreamBackend;
let b: StreamBackend;
let http: number;
let tcp: number;
let streamTarget: string;

function config(file: string, backend: number): string {
  writeFileSync(
    join(work, file),
    `_format_version: "3.0"
services:
  - { name: db, protocol: tcp, host: 127.0.0.1, port: ${backend}, routes: [{ name: db, protocols: [tcp], destinations: [{ port: ${tcp} }] }] }
`,
  );
  return join(work, file);
}

function args(command: 'apply' | 'diff', file: string, ...extra: string[]): string[] {
  const host = command === 'apply' ? ['--nginx', NGINX_BIN, '--prefix', nginx.prefix, '--nginx-conf', join(nginx.prefix, 'nginx.conf'), '--timeout', '5'] : [];
  return [command, file, '--target', nginx.include, '--stream-target', streamTarget, '--listen', `127.0.0.1:${http}`, '--listen-stream', `127.0.0.1:${tcp}`, ...host, ...extra];
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kongc-apply-stream-'));
  a = await startTcpEcho('a');
  b = await startTcpEcho('b');
  http = await freePort();
  tcp = await freePort();
  const empty = join(work, 'empty.yaml');
  writeFileSync(empty, '_format_version: "3.0"\n');
  const built = await kongc(['build', empty, '--listen', `127.0.0.1:${http}`]);
  assert.equal(built.exitCode, 0, built.stderr);
  // nginx starts with an http include and an empty stream include, as a host prepared for kongc.
  nginx = await startNginx(built.stdout, http, undefined, { stream: '' });
  streamTarget = join(nginx.prefix, 'kongc-stream.conf');
});

after(async () => {
  await nginx?.stop();
  await a?.close();
  await b?.close();
  rmSync(work, { recursive: true, force: true });
});

test('apply installs the stream include with the http include; a stream-only change is applied too', async () => {
  const first = await kongc(args('apply', config('v1.yaml', a.port)));
  assert.equal(first.exitCode, 0, first.stderr);
  assert.match(first.stderr, new RegExp(`write: ${streamTarget.replace(/[.]/g, '\\.')} replaced`));
  assert.equal((await tcpExchange('127.0.0.1', tcp, 'x', 3)).text, 'a:x');

  const same = await kongc(args('apply', config('v1.yaml', a.port)));
  assert.match(same.stdout, /^no changes/m, same.stderr);

  const diff = await kongc(args('diff', config('v2.yaml', b.port)));
  assert.equal(diff.exitCode, 0, diff.stderr);
  assert.match(diff.stdout, new RegExp(`\\+\\+\\+ ${streamTarget.replace(/[.]/g, '\\.')} \\(kongc\\)`));
  assert.match(diff.stdout, new RegExp(`\\+    server 127\\.0\\.0\\.1:${b.port} `));

  const second = await kongc(args('apply', config('v2.yaml', b.port)));
  assert.equal(second.exitCode, 0, second.stderr);
  assert.match(second.stdout, /^applied build/m);
  assert.equal((await tcpExchange('127.0.0.1', tcp, 'y', 3)).text, 'b:y');
});

test('a failing test puts both includes back byte for byte, and traffic stays on the old config', async () => {
  const httpBefore = readFileSync(nginx.include);
  const streamBefore = readFileSync(streamTarget);
  const r = await kongc(args('apply', config('v3.yaml', a.port), '--listen', `127.0.0.1:${http}`, '--test-cmd', 'echo "stream is bad" >&2; exit 1'));
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /the previous files are back in place:\nstream is bad/);
  assert.deepEqual(readFileSync(nginx.include), httpBefore);
  assert.deepEqual(readFileSync(streamTarget), streamBefore);
  assert.equal((await tcpExchange('127.0.0.1', tcp, 'z', 3)).text, 'b:z');
});
