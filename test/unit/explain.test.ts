// kongc explain: PCRE evaluated on bytes, nginx's reading of a request, and the command's output.
// That its answers agree with real nginx is checked on every routing-suite case (router-suite.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { byteRegex, bytes } from '../../src/explain/pcre-js.js';
import { nginxView, normalizeUri, parseExplainRequest, RequestError } from '../../src/explain/request.js';
import { explainRequest } from '../../src/explain/explain.js';
import { compileYaml } from '../support/compile.js';
import { KONGC_BIN } from '../support/kongc.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { makePki } from '../support/tls.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

const test = (pattern: string, subject: string, caseless = false) => byteRegex(pattern, caseless)!.exec(bytes(subject)) !== null;

describe('PCRE on bytes (pcre-js)', () => {
  it('keeps an atomic group atomic: (?>a+)a never matches', () => {
    assert.equal(test('^(?>a+)a', 'aaa'), false);
    assert.equal(test('^(?:a+)a', 'aaa'), true);
  });

  it("numbers captures as PCRE does around an atomic group", () => {
    const m = byteRegex('^(?>[\\s\\S]{3})/?([\\s\\S]*)\\z')!.exec('/ab/cd');
    assert.equal(m?.groups[1], 'cd');
  });

  it('counts bytes, not characters, as nginx does without UTF mode', () => {
    assert.equal(test('^[\\s\\S]{2}\\z', bytes('é')), false, 'é is two bytes, the subject was encoded twice');
    assert.equal(byteRegex('^[\\s\\S]{2}\\z')!.exec(bytes('é')) !== null, true);
  });

  it('reads (?i) from where it stands, and (?i:…) within its group', () => {
    assert.equal(test('^/(?i)upper', '/UPPER'), true);
    assert.equal(test('^/UP(?i)per', '/upPER'), false);
    assert.equal(test('^/UP(?i)per', '/UPPER'), true);
    assert.equal(test('^(?i:ab)c', 'ABc'), true);
    assert.equal(test('^(?i:ab)c', 'ABC'), false);
    assert.equal(test('^(?i)[a-c]x', 'BX'), true);
  });

  it("PCRE's $ also matches before a final newline; \\z does not", () => {
    assert.equal(test('^/a$', '/a\n'), true);
    assert.equal(test('^/a\\z', '/a\n'), false);
  });

  it('translates POSIX classes and refuses what it cannot read the same way', () => {
    assert.equal(test('^[[:digit:]]+\\z', '123'), true);
    assert.equal(test('^[[:digit:]]+\\z', '12a'), false);
    for (const p of ['a++', '\\Qa.b\\E', '(?R)', '(*UTF8)a', '(?x) a', '(a)\\1']) assert.equal(byteRegex(p), null, p);
  });
});

describe("nginx's reading of a request", () => {
  it('decodes, resolves dot segments and merges slashes like $uri', () => {
    assert.equal(normalizeUri('/a//b/./c/../d'), '/a/b/d');
    assert.equal(normalizeUri('/a/%2e%2E/b'), '/b');
    assert.equal(normalizeUri('/a/'), '/a/');
    assert.equal(normalizeUri('/..'), null);
  });

  it('takes the Host header from the URL as curl does, and -H Host replaces it', () => {
    const r = parseExplainRequest('http://API.example.com:8080/x?y=1', ['X-A: b']);
    assert.deepEqual([r.method, r.target, r.hostHeader, r.serverPort, r.headers], ['GET', '/x?y=1', 'API.example.com:8080', 8080, [['x-a', 'b']]]);
    assert.equal(parseExplainRequest('POST http://a/', ['Host: b.test']).hostHeader, 'b.test');
    const view = nginxView(r);
    assert.ok(!('status' in view));
    assert.deepEqual([view.host, view.hostPort, view.args], ['api.example.com', '8080', 'y=1']);
  });

  it('sends the URL host as SNI over https, as curl does (none for an IP address)', () => {
    const r = parseExplainRequest('GET https://api.example.com/x', ['Host: other.test']);
    assert.deepEqual([r.tls, r.serverPort, r.hostHeader], [{ sni: 'api.example.com' }, 443, 'other.test']);
    assert.equal((nginxView(r) as { sni: string }).sni, 'api.example.com');
    assert.deepEqual(parseExplainRequest('GET https://127.0.0.1:8443/x', []).tls, { sni: null });
    assert.equal((nginxView(parseExplainRequest('GET https://127.0.0.1:8443/x', [])) as { sni: string }).sni, '');
    assert.equal(parseExplainRequest('GET http://a/', []).tls, null);
  });

  it('refuses what is not a request, in words', () => {
    for (const [spec, headers] of [['GET', []], ['get http://a/', []], ['GET ftp://a/', []], ['GET http://a/', ['nocolon']]] as [string, string[]][]) {
      assert.throws(() => parseExplainRequest(spec, headers), RequestError, spec);
    }
  });
});

describe('explain on a compiled config', () => {
  const yaml = `_format_version: "3.0"
services:
  - name: orders
    url: http://127.0.0.1:9/svc
    routes:
      - { name: by-method, paths: [/orders], methods: [POST] }
      - { name: any, paths: [/orders] }
      - { name: rx, paths: ["~/orders/(?<id>\\\\d+)$"], strip_path: false }
`;
  const c = compileYaml(yaml, { listen: ['8000'] });
  const explain = (spec: string, headers: string[] = []) => explainRequest(parseExplainRequest(spec, headers), c.state, c.plan, c.router);

  it("names the winner, the upstream path, and each route tried before it with the condition it failed", () => {
    const e = explain('GET http://x.test/orders/list?a=1');
    assert.equal(e.route?.name, 'any');
    assert.deepEqual(e.tried.map((t) => [t.route, t.failed]), [
      ['rx', 'path /orders/list does not match its regex'],
      ['by-method', 'method GET is not one of POST'],
      ['any', null],
    ]);
    assert.equal(e.answer.kind === 'proxy' && e.answer.uri, '/svc/list?a=1');
  });

  it('follows Kong priority: the regex route beats the prefix routes', () => {
    const e = explain('GET http://x.test/orders/42');
    assert.equal(e.route?.name, 'rx');
    assert.equal(e.answer.kind === 'proxy' && e.answer.uri, '/svc/orders/42');
  });

  it("answers Kong's 404 when nothing matches", () => {
    const e = explain('GET http://x.test/nothing');
    assert.equal(e.route, null);
    assert.deepEqual(e.answer, { kind: 'error', status: 404, message: 'no Route matched with those values' });
  });
});

describe('kongc explain (command)', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [KONGC_BIN, 'explain', ...args], { cwd: PACKAGE_ROOT, encoding: 'utf8' });

  it("prints the README's answer for the seed", () => {
    const r = run('fixtures/seed/kong.yaml', 'GET http://api.service.com:8000/api/v2/users?page=2');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      `GET /api/v2/users?page=2 (Host: api.service.com:8000)
  route:     'route.api' (path /api/v2; matched on host, prefix /api/v2 (raw path checked); Kong priority 1152921505680588807)
  upstream:  GET /users?page=2
             Host: 192.168.20.6:8888
             (strip_path true, preserve_host false, service 'service.api')
  balancer:  upstream 'upstream.api' (round-robin): 192.168.20.6:8888 weight 100, 192.168.20.6:9999 weight 100
  nginx:     $uri /api/v2/users; virtual host api.service.com; location ^~ "/api/v2"
`,
    );
  });

  it('is a usage error (exit 2, one line) without a request', () => {
    const r = run('fixtures/seed/kong.yaml');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /explain needs a request after the files/);
  });

  it('prints JSON with --format json', () => {
    const r = run('fixtures/seed/kong.yaml', 'http://service.com/nope', '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).answer, { kind: 'error', status: 404, message: 'no Route matched with those values' });
  });

  it('explains an https:// URL on the TLS listener: route snis against the URL host', () => {
    const pki = makePki('api.test');
    const dir = mkdtempSync(join(tmpdir(), 'kongc-explain-'));
    try {
      const file = join(dir, 'kong.yaml');
      writeFileSync(
        file,
        stringify({
          _format_version: '3.0',
          certificates: [{ cert: pki.serverCert, key: pki.serverKey, snis: ['api.test'] }],
          services: [{ name: 's', url: 'http://127.0.0.1:9', routes: [{ name: 'by-sni', paths: ['/'], snis: ['api.test'], protocols: ['https'] }, { name: 'rest', paths: ['/'] }] }],
        }),
      );
      const tls = run(file, 'GET https://api.test/x');
      assert.equal(tls.status, 0, tls.stderr);
      assert.match(tls.stdout, /^GET \/x \(Host: api\.test, SNI: api\.test\)\n  route: +'by-sni' \(path \/; matched on prefix \/, snis api\.test;/);
      assert.match(run(file, 'GET https://other.test/x').stdout, /route: +'rest'.*\n  tried: +'by-sni' .*: SNI other\.test is not one of api\.test/);
      assert.match(run(file, 'GET http://api.test/x').stdout, /answer: +426 Please use HTTPS protocol/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const none = run('fixtures/seed/kong.yaml', 'GET https://api.service.com/api/v2/users');
    assert.equal(none.status, 2);
    assert.match(none.stderr, /this configuration has no TLS listener/);
  });
});
