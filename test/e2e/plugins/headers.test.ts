// cors, request-transformer, response-transformer and correlation-id through a real nginx: Kong's
// preflight answer and CORS headers (literal, regex and `*` origins, credentials), the request
// sent upstream after Kong's header, query, path, Host and method edits, the response headers
// edited, and the correlation id kept, generated and echoed, on upstream and Kong's own answers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compileYaml } from '../../support/compile.js';
import { startEcho, type EchoBackend } from '../../support/echo.js';
import { kongError, request, type Reply } from '../../support/http.js';
import { freePort, startNginx, type RunningNginx } from '../../support/nginx.js';

const CORS_HEADERS = ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-headers', 'access-control-allow-methods', 'access-control-max-age', 'access-control-expose-headers', 'access-control-allow-private-network', 'vary'];

/** The CORS headers of a reply (Vary as a list of its lines). */
function corsOf(res: Reply): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const h of CORS_HEADERS) {
    const v = res.headers[h];
    if (v !== undefined) out[h] = v;
  }
  return out;
}

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('header plugins through nginx', () => {
  let echo: EchoBackend;
  let corsUpstream: Server;
  let nginx: RunningNginx;
  let port: number;
  let warnings: string[];

  before(async () => {
    echo = await startEcho('a');
    port = await freePort();
    const dead = await freePort();
    // A service that sends CORS headers of its own.
    corsUpstream = createServer((req, res) => {
      res.writeHead(200, { 'access-control-allow-origin': 'http://upstream.test', 'access-control-allow-credentials': 'false', vary: 'Accept', 'content-type': 'text/plain' });
      res.end(req.method ?? '');
    });
    await new Promise<void>((resolve) => corsUpstream.listen(0, '127.0.0.1', resolve));
    const own = (corsUpstream.address() as AddressInfo).port;
    const yaml = `_format_version: "3.0"
services:
  - name: s
    url: http://127.0.0.1:${echo.port}/base
    routes:
      - name: lit
        paths: [/lit]
        plugins:
          - name: cors
            config:
              origins: [http://a.test, "https://b.test:8443"]
              credentials: true
              exposed_headers: [X-A, X-B]
              headers: [X-H, Authorization]
              methods: [GET, POST]
              max_age: 3600
              private_network: true
      - name: regex
        paths: [/regex]
        plugins:
          - name: cors
            config:
              origins: ["(.*[./])?foo\\\\.test", "https://(.*[.])?bar\\\\.test:8000"]
      - { name: all, paths: [/all], plugins: [{ name: cors }] }
      - name: allcred
        paths: [/allcred]
        plugins: [{ name: cors, config: { origins: ["*"], credentials: true } }]
      - name: single
        paths: [/single]
        plugins: [{ name: cors, config: { origins: [foo.test] } }]
      - name: star
        paths: [/star]
        plugins: [{ name: cors, config: { origins: [http://a.test, "*"], credentials: true } }]
      - name: continue
        paths: [/continue]
        plugins: [{ name: cors, config: { origins: [http://a.test], preflight_continue: true } }]
      - name: rt
        paths: [/rt]
        plugins:
          - name: request-transformer
            config:
              remove: { headers: [X-Drop] }
              rename: { headers: ["X-Old:X-New"] }
              replace: { headers: ["X-Rep:replaced", "host:upstream.test"] }
              add: { headers: ["X-Add:added", "X-Rep:never"], querystring: ["q:v 1", "k:new"] }
              append: { headers: ["X-App:one", "X-App:two"], querystring: ["z:2"] }
      - name: uri
        paths: [/uri]
        strip_path: true
        plugins:
          - name: request-transformer
            config: { replace: { uri: /fixed/path }, http_method: POST }
      - name: resp
        paths: [/resp]
        plugins:
          - name: response-transformer
            config:
              rename: { headers: ["X-Echo-Backend:X-Backend"] }
              add: { headers: ["X-Added:yes", "Content-Language:da", "X-Echo-Backend:over"] }
              append: { headers: ["X-Appended:1"] }
          - name: correlation-id
            config: { header_name: X-Request-ID, generator: uuid, echo_downstream: true }
      - name: tracker
        paths: [/tracker]
        plugins: [{ name: correlation-id, config: { generator: tracker } }]
  - name: own
    url: http://127.0.0.1:${own}
    routes:
      - name: own
        paths: [/own]
        plugins: [{ name: cors, config: { origins: [http://a.test, http://c.test], credentials: true } }]
      - name: owncontinue
        paths: [/owncontinue]
        plugins: [{ name: cors, config: { origins: [http://a.test, http://c.test], preflight_continue: true } }]
      - name: ownabsent
        paths: [/ownabsent]
        plugins: [{ name: cors, config: { origins: [http://a.test, http://c.test], allow_origin_absent: false } }]
  - name: down
    url: http://127.0.0.1:${dead}
    routes:
      - name: down
        paths: [/down]
        plugins:
          - name: cors
            config: { origins: [http://a.test], credentials: true, exposed_headers: [X-A] }
          - name: response-transformer
            config: { add: { headers: ["X-Added:yes"] }, remove: { headers: [X-Gone] } }
          - name: correlation-id
            config: { header_name: X-Correlation-ID, generator: uuid, echo_downstream: true }
`;
    const compiled = compileYaml(yaml, { listen: [`127.0.0.1:${port}`] });
    assert.deepEqual(compiled.diagnostics.filter((d) => d.severity === 'error'), []);
    warnings = compiled.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message);
    nginx = await startNginx(compiled.text, port);
  });

  after(async () => {
    await nginx?.stop();
    await echo?.close();
    await new Promise((resolve) => (corsUpstream ? corsUpstream.close(resolve) : resolve(undefined)));
  });

  const preflight = (path: string, origin: string, extra: Record<string, string> = {}) =>
    request(port, path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', ...extra } });

  describe('cors', () => {
    it("answers a preflight itself: 200, no body, no Content-Type, Kong's headers", async () => {
      const hits = echo.hits;
      const res = await preflight('/lit/x', 'http://a.test:80', { 'access-control-request-private-network': 'true' });
      assert.equal(res.status, 200);
      assert.equal(res.body, '');
      assert.equal(res.headers['content-length'], '0');
      assert.equal(res.headers['content-type'], undefined);
      assert.deepEqual(corsOf(res), {
        'access-control-allow-origin': 'http://a.test',
        vary: 'Origin',
        'access-control-allow-credentials': 'true',
        'access-control-allow-headers': 'X-H,Authorization',
        'access-control-allow-methods': 'GET,POST',
        'access-control-max-age': '3600',
        'access-control-allow-private-network': 'true',
      });
      assert.equal(echo.hits, hits, 'the preflight never reaches the service');
    });

    it('echoes Access-Control-Request-Headers when no headers are configured, with all methods by default', async () => {
      const res = await preflight('/regex/x', 'http://api.foo.test', { 'access-control-request-headers': 'X-One, X-Two' });
      assert.equal(res.status, 200);
      assert.deepEqual(corsOf(res), {
        'access-control-allow-origin': 'http://api.foo.test',
        vary: 'Origin',
        'access-control-allow-headers': 'X-One, X-Two',
        'access-control-allow-methods': 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT',
      });
    });

    it('a preflight from a disallowed origin gets no Access-Control-Allow-Origin, but still Vary and credentials', async () => {
      const res = await preflight('/lit/x', 'http://evil.test');
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      assert.equal(res.headers.vary, 'Origin');
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      assert.equal(res.headers['access-control-allow-private-network'], undefined, 'not asked for');
    });

    it('an OPTIONS without Access-Control-Request-Method is proxied, with the normal headers', async () => {
      const res = await request(port, '/lit/x', { method: 'OPTIONS', headers: { origin: 'http://a.test' } });
      assert.equal(res.status, 200);
      assert.equal(res.json().method, 'OPTIONS');
      assert.equal(res.headers['access-control-allow-origin'], 'http://a.test');
      assert.equal(res.headers['access-control-expose-headers'], 'X-A,X-B');
      assert.equal(res.headers['access-control-allow-methods'], undefined);
    });

    it('normal responses: the normalized origin, Vary next to the upstream, credentials and exposed headers', async () => {
      const res = await request(port, '/lit/x', { headers: { origin: 'https://b.test:8443' } });
      assert.equal(res.status, 200);
      assert.equal(res.json().url, '/base/x', 'strip_path (on by default) still applies');
      assert.deepEqual(corsOf(res), {
        'access-control-allow-origin': 'https://b.test:8443',
        vary: 'Origin',
        'access-control-allow-credentials': 'true',
        'access-control-expose-headers': 'X-A,X-B',
      });
      const https443 = await request(port, '/lit/x', { headers: { origin: 'http://b.test:8443' } });
      assert.equal(https443.headers['access-control-allow-origin'], undefined, 'the scheme counts');
    });

    it('without an Origin, a literal list sends Vary and credentials only', async () => {
      const res = await request(port, '/lit/x');
      assert.deepEqual(corsOf(res), { vary: 'Origin', 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'X-A,X-B' });
    });

    it("regex origins: by host without ':', by scheme://host:port with one; anchored, case-sensitive", async () => {
      const cases: [string, string | undefined][] = [
        ['http://foo.test', 'http://foo.test'],
        ['https://foo.test:8000', 'https://foo.test:8000'],
        ['http://a.b.foo.test', 'http://a.b.foo.test'],
        ['http://foo.test.evil.test', undefined],
        ['http://evilfoo.test', undefined],
        ['http://FOO.test', undefined],
        ['https://x.bar.test:8000', 'https://x.bar.test:8000'],
        ['http://x.bar.test:8000', undefined],
        ['https://x.bar.test:8001', undefined],
      ];
      for (const [origin, want] of cases) {
        const res = await request(port, '/regex/x', { headers: { origin } });
        assert.equal(res.headers['access-control-allow-origin'], want, origin);
        assert.equal(res.headers.vary, 'Origin', origin);
        assert.equal(res.headers['access-control-allow-credentials'], undefined, origin);
      }
    });

    it("'*' (or no origins): Access-Control-Allow-Origin: *, no Vary", async () => {
      const res = await request(port, '/all/x', { headers: { origin: 'http://any.test' } });
      assert.deepEqual(corsOf(res), { 'access-control-allow-origin': '*' });
      const pf = await preflight('/all/x', 'http://any.test');
      assert.deepEqual(corsOf(pf), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT' });
    });

    it("'*' with credentials echoes the request's Origin as sent, with Vary; without an Origin it stays *", async () => {
      const res = await request(port, '/allcred/x', { headers: { origin: 'http://any.test:80' } });
      assert.deepEqual(corsOf(res), { 'access-control-allow-origin': 'http://any.test:80', vary: 'Origin', 'access-control-allow-credentials': 'true' });
      const none = await request(port, '/allcred/x');
      assert.deepEqual(corsOf(none), { 'access-control-allow-origin': '*' });
    });

    it("'*' among several origins: any Origin allowed (echoed with credentials); Vary twice, as Kong adds it in two places", async () => {
      const res = await request(port, '/star/x', { headers: { origin: 'http://evil.test:80' } });
      assert.deepEqual(corsOf(res), { 'access-control-allow-origin': 'http://evil.test:80', 'access-control-allow-credentials': 'true', vary: 'Origin, Origin' });
      const none = await request(port, '/star/x');
      assert.deepEqual(corsOf(none), { 'access-control-allow-credentials': 'true', vary: 'Origin' });
      const pf = await preflight('/star/x', 'http://evil.test');
      assert.equal(pf.headers['access-control-allow-origin'], 'http://evil.test');
      assert.equal(pf.headers.vary, 'Origin', 'the preflight sets Vary once');
    });

    it('one plain origin is sent as configured, whatever the Origin', async () => {
      const res = await request(port, '/single/x', { headers: { origin: 'http://evil.test' } });
      assert.deepEqual(corsOf(res), { 'access-control-allow-origin': 'foo.test', vary: 'Origin' });
    });

    it('preflight_continue: the preflight goes to the service and gets no CORS header', async () => {
      const res = await preflight('/continue/x', 'http://a.test');
      assert.equal(res.status, 200);
      assert.equal(res.json().method, 'OPTIONS');
      assert.deepEqual(corsOf(res), {});
    });

    it("replaces the service's Access-Control-Allow-Origin, removes it when no origin matches, adds Vary after the service's", async () => {
      const ok = await request(port, '/own/x', { headers: { origin: 'http://c.test' } });
      assert.deepEqual(corsOf(ok), { 'access-control-allow-origin': 'http://c.test', 'access-control-allow-credentials': 'true', vary: 'Accept, Origin' });
      const no = await request(port, '/own/x', { headers: { origin: 'http://evil.test' } });
      assert.deepEqual(corsOf(no), { 'access-control-allow-credentials': 'true', vary: 'Accept, Origin' });
    });

    it("leaves the service's headers alone where Kong's header filter does not run: a continued preflight, no Origin with allow_origin_absent false", async () => {
      const pf = await preflight('/owncontinue/x', 'http://a.test');
      assert.equal(pf.body, 'OPTIONS');
      assert.deepEqual(corsOf(pf), { 'access-control-allow-origin': 'http://upstream.test', 'access-control-allow-credentials': 'false', vary: 'Accept' });
      const absent = await request(port, '/ownabsent/x');
      assert.deepEqual(corsOf(absent), { 'access-control-allow-origin': 'http://upstream.test', 'access-control-allow-credentials': 'false', vary: 'Accept' });
      const present = await request(port, '/ownabsent/x', { headers: { origin: 'http://a.test' } });
      assert.deepEqual(corsOf(present), { 'access-control-allow-origin': 'http://a.test', 'access-control-allow-credentials': 'false', vary: 'Accept, Origin' });
    });

    it("Kong's own answers (a 502) carry the CORS headers; the preflight is answered even though the service is down", async () => {
      const res = await request(port, '/down/x', { headers: { origin: 'http://b.test', accept: 'application/json' } });
      assert.equal(res.status, 502);
      assert.deepEqual(kongError(res), { message: 'An invalid response was received from the upstream server' });
      assert.deepEqual(corsOf(res), { 'access-control-allow-origin': 'http://a.test', vary: 'Origin', 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'X-A' });
      const pf = await preflight('/down/x', 'http://a.test');
      assert.equal(pf.status, 200);
      assert.equal(pf.headers['access-control-allow-origin'], 'http://a.test');
      assert.equal(pf.headers['access-control-expose-headers'], undefined);
      assert.equal(pf.headers['x-added'], 'yes', "response-transformer's header filter runs on the preflight answer too");
      assert.match(String(pf.headers['x-correlation-id']), UUID4);
    });
  });

  describe('request-transformer', () => {
    it("edits headers in Kong's order: remove, rename, replace, add, append; Host replaced upstream", async () => {
      const res = await request(port, '/rt/x', { headers: { 'x-drop': 'd', 'x-old': 'o', 'x-rep': 'r', 'x-keep': 'k' } });
      assert.equal(res.status, 200);
      const got = res.json();
      assert.equal(got.host, 'upstream.test');
      assert.equal(got.headers['x-drop'], undefined);
      assert.equal(got.headers['x-old'], undefined);
      assert.equal(got.headers['x-new'], 'o');
      assert.equal(got.headers['x-rep'], 'replaced', 'add never overwrites');
      assert.equal(got.headers['x-add'], 'added');
      assert.equal(got.headers['x-app'], 'one, two');
      assert.equal(got.headers['x-keep'], 'k');
      assert.equal(got.headers['x-forwarded-host'], 'localhost', 'the client Host is still forwarded');
    });

    it('replace only touches a header that was sent; add and append keep what the client sent', async () => {
      const res = await request(port, '/rt/x', { headers: { 'x-add': 'mine', 'x-app': 'zero' } });
      const got = res.json();
      assert.equal(got.headers['x-rep'], 'never', 'replace skips an absent header; add then adds it');
      assert.equal(got.headers['x-new'], undefined, 'rename needs the old header');
      assert.equal(got.headers['x-add'], 'mine');
      assert.equal(got.headers['x-app'], 'zero, one, two');
    });

    it('query: add only when absent, append always', async () => {
      assert.equal((await request(port, '/rt/x')).json().url, '/base/x?q=v%201&k=new&z=2');
      assert.equal((await request(port, '/rt/x?q=mine&a=1')).json().url, '/base/x?q=mine&a=1&k=new&z=2');
      assert.equal((await request(port, '/rt/x?z=1')).json().url, '/base/x?z=1&q=v%201&k=new&z=2');
    });

    it('replace.uri sets the upstream path on a strip_path route, the query kept; http_method changes the method', async () => {
      const res = await request(port, '/uri/some/thing?a=1&b=2');
      const got = res.json();
      assert.equal(got.url, '/fixed/path?a=1&b=2');
      assert.equal(got.method, 'POST');
      assert.equal(got.headers['x-forwarded-prefix'], '/uri');
    });
  });

  describe('response-transformer and correlation-id', () => {
    it('edits the upstream response headers; a header the upstream sent is not added over', async () => {
      const res = await request(port, '/resp/x', { headers: { 'x-request-id': 'client-id-1' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-echo-backend'], undefined);
      assert.equal(res.headers['x-backend'], 'a');
      assert.equal(res.headers['x-added'], 'yes');
      assert.equal(res.headers['x-appended'], '1');
      assert.equal(res.headers['content-language'], 'da');
      assert.equal(res.headers['x-echo-backend'], undefined, 'add looks at the headers the upstream sent, before the rename');
      // correlation-id: the client's own id is kept upstream and echoed.
      assert.equal(res.json().headers['x-request-id'], 'client-id-1');
      assert.equal(res.headers['x-request-id'], 'client-id-1');
    });

    it('generates a version 4 UUID when the client sent none, the same upstream and echoed', async () => {
      const res = await request(port, '/resp/x');
      const sent = res.json().headers['x-request-id'];
      assert.match(sent, UUID4);
      assert.equal(res.headers['x-request-id'], sent);
      const again = await request(port, '/resp/x');
      assert.notEqual(again.headers['x-request-id'], sent);
    });

    it("Kong's own answers get the added headers and the echoed id", async () => {
      const res = await request(port, '/down/x', { headers: { 'x-correlation-id': 'abc' } });
      assert.equal(res.status, 502);
      assert.equal(res.headers['x-added'], 'yes');
      assert.equal(res.headers['x-correlation-id'], 'abc');
    });

    it("tracker: Kong's server_addr-server_port-pid-connection-requests-time, on Kong-Request-ID, not echoed", async () => {
      const res = await request(port, '/tracker/x');
      const id = res.json().headers['kong-request-id'];
      assert.match(id, new RegExp(`^127\\.0\\.0\\.1-${port}-\\d+-\\d+-1-\\d+\\.\\d{3}$`));
      assert.equal(res.headers['kong-request-id'], undefined);
    });
  });

  it('states what it approximates (the query edits only), and nginx reads no variable it never set', () => {
    const ours = warnings.filter((w) => /request-transformer|correlation-id|cors|response-transformer/.test(w));
    assert.equal(ours.length, 2, ours.join('\n'));
    assert.match(ours[0]!, /Vary: Origin twice/);
    assert.match(ours[1]!, /Kong re-encodes the query string/);
    assert.doesNotMatch(nginx.errorLog(), /uninitialized|\[(?:warn|crit|alert|emerg)\]/);
  });
});
