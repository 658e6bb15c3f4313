// decK's `_info.defaults` end to end: one default per entity kind, each with an effect a request
// through a real nginx shows (service path, route strip_path, upstream host_header, target weight).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileYaml } from '../support/compile.js';
import { startEcho, type EchoBackend } from '../support/echo.js';
import { request } from '../support/http.js';
import { freePort, startNginx, type RunningNginx } from '../support/nginx.js';

describe('_info.defaults through nginx', () => {
  let a: EchoBackend;
  let b: EchoBackend;
  let nginx: RunningNginx;
  let port: number;

  before(async () => {
    a = await startEcho('a');
    b = await startEcho('b');
    port = await freePort();
    const yaml = `_format_version: "3.0"
_info:
  defaults:
    service: {path: /base}
    route: {strip_path: false}
    upstream: {host_header: pool.internal}
    target: {weight: 0}
services:
  - name: direct
    host: 127.0.0.1
    port: ${a.port}
    routes:
      - {name: kept, hosts: [direct.test], paths: [/api]}
      - {name: stripped, hosts: [strip.test], paths: [/api], strip_path: true}
  - name: balanced
    host: pool
    routes:
      - {name: pooled, hosts: [pool.test]}
upstreams:
  - name: pool
    targets:
      - target: 127.0.0.1:${a.port}
      - {target: "127.0.0.1:${b.port}", weight: 100}
`;
    nginx = await startNginx(compileYaml(yaml, { listen: [`127.0.0.1:${port}`] }).text, port);
  });

  after(async () => {
    await nginx?.stop();
    await a?.close();
    await b?.close();
  });

  it('route: strip_path false from the defaults keeps the matched prefix; service: path /base', async () => {
    const res = await request(port, '/api/x', { host: 'direct.test' });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json().url, '/base/api/x');
  });

  it('route: an explicit strip_path wins over the default', async () => {
    const res = await request(port, '/api/x', { host: 'strip.test' });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json().url, '/base/x');
  });

  it('upstream: host_header from the defaults; target: weight 0 from the defaults disables the target', async () => {
    for (let i = 0; i < 8; i++) {
      const res = await request(port, '/p', { host: 'pool.test' });
      assert.equal(res.status, 200, res.body);
      const echo = res.json();
      assert.equal(echo.backend, 'b');
      assert.equal(echo.host, `pool.internal:${b.port}`); // Kong adds a port other than 80/443
      assert.equal(echo.url, '/base/p');
    }
  });
});
