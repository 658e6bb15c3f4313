// The user's own document, end to end: fixtures/seed/kong.yaml (the declarative form of
// kong-load-balancing.md) served by a real nginx, with the two targets replaced by echo backends
// on 127.0.0.1 (the document's 192.168.20.6 addresses are never contacted).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { compileObject } from '../support/compile.js';
import { startEcho, type EchoBackend } from '../support/echo.js';
import { kongError, request } from '../support/http.js';
import { freePort, startNginx, type RunningNginx } from '../support/nginx.js';

describe('seed document end to end', () => {
  let a: EchoBackend;
  let b: EchoBackend;
  let nginx: RunningNginx;
  let port: number;

  before(async () => {
    a = await startEcho('target-8888');
    b = await startEcho('target-9999');
    port = await freePort();
    const config = parse(readFileSync('fixtures/seed/kong.yaml', 'utf8'));
    assert.deepEqual(config.upstreams[0].targets.map((t: { target: string }) => t.target), ['192.168.20.6:8888', '192.168.20.6:9999']);
    config.upstreams[0].targets[0].target = `127.0.0.1:${a.port}`;
    config.upstreams[0].targets[1].target = `127.0.0.1:${b.port}`;
    nginx = await startNginx(compileObject(config, { listen: [`127.0.0.1:${port}`] }).text, port);
  });

  after(async () => {
    await nginx?.stop();
    await a?.close();
    await b?.close();
  });

  it('balances route.api across both targets of upstream.api', async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      const res = await request(port, `/api/v${(i % 3) + 1}/orders?page=${i}`, { host: i % 2 ? 'api.service.com' : 'service.com' });
      assert.equal(res.status, 200, res.body);
      const body = res.json();
      seen.set(body.backend, (seen.get(body.backend) ?? 0) + 1);
      // strip_path (Kong's default) removes the matched prefix; the query string is kept.
      assert.equal(body.url, `/orders?page=${i}`);
    }
    assert.equal(seen.get('target-8888'), 20);
    assert.equal(seen.get('target-9999'), 20);
  });

  it("sends Kong's headers upstream", async () => {
    const res = await request(port, '/api/v2', { host: 'api.service.com:8000', headers: { 'x-forwarded-for': '10.0.0.1' } });
    const body = res.json();
    assert.equal(body.url, '/');
    // Kong sends the target's host; both targets share 127.0.0.1 but not the port: nginx sends the first's (documented).
    assert.equal(body.host, `127.0.0.1:${a.port}`);
    assert.equal(body.headers['x-forwarded-prefix'], '/api/v2');
    assert.equal(body.headers['x-forwarded-path'], '/api/v2');
    assert.equal(body.headers['x-forwarded-host'], 'api.service.com');
    assert.equal(body.headers['x-forwarded-proto'], 'http');
    assert.equal(body.headers['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
    assert.equal(body.headers['x-real-ip'], '127.0.0.1');
  });

  it("answers Kong's 404 for other hosts and paths", async () => {
    for (const [host, path] of [['localhost', '/api/v1'], ['api.service.com', '/api'], ['api.service.com', '/other']] as const) {
      const res = await request(port, path, { host });
      assert.equal(res.status, 404, `${host}${path}`);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.deepEqual(kongError(res), { message: 'no Route matched with those values' });
      assert.equal(res.headers.server, 'nginx');
    }
  });
});
