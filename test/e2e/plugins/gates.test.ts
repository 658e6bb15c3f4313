// The gate plugins through a real nginx (one for the file): rate-limiting, request-size-limiting,
// request-termination, ip-restriction and bot-detection answer as Kong does (status, body,
// headers), and let through what Kong lets through.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { compileYaml } from '../../support/compile.js';
import { startEcho, type EchoBackend } from '../../support/echo.js';
import { kongError, request, type Reply } from '../../support/http.js';
import { freePort, sleep, startNginx, type RunningNginx } from '../../support/nginx.js';

/** A request whose body is sent chunked (no Content-Length). */
function chunked(port: number, path: string, body: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { host: 'localhost', 'transfer-encoding': 'chunked', ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    // Two chunks: nginx counts the body as it reads it.
    req.write(body.slice(0, 5));
    req.end(body.slice(5));
  });
}

const statuses = async (port: number, path: string, n: number, headers: Record<string, string> = {}) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await request(port, path, { headers })).status);
  return out;
};

describe('gate plugins through nginx', () => {
  let echo: EchoBackend;
  let nginx: RunningNginx;
  let port: number;

  before(async () => {
    echo = await startEcho('a');
    port = await freePort();
    const url = `http://127.0.0.1:${echo.port}`;
    const yaml = `_format_version: "3.0"
services:
  - name: s
    url: ${url}
    routes:
      - name: rl-ip
        paths: [/rl-ip]
        plugins:
          - { name: rate-limiting, config: { minute: 3, limit_by: ip } }
      - name: rl-default
        paths: [/rl-default]
        plugins:
          - { name: rate-limiting, config: { minute: 2 } }
      - name: rl-two
        paths: [/rl-two]
        plugins:
          - { name: rate-limiting, config: { second: 1, minute: 2 } }
      - name: rl-header
        paths: [/rl-header]
        plugins:
          - { name: rate-limiting, config: { minute: 2, limit_by: header, header_name: X-Key } }
      - name: rl-path
        paths: [/rl-path]
        plugins:
          - { name: rate-limiting, config: { minute: 1, limit_by: path, path: /rl-path/one } }
      - name: rl-custom
        paths: [/rl-custom]
        plugins:
          - name: rate-limiting
            config: { minute: 1, limit_by: ip, error_code: 409, error_message: "Slow down \\"$friend\\"; {x} #1 $& 100%", hide_client_headers: true }
      - name: rl-term
        paths: [/rl-term]
        plugins:
          - { name: rate-limiting, config: { minute: 100, limit_by: ip } }
          - { name: request-termination, config: { status_code: 403, message: closed } }
      - name: size-bytes
        paths: [/size-bytes]
        plugins:
          - { name: request-size-limiting, config: { allowed_payload_size: 10, size_unit: bytes } }
      - name: size-kb
        paths: [/size-kb]
        plugins:
          - { name: request-size-limiting, config: { allowed_payload_size: 1, size_unit: kilobytes } }
      - name: size-mb
        paths: [/size-mb]
        plugins:
          - { name: request-size-limiting, config: { allowed_payload_size: 1 } }
      - name: size-cl
        paths: [/size-cl]
        plugins:
          - { name: request-size-limiting, config: { allowed_payload_size: 10, size_unit: bytes, require_content_length: true } }
      - name: term-default
        paths: [/term-default]
        plugins:
          - { name: request-termination }
      - name: term-message
        paths: [/term-message]
        plugins:
          - { name: request-termination, config: { status_code: 403, message: "No / \\"entry\\" $x" } }
      - name: term-body
        paths: [/term-body]
        plugins:
          - { name: request-termination, config: { status_code: 200, body: "<h1>\\"hi\\"; return 500 $uri; #</h1>", content_type: "text/html; charset=utf-8" } }
      - name: term-body-plain
        paths: [/term-body-plain]
        plugins:
          - { name: request-termination, config: { status_code: 404, body: "gone" } }
      - name: term-empty
        paths: [/term-empty]
        plugins:
          - { name: request-termination, config: { status_code: 410 } }
      - name: term-trigger
        paths: [/term-trigger]
        plugins:
          - { name: request-termination, config: { status_code: 418, message: stopped, trigger: X-Stop } }
      - name: ip-deny
        paths: [/ip-deny]
        plugins:
          - { name: ip-restriction, config: { deny: [127.0.0.0/8] } }
      - name: ip-allow
        paths: [/ip-allow]
        plugins:
          - { name: ip-restriction, config: { allow: [127.0.0.1, "::1", 10.1.2.3/8] } }
      - name: ip-elsewhere
        paths: [/ip-elsewhere]
        plugins:
          - { name: ip-restriction, config: { allow: [10.0.0.0/8, "2001:db8::/32"], status: 401, message: "Not from here" } }
      - name: ip-both
        paths: [/ip-both]
        plugins:
          - { name: ip-restriction, config: { allow: [127.0.0.1], deny: [127.0.0.0/24] } }
      - name: bot
        paths: [/bot]
        plugins:
          - { name: bot-detection }
      - name: bot-lists
        paths: [/bot-lists]
        plugins:
          - { name: bot-detection, config: { allow: [Googlebot], deny: ["^HelloWorld", "(C)|(c)url"] } }
      # Two routes on one path: each is served from a named location nginx jumps to.
      - name: named-post
        paths: [/named]
        methods: [POST]
        plugins:
          - { name: request-size-limiting, config: { allowed_payload_size: 10, size_unit: bytes } }
      - name: named-get
        paths: [/named]
        methods: [GET]
        plugins:
          - { name: rate-limiting, config: { minute: 2, limit_by: ip } }
  - name: shared
    url: ${url}
    plugins:
      - { name: rate-limiting, config: { minute: 2, limit_by: service } }
    routes:
      - { name: svc-a, paths: [/svc-a] }
      - { name: svc-b, paths: [/svc-b] }
`;
    const compiled = compileYaml(yaml, { listen: [`127.0.0.1:${port}`] });
    nginx = await startNginx(compiled.text, port);
  });

  after(async () => {
    await nginx?.stop();
    await echo?.close();
  });

  describe('rate-limiting', () => {
    it("lets exactly N requests through, then answers Kong's 429 with its body and limit headers", async () => {
      const ok = await request(port, '/rl-ip/x');
      assert.equal(ok.status, 200);
      assert.equal(ok.headers['x-ratelimit-limit-minute'], '3');
      assert.equal(ok.headers['ratelimit-limit'], '3');
      assert.deepEqual(await statuses(port, '/rl-ip/x', 3), [200, 200, 429]);
      const limited = await request(port, '/rl-ip/x', { headers: { accept: 'application/json' } });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers['content-type'], 'application/json; charset=utf-8');
      assert.deepEqual(kongError(limited), { message: 'API rate limit exceeded' });
      assert.equal(limited.headers['x-ratelimit-limit-minute'], '3');
      assert.equal(limited.headers['ratelimit-limit'], '3');
      // nginx frees one request each 60/3 s: Retry-After says so.
      assert.equal(limited.headers['retry-after'], '20');
      const text = await request(port, '/rl-ip/x', { headers: { accept: 'text/plain' } });
      assert.match(text.body, /^API rate limit exceeded\nrequest_id: [0-9a-f]{32}\n$/);
    });

    it("another plugin's answer after rate-limiting carries its headers, as in Kong; answers on other routes do not", async () => {
      const res = await request(port, '/rl-term');
      assert.equal(res.status, 403);
      assert.equal(res.body, '{"message":"closed"}');
      assert.equal(res.headers['x-ratelimit-limit-minute'], '100');
      assert.equal(res.headers['ratelimit-limit'], '100');
      const other = await request(port, '/term-default');
      assert.equal(other.headers['x-ratelimit-limit-minute'], undefined);
      assert.equal(other.headers['ratelimit-limit'], undefined);
    });

    it('limit_by consumer without an authenticated consumer counts by client address (Kong\'s fallback)', async () => {
      assert.deepEqual(await statuses(port, '/rl-default', 3), [200, 200, 429]);
    });

    it('several periods all apply; RateLimit-Limit is the lowest limit', async () => {
      const first = await request(port, '/rl-two');
      assert.equal(first.status, 200);
      assert.equal(first.headers['x-ratelimit-limit-second'], '1');
      assert.equal(first.headers['x-ratelimit-limit-minute'], '2');
      assert.equal(first.headers['ratelimit-limit'], '1');
      // The second's limit refuses at once (a refused request uses no quota) …
      assert.equal((await request(port, '/rl-two')).status, 429);
      await sleep(1100);
      assert.equal((await request(port, '/rl-two')).status, 200);
      await sleep(1100);
      // … and the minute's after two.
      assert.equal((await request(port, '/rl-two')).status, 429);
    });

    it('limit_by header counts each header value, and requests without it by client address', async () => {
      assert.deepEqual(await statuses(port, '/rl-header', 3, { 'x-key': 'a' }), [200, 200, 429]);
      assert.deepEqual(await statuses(port, '/rl-header', 3, { 'x-key': 'b' }), [200, 200, 429]);
      assert.deepEqual(await statuses(port, '/rl-header', 3), [200, 200, 429]);
    });

    it('limit_by path counts the configured path, every other path by client address', async () => {
      assert.deepEqual(await statuses(port, '/rl-path/one', 2), [200, 429]);
      assert.equal((await request(port, '/rl-path/two')).status, 200);
      // The address's counter is the one /rl-path/two used.
      assert.equal((await request(port, '/rl-path/three')).status, 429);
    });

    it('limit_by service shares one counter across the service\'s routes', async () => {
      assert.equal((await request(port, '/svc-a')).status, 200);
      assert.equal((await request(port, '/svc-b')).status, 200);
      assert.equal((await request(port, '/svc-a')).status, 429);
    });

    it('error_code and error_message (quoted as written), hide_client_headers sends no limit headers', async () => {
      const ok = await request(port, '/rl-custom');
      assert.equal(ok.status, 200);
      for (const h of ['x-ratelimit-limit-minute', 'ratelimit-limit', 'retry-after']) assert.equal(ok.headers[h], undefined, h);
      const limited = await request(port, '/rl-custom');
      assert.equal(limited.status, 409);
      // Kong puts the message into its JSON template as written (no escaping), and so does kongc.
      assert.match(limited.body, /^\{\n  "message":"Slow down "\$friend"; \{x\} #1 \$& 100%",\n  "request_id":"[0-9a-f]{32}"\n\}$/);
      for (const h of ['x-ratelimit-limit-minute', 'ratelimit-limit', 'retry-after']) assert.equal(limited.headers[h], undefined, h);
    });
  });

  describe('request-size-limiting', () => {
    it('bytes: the limit passes, one more byte is 413 with Kong\'s body (417 when the client expects 100-continue)', async () => {
      assert.equal((await request(port, '/size-bytes', { method: 'POST', body: '1234567890' })).status, 200);
      const over = await request(port, '/size-bytes', { method: 'POST', body: '12345678901' });
      assert.equal(over.status, 413);
      assert.deepEqual(kongError(over), { message: 'Request size limit exceeded' });
      const expect = await request(port, '/size-bytes', { method: 'POST', body: '12345678901', headers: { expect: '100-continue' } });
      assert.equal(expect.status, 417);
      assert.deepEqual(kongError(expect), { message: 'Request size limit exceeded' });
    });

    it('chunked bodies are measured as nginx reads them', async () => {
      assert.equal((await chunked(port, '/size-bytes', '1234567890')).status, 200);
      const over = await chunked(port, '/size-bytes', '12345678901');
      assert.equal(over.status, 413);
      assert.deepEqual(kongError(over), { message: 'Request size limit exceeded' });
    });

    it('kilobytes and megabytes are binary (1024, 1048576)', async () => {
      assert.equal((await request(port, '/size-kb', { method: 'POST', body: 'k'.repeat(1024) })).status, 200);
      assert.equal((await request(port, '/size-kb', { method: 'POST', body: 'k'.repeat(1025) })).status, 413);
      assert.equal((await request(port, '/size-mb', { method: 'POST', body: 'm'.repeat(1048576) })).status, 200);
      assert.equal((await request(port, '/size-mb', { method: 'POST', body: 'm'.repeat(1048577) })).status, 413);
    });

    it('require_content_length: 411 without one (a GET too), a chunked body passes', async () => {
      const none = await request(port, '/size-cl');
      assert.equal(none.status, 411);
      assert.deepEqual(kongError(none), { message: 'A valid Content-Length header is required' });
      assert.equal((await request(port, '/size-cl', { method: 'POST', body: '' })).status, 200);
      assert.equal((await chunked(port, '/size-cl', '123456')).status, 200);
      assert.equal((await request(port, '/size-cl', { method: 'POST', body: '12345678901' })).status, 413);
    });
  });

  describe('routes served from a named location', () => {
    it('limit_req and the body limits apply there too', async () => {
      assert.deepEqual(await statuses(port, '/named', 3), [200, 200, 429]);
      assert.equal((await request(port, '/named', { method: 'POST', body: '1234567890' })).status, 200);
      const over = await request(port, '/named', { method: 'POST', body: '12345678901' });
      assert.equal(over.status, 413);
      assert.deepEqual(kongError(over), { message: 'Request size limit exceeded' });
      assert.equal((await chunked(port, '/named', '12345678901')).status, 413);
      assert.equal((await chunked(port, '/named', '1234567890')).status, 200);
    });
  });

  describe('request-termination', () => {
    it("default: 503 with Kong's compact JSON", async () => {
      const res = await request(port, '/term-default');
      assert.equal(res.status, 503);
      assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(res.body, '{"message":"Service unavailable"}');
    });

    it('message: cjson escaping (a slash too), nothing read as an nginx variable', async () => {
      const res = await request(port, '/term-message');
      assert.equal(res.status, 403);
      assert.equal(res.body, '{"message":"No \\/ \\"entry\\" $x"}');
    });

    it('body with content_type, sent byte for byte', async () => {
      const res = await request(port, '/term-body');
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(res.body, '<h1>"hi"; return 500 $uri; #</h1>');
    });

    it('body without content_type: no Content-Type at all', async () => {
      const res = await request(port, '/term-body-plain');
      assert.equal(res.status, 404);
      assert.equal(res.headers['content-type'], undefined);
      assert.equal(res.body, 'gone');
    });

    it("a status without a message Kong knows: an empty answer (not nginx's error page)", async () => {
      const res = await request(port, '/term-empty');
      assert.equal(res.status, 410);
      assert.equal(res.body, '');
      assert.equal(res.headers['content-length'], '0');
      assert.equal(res.headers['content-type'], undefined);
    });

    it('trigger: only requests carrying the header or query argument are terminated', async () => {
      assert.equal((await request(port, '/term-trigger')).status, 200);
      assert.equal((await request(port, '/term-trigger?X-Stopper=1')).status, 200);
      for (const [path, headers] of [['/term-trigger', { 'x-stop': '1' }], ['/term-trigger?a=1&X-Stop', {}], ['/term-trigger?X-Stop=', {}]] as const) {
        const res = await request(port, path, { headers });
        assert.equal(res.status, 418, path);
        assert.equal(res.body, '{"message":"stopped"}');
      }
    });
  });

  describe('ip-restriction', () => {
    it("deny: Kong's 403 naming the client address", async () => {
      const res = await request(port, '/ip-deny');
      assert.equal(res.status, 403);
      assert.deepEqual(kongError(res), { message: 'IP address not allowed: 127.0.0.1' });
    });

    it('allow: a listed address (IPv4 and IPv6 entries side by side) passes', async () => {
      assert.equal((await request(port, '/ip-allow')).status, 200);
    });

    it('allow without the client: status and message as configured', async () => {
      const res = await request(port, '/ip-elsewhere');
      assert.equal(res.status, 401);
      assert.deepEqual(kongError(res), { message: 'Not from here' });
    });

    it('an address both allowed and denied is refused (deny is checked first)', async () => {
      assert.equal((await request(port, '/ip-both')).status, 403);
    });
  });

  describe('bot-detection', () => {
    it("refuses Kong's built-in bots with 403 Forbidden, lets browsers, curl and no User-Agent through", async () => {
      for (const ua of ['Googlebot/2.1 (+http://www.google.com/bot.html)', 'facebookexternalhit/1.1', 'Go-http-client/1.1', 'bingbot/2.0']) {
        const res = await request(port, '/bot', { headers: { 'user-agent': ua } });
        assert.equal(res.status, 403, ua);
        assert.deepEqual(kongError(res), { message: 'Forbidden' });
      }
      for (const ua of ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/44.0.2403.89 Safari/537.36', 'HelloWorld', 'curl/7.43.0', 'python-requests/2.31']) {
        assert.equal((await request(port, '/bot', { headers: { 'user-agent': ua } })).status, 200, ua);
      }
      assert.equal((await request(port, '/bot')).status, 200);
    });

    it('allow wins over the built-in rules; deny adds patterns', async () => {
      assert.equal((await request(port, '/bot-lists', { headers: { 'user-agent': 'Googlebot/2.1' } })).status, 200);
      assert.equal((await request(port, '/bot-lists', { headers: { 'user-agent': 'HelloWorld/1' } })).status, 403);
      assert.equal((await request(port, '/bot-lists', { headers: { 'user-agent': 'curl/7.43.0' } })).status, 403);
      assert.equal((await request(port, '/bot-lists', { headers: { 'user-agent': 'Say HelloWorld' } })).status, 200);
    });
  });
});
