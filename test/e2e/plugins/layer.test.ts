// The plugin layer through a real nginx: a gate kongc does not compile, skipped with
// --skip-unsupported, fails closed on exactly the routes it covers; observers change nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileYaml } from '../../support/compile.js';
import { startEcho, type EchoBackend } from '../../support/echo.js';
import { request } from '../../support/http.js';
import { freePort, startNginx, type RunningNginx } from '../../support/nginx.js';

describe('plugin layer through nginx', () => {
  let echo: EchoBackend;
  let nginx: RunningNginx;
  let port: number;

  before(async () => {
    echo = await startEcho('a');
    port = await freePort();
    const yaml = `_format_version: "3.0"
services:
  - name: s
    url: http://127.0.0.1:${echo.port}
    routes:
      - name: locked
        paths: [/locked]
        plugins:
          - name: oauth2
            config: { scopes: [x] }
      - { name: open, paths: [/open] }
      - name: many
        paths: [/many/a, /many/b]
        plugins:
          - name: session
plugins:
  - name: prometheus
  - name: response-transformer-advanced
`;
    const compiled = compileYaml(yaml, { listen: [`127.0.0.1:${port}`], skipUnsupported: true });
    nginx = await startNginx(compiled.text, port);
  });

  after(async () => {
    await nginx?.stop();
    await echo?.close();
  });

  it("a skipped gate answers Kong's 500 for a plugin error, on its route only", async () => {
    const res = await request(port, '/locked/x');
    assert.equal(res.status, 500);
    assert.equal(res.body, '{"message":"An unexpected error occurred"}');
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    const open = await request(port, '/open/x');
    assert.equal(open.status, 200, open.body);
    assert.equal(open.json().url, '/x');
  });

  it('fails closed on every path of a route with several', async () => {
    for (const path of ['/many/a', '/many/b/c']) assert.equal((await request(port, path)).status, 500, path);
  });
});
