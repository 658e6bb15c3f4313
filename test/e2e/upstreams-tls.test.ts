// https services through a real nginx: SNI and verification from Kong's upstream Host, service
// ca_certificates written by `kongc build -o` next to the config and used as the trust store.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

describe('https services (real nginx, TLS backend on 127.0.0.1)', () => {
  let server: Server;
  let backendPort: number;
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
        upstreams: [up('verified'), up('wrong-ca'), up('unverified')],
        services: [svc('verified', { tls_verify: true, tls_verify_depth: 2, ca_certificates: [CA] }), svc('wrong-ca', { tls_verify: true, ca_certificates: [OTHER_CA] }), svc('unverified', {})],
      }),
    );
    const r = await kongc(['build', join(dir, 'kong.yaml'), '-o', join(outDir, 'kongc.conf'), '--listen', `127.0.0.1:${port}`]);
    assert.equal(r.exitCode, 0, r.stderr);
    nginx = await startNginx(readFileSync(join(outDir, 'kongc.conf'), 'utf8'), port);
  });

  after(async () => {
    await nginx?.stop();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
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

  it('building to stdout with ca_certificates is a precise error', async () => {
    const r = await kongc(['build', join(dir, 'kong.yaml')]);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /kong\.yaml:\d+:\d+: error: service 'verified': kongc writes ca_certificates to a PEM file/);
    assert.match(r.stderr, /--ca-dir DIR/);
  });
});
