// Upstreams through a real nginx: weights, hashing with fallbacks, least_conn, dead
// targets, Kong's 502/503/504 bodies, retries, Host rules, Kong's response headers. One nginx for
// the whole file; echo backends and "dead" ports are on 127.0.0.1 only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { compileObject } from '../support/compile.js';
import { startEcho, type EchoBackend } from '../support/echo.js';
import { kongError, request, type Reply } from '../support/http.js';
import { freePort, startNginx, type RunningNginx } from '../support/nginx.js';

/** A backend that reads the request and then drops the connection, counting connections. */
interface Dropper {
  port: number;
  connections: number;
  close(): Promise<void>;
}

async function startDropper(): Promise<Dropper> {
  const d: Dropper = { port: 0, connections: 0, close: async () => {} };
  const server: Server = createServer((socket) => {
    d.connections++;
    socket.once('data', () => socket.destroy());
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  d.port = (server.address() as { port: number }).port;
  d.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return d;
}

const KONG_502 = { message: 'An invalid response was received from the upstream server' };
const KONG_503_NO_PEER = { message: 'failure to get a peer from the ring-balancer' };
const KONG_504 = { message: 'The upstream server is timing out' };

describe('upstreams and proxy behaviour (real nginx)', () => {
  let a: EchoBackend, b: EchoBackend, c: EchoBackend, slow: EchoBackend, slowish: EchoBackend;
  let droppers: Dropper[];
  let dead: number[];
  let nginx: RunningNginx;
  let port: number;

  // JSON errors: nginx's own proxy failures are answered in the Accept header's format (text without one).
  const get = (path: string, opts: Parameters<typeof request>[2] = {}) => request(port, path, { ...opts, headers: { accept: 'application/json', ...opts.headers } });
  const backendOf = (r: Reply): string => {
    assert.equal(r.status, 200, `status ${r.status}: ${r.body}`);
    return r.json().backend as string;
  };

  before(async () => {
    [a, b, c] = [await startEcho('a'), await startEcho('b'), await startEcho('c')];
    slow = await startEcho('slow', { delayMs: 600 });
    slowish = await startEcho('slowish', { delayMs: 120 });
    droppers = [await startDropper(), await startDropper(), await startDropper(), await startDropper()];
    // Closed ports: taken from the OS, then released.
    dead = [await freePort(), await freePort(), await freePort()];
    port = await freePort();
    const t = (e: { port: number }, weight?: number) => ({ target: `127.0.0.1:${e.port}`, ...(weight === undefined ? {} : { weight }) });
    const abc = [t(a), t(b), t(c)];
    const svc = (name: string, host: string, paths: string[], extra: object = {}, route: object = {}) => ({ name, host, port: 80, ...extra, routes: [{ name, paths, ...route }] });
    const config = {
      _format_version: '3.0',
      upstreams: [
        { name: 'weighted', targets: [t(a, 300), t(b, 100), t(c, 0)] },
        { name: 'zero', targets: [t(a, 0)] },
        { name: 'by-header', hash_on: 'header', hash_on_header: 'x-user', hash_fallback: 'query_arg', hash_fallback_query_arg: 'fb', targets: abc },
        { name: 'by-cookie', hash_on: 'cookie', hash_on_cookie: 'session', hash_on_cookie_path: '/cookie', targets: abc },
        { name: 'by-ip', hash_on: 'ip', targets: abc },
        { name: 'by-path', hash_on: 'path', targets: abc },
        { name: 'by-arg', hash_on: 'query_arg', hash_on_query_arg: 'user', targets: abc },
        { name: 'by-capture', hash_on: 'uri_capture', hash_on_uri_capture: 'tenant', hash_fallback: 'header', hash_fallback_header: 'x-fb', targets: abc },
        { name: 'fewest', algorithm: 'least-connections', targets: abc },
        { name: 'one-dead', targets: [t(a), { target: `127.0.0.1:${dead[0]}` }] },
        { name: 'all-dead', targets: [{ target: `127.0.0.1:${dead[0]}` }, { target: `127.0.0.1:${dead[1]}` }] },
        {
          name: 'no-peer',
          healthchecks: { passive: { unhealthy: { tcp_failures: 1 } } },
          targets: [{ target: `127.0.0.1:${dead[1]}` }, { target: `127.0.0.1:${dead[2]}` }],
        },
        { name: 'droppers', targets: droppers.map((d) => ({ target: `127.0.0.1:${d.port}` })) },
        { name: 'single', targets: [t(a)] },
        { name: 'with-host-header', host_header: 'api.internal', targets: [t(a)] },
        { name: 'two-hosts', targets: [t(a), t(b)] },
      ],
      services: [
        svc('weighted', 'weighted', ['/weighted']),
        svc('zero', 'zero', ['/zero']),
        svc('by-header', 'by-header', ['/hdr']),
        svc('by-cookie', 'by-cookie', ['/cookie']),
        svc('by-ip', 'by-ip', ['/ip']),
        { name: 'by-path', host: 'by-path', routes: [{ name: 'pa', paths: ['/pa'] }, { name: 'pb', paths: ['/pb'] }] },
        svc('by-arg', 'by-arg', ['/qa']),
        { name: 'by-capture', host: 'by-capture', routes: [{ name: 'uc', paths: ['~/uc/(?<tenant>[a-z0-9]+)/'] }, { name: 'ucplain', paths: ['/ucplain'] }] },
        svc('fewest', 'fewest', ['/lc']),
        svc('one-dead', 'one-dead', ['/one-dead']),
        svc('all-dead', 'all-dead', ['/all-dead']),
        svc('no-peer', 'no-peer', ['/no-peer']),
        svc('retry2', 'droppers', ['/retry2'], { retries: 2 }),
        svc('retry0', 'droppers', ['/retry0'], { retries: 0 }),
        { name: 'slow', host: '127.0.0.1', port: slow.port, read_timeout: 150, retries: 0, routes: [{ name: 'slow', paths: ['/slow'] }] },
        { name: 'slowish', host: '127.0.0.1', port: slowish.port, routes: [{ name: 'slowish', paths: ['/slowish'] }] },
        svc('h-preserve', 'single', ['/h-preserve'], {}, { preserve_host: true }),
        svc('h-target', 'single', ['/h-target']),
        svc('h-header', 'with-host-header', ['/h-header']),
        svc('h-multi', 'two-hosts', ['/h-multi']),
        { name: 'h-plain', host: '127.0.0.1', port: a.port, routes: [{ name: 'h-plain', paths: ['/h-plain'] }] },
      ],
    };
    const { text } = compileObject(config, { listen: [`127.0.0.1:${port}`], kongHeaders: true });
    nginx = await startNginx(text, port);
  });

  after(async () => {
    await nginx?.stop();
    for (const e of [a, b, c, slow, slowish]) await e?.close();
    for (const d of droppers ?? []) await d.close();
  });

  it('weighted round-robin: 300/100/0 over 400 requests', async () => {
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 400; i++) counts[backendOf(await get('/weighted'))]!++;
    console.log(`weighted 300/100/0 → a=${counts.a} b=${counts.b} c=${counts.c}`);
    assert.ok(Math.abs(counts.a! - 300) <= 30, JSON.stringify(counts));
    assert.ok(Math.abs(counts.b! - 100) <= 30, JSON.stringify(counts));
    assert.equal(counts.c, 0, 'weight 0 gets nothing');
  });

  it('an upstream whose targets all have weight 0 answers 503 like Kong', async () => {
    const r = await get('/zero');
    assert.equal(r.status, 503);
    assert.deepEqual(kongError(r), KONG_503_NO_PEER);
  });

  /** Sends `times` requests per key; asserts each key sticks to one backend; returns key → backend. */
  async function sticky(keys: string[], send: (key: string) => Promise<Reply>, times = 3): Promise<Map<string, string>> {
    const seen = new Map<string, string>();
    for (const k of keys) {
      const got = new Set<string>();
      for (let i = 0; i < times; i++) got.add(backendOf(await send(k)));
      assert.equal(got.size, 1, `key ${k} went to ${[...got].join(', ')}`);
      seen.set(k, [...got][0]!);
    }
    return seen;
  }
  const spread = (m: Map<string, string>) => new Set(m.values()).size;
  const keys = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it('hash on header: sticky per value, spread over targets', async () => {
    const m = await sticky(keys(30), (k) => get('/hdr', { headers: { 'x-user': k } }));
    console.log(`hash header: 30 keys over ${spread(m)} targets`);
    assert.ok(spread(m) >= 2);
  });

  it('hash fallback: without the header, the query arg decides', async () => {
    const m = await sticky(keys(30), (k) => get(`/hdr?fb=${k}`));
    assert.ok(spread(m) >= 2);
    // The header still wins when present.
    const withHeader = await sticky(['u1'], (k) => get(`/hdr?fb=${k}-${Math.random()}`, { headers: { 'x-user': k } }), 5);
    assert.equal(withHeader.size, 1);
  });

  it('hash on cookie: sticky per cookie; without one, kongc sets it like Kong and the next request sticks', async () => {
    const m = await sticky(keys(30, 's'), (k) => get('/cookie', { headers: { cookie: `other=1; session=${k}` } }));
    assert.ok(spread(m) >= 2);
    const withCookie = await get('/cookie', { headers: { cookie: 'session=abc' } });
    assert.equal(withCookie.headers['set-cookie'], undefined);
    const firsts = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const first = await get('/cookie');
      const setCookie = (first.headers['set-cookie'] ?? []) as string[];
      assert.equal(setCookie.length, 1);
      assert.match(setCookie[0]!, /^session=[0-9a-f]{32}; Path=\/cookie; Same-Site=Lax; HttpOnly$/);
      const value = /^session=([0-9a-f]+)/.exec(setCookie[0]!)![1]!;
      const backend = backendOf(first);
      firsts.add(backend);
      for (let j = 0; j < 3; j++) assert.equal(backendOf(await get('/cookie', { headers: { cookie: `session=${value}` } })), backend);
    }
    assert.ok(firsts.size >= 2, 'new clients spread');
  });

  it('hash on ip: one client address sticks to one target', async () => {
    const m = await sticky(['127.0.0.1'], () => get('/ip'), 20);
    assert.equal(m.size, 1);
  });

  it("hash on path: the client's path (before strip_path), sticky and spread", async () => {
    const suffixes = keys(30, 'x');
    const pa = await sticky(suffixes, (k) => get(`/pa/${k}`));
    const pb = await sticky(suffixes, (k) => get(`/pb/${k}`));
    assert.ok(spread(pa) >= 2);
    // Both routes strip to the same upstream path; Kong hashes the client's path, so they differ.
    const differ = suffixes.filter((k) => pa.get(k) !== pb.get(k)).length;
    console.log(`hash path: /pa/xN and /pb/xN on different targets for ${differ}/30 suffixes`);
    assert.ok(differ > 0);
  });

  it('hash on query_arg: sticky and spread; without it every request hashes the same empty key (one target), as in Kong', async () => {
    const m = await sticky(keys(30), (k) => get(`/qa?other=1&user=${k}`));
    assert.ok(spread(m) >= 2);
    const none = await sticky(['-'], () => get('/qa'), 10);
    assert.equal(none.size, 1);
  });

  it('hash on uri_capture: the named capture of the route regex; the fallback for a route without it', async () => {
    const m = await sticky(keys(30, 't'), (k) => get(`/uc/${k}/item${Math.floor(Math.random() * 1000)}`));
    assert.ok(spread(m) >= 2);
    const fb = await sticky(keys(30, 'f'), (k) => get('/ucplain', { headers: { 'x-fb': k } }));
    assert.ok(spread(fb) >= 2);
  });

  it('least-connections serves every target', async () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 30; i++) {
      const who = backendOf(await get('/lc'));
      counts[who] = (counts[who] ?? 0) + 1;
    }
    console.log(`least_conn over 30 requests: ${JSON.stringify(counts)}`);
    assert.deepEqual(Object.keys(counts).sort(), ['a', 'b', 'c']);
  });

  it('a dead target is skipped and every request still succeeds', async () => {
    for (let i = 0; i < 30; i++) assert.equal(backendOf(await get('/one-dead')), 'a');
  });

  it("all targets dead → 502 with Kong's JSON body", async () => {
    const r = await get('/all-dead');
    assert.equal(r.status, 502);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assert.deepEqual(kongError(r), KONG_502);
  });

  it("passive health checks took every target out → 503 with Kong's ring-balancer body", async () => {
    const first = await get('/no-peer');
    assert.equal(first.status, 502);
    const second = await get('/no-peer');
    assert.equal(second.status, 503, second.body);
    assert.deepEqual(kongError(second), KONG_503_NO_PEER);
  });

  it("a target slower than read_timeout → 504 with Kong's JSON body", async () => {
    const started = Date.now();
    const r = await get('/slow');
    const took = Date.now() - started;
    assert.equal(r.status, 504);
    assert.deepEqual(kongError(r), KONG_504);
    assert.ok(took >= 140 && took < 550, `took ${took} ms`);
  });

  it('retries: at most retries + 1 connection attempts; POST is not retried once sent', async () => {
    const total = () => droppers.reduce((n, d) => n + d.connections, 0);
    let before = total();
    let r = await get('/retry2');
    assert.equal(r.status, 502);
    assert.equal(total() - before, 3, 'retries: 2 → 3 attempts');
    before = total();
    r = await get('/retry0');
    assert.equal(r.status, 502);
    assert.equal(total() - before, 1, 'retries: 0 → 1 attempt');
    before = total();
    r = await get('/retry2', { method: 'POST', body: 'x' });
    assert.equal(r.status, 502);
    assert.equal(total() - before, 1, 'non-idempotent request sent once');
  });

  it('Host: preserve_host sends the client Host', async () => {
    const r = await get('/h-preserve', { host: 'client.example:1234' });
    assert.equal(r.json().host, 'client.example:1234');
  });

  it("Host: a single-target upstream sends the target's host:port", async () => {
    assert.equal((await get('/h-target')).json().host, `127.0.0.1:${a.port}`);
  });

  it("Host: upstream host_header, with the target's port as Kong appends it", async () => {
    assert.equal((await get('/h-header')).json().host, `api.internal:${a.port}`);
  });

  it('Host: a plain service host sends host:port', async () => {
    assert.equal((await get('/h-plain')).json().host, `127.0.0.1:${a.port}`);
  });

  it("Host: targets with different hosts all get the first target's Host (documented limit)", async () => {
    const hosts = new Set<string>();
    const backends = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const body = (await get('/h-multi')).json();
      hosts.add(body.host);
      backends.add(body.backend);
    }
    assert.deepEqual([...backends].sort(), ['a', 'b']);
    assert.deepEqual([...hosts], [`127.0.0.1:${a.port}`]);
  });

  it("--kong-headers: Via and latencies in integer milliseconds, as Kong sends them; no nginx version", async () => {
    const r = await get('/slowish');
    assert.equal(r.status, 200);
    assert.equal(r.headers['via'], 'kong/0.1.0');
    const upstream = String(r.headers['x-kong-upstream-latency']);
    assert.match(upstream, /^(0|[1-9][0-9]*)$/);
    console.log(`X-Kong-Upstream-Latency for a 120 ms backend: ${upstream}`);
    assert.ok(Number(upstream) >= 110 && Number(upstream) < 2000, upstream);
    assert.equal(r.headers['x-kong-proxy-latency'], '0');
    const fast = await get('/h-target');
    assert.match(String(fast.headers['x-kong-upstream-latency']), /^(0|[1-9][0-9]*)$/);
    const notFound = await get('/nothing-here');
    assert.equal(notFound.status, 404);
    assert.doesNotMatch(String(notFound.headers['server'] ?? ''), /[0-9]/);
  });
});
