// proxy-cache through a real nginx: Kong's Miss/Hit/Refresh/Bypass for methods, statuses, media
// types, vary fields and expiry, against a backend that says how often it was asked.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileYaml } from '../../support/compile.js';
import { request } from '../../support/http.js';
import { freePort, sleep, startNginx, type RunningNginx } from '../../support/nginx.js';

/** Answers `{"n": <requests so far>}` with the status, Content-Type and Cache-Control the query asks for. */
async function startBackend(): Promise<{ port: number; hits: () => number; close(): Promise<void> }> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    n++;
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const headers: Record<string, string> = { 'content-type': q.get('ct') ?? 'application/json' };
    if (q.get('cc')) headers['cache-control'] = q.get('cc')!;
    if (q.get('cookie')) headers['set-cookie'] = 'a=b';
    if (q.get('exp')) headers.expires = new Date(Date.now() + Number(q.get('exp')) * 1000).toUTCString();
    res.writeHead(Number(q.get('status') ?? 200), headers);
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ n, method: req.method, url: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hits: () => n,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('proxy-cache through nginx', () => {
  let backend: Awaited<ReturnType<typeof startBackend>>;
  let nginx: RunningNginx;
  let port: number;
  let stateDir: string;

  before(async () => {
    backend = await startBackend();
    port = await freePort();
    stateDir = mkdtempSync(join(tmpdir(), 'kongc-cache-state-'));
    const yaml = `_format_version: "3.0"
services:
  - name: s
    url: http://127.0.0.1:${backend.port}
    routes:
      - name: main
        paths: [/c]
        plugins:
          - name: proxy-cache
            config:
              strategy: memory
              content_type: ["application/json", "text/plain; charset=utf-8", "image/*"]
              request_method: [GET, HEAD, POST]
              response_code: [200, 404]
              vary_headers: [X-Lang]
      - name: quick
        paths: [/quick]
        plugins:
          - name: proxy-cache
            config: { strategy: memory, cache_ttl: 1 }
      - name: kept
        paths: [/kept]
        plugins:
          - name: proxy-cache
            config: { strategy: memory, cache_ttl: 1, storage_ttl: 30 }
      - name: quiet
        paths: [/quiet]
        plugins:
          - name: proxy-cache
            config: { strategy: memory, vary_query_params: [page, page-size], response_headers: { X-Cache-Status: false } }
      - name: cc
        paths: [/cc]
        plugins:
          - name: proxy-cache
            config: { strategy: memory, cache_control: true, response_headers: { age: false, X-Cache-Key: false } }
      - name: plain
        paths: [/plain]
`;
    const compiled = compileYaml(yaml, { listen: [`127.0.0.1:${port}`], stateDir });
    nginx = await startNginx(compiled.text, port);
  });

  after(async () => {
    await nginx?.stop();
    await backend?.close();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  /** A request and how many times the backend was asked for it. */
  async function get(path: string, opts: Parameters<typeof request>[2] = {}) {
    const before = backend.hits();
    const res = await request(port, path, opts);
    return { res, status: res.headers['x-cache-status'], upstream: backend.hits() - before };
  }

  it('a cacheable GET is a Miss, then a Hit served without the upstream, same body', async () => {
    const a = await get('/c/one');
    assert.equal(a.res.status, 200);
    assert.equal(a.status, 'Miss');
    assert.equal(a.upstream, 1);
    const b = await get('/c/one');
    assert.equal(b.status, 'Hit');
    assert.equal(b.upstream, 0);
    assert.equal(b.res.body, a.res.body);
    assert.equal(b.res.headers['content-type'], 'application/json');
    assert.equal(b.res.headers['x-cache-key'], undefined, 'nginx cannot compute the key');
  });

  it('HEAD is cached apart from GET (the method is in the key)', async () => {
    await get('/c/head');
    const h1 = await get('/c/head', { method: 'HEAD' });
    assert.equal(h1.status, 'Miss');
    assert.equal(h1.res.body, '');
    assert.equal(h1.upstream, 1);
    assert.equal((await get('/c/head', { method: 'HEAD' })).status, 'Hit');
  });

  it('a method not listed is a Bypass, every time', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await get('/c/m', { method: 'PUT', body: 'x' });
      assert.equal(r.status, 'Bypass');
      assert.equal(r.upstream, 1);
    }
    // POST is listed here: cached like GET (Kong does not put the body in the key).
    assert.equal((await get('/c/p', { method: 'POST', body: 'a' })).status, 'Miss');
    const p = await get('/c/p', { method: 'POST', body: 'b' });
    assert.equal(p.status, 'Hit');
    assert.equal(p.upstream, 0);
  });

  it('a status not listed is a Bypass and is not stored; a listed 404 is', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await get('/c/s?status=301');
      assert.equal(r.res.status, 301);
      assert.equal(r.status, 'Bypass');
      assert.equal(r.upstream, 1);
    }
    assert.equal((await get('/c/s?status=404')).status, 'Miss');
    const again = await get('/c/s?status=404');
    assert.equal(again.res.status, 404);
    assert.equal(again.status, 'Hit');
  });

  it("Content-Type is matched as Kong parses it: caseless type, exact parameters, wildcards", async () => {
    const cases: [string, boolean][] = [
      ['text/html', false],
      ['application/json; charset=utf-8', false],
      ['text/plain', false],
      ['text/plain; charset=utf-8', true],
      ['Text/Plain;charset=utf-8', true],
      ['text/plain; CHARSET="utf-8"', true],
      ['text/plain; charset=UTF-8', false],
      ['text/plain; charset=utf-8; format=flowed', false],
      ['image/png', true],
      ['IMAGE/svg+xml', true],
      ['application/json;x=1', false],
      ['*', false],
    ];
    for (const [i, [ct, cached]] of cases.entries()) {
      const path = `/c/ct${i}?ct=${encodeURIComponent(ct)}`;
      const first = await get(path);
      assert.equal(first.status, cached ? 'Miss' : 'Bypass', ct);
      const second = await get(path);
      assert.equal(second.status, cached ? 'Hit' : 'Bypass', ct);
      assert.equal(second.upstream, cached ? 0 : 1, ct);
    }
  });

  it('vary_headers and the query string are in the key; other headers are not', async () => {
    assert.equal((await get('/c/v', { headers: { 'x-lang': 'en' } })).status, 'Miss');
    assert.equal((await get('/c/v', { headers: { 'x-lang': 'fr' } })).status, 'Miss');
    assert.equal((await get('/c/v', { headers: { 'x-lang': 'en', 'x-other': '1' } })).status, 'Hit');
    assert.equal((await get('/c/v?a=1')).status, 'Miss');
    assert.equal((await get('/c/v?a=2')).status, 'Miss');
    assert.equal((await get('/c/v?a=1')).status, 'Hit');
  });

  it('vary_query_params keeps only the listed arguments in the key', async () => {
    // X-Cache-Status is off on this route: sent only with Kong-Debug.
    const a = await get('/quiet/q?page=1&x=1');
    assert.equal(a.status, undefined);
    assert.equal(a.upstream, 1);
    const b = await get('/quiet/q?page=1&x=2', { headers: { 'kong-debug': '1' } });
    assert.equal(b.status, 'Hit');
    assert.equal(b.upstream, 0);
    assert.equal((await get('/quiet/q?page=2', { headers: { 'kong-debug': '1' } })).status, 'Miss');
    // Kong tells these apart: absent, no value, empty value; and argument names are case-sensitive.
    for (const q of ['x=1', 'page', 'page=', 'PAGE=2&page=3', 'page=2&page-size=5']) {
      assert.equal((await get(`/quiet/q?${q}`, { headers: { 'kong-debug': '1' } })).status, 'Miss', q);
    }
    assert.equal((await get('/quiet/q?page-size=5&y=1&page=2', { headers: { 'kong-debug': '1' } })).status, 'Hit');
  });

  it('Cache-Control and Set-Cookie from the upstream do not stop caching (cache_control false)', async () => {
    assert.equal((await get('/c/cc?cc=no-store&cookie=1')).status, 'Miss');
    const r = await get('/c/cc?cc=no-store&cookie=1');
    assert.equal(r.status, 'Hit');
    assert.equal(r.res.headers['set-cookie']?.[0], 'a=b');
  });

  it('cache_control: the response TTL decides (none: not stored), private/no-store/no-cache are not stored, a request no-cache bypasses', async () => {
    const cases: [string, boolean][] = [
      ['', false],
      ['cc=max-age%3D60', true],
      ['cc=public%2C%20s-maxage%3D60', true],
      ['exp=60', true],
      ['cc=private%2C%20max-age%3D60', false],
      ['cc=no-store', false],
      ['cc=no-cache%3D%22set-cookie%22%2C%20max-age%3D60', false],
      ['cc=max-age%3D0', false],
      ['cc=s-maxage%3D0%2C%20max-age%3D60', false],
      ['cc=max-age%3D60&status=500', false],
      ['cc=max-age%3D60&ct=text/html', false],
    ];
    for (const [i, [query, cached]] of cases.entries()) {
      const path = `/cc/r${i}?${query}`;
      assert.equal((await get(path)).status, cached ? 'Miss' : 'Bypass', query);
      const again = await get(path);
      assert.equal(again.status, cached ? 'Hit' : 'Bypass', query);
      assert.equal(again.upstream, cached ? 0 : 1, query);
    }
    const forced = await get('/cc/r1?cc=max-age%3D60', { headers: { 'cache-control': 'no-cache' } });
    assert.equal(forced.status, 'Bypass');
    assert.equal(forced.upstream, 1);
    assert.equal((await get('/cc/r1?cc=max-age%3D60', { headers: { 'cache-control': 'max-age=5' } })).status, 'Hit');
  });

  it('after cache_ttl an entry is gone (Miss), or with a longer storage_ttl refreshed (Refresh)', async () => {
    assert.equal((await get('/quick/t')).status, 'Miss');
    assert.equal((await get('/quick/t')).status, 'Hit');
    assert.equal((await get('/kept/t')).status, 'Miss');
    assert.equal((await get('/kept/t')).status, 'Hit');
    assert.equal((await get('/cc/t?cc=max-age%3D1')).status, 'Miss');
    assert.equal((await get('/cc/t?cc=max-age%3D1')).status, 'Hit');
    await sleep(2100);
    assert.equal((await get('/cc/t?cc=max-age%3D1')).status, 'Miss', 'the response TTL, not cache_ttl');
    const q = await get('/quick/t');
    assert.equal(q.status, 'Miss');
    assert.equal(q.upstream, 1);
    const k = await get('/kept/t');
    assert.equal(k.status, 'Refresh');
    assert.equal(k.upstream, 1);
    assert.equal((await get('/kept/t')).status, 'Hit');
  });

  it('routes without the plugin are not cached and get no X-Cache-Status', async () => {
    const a = await get('/plain/x');
    const b = await get('/plain/x');
    assert.equal(a.status, undefined);
    assert.equal(b.upstream, 1);
  });
});
