// Stream routes through a real nginx (ngx_stream_module): tcp bytes reach the service Kong's
// stream router picks by destination port, destination address and source address (the more
// specific route first); tls_passthrough picks the backend by SNI without terminating TLS (the
// client sees the backend's certificate); a tls route terminates TLS with the certificate for its
// SNI and proxies plain bytes; a tls service is reached over TLS; a udp service echoes a datagram;
// a connection no route matches is closed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGeneratedFiles } from '../../src/commands/build.js';
import { defaultCertificateSource } from '../../src/commands/default-certificate.js';
import { compileYaml } from '../support/compile.js';
import { freePort, startNginx, type RunningNginx } from '../support/nginx.js';
import { startTcpEcho, startTlsEcho, startUdpEcho, tcpExchange, tlsExchange, udpExchange, type StreamBackend } from '../support/stream.js';

const dir = mkdtempSync(join(tmpdir(), 'kongc-stream-'));

function makeCert(name: string, cn: string): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}
const block = (pem: string) => pem.trim().split('\n').map((l) => `      ${l}`).join('\n');

const certA = makeCert('a', 'a.test');
const certB = makeCert('b', 'x.b.test');
const certT = makeCert('t', 't.test');
makeCert('default', 'default.test');

describe('stream routes through nginx', () => {
  const backends: Record<string, StreamBackend> = {};
  let nginx: RunningNginx;
  const port: Record<string, number> = {};

  before(async () => {
    backends.a = await startTcpEcho('a');
    backends.b = await startTcpEcho('b');
    backends.passA = await startTlsEcho('pass-a', certA.cert, certA.key);
    backends.passB = await startTlsEcho('pass-b', certB.cert, certB.key);
    backends.udp = await startUdpEcho('u');
    for (const name of ['http', 'tcp', 'dst', 'ssl', 'udp', 'upTls']) port[name] = await freePort();
    const yaml = `_format_version: "3.0"
services:
  - { name: tcp-a, protocol: tcp, host: 127.0.0.1, port: ${backends.a!.port}, routes: [
      { name: by-port, protocols: [tcp], destinations: [{ port: ${port.tcp} }] },
      { name: any-dst, protocols: [tcp], destinations: [{ port: ${port.dst} }] } ] }
  - { name: tcp-b, protocol: tcp, host: 127.0.0.1, port: ${backends.b!.port}, routes: [
      { name: from-two, protocols: [tcp], sources: [{ ip: 127.0.0.2 }], destinations: [{ port: ${port.tcp} }] },
      { name: to-three, protocols: [tcp], destinations: [{ ip: 127.0.0.3/32, port: ${port.dst} }] } ] }
  - { name: pass-a, protocol: tcp, host: 127.0.0.1, port: ${backends.passA!.port}, routes: [
      { name: sni-a, protocols: [tls_passthrough], snis: [a.test], destinations: [{ port: ${port.ssl} }] } ] }
  - { name: pass-b, protocol: tcp, host: 127.0.0.1, port: ${backends.passB!.port}, routes: [
      { name: sni-b, protocols: [tls_passthrough], snis: ["*.b.test"], destinations: [{ port: ${port.ssl} }] } ] }
  - { name: terminated, protocol: tcp, host: 127.0.0.1, port: ${backends.a!.port}, connect_timeout: 5000, routes: [
      { name: sni-t, protocols: [tls], snis: [t.test], destinations: [{ port: ${port.ssl} }] } ] }
  - { name: to-tls, protocol: tls, host: 127.0.0.1, port: ${backends.passA!.port}, routes: [
      { name: up-tls, protocols: [tcp], destinations: [{ port: ${port.upTls} }] } ] }
  - { name: dgram, protocol: udp, host: 127.0.0.1, port: ${backends.udp!.port}, routes: [
      { name: udp-r, protocols: [udp], destinations: [{ port: ${port.udp} }] } ] }
certificates:
  - cert: |
${block(certT.cert)}
    key: |
${block(certT.key)}
    snis: [t.test]
`;
    const state = join(dir, 'state');
    const compiled = compileYaml(yaml, {
      listen: [`127.0.0.1:${port.http}`],
      listenTls: [],
      listenStream: [
        { address: `127.0.0.1:${port.tcp}`, udp: false, ssl: false },
        { address: `127.0.0.1:${port.dst}`, udp: false, ssl: false },
        { address: `127.0.0.3:${port.dst}`, udp: false, ssl: false },
        { address: `127.0.0.1:${port.upTls}`, udp: false, ssl: false },
        { address: `127.0.0.1:${port.ssl}`, udp: false, ssl: true },
        { address: `127.0.0.1:${port.udp}`, udp: true, ssl: false },
      ],
      streamOutput: true,
      stateDir: state,
      secretsDir: state,
      defaultCertificate: defaultCertificateSource({ defaultCert: join(dir, 'default.crt'), defaultKey: join(dir, 'default.key') }, state),
    });
    assert.ok(compiled.stream, 'a stream include');
    writeGeneratedFiles(compiled.files);
    nginx = await startNginx(compiled.text, port.http, undefined, { stream: compiled.stream.text });
  });

  after(async () => {
    await nginx?.stop();
    for (const b of Object.values(backends)) await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('proxies tcp bytes to the service of the route matching the destination port', async () => {
    assert.deepEqual(await tcpExchange('127.0.0.1', port.tcp!, 'hello', 7), { text: 'a:hello', closed: false });
  });

  it('prefers the route with sources and destinations (Kong priority) for a client from 127.0.0.2', async () => {
    assert.equal((await tcpExchange('127.0.0.1', port.tcp!, 'x', 3, '127.0.0.2')).text, 'b:x');
    assert.equal((await tcpExchange('127.0.0.1', port.tcp!, 'x', 3, '127.0.0.1')).text, 'a:x');
  });

  it('tells routes apart by the destination address the client connected to', async () => {
    assert.equal((await tcpExchange('127.0.0.3', port.dst!, 'y', 3)).text, 'b:y');
    assert.equal((await tcpExchange('127.0.0.1', port.dst!, 'y', 3)).text, 'a:y');
  });

  it('passes TLS through by SNI: the client talks TLS with the backend the SNI names', async () => {
    const a = await tlsExchange(port.ssl!, 'a.test', 'p', 8);
    assert.deepEqual(a, { text: 'pass-a:p', closed: false, cn: 'a.test' });
    const b = await tlsExchange(port.ssl!, 'deep.x.b.test', 'q', 8);
    assert.deepEqual(b, { text: 'pass-b:q', closed: false, cn: 'x.b.test' });
  });

  it('terminates TLS for a tls route with the certificate for its SNI and proxies plain bytes', async () => {
    assert.deepEqual(await tlsExchange(port.ssl!, 't.test', 'plain', 7), { text: 'a:plain', closed: false, cn: 't.test' });
  });

  it('closes a connection no route matches (an SNI no route names)', async () => {
    const r = await tlsExchange(port.ssl!, 'nobody.test', 'z', 3);
    assert.equal(r.text, '');
    assert.equal(r.closed, true);
    assert.match(nginx.errorLog(), /no live upstreams/);
  });

  it('reaches a tls service over TLS from a plain tcp listener', async () => {
    assert.equal((await tcpExchange('127.0.0.1', port.upTls!, 'enc', 10)).text, 'pass-a:enc');
  });

  it('echoes a udp datagram through a udp service', async () => {
    assert.equal(await udpExchange(port.udp!, 'ping'), 'u:ping');
  });
});
