// Kong state → the stream include's plan (tcp, tls, udp and tls_passthrough routes). Pure, like
// src/plan/plan.ts. Listeners are Kong's stream_listen entries (`--listen-stream`):
// - plain tcp and udp listeners proxy to the matched route's service;
// - ssl listeners read the SNI (ssl_preread) and, as Kong's preread server, send a tls_passthrough
//   route's connection on as it is, and a tls route's to an internal server on a Unix socket that
//   terminates TLS with the certificate for the SNI (the http TLS listener's certificate maps) and
//   proxies the plain bytes;
// - nginx sets proxy timeouts, retries and upstream TLS per server, not per connection: a service
//   whose settings differ from Kong's defaults is reached through its own internal server.
// No route matched: nginx closes the connection (Kong logs "no Route found" and closes it).
import { posix } from 'node:path';
import { SERVICE_DEFAULTS } from '../../kong/defaults.js';
import { isIPv4, isIPv6 } from '../../kong/target-address.js';
import type { KongState, Route, Service, Upstream } from '../../model/types.js';
import { isCompiledStreamRoute } from '../../validate/stream.js';
import { VERSION } from '../../version.js';
import { label, PlanContext, type PlanOptions } from '../context.js';
import type { CertificatePair, GeneratedFile, MapBlock, StreamPlan, StreamProxy, StreamServer, StreamUpstream } from '../ir.js';
import { assignEntityNames, shortHash } from '../names.js';
import { planCertificateSelection } from '../tls-listener.js';
import { TlsFiles } from '../tls.js';
import { FAIL_TIMEOUT_SECONDS, formatAddress, upstreamName } from '../upstreams.js';
import { compareText } from '../../text.js';
import { lowerStreamMatch, STREAM_VARIABLES } from './match.js';
import { orderStreamRoutes, streamRoutesOverlap, type StreamRoute } from './routes.js';

export interface PlannedStream {
  /** Null when the configuration has no stream routes and no stream listener was asked for. */
  plan: StreamPlan | null;
  diagnostics: PlanContext['diagnostics'];
}

export const NO_ROUTE_UPSTREAM = 'kongc_stream_no_route';
const NEXT = { plain: 'kongc_stream_upstream', tls: 'kongc_stream_tls_next' } as const;
/** A Unix socket path nginx can bind (sun_path holds 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

type Settings = Omit<StreamProxy, 'passVariable' | 'passUpstream'>;

export function planStream(state: KongState, options: PlanOptions = {}): PlannedStream {
  const ctx = new PlanContext(options);
  assignEntityNames(ctx.names, state.routes, state.services, state.upstreams);
  const listeners = options.listenStream ?? [];
  const candidates: { route: Route; key: string }[] = [];
  for (const r of [...state.routes].sort((a, b) => a.order - b.order)) {
    if (!isCompiledStreamRoute(r)) continue;
    if (r.service && !r.service.enabled) {
      ctx.warn(r.src, 'disabled-service', `${label('route', r, ctx.key(r))} is left out: its service is disabled (enabled: false), as Kong does`);
      continue;
    }
    candidates.push({ route: r, key: ctx.key(r) });
  }
  if (!candidates.length && !listeners.length && !options.streamOutput) return { plan: null, diagnostics: ctx.diagnostics };
  const first = candidates[0]?.route;
  if (first && !listeners.length) {
    ctx.error(first.src, 'stream', `${label('route', first, ctx.key(first))} is a stream route, and Kong's stream_listen is off by default: no listener would ever reach it`, "pass --listen-stream ADDR (e.g. '127.0.0.1:9000', '9001 udp', '9443 ssl'), as Kong's stream_listen");
  }
  if (first && !options.streamOutput) {
    ctx.error(first.src, 'stream', `${label('route', first, ctx.key(first))} is a stream route: stream routes compile to a separate include for nginx's stream {} context`, 'pass --stream-output FILE and include that file in a stream {} block of nginx.conf (README "Stream (tcp, tls, udp)")');
  }

  const routes = orderStreamRoutes(candidates);
  reportStreamTies(ctx, routes);
  const hasSsl = listeners.some((l) => l.ssl);
  for (const r of routes) {
    const p = r.route.protocols;
    if (!hasSsl && (p.includes('tls') || p.includes('tls_passthrough'))) {
      ctx.warn(ctx.field(r.route, 'protocols'), 'stream', `${label('route', r.route, r.key)}: TLS is terminated or passed through by SNI only on an ssl stream listener, and none is given; on a plain listener Kong (and kongc) proxies the bytes as they are`, "add --listen-stream 'ADDR ssl'");
    }
  }

  const plainListener = listeners.some((l) => !l.ssl);
  for (const r of routes) {
    if (plainListener && r.snis.length && !r.sources.length && !r.destinations.length) {
      ctx.warn(
        ctx.field(r.route, 'snis'),
        'stream',
        `${label('route', r.route, r.key)} also takes every connection that carries no SNI (plain tcp and udp listeners), ahead of routes without snis: Kong's stream router compares snis only when the client sent one (kongc does the same)`,
        "add destinations with the ssl listener's port",
      );
    }
  }

  const dir = options.stateDir ?? options.caDir ?? null;
  const socketPath = (what: string, content: string): string | null => {
    if (!dir) return null;
    const path = posix.join(dir, `kongc-stream-${what}-${shortHash(content, 12)}.sock`);
    return Buffer.byteLength(path) <= MAX_SOCKET_PATH ? path : null;
  };
  const noSocket = (ref: Route | Service, why: string) =>
    ctx.error(ctx.field(ref, 'protocols' in ref ? 'protocols' : 'protocol'), 'stream', `${why}: kongc needs an internal Unix socket for it, and ${dir ? `the path under ${dir} is longer than ${MAX_SOCKET_PATH} bytes` : 'has no folder to put it in'}`, 'pass --state-dir DIR with a short path');

  const tls = new TlsFiles(ctx, state.caCertificates, state.certificates);
  const upstreamsByName = new Map(state.upstreams.map((u) => [u.name, u]));
  const blocks = new Map<string, StreamUpstream>();
  const servers: StreamServer[] = [];
  const files: GeneratedFile[] = [];
  const hops = new Map<Service, string>();
  /** The block a service's connections go to, or null when no target can take them. */
  const upstreamBlocks = new Map<Upstream, StreamUpstream | null>();
  const blockFor = (svc: Service): string | null => {
    const up = upstreamsByName.get(svc.host);
    if (up && !upstreamBlocks.has(up)) upstreamBlocks.set(up, upstreamBlock(ctx, up));
    const block = up ? upstreamBlocks.get(up)! : hostBlock(ctx, svc);
    if (!block) return null;
    blocks.set(block.name, block);
    return block.name;
  };
  /** Where a plain tcp or ssl listener sends a service's connections: its block, or its internal server (udp listeners: udpSettings). */
  const destinationFor = (svc: Service): string => {
    const block = blockFor(svc);
    if (!block) return NO_ROUTE_UPSTREAM;
    const settings = settingsOf(ctx, tls, svc, upstreamsByName);
    if (sameSettings(settings, DEFAULTS)) return block;
    const known = hops.get(svc);
    if (known) return `unix:${known}`;
    const socket = socketPath('svc', ctx.key(svc));
    if (!socket) {
      noSocket(svc, `${label('service', svc, ctx.key(svc))} has its own timeouts, retries or TLS`);
      return block;
    }
    hops.set(svc, socket);
    servers.push({ purpose: `service ${ctx.key(svc)}: its own proxy settings (nginx sets them per server)`, listen: [], socket: `unix:${socket}`, sslPreread: false, certificate: null, proxy: { ...settings, passVariable: null, passUpstream: block } });
    return `unix:${socket}`;
  };

  const tokens = new Map<StreamRoute, string>();
  const used = new Set<string>();
  for (const r of routes) {
    let token = upstreamName('kongc_sr_', r.key);
    if (used.has(token)) token = `${token}_${shortHash(r.key, 8)}`;
    used.add(token);
    tokens.set(r, token);
  }
  const match = lowerStreamMatch(routes, tokens);
  const plainEntries: MapBlock['entries'] = [];
  const udpEntries: MapBlock['entries'] = [];
  const tlsEntries: MapBlock['entries'] = [];
  let certificates: { pairs: CertificatePair[] } | null = null;
  const certificateMaps: MapBlock[] = [];
  for (const r of routes) {
    const token = tokens.get(r)!;
    const svc = r.route.service;
    const plain = svc ? destinationFor(svc) : NO_ROUTE_UPSTREAM;
    plainEntries.push({ match: 'exact', key: token, value: [{ text: plain }] });
    if (listeners.some((l) => l.udp)) udpEntries.push({ match: 'exact', key: token, value: [{ text: svc ? blockFor(svc) ?? NO_ROUTE_UPSTREAM : NO_ROUTE_UPSTREAM }] });
    if (!hasSsl) continue;
    if (r.route.protocols.includes('tls')) {
      const socket = socketPath('tls', r.key);
      if (!socket) {
        noSocket(r.route, `${label('route', r.route, r.key)} terminates TLS`);
        continue;
      }
      if (!certificates) {
        const selection = planCertificateSelection(ctx, state, r.route.src);
        if (!selection) continue;
        certificates = { pairs: selection.pairs };
        files.push(...selection.files);
        certificateMaps.push(...selection.maps);
      }
      const block = svc ? blockFor(svc) : null;
      servers.push({
        purpose: `route ${r.key}: terminates TLS with the certificate for the SNI, then proxies the plain bytes to ${svc ? `service ${ctx.key(svc)}` : 'no service (closed)'}`,
        listen: [],
        socket: `unix:${socket}`,
        sslPreread: false,
        certificate: certificates,
        proxy: { ...(svc ? settingsOf(ctx, tls, svc, upstreamsByName) : DEFAULTS), passVariable: null, passUpstream: block ?? NO_ROUTE_UPSTREAM },
      });
      tlsEntries.push({ match: 'exact', key: token, value: [{ text: `unix:${socket}` }] });
    } else if (r.route.protocols.includes('tls_passthrough')) {
      tlsEntries.push({ match: 'exact', key: token, value: [{ text: plain }] });
    }
    // A tcp or udp route matched on an ssl listener: Kong logs "unexpected protocols" and closes.
  }

  const maps: MapBlock[] = [match.routeMap];
  const nextMap = (variable: string, entries: MapBlock['entries'], purpose: string): MapBlock => ({ variable, source: [{ variable: STREAM_VARIABLES.route }], entries, default: [{ text: NO_ROUTE_UPSTREAM }], purpose });
  const byKind = (f: (l: (typeof listeners)[number]) => boolean) => listeners.filter(f);
  const tcp = byKind((l) => !l.udp && !l.ssl);
  const udp = byKind((l) => l.udp);
  const ssl = byKind((l) => l.ssl);
  const listenerServers: StreamServer[] = [];
  if (tcp.length) {
    maps.push(nextMap(NEXT.plain, plainEntries, "where a plain tcp listener sends the route's connection: its service's upstream (or the service's own server)"));
    listenerServers.push({ purpose: 'plain tcp listeners (stream_listen)', listen: tcp, socket: null, sslPreread: false, certificate: null, proxy: { ...DEFAULTS, passVariable: NEXT.plain, passUpstream: null } });
  }
  if (udp.length) {
    const udpVariable = 'kongc_stream_udp_upstream';
    maps.push(nextMap(udpVariable, udpEntries, "where a udp listener sends the route's datagrams: its service's upstream"));
    listenerServers.push({ purpose: 'udp listeners (stream_listen ... udp)', listen: udp, socket: null, sslPreread: false, certificate: null, proxy: { ...udpSettings(ctx, tls, routes, upstreamsByName), passVariable: udpVariable, passUpstream: null } });
  }
  if (ssl.length) {
    maps.push(nextMap(NEXT.tls, tlsEntries, 'where an ssl listener sends the connection: a tls route to its terminating server, a tls_passthrough route to its service as it is'));
    listenerServers.push({ purpose: 'ssl listeners (stream_listen ... ssl): read the SNI, then terminate or pass through by route', listen: ssl.map((l) => ({ ...l, ssl: false })), socket: null, sslPreread: true, certificate: null, proxy: { ...DEFAULTS, passVariable: NEXT.tls, passUpstream: null } });
  }
  const plan: StreamPlan = {
    kongcVersion: VERSION,
    upstreams: [...blocks.values()].sort((a, b) => compareText(a.name, b.name)),
    noRoute: NO_ROUTE_UPSTREAM,
    geos: match.geos,
    maps: [...maps, ...certificateMaps],
    order: routes.map((r) => ({ route: r.key, service: r.route.service ? ctx.key(r.route.service) : null, priority: `0x${r.priority.toString(16)}` })),
    servers: [...listenerServers, ...servers],
    files: [...files, ...tls.files],
    socketDir: servers.some((s) => s.socket) ? dir : null,
  };
  return { plan, diagnostics: ctx.diagnostics };
}

/** Kong's defaults: connect 60 s, proxy_timeout max(write, read) 60 s, retries 5 → 6 tries, no upstream TLS. */
const DEFAULTS: Settings = Object.freeze({
  connectTimeoutMs: SERVICE_DEFAULTS.connect_timeout,
  timeoutMs: Math.max(SERVICE_DEFAULTS.write_timeout, SERVICE_DEFAULTS.read_timeout),
  tries: SERVICE_DEFAULTS.retries + 1,
  ssl: null,
});

/**
 * A service's proxy settings. nginx's stream proxy has one proxy_timeout between successive reads
 * or writes; Kong's balancer gives the stream subsystem the larger of write_timeout and read_timeout.
 */
function settingsOf(ctx: PlanContext, tls: TlsFiles, svc: Service, upstreams: Map<string, Upstream>): Settings {
  let ssl: Settings['ssl'] = null;
  if (svc.protocol === 'tls') {
    const up = upstreams.get(svc.host);
    const t = tls.forService(svc, up ?? null);
    // Kong names the upstream host as SNI: the service host, or for an upstream its host_header,
    // else the target's host (nginx names one host for every target).
    const firstTarget = up?.targets.filter((x) => x.weight > 0).sort((a, b) => a.order - b.order)[0];
    const serverName = up ? up.host_header ?? firstTarget?.host ?? svc.host : svc.host;
    ssl = { serverName, verify: t.verify, verifyDepth: t.verifyDepth, trustedCertificate: t.trustedCertificate, clientCertificate: t.clientCertificate };
  }
  return { connectTimeoutMs: svc.connect_timeout, timeoutMs: Math.max(svc.write_timeout, svc.read_timeout), tries: svc.retries + 1, ssl };
}

function sameSettings(a: Settings, b: Settings): boolean {
  return a.connectTimeoutMs === b.connectTimeoutMs && a.timeoutMs === b.timeoutMs && a.tries === b.tries && JSON.stringify(a.ssl) === JSON.stringify(b.ssl);
}

/** The udp listener's settings: those of the udp routes' services, which must agree (reported otherwise). */
function udpSettings(ctx: PlanContext, tls: TlsFiles, routes: StreamRoute[], upstreams: Map<string, Upstream>): Settings {
  let chosen: { settings: Settings; svc: Service } | null = null;
  for (const r of routes) {
    const svc = r.route.service;
    if (!svc || !r.route.protocols.includes('udp')) continue;
    const settings = settingsOf(ctx, tls, svc, upstreams);
    if (settings.ssl) {
      ctx.error(ctx.field(svc, 'protocol'), 'stream', `${label('service', svc, ctx.key(svc))} has protocol 'tls', and ${label('route', r.route, r.key)} sends it udp datagrams: nginx has no DTLS`, "use protocol 'udp'");
      continue;
    }
    if (!chosen) chosen = { settings, svc };
    else if (!sameSettings(settings, chosen.settings)) {
      ctx.error(ctx.field(svc, 'protocol'), 'stream', `${label('service', svc, ctx.key(svc))} and ${label('service', chosen.svc, ctx.key(chosen.svc))} are both reached over udp with different timeouts or retries: nginx sets them once per udp listener`, 'give the udp services the same connect/read/write timeouts and retries');
    }
  }
  return chosen?.settings ?? DEFAULTS;
}

/** A Kong upstream as a stream upstream block; null when no target can take a connection. */
function upstreamBlock(ctx: PlanContext, up: Upstream): StreamUpstream | null {
  const key = ctx.key(up);
  const what = label('upstream', up, key);
  let balance: StreamUpstream['balance'] = { kind: 'round-robin' };
  if (up.algorithm === 'least-connections') balance = { kind: 'least_conn' };
  else if (up.algorithm === 'latency') {
    ctx.degraded(ctx.field(up, 'algorithm'), `${what}: the latency algorithm needs NGINX Plus (least_time)`, 'least_conn');
    balance = { kind: 'least_conn' };
  } else if (up.algorithm === 'consistent-hashing' && up.hash_on !== 'none') {
    if (up.hash_on === 'ip') balance = { kind: 'hash', key: 'remote_addr' };
    else ctx.error(ctx.field(up, 'hash_on'), 'upstream', `${what}: a stream connection has no ${up.hash_on} to hash on (only the client ip)`, "use hash_on: ip for upstreams behind stream routes");
  }
  const active = up.healthchecks.active;
  if (active.healthy.interval > 0 || active.unhealthy.interval > 0) {
    ctx.degraded(ctx.field(up, 'healthchecks', 'active'), `${what}: active health checks need NGINX Plus (health_check); open source nginx has none`, 'no active probing; only passive max_fails');
  }
  // Kong's passive counters for a stream: connection failures and timeouts.
  const unhealthy = up.healthchecks.passive.unhealthy;
  const counters = [unhealthy.tcp_failures, unhealthy.timeouts].filter((n) => n > 0);
  const maxFails = counters.length ? Math.min(...counters) : 0;
  const servers = up.targets
    .filter((t) => t.weight > 0)
    .sort((a, b) => a.order - b.order)
    .map((t) => ({ address: formatAddress(t.host, t.port), weight: t.weight, maxFails, failTimeoutSeconds: FAIL_TIMEOUT_SECONDS, target: ctx.key(t) }));
  if (!servers.length) {
    ctx.warn(up.src, 'upstream', `${what} has no target with weight > 0: connections to it are closed, as Kong fails to find a peer`);
    return null;
  }
  return { name: upstreamName('kongc_sup_', up.name), entityKind: 'upstream', entity: key, balance, servers };
}

function hostBlock(ctx: PlanContext, svc: Service): StreamUpstream {
  if (!isIPv4(svc.host) && !isIPv6(svc.host)) {
    ctx.warn(ctx.field(svc, 'host'), 'dns', `${label('service', svc, ctx.key(svc))}: host '${svc.host}' is resolved by nginx once, at start and reload (Kong re-resolves on TTL)`, 'use an IP address, or reload nginx when DNS changes');
  }
  return {
    name: upstreamName('kongc_shost_', `${svc.host}_${svc.port}`),
    entityKind: 'service',
    entity: ctx.key(svc),
    balance: { kind: 'round-robin' },
    servers: [{ address: formatAddress(svc.host, svc.port), weight: 1, maxFails: 0, failTimeoutSeconds: FAIL_TIMEOUT_SECONDS, target: null }],
  };
}

/** Routes Kong would order by UUID: equal priority and able to match one connection. */
function reportStreamTies(ctx: PlanContext, routes: StreamRoute[]): void {
  for (let i = 0; i < routes.length; i++) {
    for (let j = i + 1; j < routes.length && routes[j]!.priority === routes[i]!.priority; j++) {
      const a = routes[i]!;
      const b = routes[j]!;
      if (!streamRoutesOverlap(a, b)) continue;
      const at = a.route.src.map.locate(a.route.src.pointer);
      ctx.warn(
        b.route.src,
        'route-tie',
        `${label('route', b.route, b.key)} and ${label('route', a.route, a.key)} (${at.file}:${at.line}:${at.column}) can match the same connection with equal Kong priority; Kong picks one by route UUID; kongc tries the first declared (${label('route', a.route, a.key)})`,
        'make them distinct (sources, destinations, snis)',
      );
    }
  }
}
