// Stream routes in Kong's terms: priority (K:kong/router/transform.lua stream_get_priority), the
// order routes are tried in, which route a connection reaches (the generated geo and map entries,
// evaluated here as nginx evaluates them), and the positioned errors and warnings.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileYaml } from '../support/compile.js';
import { InputError, type Diagnostic } from '../../src/diagnostics.js';
import { streamPriority } from '../../src/plan/stream/routes.js';
import { parseIpNet, netContains } from '../../src/model/stream-endpoint.js';
import { parseListenStream } from '../../src/commands/inputs.js';
import type { StreamListen } from '../../src/plan/context.js';
import type { StreamPlan } from '../../src/plan/ir.js';

const LISTEN: StreamListen[] = [{ address: '9000', udp: false, ssl: false }, { address: '9443', udp: false, ssl: true }, { address: '9053', udp: true, ssl: false }];
const OPTIONS = { listenStream: LISTEN, streamOutput: true, stateDir: '/tmp' };

function yaml(routes: string, extra = ''): string {
  return `_format_version: "3.0"
services:
  - name: svc
    protocol: tcp
    host: 127.0.0.1
    port: 7000
    routes:
${routes}
${extra}`;
}

function diagnostics(text: string, options: object = OPTIONS): Diagnostic[] {
  try {
    return compileYaml(text, options).diagnostics;
  } catch (e) {
    if (e instanceof InputError) return e.diagnostics;
    throw e;
  }
}

function streamPlan(text: string): StreamPlan {
  const r = compileYaml(text, OPTIONS);
  assert.ok(r.stream);
  return r.stream.plan;
}

/** The route token the route map gives a connection, evaluated as nginx would (geo longest prefix, regexes in order). */
function routeFor(plan: StreamPlan, c: { src: string; srcPort: number; dst: string; dstPort: number; sni?: string }): string {
  const geo = (variable: string, address: string) => {
    const g = plan.geos.find((x) => x.variable === variable);
    if (!g) return null;
    const a = parseIpNet(address)!;
    const hits = g.entries.filter((e) => netContains(parseIpNet(e.cidr)!, a)).sort((x, y) => parseIpNet(y.cidr)!.prefix - parseIpNet(x.cidr)!.prefix);
    return hits[0]?.value ?? '';
  };
  const map = plan.maps.find((m) => m.variable === 'kongc_stream_route')!;
  const value = (v: string) => ({ kongc_stream_src: geo('kongc_stream_src', c.src), kongc_stream_dst: geo('kongc_stream_dst', c.dst), remote_port: String(c.srcPort), server_port: String(c.dstPort), ssl_preread_server_name: c.sni ?? '' })[v];
  const key = map.source.map((p) => ('text' in p ? p.text : 'variable' in p ? value(p.variable) ?? '' : '')).join('');
  for (const e of map.entries) {
    if (e.match !== 'regex') continue;
    if (new RegExp(e.pattern.replace(/\\z$/, '$')).test(key)) return (e.value[0] as { text: string }).text;
  }
  return '';
}

describe('stream route priority (Kong stream_get_priority)', () => {
  const p = (r: object) => streamPriority({ snis: null, sources: null, destinations: null, ...r });
  it('snis, or sources with destinations, set bit 61; the source weight is shifted by 4; ip > port > cidr', () => {
    assert.equal(p({ snis: ['a.test'] }), 1n << 61n);
    assert.equal(p({ destinations: [{ port: 1 }] }), 4n);
    assert.equal(p({ destinations: [{ ip: '10.0.0.1' }] }), 8n);
    assert.equal(p({ destinations: [{ ip: '10.0.0.0/8' }] }), 1n);
    assert.equal(p({ sources: [{ ip: '10.0.0.1', port: 5 }] }), 0xc0n);
    assert.equal(p({ sources: [{ ip: '10.0.0.0/8' }], destinations: [{ ip: '10.0.0.5', port: 9000 }] }), (1n << 61n) | 0x10n | 0xcn);
  });

  it('orders routes by priority, then by declaration', () => {
    const plan = streamPlan(
      yaml(`      - { name: port-only, protocols: [tcp], destinations: [{ port: 9000 }] }
      - { name: sni, protocols: [tls_passthrough], snis: [a.test], destinations: [{ port: 9443 }] }
      - { name: dst-ip, protocols: [tcp], destinations: [{ ip: 127.0.0.1 }] }
      - { name: src-dst, protocols: [tcp], sources: [{ ip: 10.0.0.0/8 }], destinations: [{ port: 9000 }] }
      - { name: port-too, protocols: [tcp], destinations: [{ port: 9001 }] }`),
    );
    assert.deepEqual(plan.order.map((o) => o.route), ['src-dst', 'sni', 'dst-ip', 'port-only', 'port-too']);
  });
});

describe('which route a connection reaches', () => {
  const plan = streamPlan(
    yaml(`      - { name: office, protocols: [tcp], sources: [{ ip: 10.1.0.0/16 }], destinations: [{ port: 9000 }] }
      - { name: host, protocols: [tcp], sources: [{ ip: 10.1.2.3, port: 4000 }], destinations: [{ port: 9000 }] }
      - { name: lan, protocols: [tcp], sources: [{ ip: 10.0.0.0/8 }], destinations: [{ port: 9000 }] }
      - { name: v6, protocols: [tcp], sources: [{ ip: "fd00::/8" }], destinations: [{ port: 9000 }] }
      - { name: any, protocols: [tcp], destinations: [{ port: 9000 }] }
      - { name: to-five, protocols: [tcp], destinations: [{ ip: 10.0.0.5 }] }
      - { name: exact-sni, protocols: [tls_passthrough], snis: [a.test], destinations: [{ port: 9443 }] }
      - { name: wild-sni, protocols: [tls_passthrough], snis: ["*.b.test", "c.*"], destinations: [{ port: 9443 }] }`),
  );
  const at = (src: string, srcPort: number, dst: string, dstPort: number, sni?: string) => routeFor(plan, { src, srcPort, dst, dstPort, sni });
  it('picks the most specific source, down to the port', () => {
    assert.equal(at('10.1.2.3', 4000, '10.0.0.1', 9000), 'kongc_sr_host');
    assert.equal(at('10.1.2.3', 4001, '10.0.0.1', 9000), 'kongc_sr_office', 'same address, another port: the /16');
    assert.equal(at('10.1.9.9', 1, '10.0.0.1', 9000), 'kongc_sr_office');
    assert.equal(at('10.9.9.9', 1, '10.0.0.1', 9000), 'kongc_sr_lan', 'nested networks: the /8 still contains it');
    assert.equal(at('fd00::1', 1, '10.0.0.1', 9000), 'kongc_sr_v6');
    assert.equal(at('192.168.0.1', 1, '10.0.0.1', 9000), 'kongc_sr_any');
    assert.equal(at('192.168.0.1', 1, '10.0.0.5', 1234), 'kongc_sr_to-five');
  });
  it('matches SNIs exactly, as *.suffix at any depth and as prefix.*; no route for another SNI', () => {
    assert.equal(at('1.1.1.1', 1, '10.0.0.1', 9443, 'a.test'), 'kongc_sr_exact-sni');
    assert.equal(at('1.1.1.1', 1, '10.0.0.1', 9443, 'x.y.b.test'), 'kongc_sr_wild-sni');
    assert.equal(at('1.1.1.1', 1, '10.0.0.1', 9443, 'c.example.org'), 'kongc_sr_wild-sni');
    assert.equal(at('1.1.1.1', 1, '10.0.0.1', 9443, 'b.test'), '');
    assert.equal(at('1.1.1.1', 1, '10.0.0.1', 9443, 'a.test.evil'), '');
  });
  it('ignores snis when the client sent none (Kong compares them only for TLS)', () => {
    assert.equal(at('1.1.1.1', 1, '10.0.0.1', 9443), 'kongc_sr_exact-sni');
  });
});

describe('stream diagnostics', () => {
  const one = (ds: Diagnostic[], code: string, pattern: RegExp) => {
    const d = ds.find((x) => x.code === code && pattern.test(x.message));
    assert.ok(d, `no ${code} diagnostic matching ${pattern}: ${ds.map((x) => `${x.code}: ${x.message}`).join('\n')}`);
    return d;
  };
  const route = `      - { name: r, protocols: [tcp], destinations: [{ port: 9000 }] }`;

  it("stream routes without --listen-stream: Kong's stream_listen is off (positioned at the route, with the flag to pass)", () => {
    const d = one(diagnostics(yaml(route), { streamOutput: true }), 'stream', /stream_listen is off/);
    assert.equal(d.severity, 'error');
    assert.deepEqual([d.line, d.column], [8, 9]);
    assert.match(d.hint!, /--listen-stream/);
  });

  it('stream routes without --stream-output: the include has nowhere to go', () => {
    const d = one(diagnostics(yaml(route), { listenStream: LISTEN }), 'stream', /separate include/);
    assert.match(d.hint!, /--stream-output/);
  });

  it("Kong's schema rules: mixed protocol sets, http fields, missing matchers, snis without tls, bad sources", () => {
    const ds = diagnostics(
      yaml(`      - { name: mixed, protocols: [tcp, http], destinations: [{ port: 1 }] }
      - { name: paths, protocols: [tcp], destinations: [{ port: 1 }], paths: [/x] }
      - { name: bare, protocols: [udp] }
      - { name: bare-pass, protocols: [tls_passthrough], destinations: [{ port: 1 }] }
      - { name: sni-tcp, protocols: [tcp], snis: [a.test] }
      - { name: bad-ip, protocols: [tcp], sources: [{ ip: 10.0.0.300 }] }
      - { name: bad-port, protocols: [tcp], sources: [{ port: 70000 }] }
      - { name: empty, protocols: [tcp], sources: [{}] }`),
    );
    const at = (pattern: RegExp) => one(ds, 'stream', pattern);
    assert.match(at(/mutually exclusive/).path, /routes\/0\/protocols$/);
    assert.match(at(/cannot set 'paths'/).path, /routes\/1\/paths$/);
    assert.match(at(/must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'udp'/).path, /routes\/2$/);
    assert.match(at(/must set one of 'snis' when 'protocols' is 'tls_passthrough'/).path, /routes\/3$/);
    assert.match(at(/'snis' can only be set/).path, /routes\/4\/snis$/);
    assert.match(at(/invalid ip or cidr range: '10.0.0.300'/).path, /routes\/5\/sources\/0$/);
    assert.match(at(/port 70000/).path, /routes\/6\/sources\/0$/);
    assert.match(at(/at least one of these fields/).path, /routes\/7\/sources\/0$/);
    for (const d of ds.filter((x) => x.severity === 'error')) assert.ok(d.line > 0 && d.column > 0, `${d.message} has a position`);
  });

  it('sources on an http route, a path on a tcp service, an http route to a tcp service', () => {
    const ds = diagnostics(`_format_version: "3.0"
services:
  - name: t
    protocol: tcp
    host: 127.0.0.1
    path: /x
    routes:
      - { name: h, paths: [/h], sources: [{ ip: 10.0.0.1 }] }
`);
    assert.match(one(ds, 'route-matcher', /for stream routes/).path, /sources$/);
    assert.match(one(ds, 'stream', /service path must be null/).path, /services\/0\/path$/);
    assert.match(one(ds, 'unsupported', /protocol 'tcp', which is for stream routes/).path, /routes\/0\/service$/);
  });

  it('udp services reached with different timeouts: nginx sets them per listener', () => {
    const ds = diagnostics(
      yaml(
        `      - { name: u1, protocols: [udp], destinations: [{ port: 9053 }] }`,
        `  - { name: other, protocol: udp, host: 127.0.0.1, port: 7001, connect_timeout: 5000, routes: [{ name: u2, protocols: [udp], destinations: [{ port: 9054 }] }] }`,
      ),
    );
    one(ds, 'stream', /both reached over udp with different timeouts/);
  });

  it('an upstream hashing on a header: a connection has none', () => {
    const ds = diagnostics(
      `_format_version: "3.0"
services:
  - { name: s, protocol: tcp, host: up, port: 1, routes: [{ name: r, protocols: [tcp], destinations: [{ port: 9000 }] }] }
upstreams:
  - { name: up, algorithm: consistent-hashing, hash_on: header, hash_on_header: x-a, targets: [{ target: "127.0.0.1:1" }] }
`,
    );
    assert.match(one(ds, 'upstream', /no header to hash on/).path, /upstreams\/0\/hash_on$/);
  });

  it('warns about routes Kong orders by UUID, and about snis-only routes taking SNI-less connections', () => {
    const ds = diagnostics(
      yaml(`      - { name: a, protocols: [tcp], destinations: [{ port: 9000 }] }
      - { name: b, protocols: [tcp], destinations: [{ port: 9000 }] }
      - { name: c, protocols: [tcp], destinations: [{ port: 9001 }] }
      - { name: s, protocols: [tls_passthrough], snis: [s.test] }`),
    );
    const tie = one(ds, 'route-tie', /route 'b' and route 'a'/);
    assert.equal(tie.severity, 'warning');
    assert.ok(!ds.some((d) => d.code === 'route-tie' && /route 'c'/.test(d.message)), 'different ports never tie');
    one(ds, 'stream', /route 's' also takes every connection that carries no SNI/);
  });
});

describe('plugins and stream routes', () => {
  it('refuses plugins on stream routes and services, and ip-restriction globally, even with --skip-unsupported', () => {
    const text = yaml(
      `      - { name: r, protocols: [tcp], destinations: [{ port: 9000 }], plugins: [{ name: ip-restriction, config: { deny: [10.0.0.2] } }] }`,
      `plugins:
  - { name: ip-restriction, config: { allow: [10.0.0.1] } }
  - { name: cors, protocols: [http, https] }`,
    );
    const ds = diagnostics(text, { ...OPTIONS, skipUnsupported: true }).filter((d) => d.severity === 'error');
    assert.equal(ds.length, 2, ds.map((d) => d.message).join('\n'));
    assert.match(ds[0]!.message, /on a stream route or service/);
    assert.match(ds[0]!.path, /routes\/0\/plugins\/0$/);
    assert.match(ds[1]!.message, /also runs on stream connections/);
  });
});

describe('--listen-stream', () => {
  it("takes Kong's stream_listen forms and refuses the rest", () => {
    assert.deepEqual(parseListenStream(['9000', '127.0.0.1:9001 udp', '[::1]:9443 ssl', '9000']), [
      { address: '9000', udp: false, ssl: false },
      { address: '127.0.0.1:9001', udp: true, ssl: false },
      { address: '[::1]:9443', udp: false, ssl: true },
    ]);
    assert.throws(() => parseListenStream(['9000 ssl udp']), /ssl and udp cannot be combined/);
    assert.throws(() => parseListenStream(['9000 reuseport']), /'reuseport' is not a flag/);
    assert.throws(() => parseListenStream(['unix:/x']), /not PORT or ADDRESS:PORT/);
  });
});
