// Planning of upstreams, targets, hashing, health checks, Host rules and upstream TLS (no nginx).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { InputError, type Diagnostic } from '../../src/diagnostics.js';
import type { MapBlock, NginxPlan, ProxySettings } from '../../src/plan/ir.js';
import { expandIPv6 } from '../../src/plan/upstreams.js';
import { analyzeRouteRegex } from '../../src/model/route-regex.js';
import { caProblem } from '../../src/validate/upstreams.js';
import { compileObject } from '../support/compile.js';
import { nginxTest } from '../support/nginx.js';
import { makePki, type TestPki } from '../support/tls.js';
import type { CompileOptions } from '../../src/compile.js';
import { renderFile } from '../../src/render/side-files.js';

interface Outcome {
  plan: NginxPlan | null;
  text: string;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

function build(upstreams: object[], services: object[], options: CompileOptions = {}, extra: object = {}): Outcome {
  try {
    const r = compileObject({ _format_version: '3.0', upstreams, services, ...extra }, options);
    return { plan: r.plan, text: r.text, errors: [], warnings: r.diagnostics.filter((d) => d.severity === 'warning') };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { plan: null, text: '', errors: e.diagnostics.filter((d) => d.severity === 'error'), warnings: e.diagnostics.filter((d) => d.severity === 'warning') };
  }
}

const service = (host: string, extra: object = {}, route: object = {}) => ({ name: `svc-${host}`, host, ...extra, routes: [{ name: `r-${host}`, paths: [`/${host}`], ...route }] });
const one = (up: object, svc: object = {}, options: CompileOptions = {}, route: object = {}) => build([{ name: 'up', ...up }], [service('up', svc, route)], options);
const proxyOf = (o: Outcome): ProxySettings => {
  assert.ok(o.plan, JSON.stringify(o.errors));
  const loc = o.plan.site.routeLocations.find((l) => l.body.kind === 'proxy');
  assert.ok(loc?.body.kind === 'proxy');
  return loc.body.proxy;
};
const mapOf = (o: Outcome, variable: string): MapBlock => {
  const m = o.plan!.maps.find((x) => x.variable === variable);
  assert.ok(m, `no map ${variable}`);
  return m;
};
const messages = (ds: Diagnostic[]) => ds.map((d) => d.message).join('\n');

describe('targets', () => {
  it('keeps weights, leaves weight 0 out, defaults the port to 8000, brackets IPv6', () => {
    const o = one({ targets: [{ target: '10.0.0.1:81', weight: 5 }, { target: '10.0.0.2', weight: 0 }, { target: '10.0.0.3' }, { target: '[::1]:8080' }, { target: '::2' }] });
    const block = o.plan!.upstreams.find((u) => u.name === 'kongc_up_up')!;
    assert.deepEqual(block.servers.map((s) => [s.address, s.weight]), [['10.0.0.1:81', 5], ['10.0.0.3:8000', 100], ['[::1]:8080', 100], ['[::2]:8000', 100]]);
    assert.match(o.text, /server 10\.0\.0\.1:81 weight=5 max_fails=0 fail_timeout=10s;/);
    assert.ok(nginxTest(o.text).ok);
  });

  it('an upstream with only weight-0 targets answers 503 like Kong', () => {
    const o = one({ targets: [{ target: '10.0.0.1', weight: 0 }] });
    const loc = o.plan!.site.routeLocations[0]!;
    assert.deepEqual(loc.body, { kind: 'error', error: '@kongc_no_peer' });
    const error = o.plan!.site.errors.find((e) => e.name === '@kongc_no_peer')!;
    assert.ok(error.variants.every((v) => v.status === 503));
    assert.match(o.text, /\\"message\\":\\"failure to get a peer from the ring-balancer\\"/);
  });

  it('rejects duplicate targets, also across IPv6 spellings and the default port', () => {
    for (const pair of [['10.0.0.1', '10.0.0.1:8000'], ['[::1]:80', '[0:0:0:0:0:0:0:1]:80'], ['API.internal:80', 'api.internal:80']]) {
      const o = one({ targets: pair.map((target) => ({ target })) });
      assert.match(messages(o.errors), /lists target .* twice \(Kong answers 409\)/, pair.join(' '));
    }
    assert.equal(expandIPv6('::1'), '0000:0000:0000:0000:0000:0000:0000:0001');
    assert.equal(expandIPv6('::ffff:1.2.3.4'), '0000:0000:0000:0000:0000:ffff:0102:0304');
  });

  it('warns that hostname targets and service hosts are resolved once', () => {
    const o = build([{ name: 'up', targets: [{ target: 'api.internal:80' }] }], [service('up'), service('backend.internal')]);
    assert.match(messages(o.warnings), /target 'api\.internal:80' of upstream 'up' is a hostname: nginx resolves it once/);
    assert.match(messages(o.warnings), /host 'backend\.internal' is resolved by nginx once/);
  });

  it('rejects invalid targets', () => {
    for (const target of ['10.0.0.1:0', '10.0.0.1:65536', '[::1', 'a b', '10.0.0.256', 'unix:/x']) {
      const o = one({ targets: [{ target }] });
      assert.ok(o.errors.length, target);
    }
  });
});

describe('retries, timeouts, buffering', () => {
  it('maps retries to tries, timeouts to ms and route buffering flags', () => {
    const o = one({ targets: [{ target: '10.0.0.1' }] }, { retries: 0, connect_timeout: 1, write_timeout: 2, read_timeout: 2147483646 }, {}, { request_buffering: false, response_buffering: false });
    const p = proxyOf(o);
    assert.deepEqual(p.overrides, [
      { directive: 'proxy_connect_timeout', args: [{ ms: 1 }] },
      { directive: 'proxy_send_timeout', args: [{ ms: 2 }] },
      { directive: 'proxy_read_timeout', args: [{ ms: 2147483646 }] },
      { directive: 'proxy_next_upstream_tries', args: [{ count: 1 }] },
      { directive: 'proxy_request_buffering', args: [{ on: false }] },
      { directive: 'proxy_buffering', args: [{ on: false }] },
    ]);
    assert.match(o.text, /proxy_next_upstream_tries 1;/);
    assert.match(o.text, /proxy_read_timeout 2147483646ms;/);
    assert.match(o.text, /proxy_request_buffering off;\n\s+proxy_buffering off;/);
    assert.doesNotMatch(o.text, /non_idempotent/);
    assert.ok(nginxTest(o.text).ok);
    // Kong's defaults (retries 5, 60 s timeouts, buffering on) are the server's: nothing to repeat.
    assert.deepEqual(proxyOf(one({ targets: [{ target: '10.0.0.1' }] })).overrides, []);
  });
});

describe('algorithms and hashing', () => {
  const targets = [{ target: '10.0.0.1' }, { target: '10.0.0.2' }];

  it('least-connections → least_conn; latency is degraded to least_conn', () => {
    assert.deepEqual(one({ algorithm: 'least-connections', targets }).plan!.upstreams[0]!.balance, { kind: 'least_conn' });
    const strict = one({ algorithm: 'latency', targets });
    assert.match(messages(strict.errors), /upstream 'up': the latency algorithm .* needs NGINX Plus/);
    const loose = one({ algorithm: 'latency', targets }, {}, { allowDegraded: true });
    assert.deepEqual(loose.plan!.upstreams[0]!.balance, { kind: 'least_conn' });
    assert.match(messages(loose.warnings), /emitting least_conn/);
  });

  it('hashes on each source through one key map, with Kong\'s constant key when nothing is present', () => {
    const cases: [object, string][] = [
      [{ hash_on: 'ip' }, 'remote_addr'],
      [{ hash_on: 'header', hash_on_header: 'X-User' }, 'http_x_user'],
      [{ hash_on: 'query_arg', hash_on_query_arg: 'user' }, 'arg_user'],
      [{ hash_on: 'path' }, 'kongc_client_uri'],
      [{ hash_on: 'cookie', hash_on_cookie: 'sid' }, 'kongc_cookie_up'],
    ];
    for (const [fields, variable] of cases) {
      const o = one({ ...fields, targets });
      assert.deepEqual(o.plan!.upstreams[0]!.balance, { kind: 'hash', key: 'kongc_hash_up' });
      const m = mapOf(o, 'kongc_hash_up');
      assert.deepEqual(m.source, [{ variable }], JSON.stringify(fields));
      assert.deepEqual(m.entries, [{ match: 'exact', key: '', value: [{ text: 'none' }] }]);
      assert.ok(nginxTest(o.text).ok, JSON.stringify(fields));
    }
  });

  it('uses the fallback when the primary value is missing', () => {
    const o = one({ hash_on: 'header', hash_on_header: 'x-user', hash_fallback: 'query_arg', hash_fallback_query_arg: 'fb', targets });
    const m = mapOf(o, 'kongc_hash_up');
    assert.deepEqual(m.source, [{ variable: 'http_x_user' }, { text: '|' }, { variable: 'arg_fb' }]);
    assert.deepEqual(m.entries, [
      { match: 'exact', key: '|', value: [{ text: 'none' }] },
      { match: 'regex', caseless: false, pattern: '^\\|', value: [{ variable: 'arg_fb' }] },
    ]);
    assert.deepEqual(m.default, [{ variable: 'http_x_user' }]);
  });

  it('path hashing saves the client path before the route rewrite', () => {
    const p = proxyOf(one({ hash_on: 'path', targets }));
    assert.deepEqual(p.presets, [{ variable: 'kongc_client_uri', value: [{ variable: 'uri' }] }]);
    const o = one({ hash_on: 'path', targets });
    assert.match(o.text, /set \$kongc_client_uri "\$uri";\n(?:\s+set .*\n)*\s+rewrite "?(?:\(\*NO_JIT\))?\^/);
  });

  it('cookie hashing generates the cookie Kong sets when the client has none', () => {
    const o = one({ hash_on: 'cookie', hash_on_cookie: 'sid', hash_on_cookie_path: '/app', targets });
    assert.deepEqual(mapOf(o, 'kongc_cookie_up').entries, [{ match: 'exact', key: '', value: [{ variable: 'request_id' }] }]);
    const set = mapOf(o, 'kongc_set_cookie_up');
    assert.deepEqual(set.entries[0]!.value, [{ text: 'sid=' }, { variable: 'request_id' }, { text: '; Path=/app; Same-Site=Lax; HttpOnly' }]);
    assert.match(o.text, /add_header Set-Cookie "\$kongc_set_cookie_up" always;/);
    assert.deepEqual([...o.errors, ...o.warnings].filter((d) => d.code !== 'host-header').map((d) => d.message), [], 'cookie hashing is not degraded');
    // As a fallback, the cookie is set only when the primary value is missing too.
    const fb = one({ hash_on: 'header', hash_on_header: 'x-user', hash_fallback: 'cookie', hash_on_cookie: 'sid', targets });
    assert.deepEqual(mapOf(fb, 'kongc_set_cookie_up').source, [{ variable: 'http_x_user' }, { text: '|' }, { variable: 'cookie_sid' }]);
    assert.equal(mapOf(fb, 'kongc_set_cookie_up').entries[0]!.match === 'exact' && (mapOf(fb, 'kongc_set_cookie_up').entries[0] as { key: string }).key, '|');
  });

  it('rejects cookie and query argument names nginx cannot read', () => {
    assert.match(messages(one({ hash_on: 'cookie', hash_on_cookie: 'session-id', targets }).errors), /nginx can only read cookies whose names/);
    assert.match(messages(one({ hash_on: 'query_arg', hash_on_query_arg: 'a-b', targets }).errors), /nginx can only read query arguments/);
  });

  it('uri_capture reads the named capture of each route regex, empty (→ fallback) for routes without it', () => {
    const o = build(
      [{ name: 'up', hash_on: 'uri_capture', hash_on_uri_capture: 'tenant', hash_fallback: 'ip', targets }],
      [{ name: 's', host: 'up', routes: [{ name: 'rx', paths: ['~/t/(?<tenant>[a-z]+)/(?<id>\\d+)'] }, { name: 'plain', paths: ['/plain'] }] }],
    );
    const locs = o.plan!.site.routeLocations;
    const proxy = (name: string) => {
      const body = locs.find((l) => l.name === `@kongc_route_${name}`)!.body;
      assert.ok(body.kind === 'proxy');
      return body.proxy;
    };
    const rx = proxy('rx');
    const plain = proxy('plain');
    assert.deepEqual(plain.presets[0], { variable: 'kongc_capture_up_on', value: [] });
    // The route regex with only the named group capturing, read as $1 in the route's location.
    assert.deepEqual(rx.presets[0], { variable: 'kongc_capture_up_on', capture: '^(?>/t/([a-z]+)/(?:\\d+))' });
    assert.ok(nginxTest(o.text).ok);
    const rr = analyzeRouteRegex('/x/(?<a>\\d+)(?<b>.)', { keepGroup: 'b' });
    assert.ok(!('error' in rr) && rr.pattern === '/x/(?:\\d+)(.)' && rr.keptGroup);
    const plainRx = analyzeRouteRegex('/x/(?<a>\\d+)');
    assert.ok(!('error' in plainRx) && plainRx.pattern === '/x/(?:\\d+)' && !plainRx.keptGroup);
  });

  it('declares hash inputs of an upstream no route uses, so nginx -t passes', () => {
    const o = build([{ name: 'unused', hash_on: 'path', targets }], [service('10.0.0.9')]);
    assert.ok(mapOf(o, 'kongc_client_uri'));
    assert.ok(nginxTest(o.text).ok);
  });

  it('consumer hashing without an authentication plugin is degraded: the fallback (as Kong without a consumer) or round-robin', () => {
    assert.match(messages(one({ hash_on: 'consumer', targets }).errors), /hashing on the consumer needs an authentication plugin/);
    const withFallback = one({ hash_on: 'consumer', hash_fallback: 'ip', targets }, {}, { allowDegraded: true });
    assert.deepEqual(mapOf(withFallback, 'kongc_hash_up').source, [{ variable: 'remote_addr' }]);
    assert.deepEqual(one({ hash_on: 'consumer', targets }, {}, { allowDegraded: true }).plan!.upstreams[0]!.balance, { kind: 'round-robin' });
  });

  it("checks Kong's hash field rules", () => {
    const bad: [object, RegExp][] = [
      [{ hash_on: 'header' }, /hash_on_header is required/],
      [{ hash_on: 'ip', hash_fallback: 'header' }, /hash_fallback_header is required/],
      [{ hash_fallback: 'ip' }, /hash_fallback must be 'none' when hash_on is 'none'/],
      [{ hash_on: 'cookie', hash_on_cookie: 'c', hash_fallback: 'ip' }, /hash_fallback must be 'none' when hash_on is 'cookie'/],
      [{ hash_on: 'ip', hash_fallback: 'ip' }, /must differ from hash_on/],
      [{ hash_on: 'header', hash_on_header: 'a', hash_fallback: 'header', hash_fallback_header: 'A' }, /must be distinct/],
      [{ hash_on: 'uri_capture' }, /hash_on_uri_capture is required/],
      [{ hash_on: 'ip', hash_on_cookie_path: 'nope' }, /invalid hash_on_cookie_path/],
      [{ host_header: 'a b' }, /invalid host_header/],
    ];
    for (const [fields, re] of bad) assert.match(messages(one({ ...fields, targets }).errors), re, JSON.stringify(fields));
  });
});

describe('health checks', () => {
  const targets = [{ target: '10.0.0.1' }, { target: '10.0.0.2' }];

  it('passive counters → max_fails (the smallest), statuses → proxy_next_upstream, with warnings', () => {
    const o = one({ healthchecks: { passive: { unhealthy: { tcp_failures: 3, timeouts: 2, http_failures: 4, http_statuses: [500, 503, 429] } } }, targets });
    assert.equal(o.plan!.upstreams[0]!.servers[0]!.maxFails, 2);
    assert.deepEqual(proxyOf(o).overrides, [{ directive: 'proxy_next_upstream', args: ['error', 'timeout', 'http_429', 'http_500', 'http_503'].map((word) => ({ word })) }]);
    assert.equal(proxyOf(o).badGatewayVariable, 'kongc_bad_gateway');
    assert.match(messages(o.warnings), /tries it again after 10s; Kong keeps it unhealthy/);
    assert.match(messages(o.warnings), /counts status 429\/500\/503 as a failure only by retrying/);
    assert.ok(nginxTest(o.text).ok);
  });

  it('passive type tcp ignores HTTP statuses, as Kong does', () => {
    const o = one({ healthchecks: { passive: { type: 'tcp', unhealthy: { http_failures: 1 } } }, targets });
    assert.deepEqual(proxyOf(o).overrides, []);
    assert.equal(o.plan!.upstreams[0]!.servers[0]!.maxFails, 0);
  });

  it('statuses nginx cannot count, active checks and threshold are degraded', () => {
    assert.match(messages(one({ healthchecks: { passive: { unhealthy: { http_failures: 1, http_statuses: [501, 500] } } }, targets }).errors), /nginx can count only 429, 500, 502, 503 and 504 as passive failures, not 501/);
    assert.match(messages(one({ healthchecks: { active: { healthy: { interval: 5 } } }, targets }).errors), /active health checks .* need NGINX Plus/);
    assert.match(messages(one({ healthchecks: { threshold: 50 }, targets }).errors), /healthchecks\.threshold/);
    const loose = one({ healthchecks: { active: { unhealthy: { interval: 5 } }, threshold: 50 }, targets }, {}, { allowDegraded: true });
    assert.ok(loose.plan);
    assert.equal(loose.warnings.filter((w) => w.code === 'degraded').length, 2);
  });

  it('a single server never runs out (nginx ignores max_fails for it): no 503 map', () => {
    const o = one({ healthchecks: { passive: { unhealthy: { tcp_failures: 1 } } }, targets: [{ target: '10.0.0.1' }] });
    assert.equal(proxyOf(o).badGatewayVariable, null);
  });
});

describe('upstream Host', () => {
  it('single target: its host, with the port unless it is the default', () => {
    assert.deepEqual(proxyOf(one({ targets: [{ target: '10.0.0.1:8080' }] })).host, [{ text: '10.0.0.1:8080' }]);
    assert.deepEqual(proxyOf(one({ targets: [{ target: 'api.internal:80' }] })).host, [{ text: 'api.internal' }]);
    assert.deepEqual(proxyOf(one({ targets: [{ target: '[::1]:8080' }] })).host, [{ text: '[::1]:8080' }]);
    assert.deepEqual(proxyOf(one({ targets: [{ target: 'api.internal:443' }] }, { protocol: 'https', port: 443 })).host, [{ text: 'api.internal' }]);
  });

  it("host_header, plus the target's port as Kong's balancer appends it", () => {
    assert.deepEqual(proxyOf(one({ host_header: 'h.example', targets: [{ target: '10.0.0.1:9000' }, { target: '10.0.0.2:9000' }] })).host, [{ text: 'h.example:9000' }]);
    const o = one({ host_header: 'h.example', targets: [{ target: '10.0.0.1:80' }, { target: '10.0.0.2:80' }] });
    assert.deepEqual(proxyOf(o).host, [{ text: 'h.example' }]);
    assert.equal(o.warnings.filter((w) => w.code === 'host-header').length, 0);
  });

  it('targets with different Hosts: the first one, with a warning', () => {
    const o = one({ targets: [{ target: '10.0.0.1:81' }, { target: '10.0.0.2:81' }] });
    assert.deepEqual(proxyOf(o).host, [{ text: '10.0.0.1:81' }]);
    assert.match(messages(o.warnings), /Kong sends the Host of the target it picked \(10\.0\.0\.1:81, 10\.0\.0\.2:81\)/);
  });

  it('preserve_host: the client Host, and the SNI from it', () => {
    const p = proxyOf(one({ targets: [{ target: '10.0.0.1' }] }, { protocol: 'https', port: 443 }, {}, { preserve_host: true }));
    assert.deepEqual(p.host, [{ variable: 'http_host' }]);
    assert.deepEqual(p.ssl!.serverName, [{ variable: 'http_host' }]);
  });
});

describe('https services and CA certificates', () => {
  let pki: TestPki;
  const CA_ID = '5b93eda7-7ba5-4acc-a536-cf12f58a1144';
  before(() => {
    pki = makePki('backend.test');
  });
  const https = (svc: object, options: CompileOptions = {}, cas: object[] = [{ id: CA_ID, cert: pki.caCert }]) =>
    build([], [{ name: 's', protocol: 'https', host: 'backend.test', port: 8443, ...svc, routes: [{ name: 'r', paths: ['/'] }] }], options, { ca_certificates: cas });

  it('proxy_pass https with SNI = the upstream Host without its port; verify off by default', () => {
    const o = https({});
    const p = proxyOf(o);
    assert.equal(p.scheme, 'https');
    assert.deepEqual(p.ssl, { serverName: [{ text: 'backend.test' }], verify: false, verifyDepth: null, trustedCertificate: null, clientCertificate: null });
    assert.match(o.text, /proxy_ssl_server_name on;\n\s+proxy_ssl_name "backend\.test";\n\s+proxy_ssl_verify off;/);
    assert.match(o.text, /proxy_pass https:\/\/kongc_host_backend\.test_8443;/);
  });

  it('tls_verify with ca_certificates: a content-named bundle in caDir', () => {
    const o = https({ tls_verify: true, tls_verify_depth: 3, ca_certificates: [CA_ID] }, { caDir: '/etc/nginx/kongc' });
    const p = proxyOf(o);
    assert.equal(p.ssl!.verify, true);
    assert.equal(p.ssl!.verifyDepth, 3);
    assert.match(p.ssl!.trustedCertificate!, /^\/etc\/nginx\/kongc\/kongc-ca-[0-9a-f]{16}\.pem$/);
    assert.deepEqual(o.plan!.files.map((f) => f.path), [p.ssl!.trustedCertificate]);
    assert.equal(renderFile(o.plan!.files[0]!).content, pki.caCert.trim() + '\n');
    assert.match(o.text, /proxy_ssl_trusted_certificate "\/etc\/nginx\/kongc\/kongc-ca-[0-9a-f]{16}\.pem";/);
  });

  it('ca_certificates without a place to write them is a precise error', () => {
    assert.match(messages(https({ tls_verify: true, ca_certificates: [CA_ID] }).errors), /has nowhere to write it/);
  });

  it('tls_verify without ca_certificates uses the system bundle, with a warning', () => {
    const o = https({ tls_verify: true });
    assert.equal(proxyOf(o).ssl!.trustedCertificate, '/etc/ssl/certs/ca-certificates.crt');
    assert.match(messages(o.warnings), /kongc uses \/etc\/ssl\/certs\/ca-certificates\.crt/);
  });

  it("checks CA certificates as Kong does", () => {
    assert.match(messages(https({ tls_verify: true, ca_certificates: ['11111111-1111-4111-8111-111111111111'] }, { caDir: '/x' }).errors), /CA certificate '11111111-1111-4111-8111-111111111111' does not exist/);
    assert.match(messages(https({}, {}, [{ id: CA_ID, cert: pki.leafCert }]).errors), /missing the "CA" basic constraint/);
    assert.match(messages(https({}, {}, [{ id: CA_ID, cert: 'junk' }]).errors), /not a PEM certificate/);
    assert.match(messages(https({}, {}, [{ id: CA_ID, cert: pki.caCert + pki.otherCaCert }]).errors), /only one certificate/);
    assert.match(messages(https({}, {}, [{ id: CA_ID, cert: pki.caCert }, { id: '11111111-1111-4111-8111-111111111111', cert: pki.caCert }]).errors), /duplicate CA certificate/);
    assert.equal(caProblem(pki.caCert, new Date('2300-01-01')), 'expired certificate');
    assert.match(messages(build([], [{ name: 's', host: 'h', ca_certificates: [CA_ID], routes: [{ paths: ['/'] }] }], {}, { ca_certificates: [{ id: CA_ID, cert: pki.caCert }] }).errors), /apply only to services with protocol 'https'/);
  });
});

describe('mutual TLS to upstreams (client_certificate)', () => {
  let pki: TestPki;
  const CERT = '7a93eda7-7ba5-4acc-a536-cf12f58a1146';
  const OTHER = '8b93eda7-7ba5-4acc-a536-cf12f58a1147';
  before(() => {
    pki = makePki('backend.test');
  });
  // Certificates only presented to upstreams: no TLS listener, so no default certificate is needed.
  const certificates = (ids: string[]) => [
    { id: CERT, cert: pki.clientCert, key: pki.clientKey },
    { id: OTHER, cert: pki.leafCert, key: pki.leafKey },
  ].filter((c) => ids.includes(c.id));
  const svc = (name: string, host: string, extra: object = {}) => ({ name, protocol: 'https', host, port: 8443, ...extra, routes: [{ name, paths: [`/${name}`] }] });
  const mtls = (upstreams: object[], services: object[], options: CompileOptions = { secretsDir: '/etc/nginx/kongc' }, ids = [CERT]) => build(upstreams, services, options, { certificates: certificates(ids) });
  const proxies = (o: Outcome) => {
    assert.ok(o.plan, messages(o.errors));
    return new Map(o.plan.site.routeLocations.map((l) => [l.entity.route, l.body.kind === 'proxy' ? l.body.proxy : null]));
  };

  it("presents the service's certificate from 0600 side files, PEM never in the include", () => {
    const o = mtls([], [svc('s', 'backend.test', { client_certificate: CERT })]);
    const cc = proxyOf(o).ssl!.clientCertificate!;
    assert.equal(cc.id, CERT);
    assert.match(cc.cert, /^\/etc\/nginx\/kongc\/kongc-client-cert-[0-9a-f]{16}\.pem$/);
    assert.match(cc.key, /^\/etc\/nginx\/kongc\/kongc-client-key-[0-9a-f]{16}\.pem$/);
    const files = o.plan!.files.filter((f) => f.path === cc.cert || f.path === cc.key);
    assert.equal(files.length, 2);
    assert.ok(files.every((f) => f.secret === true));
    assert.match(renderFile(files.find((f) => f.path === cc.key)!).content, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(o.text, new RegExp(`proxy_ssl_certificate "${cc.cert}";\\n\\s+proxy_ssl_certificate_key "${cc.key}";`));
    assert.doesNotMatch(o.text, /BEGIN/);
  });

  it("an upstream's client_certificate is presented for https services that have none (Kong's balancer fallback)", () => {
    const up = { name: 'pool', client_certificate: { id: CERT }, targets: [{ target: '127.0.0.1:8443' }] };
    const o = mtls([up], [svc('plain', 'pool'), svc('own', 'pool', { client_certificate: OTHER }), { name: 'http', host: 'pool', routes: [{ name: 'http', paths: ['/http'] }] }], undefined, [CERT, OTHER]);
    const p = proxies(o);
    assert.equal(p.get('plain')!.ssl!.clientCertificate!.id, CERT);
    assert.equal(p.get('own')!.ssl!.clientCertificate!.id, OTHER);
    assert.equal(p.get('http')!.ssl, null);
    // nginx keeps upstream connections per block: a service presenting another certificate gets its own.
    assert.equal(p.get('plain')!.upstream, 'kongc_up_pool');
    assert.equal(p.get('http')!.upstream, 'kongc_up_pool');
    assert.match(p.get('own')!.upstream, /^kongc_up_pool_mtls_[0-9a-f]{8}$/);
    assert.match(o.text, /upstream kongc_up_pool_mtls_[0-9a-f]{8} \{\n\s+server 127\.0\.0\.1:8443 /);
  });

  it('services of one plain host with different certificates get one connection pool each', () => {
    const o = mtls([], [svc('a', '10.0.0.1', { client_certificate: CERT }), svc('b', '10.0.0.1'), svc('c', '10.0.0.1', { client_certificate: CERT })]);
    const p = proxies(o);
    assert.equal(p.get('b')!.upstream, 'kongc_host_10.0.0.1_8443');
    assert.match(p.get('a')!.upstream, /^kongc_host_10\.0\.0\.1_8443_mtls_[0-9a-f]{8}$/);
    assert.equal(p.get('c')!.upstream, p.get('a')!.upstream);
    assert.equal(o.plan!.upstreams.length, 2);
    assert.equal(o.plan!.files.length, 2, 'one pair of files per certificate');
  });

  it('an unknown certificate, a non-https service, and nowhere to write are positioned errors', () => {
    const unknown = mtls([{ name: 'pool', client_certificate: '11111111-1111-4111-8111-111111111111', targets: [{ target: '10.0.0.1' }] }], [svc('s', 'backend.test', { client_certificate: { id: '22222222-2222-4222-8222-222222222222' } })]);
    assert.deepEqual(
      unknown.errors.map((d) => `${d.line > 0} ${d.message}`).sort(),
      ["true certificate '11111111-1111-4111-8111-111111111111' does not exist", "true certificate '22222222-2222-4222-8222-222222222222' does not exist"],
    );
    assert.match(messages(mtls([], [{ name: 's', host: 'h', client_certificate: CERT, routes: [{ paths: ['/'] }] }]).errors), /client_certificate applies only to services with protocol 'https'/);
    assert.match(messages(mtls([], [svc('s', 'backend.test', { client_certificate: CERT })], {}).errors), /has nowhere to write them/);
  });
});

describe('Kong response headers', () => {
  const cfg = [{ name: 'up', targets: [{ target: '10.0.0.1' }] }];
  it('are off by default', () => {
    const o = build(cfg, [service('up')]);
    assert.doesNotMatch(o.text, /X-Kong-|add_header Via/);
    assert.match(o.text, /server_tokens off;/);
  });
  it('--kong-headers adds Via and the latencies, converted to integer milliseconds', () => {
    const o = build(cfg, [service('up')], { kongHeaders: true });
    assert.match(o.text, /add_header Via "kong\/0\.1\.0" always;/);
    assert.match(o.text, /add_header X-Kong-Upstream-Latency "\$kongc_upstream_latency_ms" always;/);
    assert.match(o.text, /add_header X-Kong-Proxy-Latency "0" always;/);
    const m = o.plan!.maps.find((x) => x.purpose.startsWith('X-Kong-Upstream-Latency'))!;
    assert.ok(m);
    // The map's regexes, checked here with JS's engine on nginx's formats.
    const convert = (v: string) => {
      for (const e of m.entries) {
        if (e.match !== 'regex') continue;
        const r = new RegExp(e.pattern.replace(/\\z/g, '$')).exec(v);
        if (r) return e.value.map((p) => ('text' in p ? p.text : 'variable' in p ? r[Number(p.variable)] : '\n')).join('');
      }
      return '';
    };
    assert.deepEqual(['0.012', '0.100', '0.000', '1.234', '12.005', '0.001, 0.250', '-'].map(convert), ['12', '100', '0', '1234', '12005', '250', '']);
    assert.ok(nginxTest(o.text).ok);
  });
});
