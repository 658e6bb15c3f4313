// https services through a real nginx: SNI and verification from Kong's upstream Host, service
// ca_certificates written by `kongc build -o` next to the config and used as the trust store, and
// mutual TLS: the client_certificate of a service (or of its upstream) presented to a backend that
// requires one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { kongError, request } from '../support/http.js';
import { kongc } from '../support/kongc.js';
import { freePort, startNginx, type RunningNginx } from '../support/nginx.js';
import { makePki } from '../support/tls.js';

const CA = '5b93eda7-7ba5-4acc-a536-cf12f58a1144';
const OTHER_CA = '6c93eda7-7ba5-4acc-a536-cf12f58a1145';
const CLIENT = '7d93eda7-7ba5-4acc-a536-cf12f58a1146';

describe('https services (real nginx, TLS backend on 127.0.0.1)', () => {
  let server: Server;
  let mtlsServer: Server;
  let backendPort: number;
  let clientKey = '';
  let nginx: RunningNginx;
  let port: number;
  let dir: string;
  let outDir: string;

  before(async () => {
    const pki = makePki('backend.test');
    server = createServer({ cert: pki.serverCert, key: pki.serverKey }, (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ sni: (req.socket as TLSSocket).servername || null, host: req.headers.host, url: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    backendPort = (server.address() as { port: number }).port;
    // A backend that completes the handshake only with a client certificate signed by the test CA.
    clientKey = pki.clientKey;
    mtlsServer = createServer({ cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ client: (req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? null, url: req.url }));
    });
    await new Promise<void>((resolve) => mtlsServer.listen(0, '127.0.0.1', () => resolve()));
    const mtlsPort = (mtlsServer.address() as { port: number }).port;
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'kongc-tls-'));
    outDir = join(dir, 'out');
    mkdirSync(outDir);
    const up = (name: string) => ({ name, host_header: 'backend.test', targets: [{ target: `127.0.0.1:${backendPort}` }] });
    const svc = (name: string, extra: object) => ({ name, protocol: 'https', host: name, port: 443, ...extra, routes: [{ name, paths: [`/${name}`] }] });
    writeFileSync(
      join(dir, 'kong.yaml'),
      stringify({
        _format_version: '3.0',
        ca_certificates: [{ id: CA, cert: pki.caCert }, { id: OTHER_CA, cert: pki.otherCaCert }],
        certificates: [{ id: CLIENT, cert: pki.clientCert, key: pki.clientKey }],
        upstreams: [
          up('verified'),
          up('wrong-ca'),
          up('unverified'),
          { name: 'mtls-pool', host_header: 'backend.test', client_certificate: CLIENT, targets: [{ target: `127.0.0.1:${mtlsPort}` }] },
        ],
        services: [
          svc('verified', { tls_verify: true, tls_verify_depth: 2, ca_certificates: [CA] }),
          svc('wrong-ca', { tls_verify: true, ca_certificates: [OTHER_CA] }),
          svc('unverified', {}),
          { name: 'mtls', protocol: 'https', host: '127.0.0.1', port: mtlsPort, client_certificate: CLIENT, routes: [{ name: 'mtls', paths: ['/mtls'] }] },
          { name: 'mtls-none', protocol: 'https', host: '127.0.0.1', port: mtlsPort, routes: [{ name: 'mtls-none', paths: ['/mtls-none'] }] },
          { name: 'mtls-upstream', protocol: 'https', host: 'mtls-pool', port: 443, routes: [{ name: 'mtls-upstream', paths: ['/mtls-upstream'] }] },
        ],
      }),
    );
    const r = await kongc(['build', join(dir, 'kong.yaml'), '-o', join(outDir, 'kongc.conf'), '--listen', `127.0.0.1:${port}`]);
    assert.equal(r.exitCode, 0, r.stderr);
    nginx = await startNginx(readFileSync(join(outDir, 'kongc.conf'), 'utf8'), port);
  });

  after(async () => {
    await nginx?.stop();
    for (const s of [server, mtlsServer]) await new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('build -o writes one CA bundle per distinct set of ca_certificates next to the config', () => {
    const bundles = readdirSync(outDir).filter((f) => /^kongc-ca-[0-9a-f]{16}\.pem$/.test(f)).sort();
    assert.equal(bundles.length, 2);
    const conf = readFileSync(join(outDir, 'kongc.conf'), 'utf8');
    for (const b of bundles) assert.ok(conf.includes(`proxy_ssl_trusted_certificate "${join(outDir, b)}";`), b);
    assert.ok(existsSync(join(outDir, 'kongc.conf')));
  });

  it('verifies the backend against the service ca_certificates, with SNI and Host from host_header', async () => {
    const r = await request(port, '/verified/x');
    assert.equal(r.status, 200, r.body);
    // Kong's SNI is the upstream Host without its port; Host carries the target's port.
    assert.deepEqual(r.json(), { sni: 'backend.test', host: `backend.test:${backendPort}`, url: '/x' });
  });

  it("fails verification with another CA → 502 with Kong's body", async () => {
    const r = await request(port, '/wrong-ca/x', { headers: { accept: 'application/json' } });
    assert.equal(r.status, 502);
    assert.deepEqual(kongError(r), { message: 'An invalid response was received from the upstream server' });
  });

  it('without tls_verify the certificate is not checked (Kong default)', async () => {
    const r = await request(port, '/unverified');
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json().sni, 'backend.test');
  });

  it("presents the service's client_certificate to a backend that requires one", async () => {
    const r = await request(port, '/mtls/x');
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(r.json(), { client: 'kongc-client', url: '/x' });
  });

  it("presents the upstream's client_certificate for a service without one", async () => {
    const r = await request(port, '/mtls-upstream/y');
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(r.json(), { client: 'kongc-client', url: '/y' });
  });

  it("without a client certificate the backend refuses the handshake: Kong's 502", async () => {
    const r = await request(port, '/mtls-none/x', { headers: { accept: 'application/json' } });
    assert.equal(r.status, 502);
    assert.deepEqual(kongError(r), { message: 'An invalid response was received from the upstream server' });
    // The certificate's connections are kept apart: a later request without one is still refused.
    assert.equal((await request(port, '/mtls/x')).status, 200);
    assert.equal((await request(port, '/mtls-none/x')).status, 502);
  });

  it('keeps the client key out of the config: a 0600 side file', () => {
    const conf = readFileSync(join(outDir, 'kongc.conf'), 'utf8');
    assert.doesNotMatch(conf, /BEGIN/);
    const keyLine = clientKey.split('\n').find((l) => l && !l.startsWith('-----'))!;
    assert.ok(!conf.includes(keyLine));
    const files = [...conf.matchAll(/proxy_ssl_certificate(?:_key)? "([^"]+)";/g)].map((m) => m[1]!);
    assert.equal(new Set(files).size, 2);
    for (const f of files) assert.equal(statSync(f).mode & 0o777, 0o600, f);
  });

  it('building to stdout with ca_certificates is a precise error', async () => {
    const r = await kongc(['build', join(dir, 'kong.yaml')]);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /kong\.yaml:\d+:\d+: error: service 'verified': kongc writes ca_certificates to a PEM file/);
    assert.match(r.stderr, /--ca-dir DIR/);
  });
});
