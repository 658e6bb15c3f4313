// file-log through a real nginx: each request on a covered route appends one JSON line with Kong's
// field names; routes the instance does not cover write nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileYaml } from '../../support/compile.js';
import { startEcho, type EchoBackend } from '../../support/echo.js';
import { request } from '../../support/http.js';
import { freePort, sleep, startNginx, type RunningNginx } from '../../support/nginx.js';

describe('file-log through nginx', () => {
  let echo: EchoBackend;
  let nginx: RunningNginx;
  let port: number;
  let dir: string;
  let log: string;

  before(async () => {
    echo = await startEcho('a');
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'kongc-file-log-'));
    log = join(dir, 'kong "access".log');
    const yaml = `_format_version: "3.0"
services:
  - name: s
    id: 5b1ac4a4-1f2f-4b8e-9a5e-0e6a4c0f1d2e
    url: http://127.0.0.1:${echo.port}
    routes:
      - name: logged
        paths: [/logged]
        plugins:
          - name: file-log
            config: { path: '${log}' }
      - { name: quiet, paths: [/quiet] }
`;
    nginx = await startNginx(compileYaml(yaml, { listen: [`127.0.0.1:${port}`] }).text, port);
  });

  after(async () => {
    await nginx?.stop();
    await echo?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function lines(): Promise<any[]> {
    // nginx writes the entry after the response is sent.
    for (let i = 0; i < 40 && !existsSync(log); i++) await sleep(25);
    await sleep(50);
    return readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }

  it('a request writes one JSON line with the fields', async () => {
    const sent = Date.now();
    echo.delayMs = 300;
    const res = await request(port, '/logged/a?x=1&y="q"', { method: 'POST', body: 'hello', headers: { 'x-a': 'b' } });
    echo.delayMs = 0;
    const done = Date.now();
    assert.equal(res.status, 200);
    const entries = await lines();
    assert.equal(entries.length, 1);
    const e = entries[0];
    assert.equal(e.request.method, 'POST');
    assert.equal(e.request.uri, '/logged/a?x=1&y="q"');
    assert.equal(e.request.url, `http://localhost:${port}/logged/a?x=1&y="q"`);
    assert.match(e.request.id, /^[0-9a-f]{32}$/);
    assert.equal(typeof e.request.size, 'number');
    assert.ok(e.request.size > 5);
    assert.equal(e.response.status, 200);
    assert.equal(typeof e.response.size, 'number');
    assert.equal(e.upstream_status, '200');
    assert.equal(e.client_ip, '127.0.0.1');
    // When the request started, not when the entry was written (the upstream took 300 ms).
    assert.ok(e.started_at >= sent - 5 && e.started_at <= done - 250, `${e.started_at} not in [${sent}, ${done - 250}]`);
    assert.ok(e.latencies.request >= 290, String(e.latencies.request));
    assert.equal(e.workspace_name, 'default');
    assert.deepEqual(e.route, { id: '', name: 'logged' });
    assert.deepEqual(e.service, { id: '5b1ac4a4-1f2f-4b8e-9a5e-0e6a4c0f1d2e', name: 's' });
    assert.equal(typeof e.latencies.request, 'number');
    assert.ok(e.latencies.request >= 0 && e.latencies.request < 5000);
  });

  it('routes it does not cover write nothing; each covered request adds one line', async () => {
    await request(port, '/quiet/a');
    assert.equal((await lines()).length, 1);
    await request(port, '/logged/b', { headers: { 'user-agent': 'a"\\' } });
    const entries = await lines();
    assert.equal(entries.length, 2);
    assert.equal(entries[1].request.uri, '/logged/b');
  });
});
