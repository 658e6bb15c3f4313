// The TLS listener through a real nginx: the certificate presented for each SNI is the one Kong
// would choose (exact, then *.x, then x.*, then the default), an RSA+ECDSA pair serves both key
// types, https-only routes reach the backend over TLS and get Kong's 426 or redirect over plain
// HTTP, route snis choose among routes by the TLS SNI (and are ignored over plain HTTP, as in Kong),
// and no key material is in the include. Certificates are made here with openssl.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGeneratedFiles } from '../../src/commands/build.js';
import { defaultCertificateSource } from '../../src/commands/default-certificate.js';
import { InputError } from '../../src/diagnostics.js';
import { explainRequest } from '../../src/explain/explain.js';
import { parseExplainRequest } from '../../src/explain/request.js';
import { compileYaml } from '../support/compile.js';
import { startEcho, type EchoBackend } from '../support/echo.js';
import { request } from '../support/http.js';
import { freePort, startNginx, type RunningNginx } from '../support/nginx.js';

const dir = mkdtempSync(join(tmpdir(), 'kongc-tls-'));

function makeCert(name: string, cn: string, kind: 'rsa' | 'ec' = 'rsa'): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  const keyArgs = kind === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  execFileSync('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-days', '30', '-subj', `/CN=${cn}`, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

const block = (pem: string) => pem.trim().split('\n').map((l) => `      ${l}`).join('\n');

const exact = makeCert('exact', 'exact.test');
const exactEc = makeCert('exact-ec', 'exact.test', 'ec');
const leading = makeCert('leading', 'leading.wild.test');
const trailing = makeCert('trailing', 'trailing.wild');
const fallback = makeCert('default', 'default.test');
// A chain longer than one nginx token (4 KB): the leaf, then three more certificates.
const long = makeCert('long', 'long.test');
const longChain = [long.cert, exact.cert, leading.cert, trailing.cert].map((c) => c.trim() + '\n').join('');

function config(backend: number): string {
  return `_format_version: "3.0"
services:
  - name: s
    url: http://127.0.0.1:${backend}
    routes:
      - { name: both, paths: [/both] }
      - { name: secure, paths: [/secure], protocols: [https] }
      - { name: moved, paths: [/moved], protocols: [https], https_redirect_status_code: 301 }
  - name: by-exact-sni
    url: http://127.0.0.1:${backend}/exact
    routes: [{ name: pick-exact, paths: [/pick], snis: [exact.test], protocols: [https] }]
  - name: by-wild-sni
    url: http://127.0.0.1:${backend}/wild
    routes: [{ name: pick-wild, paths: [/pick], snis: ["*.wild.test", "app.*"], protocols: [https] }]
  - name: post-sni
    url: http://127.0.0.1:${backend}/post
    routes: [{ name: pick-post, paths: [/pick], methods: [POST], snis: [exact.test], protocols: [https] }]
  - name: any-sni
    url: http://127.0.0.1:${backend}/any
    routes: [{ name: pick-any, paths: [/pick] }]
  - name: sni-both-protocols
    url: http://127.0.0.1:${backend}/both-protocols
    routes: [{ name: sni-http, paths: [/sni-http], snis: [exact.test] }]
certificates:
  - cert: |
${block(exact.cert)}
    key: |
${block(exact.key)}
    cert_alt: |
${block(exactEc.cert)}
    key_alt: |
${block(exactEc.key)}
    snis: [exact.test]
  - cert: |
${block(leading.cert)}
    key: |
${block(leading.key)}
    snis: ["*.wild.test"]
  - id: 0c9b1f8e-6f0e-4d2a-9d55-3f1f2c7f0a11
    cert: |
${block(trailing.cert)}
    key: |
${block(trailing.key)}
  - cert: |
${block(longChain)}
    key: |
${block(long.key)}
    snis: [long.test]
snis:
  - { name: "app.*", certificate: 0c9b1f8e-6f0e-4d2a-9d55-3f1f2c7f0a11 }
`;
}

/** The subject CN of the certificate nginx presents for this SNI (and cipher family). */
function presented(port: number, servername: string | undefined, ecdsaOnly = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, ...(ecdsaOnly ? { sigalgs: 'ecdsa_secp256r1_sha256', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' } : {}) }, () => {
      const cn = socket.getPeerCertificate().subject?.CN;
      socket.end();
      resolve(String(cn));
    });
    socket.on('error', reject);
  });
}

/** `servername`: the SNI sent (default: the Host), '' for none. */
function httpsGet(port: number, path: string, host: string, servername = host, method = 'GET'): Promise<{ status: number; body: string; protocol: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, method, headers: { host }, servername, rejectUnauthorized: false, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, protocol: String(res.headers['x-echo-backend'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS listener through nginx', () => {
  let echo: EchoBackend;
  let nginx: RunningNginx;
  let http = 0;
  let tls = 0;
  let text = '';
  let compiled: ReturnType<typeof compileYaml>;

  before(async () => {
    echo = await startEcho('a');
    http = await freePort();
    tls = await freePort();
    const secrets = join(dir, 'secrets');
    compiled = compileYaml(config(echo.port), {
      listen: [`127.0.0.1:${http}`],
      listenTls: [`127.0.0.1:${tls}`],
      secretsDir: secrets,
      defaultCertificate: defaultCertificateSource({ defaultCert: join(dir, 'default.crt'), defaultKey: join(dir, 'default.key') }, secrets),
    });
    text = compiled.text;
    writeGeneratedFiles(compiled.files);
    nginx = await startNginx(text, tls);
  });

  after(async () => {
    await nginx?.stop();
    await echo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('presents the certificate Kong would choose for each SNI', async () => {
    assert.equal(await presented(tls, 'exact.test'), 'exact.test');
    assert.equal(await presented(tls, 'EXACT.test'), 'exact.test', 'SNI compared without case');
    assert.equal(await presented(tls, 'a.wild.test'), 'leading.wild.test');
    assert.equal(await presented(tls, 'x.y.wild.test'), 'leading.wild.test');
    assert.equal(await presented(tls, 'app.example'), 'trailing.wild', 'a top-level snis entry bound by certificate id');
    assert.equal(await presented(tls, 'other.test'), 'default.test');
    assert.equal(await presented(tls, undefined), 'default.test', 'no SNI at all');
  });

  it('presents a chain longer than one nginx token, whole', () => {
    assert.ok(longChain.length > 4096, `${longChain.length} bytes`);
    assert.match(text, /ssl_certificate "data:\$kongc_tls_cert\$kongc_tls_cert_2";/);
    // The certificates nginx sends, as openssl's client prints them: the leaf, then the rest in order.
    const shown = execFileSync('openssl', ['s_client', '-connect', `127.0.0.1:${tls}`, '-servername', 'long.test', '-showcerts'], { input: '', encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'], timeout: 10_000 });
    const sent = shown.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/g) ?? [];
    assert.deepEqual(sent.join(''), longChain);
  });

  it('serves the ECDSA cert_alt to a client that only takes ECDSA', async () => {
    assert.equal(await presented(tls, 'exact.test', true), 'exact.test');
  });

  it('serves https-only routes over TLS, and Kong answers them over plain HTTP', async () => {
    const secure = await httpsGet(tls, '/secure/x', 'exact.test');
    assert.equal(secure.status, 200, secure.body);
    assert.equal(JSON.parse(secure.body).url, '/x');
    assert.equal(JSON.parse(secure.body).headers['x-forwarded-proto'], 'https');
    const plain = await request(http, '/secure/x', { host: 'exact.test' });
    assert.equal(plain.status, 426);
    assert.equal(plain.headers['upgrade'], 'TLS/1.2, HTTP/1.1');
    const moved = await request(http, '/moved/x?y=1', { host: 'exact.test' });
    assert.equal(moved.status, 301);
    assert.equal(moved.headers['location'], 'https://exact.test/moved/x?y=1');
    const both = await request(http, '/both/z', { host: 'exact.test' });
    assert.equal(both.status, 200);
    assert.equal(JSON.parse(both.body).headers['x-forwarded-proto'], 'http');
    assert.equal((await httpsGet(tls, '/both/z', 'exact.test')).status, 200);
  });

  it('route snis pick among routes of one path by the SNI, as Kong (exact, *.x, x.*, compared with case)', async () => {
    const upstreamPath = async (sni: string) => {
      const r = await httpsGet(tls, '/pick/x', 'pick.test', sni);
      assert.equal(r.status, 200, `${sni}: ${r.body}`);
      return JSON.parse(r.body).url;
    };
    assert.equal(await upstreamPath('exact.test'), '/exact/x');
    // Method and SNI checked together (the route with more fields is tried first).
    const post = await httpsGet(tls, '/pick/x', 'pick.test', 'exact.test', 'POST');
    assert.equal(JSON.parse(post.body).url, '/post/x');
    const otherPost = await httpsGet(tls, '/pick/x', 'pick.test', 'a.wild.test', 'POST');
    assert.equal(JSON.parse(otherPost.body).url, '/wild/x');
    assert.equal(await upstreamPath('a.wild.test'), '/wild/x');
    assert.equal(await upstreamPath('app.example'), '/wild/x');
    assert.equal(await upstreamPath('other.test'), '/any/x');
    assert.equal(await upstreamPath('EXACT.test'), '/any/x', "Kong compares the SNI as sent (the certificate is chosen without case, the route is not)");
    assert.equal(await upstreamPath(''), '/any/x', 'no SNI');
    // snis count in Kong's priority: the snis routes are tried first, and no tie is reported.
    assert.ok(!compiled.diagnostics.some((d) => d.code === 'route-tie'), JSON.stringify(compiled.diagnostics));
  });

  it('route snis are not checked over plain HTTP (Kong: only when the scheme is https)', async () => {
    // The https-only snis routes still match first, and answer plain HTTP with Kong's 426.
    assert.equal((await request(http, '/pick/x', { host: 'pick.test' })).status, 426);
    const plain = await request(http, '/sni-http/x', { host: 'pick.test' });
    assert.equal(plain.status, 200, plain.body);
    assert.equal(plain.json().url, '/both-protocols/x');
    const other = await httpsGet(tls, '/sni-http/x', 'pick.test', 'other.test');
    assert.equal(other.status, 404, 'over TLS, another SNI matches no route');
  });

  it('kongc explain agrees with nginx on snis (the URL host is the SNI, as curl sends it)', () => {
    const explain = (spec: string) => {
      const e = explainRequest(parseExplainRequest(spec, []), compiled.state, compiled.plan, compiled.router);
      return e.answer.kind === 'proxy' ? `${e.route!.name} ${e.answer.uri}` : `${e.answer.status}`;
    };
    assert.equal(explain('GET https://exact.test/pick/x'), 'pick-exact /exact/x');
    assert.equal(explain('POST https://exact.test/pick/x'), 'pick-post /post/x');
    assert.equal(explain('POST https://a.wild.test/pick/x'), 'pick-wild /wild/x');
    assert.equal(explain('GET https://a.wild.test/pick/x'), 'pick-wild /wild/x');
    assert.equal(explain('GET https://EXACT.test/pick/x'), 'pick-any /any/x');
    assert.equal(explain('GET https://127.0.0.1/pick/x'), 'pick-any /any/x');
    assert.equal(explain('GET http://pick.test/pick/x'), '426');
    assert.equal(explain('GET http://pick.test/sni-http/x'), 'sni-http /both-protocols/x');
    assert.equal(explain('GET https://other.test/sni-http/x'), '404');
    const tried = explainRequest(parseExplainRequest('GET https://other.test/pick/x', []), compiled.state, compiled.plan, compiled.router).tried;
    assert.deepEqual(tried.map((t) => t.failed), ['method GET is not one of POST', 'SNI other.test is not one of exact.test', 'SNI other.test is not one of *.wild.test, app.*', null]);
  });

  it('keeps key material out of the include: side files only, mode 0600', () => {
    for (const pem of [exact.key, exactEc.key, leading.key, trailing.key, fallback.key]) {
      const body = pem.split('\n').find((l) => l && !l.startsWith('-----'))!;
      assert.ok(!text.includes(body.slice(0, 40)), 'a key line in the include');
    }
    assert.ok(!text.includes('BEGIN'), 'no PEM in the include');
    const files = [...text.matchAll(/include "([^"]+)";/g)].map((m) => m[1]!);
    // Certificate, key, cert_alt and key_alt, and the second part of both chains (the long one).
    assert.equal(files.length, 6);
    for (const f of files) assert.equal(statSync(f).mode & 0o777, 0o600, f);
  });
});

describe('certificate checks', () => {
  const yaml = (certs: string) => `_format_version: "3.0"\nservices:\n  - { name: s, url: "http://127.0.0.1:9", routes: [{ name: r, paths: [/] }] }\ncertificates:\n${certs}`;
  const errors = (text: string) => {
    try {
      compileYaml(text, { secretsDir: dir, defaultCertificate: defaultCertificateSource({}, dir) });
      return [];
    } catch (e) {
      assert.ok(e instanceof InputError);
      return e.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.column} ${d.message}`);
    }
  };

  it("names a key that is not the certificate's, with its position", () => {
    const got = errors(yaml(`  - cert: |\n${block(exact.cert)}\n    key: |\n${block(leading.key)}\n    snis: [a.test]\n`));
    assert.equal(got.length, 1, got.join('\n'));
    assert.match(got[0]!, /^\d+:\d+ certificate does not match key$/);
  });

  it('refuses a cert_alt of the same key type, a bad SNI, and one SNI on two certificates', () => {
    const got = errors(
      yaml(
        `  - cert: |\n${block(exact.cert)}\n    key: |\n${block(exact.key)}\n    cert_alt: |\n${block(leading.cert)}\n    key_alt: |\n${block(leading.key)}\n    snis: [a.test, "a.*.test"]\n` +
          `  - cert: |\n${block(trailing.cert)}\n    key: |\n${block(trailing.key)}\n    snis: [a.test]\n`,
      ),
    );
    assert.equal(got.length, 3, got.join('\n'));
    assert.match(got.join('\n'), /cert_alt must have a different key type than cert \(both are RSA\)/);
    assert.match(got.join('\n'), /invalid SNI name "a\.\*\.test"/);
    assert.match(got.join('\n'), /SNI "a\.test" is already bound to a certificate \(at kong\.yaml:\d+:\d+\)/);
  });

  it("checks route snis as Kong's wildcard_host, each at its position", () => {
    const got = errors(`_format_version: "3.0"\nservices:\n  - name: s\n    url: "http://127.0.0.1:9"\n    routes:\n      - name: r\n        paths: [/]\n        snis: [ok.test, "ok.test.", "*", "a.*.test", "10.0.0.1", "a.test:443", "a b"]\n`);
    assert.deepEqual(got, [
      "8:42 invalid SNI 'a.*.test': the wildcard must be the whole leftmost or rightmost label ('*.example.com' or 'example.*')",
      "8:54 invalid SNI '10.0.0.1': must not be an IP",
      "8:66 invalid SNI 'a.test:443': must not have a port",
      "8:80 invalid SNI 'a b': contains whitespace or a control character",
    ]);
  });

  it('resolves {vault://env/NAME} from the environment, and says which variable is missing', () => {
    delete process.env.KONGC_TEST_MISSING;
    const got = errors(yaml(`  - cert: "{vault://env/kongc-test-missing}"\n    key: "{vault://env/kongc-test-missing}"\n`));
    assert.ok(got.every((g) => g.includes('the environment variable KONGC_TEST_MISSING (from {vault://env/kongc-test-missing}) is not set')), got.join('\n'));
    process.env.KONGC_TEST_CERT = exact.cert;
    process.env.KONGC_TEST_KEY = exact.key;
    assert.deepEqual(errors(yaml(`  - cert: "{vault://env/kongc-test-cert}"\n    key: "{vault://env/kongc-test-key}"\n    snis: [v.test]\n`)), []);
  });
});
