// Behaviours found in use where nginx's defaults differ from Kong: WebSocket upgrades, a route path
// ending in '/', the Host header's case. End to end through a real nginx.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { compileObject } from '../support/compile.js';
import { startEcho, type EchoBackend } from '../support/echo.js';
import { kongError, request } from '../support/http.js';
import { freePort, startNginx, type RunningNginx } from '../support/nginx.js';

/** A backend that answers a WebSocket handshake with 101 and then echoes bytes; other requests get 200 with the headers it saw. */
async function startUpgradeBackend(): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ connection: req.headers.connection ?? null, upgrade: req.headers.upgrade ?? null }));
  });
  // Upgraded sockets leave the HTTP server's bookkeeping (closeAllConnections misses them) but
  // still hold server.close open: tracked here and destroyed on close.
  const upgraded = new Set<import('node:stream').Duplex>();
  server.on('upgrade', (req, socket) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Seen-Upgrade: ' + String(req.headers.upgrade) + '\r\n\r\n');
    socket.on('data', (d) => socket.write(d));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => {
      for (const socket of upgraded) socket.destroy();
      server.closeAllConnections();
      for (const s of upgraded) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Sends a raw request, returns what arrives within `ms` (after writing `then` once the head arrived). */
function raw(port: number, text: string, then: string | null): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    let sent = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(got);
    }, 1500);
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (then !== null && !sent && got.includes('\r\n\r\n')) {
        sent = true;
        socket.write(then);
      }
      if (then !== null && got.includes(then)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.write(text);
  });
}

describe('where nginx differs from Kong unless told', () => {
  let ws: Awaited<ReturnType<typeof startUpgradeBackend>>;
  let echo: EchoBackend;
  let nginx: RunningNginx;
  let port: number;

  before(async () => {
    ws = await startUpgradeBackend();
    echo = await startEcho('echo');
    port = await freePort();
    const closedPort = await freePort();
    const config = {
      _format_version: '3.0',
      services: [
        { name: 'sockets', url: `http://127.0.0.1:${ws.port}`, routes: [{ name: 'ws', paths: ['/ws'] }] },
        {
          name: 'web',
          url: `http://127.0.0.1:${echo.port}`,
          routes: [
            { name: 'docs', paths: ['/docs/'] },
            { name: 'cased', hosts: ['casing.test'], paths: ['/cased'] },
          ],
        },
        { name: 'down', url: `http://127.0.0.1:${closedPort}`, routes: [{ name: 'down', paths: ['/down'] }] },
        { name: 'any-host', url: `http://127.0.0.1:${echo.port}/any-host`, routes: [{ name: 'fallback', paths: ['/cased'] }] },
      ],
    };
    nginx = await startNginx(compileObject(config, { listen: [`127.0.0.1:${port}`] }).text, port);
  });

  after(async () => {
    await nginx?.stop();
    await ws?.close();
    await echo?.close();
  });

  it("a WebSocket handshake reaches the backend, whose 101 the client gets, and bytes flow both ways", async () => {
    const got = await raw(port, 'GET /ws/chat HTTP/1.1\r\nHost: x.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n', 'ping-123');
    assert.match(got, /^HTTP\/1\.1 101 /);
    assert.match(got, /X-Seen-Upgrade: websocket/i);
    assert.ok(got.endsWith('ping-123'), JSON.stringify(got));
  });

  it('a request without an upgrade keeps the upstream connection (no Connection or Upgrade header sent)', async () => {
    const res = await request(port, '/ws/plain', { host: 'x.test', headers: { connection: 'keep-alive' } });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json(), { connection: null, upgrade: null });
  });

  it("a route path ending in '/' answers Kong's 404 for the path without it, not nginx's 301", async () => {
    const bare = await request(port, '/docs', { host: 'x.test' });
    assert.equal(bare.status, 404);
    assert.deepEqual(kongError(bare), { message: 'no Route matched with those values' });
    const under = await request(port, '/docs/intro', { host: 'x.test' });
    assert.equal(under.status, 200);
    assert.equal(under.json().url, '/intro');
  });

  it('a Host with upper-case letters matches no route host (Kong compares the header as sent)', async () => {
    // The hosted route wins for the lower-case Host; for any other spelling only the host-less one can.
    const lower = await request(port, '/cased/x', { host: 'casing.test' });
    assert.equal(lower.status, 200);
    assert.equal(lower.json().url, '/x');
    for (const host of ['Casing.Test', 'CASING.TEST', 'casing.Test:80']) {
      const other = await request(port, '/cased/x', { host });
      assert.equal(other.status, 200, host);
      assert.equal(other.json().url, '/any-host/x', host);
    }
  });

  it("Kong's errors follow the Accept header (JSON, HTML, XML, text), each with the request id", async () => {
    const rid = '[0-9a-f]{32}';
    const cases: [string | null, RegExp, RegExp][] = [
      [null, /^application\/json; charset=utf-8$/, new RegExp(`^\\{\\n  "message":"no Route matched with those values",\\n  "request_id":"${rid}"\\n\\}$`)],
      ['*/*', /^application\/json/, /"message":"no Route matched with those values"/],
      ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', /^text\/html; charset=utf-8$/, new RegExp(`<h1>Error</h1>\\n    <p>no Route matched with those values\\.</p>\\n    <p>request_id: ${rid}</p>`)],
      ['application/xml', /^application\/xml; charset=utf-8$/, new RegExp(`^<\\?xml version="1\\.0" encoding="UTF-8"\\?>\\n<error>\\n  <message>no Route matched with those values</message>\\n  <requestid>${rid}</requestid>\\n</error>\\n$`)],
      ['text/plain', /^text\/plain; charset=utf-8$/, new RegExp(`^no Route matched with those values\\nrequest_id: ${rid}\\n$`)],
      ['TEXT/HTML', /^application\/json/, /"message"/],
    ];
    for (const [accept, type, body] of cases) {
      const res = await request(port, '/nothing-here', { host: 'x.test', headers: accept === null ? {} : { accept } });
      assert.equal(res.status, 404, String(accept));
      assert.match(String(res.headers['content-type']), type, String(accept));
      assert.match(res.body, body, String(accept));
    }
  });

  it("nginx's own proxy failures follow Accept, else the request's Content-Type, else plain text", async () => {
    // A 502: the service's port has nothing listening.
    const text = await request(port, '/down/x', { host: 'x.test' });
    assert.equal(text.status, 502);
    assert.match(String(text.headers['content-type']), /^text\/plain/);
    assert.match(text.body, /^An invalid response was received from the upstream server\nrequest_id: [0-9a-f]{32}\n$/);
    const byType = await request(port, '/down/x', { host: 'x.test', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.match(String(byType.headers['content-type']), /^application\/json/);
    const byAccept = await request(port, '/down/x', { host: 'x.test', headers: { accept: 'application/xml', 'content-type': 'application/json' } });
    assert.match(byAccept.body, /<message>An invalid response was received from the upstream server<\/message>/);
  });
});
