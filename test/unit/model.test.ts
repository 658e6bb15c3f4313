// Model stage: Kong's defaults, the url shorthand, targets, 1.1/2.1 path migration, references.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDeclarative } from '../../src/load/document.js';
import { buildState } from '../../src/model/build.js';
import { migrateLegacyPath, normalizeKongPath } from '../../src/kong/kong-path.js';
import { parseServiceUrl } from '../../src/kong/service-url.js';
import { parseTarget } from '../../src/kong/target-address.js';

const build = (yaml: string) => buildState([parseDeclarative('kong.yaml', yaml)]);

describe('service url shorthand, as Kong expands it', () => {
  const cases: [string, object | string][] = [
    ['http://service.test/', { protocol: 'http', host: 'service.test', port: 80, path: '/' }],
    ['https://service.test/', { protocol: 'https', host: 'service.test', port: 443, path: '/' }],
    ['http://example.test:443', { protocol: 'http', host: 'example.test', port: 443, path: null }],
    ['https://example2.test:80/', { protocol: 'https', host: 'example2.test', port: 80, path: '/' }],
    ['http://example2.test', { protocol: 'http', host: 'example2.test', port: 80, path: null }],
    ['http://[::1]:8080/x', { protocol: 'http', host: '::1', port: 8080, path: '/x' }],
    ['', 'error'],
    [' ', 'error'],
    ['invalid url', 'error'],
  ];
  for (const [url, want] of cases) {
    it(JSON.stringify(url), () => {
      const got = parseServiceUrl(url);
      if (want === 'error') assert.ok('error' in got);
      else assert.deepEqual(got, want);
    });
  }
});

describe('defaults', () => {
  it('applies Kong 3.x defaults to services, routes, upstreams and targets', () => {
    const { state, diagnostics } = build(`_format_version: "3.0"
services:
  - name: s
    host: example.com
    routes: [{ paths: [/a] }]
upstreams:
  - name: u
    targets: [{ target: 10.0.0.1 }]
`);
    assert.deepEqual(diagnostics, []);
    const s = state.services[0]!;
    assert.deepEqual([s.protocol, s.port, s.path, s.retries, s.connect_timeout, s.write_timeout, s.read_timeout, s.enabled], ['http', 80, null, 5, 60000, 60000, 60000, true]);
    const r = state.routes[0]!;
    assert.deepEqual([r.protocols, r.strip_path, r.preserve_host, r.path_handling, r.regex_priority, r.https_redirect_status_code, r.request_buffering, r.response_buffering], [['http', 'https'], true, false, 'v0', 0, 426, true, true]);
    const u = state.upstreams[0]!;
    assert.deepEqual([u.algorithm, u.hash_on, u.hash_fallback, u.slots, u.hash_on_cookie_path], ['round-robin', 'none', 'none', 10000, '/']);
    assert.deepEqual([u.targets[0]!.host, u.targets[0]!.port, u.targets[0]!.weight], ['10.0.0.1', 8000, 100]);
  });

  it('hash_on other than none implies consistent-hashing', () => {
    const { state } = build('_format_version: "3.0"\nupstreams:\n  - name: u\n    hash_on: ip\n');
    assert.equal(state.upstreams[0]!.algorithm, 'consistent-hashing');
  });
});

describe('targets', () => {
  const cases: [string, object | 'error'][] = [
    ['10.0.0.1', { host: '10.0.0.1', port: 8000, type: 'ipv4' }],
    ['10.0.0.1:80', { host: '10.0.0.1', port: 80, type: 'ipv4' }],
    ['[::1]:8080', { host: '::1', port: 8080, type: 'ipv6' }],
    ['[::1]', { host: '::1', port: 8000, type: 'ipv6' }],
    ['::1', { host: '::1', port: 8000, type: 'ipv6' }],
    ['api.internal:9000', { host: 'api.internal', port: 9000, type: 'name' }],
    ['host:99999', 'error'],
    ['host:0', 'error'],
    ['10.0.0.1:80 backup', 'error'],
    ['1.2.3.4:80;server evil:80', 'error'],
    ['unix:/var/run/docker.sock', 'error'],
    ['$host:80', 'error'],
    ['999.1.1.1', 'error'],
  ];
  for (const [text, want] of cases) {
    it(text, () => {
      const got = parseTarget(text, 8000);
      if (want === 'error') assert.ok('error' in got, JSON.stringify(got));
      else assert.deepEqual(got, want);
    });
  }
});

describe('paths', () => {
  it('normalizes as kong.tools.uri.normalize', () => {
    assert.equal(normalizeKongPath('/a/./b/../c'), '/a/c');
    assert.equal(normalizeKongPath('/h%65llo'), '/hello');
    assert.equal(normalizeKongPath('/a%2fb'), '/a%2Fb');
    assert.equal(normalizeKongPath('/a//b'), '/a/b');
    assert.equal(normalizeKongPath('/cat%20dog'), '/cat dog');
  });
  it("migrates pre-3.0 paths as Kong's migration does", () => {
    assert.equal(migrateLegacyPath('/plain/path'), '/plain/path');
    assert.equal(migrateLegacyPath('/items/\\d+'), '~/items/\\d+');
    assert.equal(migrateLegacyPath('~/already'), '~/already');
    assert.equal(migrateLegacyPath('/a%2E(b)'), '~/a\\.(b)');
  });
});

describe('references and merging', () => {
  it('resolves flat routes by name, id and decK object, and flat targets by upstream name', () => {
    const { state, diagnostics } = build(`_format_version: "3.0"
services:
  - { name: s, id: 0e7bb0bc-0cd6-4a7d-8e2f-3fe1b4d6a0c1, host: a.test }
upstreams:
  - name: u
routes:
  - { service: s, paths: [/a] }
  - { service: 0e7bb0bc-0cd6-4a7d-8e2f-3fe1b4d6a0c1, paths: [/b] }
  - { service: { name: s }, paths: [/c] }
targets:
  - { upstream: u, target: 10.0.0.1:80 }
`);
    assert.deepEqual(diagnostics, []);
    assert.ok(state.routes.every((r) => r.service === state.services[0]));
    assert.equal(state.upstreams[0]!.targets.length, 1);
  });

  it('reports dangling references with their position', () => {
    const { diagnostics } = build('_format_version: "3.0"\nroutes:\n  - { service: nope, paths: [/a] }\ntargets:\n  - { upstream: gone, target: 10.0.0.1 }\n');
    assert.deepEqual(
      diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`),
      ["3:16 service 'nope' does not exist", "5:17 upstream 'gone' does not exist"],
    );
  });

  it('reports entities it does not compile, as warnings under skipUnsupported; loads consumers and plugins', () => {
    const yaml = '_format_version: "3.0"\nplugins:\n  - name: cors\n    consumer: alice\nconsumers:\n  - username: alice\n    keyauth_credentials: [{ key: k1 }]\nvaults:\n  - { name: env, prefix: e }\n';
    const strict = build(yaml);
    assert.deepEqual(strict.diagnostics.map((d) => [d.severity, d.line, d.message]), [['error', 9, 'vault is not compiled by kongc']]);
    // Kong's derived id for a consumer declared by username alone (uuid5).
    assert.equal(strict.state.consumers[0]!.id, 'b32379d9-3d28-5683-a79c-72139be6e34f');
    assert.equal(strict.state.consumers[0]!.keyauthCredentials[0]!.key, 'k1');
    assert.equal(strict.state.plugins[0]!.consumer, strict.state.consumers[0]);
    const lenient = buildState([parseDeclarative('kong.yaml', yaml)], { skipUnsupported: true }).diagnostics;
    assert.ok(lenient.length === 1 && lenient.every((d) => d.severity === 'warning'));
  });

  it('merges several files into one state', () => {
    const a = parseDeclarative('a.yaml', '_format_version: "3.0"\nservices:\n  - { name: s, host: a.test }\n');
    const b = parseDeclarative('b.yaml', '_format_version: "3.0"\nroutes:\n  - { service: s, paths: [/x] }\n');
    const { state, diagnostics } = buildState([a, b]);
    assert.deepEqual(diagnostics, []);
    assert.equal(state.routes[0]!.service, state.services[0]);
  });
});

describe('url together with the separate fields', () => {
  it("lets the url win, as Kong's shorthand does, and warns where a field disagrees", () => {
    const { state, diagnostics } = build('_format_version: "3.0"\nservices:\n  - name: s\n    url: https://a.test:8443/base\n    protocol: https\n    port: 443\n    path: /other\n');
    const s = state.services[0]!;
    assert.deepEqual([s.protocol, s.host, s.port, s.path], ['https', 'a.test', 8443, '/base']);
    assert.deepEqual(diagnostics.map((d) => `${d.severity} ${d.line} ${d.message}`), [
      'warning 6 port 443 is overridden by the url (8443), as Kong does',
      'warning 7 path "/other" is overridden by the url ("/base"), as Kong does',
    ]);
  });
  it('keeps the separate path when the url has none', () => {
    const { state } = build('_format_version: "3.0"\nservices:\n  - name: s\n    url: http://a.test\n    path: /kept\n');
    assert.equal(state.services[0]!.path, '/kept');
  });
});
