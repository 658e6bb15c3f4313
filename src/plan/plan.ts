// Kong state → nginx plan. Pure: no I/O; diagnostics for what nginx cannot reproduce.
import { defaultPortFor, SERVICE_DEFAULTS } from '../model/defaults.js';
import { decodeAllPercent } from '../model/kong-path.js';
import { isIPv6 } from '../model/target-address.js';
import type { KongState, Route, Service } from '../model/types.js';
import { isCompiledRoute } from '../validate/semantic.js';
import { VERSION } from '../version.js';
import { label, PlanContext, type PlanOptions } from './context.js';
import { computeHashSizes } from './hash-sizes.js';
import type { MapBlock, MapValue, NginxPlan, ProxyOverride, ProxySettings, RouteLocation, SiteLocation, SourceInfo } from './ir.js';
import { reportShadowed, reportTies } from './ties.js';
import { FlagRegistry, makeEntries, planRouter, uriRegex, type RouteEntry, type RouterPlan } from './router.js';
import { analyzeRouteRegex } from './route-regex.js';
import { TlsFiles } from './tls.js';
import { BAD_GATEWAY_VARIABLE, planUpstreams, type UpstreamPlan } from './upstreams.js';
import { prefixMatcher, regexMatcher, upstreamUriEntries } from './upstream-uri.js';

export type { PlanOptions } from './context.js';

export function planConfig(state: KongState, options: PlanOptions = {}): { plan: NginxPlan; diagnostics: PlanContext['diagnostics'] } {
  const ctx = new PlanContext(options);
  ctx.assignKeys(state.routes, 'r');
  ctx.assignKeys(state.services, 's');
  ctx.assignKeys(state.upstreams, 'u');
  ctx.assignKeys(state.upstreams.flatMap((u) => u.targets), 't');

  const routes: Route[] = [];
  for (const r of [...state.routes].sort((a, b) => a.order - b.order)) {
    if (!isCompiledRoute(r)) continue;
    if (r.service && !r.service.enabled) {
      ctx.warn(r.src, 'disabled-service', `${label('route', r, ctx.key(r))} is left out: its service is disabled (enabled: false), as Kong does`);
      continue;
    }
    routes.push(r);
  }
  const upstreams = planUpstreams(ctx, state.upstreams, state.services.filter((s) => s.enabled && (s.protocol === 'http' || s.protocol === 'https')));
  const flags = new FlagRegistry();
  const entries = makeEntries(routes, (r) => ctx.key(r), flags, (routeKey, pathIndex) => `@kongc_${routeKey}${pathIndex === null ? '' : `_p${pathIndex}`}`);
  reportTies(ctx, entries);
  const uriMaps = new UriMaps();
  const tls = new TlsFiles(ctx, state.caCertificates);
  const kongHeaders = options.kongHeaders ? kongResponseHeaders(uriMaps) : [];
  const routeLocations = new Map<string, RouteLocation>();
  for (const e of entries) routeLocations.set(e.target, planRouteLocation(ctx, e, upstreams, uriMaps, tls, kongHeaders));

  const router = planRouter(entries, flags);
  reportShadowed(ctx, entries, router.targets);
  for (const [target, g] of router.guards) {
    const loc = routeLocations.get(target);
    if (loc) loc.guard = { vhostPattern: g.vhosts ? `^(?:${g.vhosts.join('|')})\\z` : null, rawPattern: g.rawPath ? `^${g.rawPath}` : null, pathPattern: g.pathRegex === null ? null : uriRegex(g.pathRegex), flags: g.flags };
  }
  // Flags no selection map or route location reads (a regex route served in its own location tests its regex there).
  const readFlags = new Set<string>();
  for (const m of router.maps) for (const part of m.source) if ('variable' in part) readFlags.add(part.variable);
  for (const g of router.guards.values()) for (const f of g.flags) readFlags.add(f);
  const siteRoutes = [...router.targets].filter((t) => routeLocations.has(t)).sort().map((t) => routeLocations.get(t)!);
  const site = { locations: servedInline(router, routeLocations), routeLocations: siteRoutes, proxies: siteRoutes.some((l) => l.proxy !== null) };

  // A hash input no route location sets (an upstream no route uses) still needs declaring for nginx.
  const presetVariables = new Set<string>();
  for (const l of routeLocations.values()) for (const p of l.proxy?.presets ?? []) presetVariables.add(p.variable);
  const unset: MapBlock[] = [...upstreams.byUpstream.values()]
    .flatMap((u) => u.hashInputs)
    .filter((i) => !presetVariables.has(i.variable) && (presetVariables.add(i.variable), true))
    .map((i) => ({ variable: i.variable, source: [], entries: [], default: [], purpose: 'hash input of an upstream no route uses' }));
  const maps: MapBlock[] = [...upstreams.maps, ...unset, ...uriMaps.maps, ...flags.maps.filter((m) => readFlags.has(m.variable)), ...router.maps];
  const plan: NginxPlan = {
    kongcVersion: VERSION,
    listen: options.listen?.length ? options.listen : ['8000'],
    kongHeaders: Boolean(options.kongHeaders),
    proxyDefaults: PROXY_DEFAULTS,
    upstreams: upstreams.blocks,
    maps,
    servers: router.servers,
    site,
    sources: {},
    hashSizes: { mapBucket: 0, mapMax: 0, variablesBucket: 0, variablesMax: 0 },
    files: tls.files,
  };
  // Where each entity was declared is read only by review output (`--format json`) and to tie an
  // nginx complaint to its entity; finding 10,000 positions costs ~25 ms, so on first read only.
  Object.defineProperty(plan, 'sources', {
    enumerable: true,
    configurable: true,
    get() {
      const sources = sourcesOf(ctx, state);
      Object.defineProperty(plan, 'sources', { value: sources, enumerable: true, configurable: true, writable: true });
      return sources;
    },
  });
  plan.hashSizes = computeHashSizes(plan);
  return { plan, diagnostics: ctx.diagnostics };
}

/**
 * The site locations that still dispatch. A route location that exactly one location jumps to,
 * and no map names, takes that location's place (its `prefix` set): one location per route path
 * in the common case, and no internal redirect to a named location per request.
 */
function servedInline(router: RouterPlan, routeLocations: Map<string, RouteLocation>): SiteLocation[] {
  const viaMap = new Set<string>();
  const named = (value: MapValue) => {
    for (const part of value) if ('text' in part) viaMap.add(part.text);
  };
  for (const m of router.maps) {
    named(m.default);
    for (const e of m.entries) named(e.value);
  }
  const jumps = new Map<string, number>();
  for (const l of router.site) if (l.dispatch.kind === 'direct') jumps.set(l.dispatch.target, (jumps.get(l.dispatch.target) ?? 0) + 1);
  const dispatching: SiteLocation[] = [];
  for (const l of router.site) {
    const route = l.dispatch.kind === 'direct' ? routeLocations.get(l.dispatch.target) : undefined;
    if (route && jumps.get(route.name) === 1 && !viaMap.has(route.name)) route.prefix = l.path;
    else dispatching.push(l);
  }
  return dispatching;
}

/** Deduplicated $uri → upstream-URI maps (and X-Forwarded-Prefix maps for regex routes). */
class UriMaps {
  readonly maps: MapBlock[] = [];
  private readonly byKey = new Map<string, string>();

  get(key: string, make: (variable: string) => MapBlock): string {
    const hit = this.byKey.get(key);
    if (hit) return hit;
    const variable = `kongc_uri_${this.byKey.size}`;
    this.byKey.set(key, variable);
    this.maps.push(make(variable));
    return variable;
  }
}

function respond(e: RouteEntry, service: string | null, status: number, message: string, headers: [string, string][] = []): RouteLocation {
  return { name: e.target, prefix: null, route: e.routeKey, service, kind: 'respond', respond: { status, body: JSON.stringify({ message }), headers, httpsRedirect: false }, proxy: null, guard: null };
}

/**
 * Kong's response headers (`--kong-headers`, KONG.md §6.2): Via, and the latencies in integer
 * milliseconds. nginx gives `$upstream_header_time` in seconds with three decimals (one value per
 * attempt, the last one counts); the map turns `0.012` into `12` and `1.234` into `1234`.
 */
function kongResponseHeaders(uriMaps: UriMaps): { name: string; value: MapValue }[] {
  const latency = uriMaps.get('kong-upstream-latency', (variable) => ({
    variable,
    source: [{ variable: 'upstream_header_time' }],
    entries: [
      { match: 'regex', caseless: false, pattern: '(?:^|[\\s,:])0\\.0*([1-9][0-9]*)\\z', value: [{ variable: '1' }] },
      { match: 'regex', caseless: false, pattern: '(?:^|[\\s,:])0\\.000\\z', value: [{ text: '0' }] },
      { match: 'regex', caseless: false, pattern: '(?:^|[\\s,:])([1-9][0-9]*)\\.([0-9]{3})\\z', value: [{ variable: '1' }, { variable: '2' }] },
    ],
    default: [],
    purpose: 'X-Kong-Upstream-Latency: seconds to the first upstream byte, as integer milliseconds',
  }));
  return [
    { name: 'Via', value: [{ text: `kong/${VERSION}` }] },
    { name: 'X-Kong-Upstream-Latency', value: [{ variable: latency }] },
    // nginx has no variable for the time spent before proxying; kongc's routing is done inside
    // nginx's own request processing (README: "Kong response headers").
    { name: 'X-Kong-Proxy-Latency', value: [{ text: '0' }] },
  ];
}

function planRouteLocation(ctx: PlanContext, e: RouteEntry, upstreams: UpstreamPlan, uriMaps: UriMaps, tls: TlsFiles, kongHeaders: { name: string; value: MapValue }[]): RouteLocation {
  const r = e.route;
  const svc = r.service;
  const svcKey = svc ? ctx.key(svc) : null;
  if (r.protocols.length === 1 && r.protocols[0] === 'https') {
    // kongc serves plain HTTP: an https-only route always answers as Kong does over HTTP.
    if (r.https_redirect_status_code === 426) {
      return respond(e, svcKey, 426, 'Please use HTTPS protocol', [['Connection', 'Upgrade'], ['Upgrade', 'TLS/1.2, HTTP/1.1']]);
    }
    return { name: e.target, prefix: null, route: e.routeKey, service: svcKey, kind: 'respond', respond: { status: r.https_redirect_status_code, body: null, headers: [], httpsRedirect: true }, proxy: null, guard: null };
  }
  if (!svc) return respond(e, null, 503, 'no Service found with those values');
  const viaUpstream = upstreams.byUpstream.get(svc.host);
  const block = viaUpstream ? viaUpstream.block : upstreams.byHost.get(`${svc.host}|${svc.port}`)!;
  if (!block) return respond(e, svcKey, 503, 'failure to get a peer from the ring-balancer');

  const base = decodeAllPercent(svc.path ?? '/') ?? '/';
  const matcher = e.kind === 'prefix' ? prefixMatcher(e.decodedPrefix!) : e.kind === 'regex' ? regexMatcher(e.regex!.pattern) : null;
  const rule = { base, strip: r.strip_path, matcher };
  // Without stripping, the upstream path depends on the service path only: one map per service path.
  const stripped = rule.strip && rule.matcher !== null;
  const uriVariable = uriMaps.get(`uri:${stripped ? rule.matcher : ''}\n${rule.base}`, (variable) => {
    const { entries, fallback } = upstreamUriEntries(rule);
    return { variable, source: [{ variable: 'uri' }], entries, default: fallback, purpose: `upstream path: service path ${stripped ? 'plus what follows the stripped prefix' : 'joined with the request path'} (Kong v0)` };
  });

  let forwardedPrefix: MapValue = none();
  if (r.strip_path && e.kind === 'prefix' && e.kongPath !== '/') forwardedPrefix = [{ text: e.kongPath! }];
  if (r.strip_path && e.kind === 'regex') {
    const variable = uriMaps.get(`xfp:${e.regex!.pattern}`, (v) => ({
      variable: v,
      source: [{ variable: 'uri' }],
      entries: [{ match: 'regex', caseless: false, pattern: `^(${regexMatcher(e.regex!.pattern)})`, value: [{ variable: '1' }] }],
      default: [],
      purpose: 'X-Forwarded-Prefix: the part of the path a regex route strips',
    }));
    forwardedPrefix = [{ variable }];
  }

  // Hash inputs that depend on the client's path or on this route's regex captures.
  const presets: ProxySettings['presets'] = [];
  for (const input of viaUpstream?.hashInputs ?? []) {
    if (input.kind === 'client-uri') {
      presets.push({ variable: input.variable, value: [{ variable: 'uri' }] });
      continue;
    }
    const kept = e.kind === 'regex' ? analyzeRouteRegex(e.kongPath!.slice(1), { keepGroup: input.group }) : null;
    if (!kept || 'error' in kept || !kept.keptGroup) {
      // Kong finds no such capture for this route: the fallback (if any) is used.
      presets.push({ variable: input.variable, value: [] });
      continue;
    }
    const capture = uriMaps.get(`capture:${input.group}:${kept.pattern}`, (variable) => ({
      variable,
      source: [{ variable: 'uri' }],
      entries: [{ match: 'regex', caseless: false, pattern: `^${regexMatcher(kept.pattern)}`, value: [{ variable: '1' }] }],
      default: [],
      purpose: `the route regex capture '${input.group}' (upstream hash_on uri_capture)`,
    }));
    presets.push({ variable: input.variable, value: [{ variable: capture }] });
  }

  const host = r.preserve_host ? null : upstreamHost(ctx, svc, upstreams);
  const tlsSettings = svc.protocol === 'https' ? tls.forService(svc) : null;

  const responseHeaders = viaUpstream?.responseHeaders.length || kongHeaders.length ? [...(viaUpstream?.responseHeaders ?? []), ...kongHeaders] : none<{ name: string; value: MapValue }>();
  const badGatewayVariable = viaUpstream?.canRunOutOfPeers ? BAD_GATEWAY_VARIABLE : null;
  const overrides = proxyOverrides(svc, r, viaUpstream?.nextUpstream ?? PROXY_DEFAULTS.nextUpstream);
  const ssl = tlsSettings && { serverName: host === null ? CLIENT_HOST : [{ text: hostWithoutPort(host) }], ...tlsSettings };
  return {
    name: e.target,
    prefix: null,
    route: e.routeKey,
    service: svcKey,
    kind: 'proxy',
    guard: null,
    respond: null,
    proxy: {
      scheme: svc.protocol === 'https' ? 'https' : 'http',
      tuned: overrides.length > 0 || ssl !== null || responseHeaders.length > 0 || badGatewayVariable !== null,
      upstream: block.name,
      uriVariable,
      host: host === null ? CLIENT_HOST : hostValue(upstreams, host),
      presets: presets.length ? presets : none(),
      responseHeaders,
      badGatewayVariable,
      forwardedPrefix,
      overrides,
      ssl,
    },
  };
}

/**
 * One shared, frozen empty list for the many route locations with no presets, response headers
 * or overrides: 10,000 routes would otherwise keep 30,000 empty arrays in the plan.
 */
const EMPTY: readonly never[] = Object.freeze([]);
function none<T>(): T[] {
  return EMPTY as unknown as T[];
}

/** The client's Host: what preserve_host sends, and the name nginx then uses for SNI. */
const CLIENT_HOST = Object.freeze([Object.freeze({ variable: 'http_host' })]) as unknown as MapValue;

/** The Host value for an upstream Host, shared by every route location that sends it. */
function hostValue(upstreams: UpstreamPlan, host: string): MapValue {
  let value = upstreams.hostValues.get(host);
  if (!value) upstreams.hostValues.set(host, (value = [{ text: host }]));
  return value;
}

/**
 * What the server declares once for every route (Kong's defaults); routes override what differs.
 * Shared by every plan this process makes, so frozen like the other shared values here.
 */
const PROXY_DEFAULTS: NginxPlan['proxyDefaults'] = Object.freeze({
  connectTimeoutMs: SERVICE_DEFAULTS.connect_timeout,
  sendTimeoutMs: SERVICE_DEFAULTS.write_timeout,
  readTimeoutMs: SERVICE_DEFAULTS.read_timeout,
  tries: SERVICE_DEFAULTS.retries + 1,
  nextUpstream: Object.freeze(['error', 'timeout']) as unknown as string[],
});

/** The proxy directives a route location sets because its service or route differs from PROXY_DEFAULTS. */
function proxyOverrides(svc: Service, r: Route, nextUpstream: string[]): ProxyOverride[] {
  const out: ProxyOverride[] = [];
  const d = PROXY_DEFAULTS;
  if (svc.connect_timeout !== d.connectTimeoutMs) out.push({ directive: 'proxy_connect_timeout', args: [{ ms: svc.connect_timeout }] });
  if (svc.write_timeout !== d.sendTimeoutMs) out.push({ directive: 'proxy_send_timeout', args: [{ ms: svc.write_timeout }] });
  if (svc.read_timeout !== d.readTimeoutMs) out.push({ directive: 'proxy_read_timeout', args: [{ ms: svc.read_timeout }] });
  if (nextUpstream.length !== d.nextUpstream.length || nextUpstream.some((c, i) => c !== d.nextUpstream[i])) {
    out.push({ directive: 'proxy_next_upstream', args: nextUpstream.map((word) => ({ word })) });
  }
  if (svc.retries + 1 !== d.tries) out.push({ directive: 'proxy_next_upstream_tries', args: [{ count: svc.retries + 1 }] });
  if (!r.request_buffering) out.push({ directive: 'proxy_request_buffering', args: [{ on: false }] });
  if (!r.response_buffering) out.push({ directive: 'proxy_buffering', args: [{ on: false }] });
  return out.length ? out : none();
}

function withPort(host: string, port: number, protocol: string): string {
  const h = isIPv6(host) ? `[${host}]` : host;
  return port === defaultPortFor(protocol) ? h : `${h}:${port}`;
}

/** The Host Kong sends upstream without preserve_host (KONG.md §6.1). */
function upstreamHost(ctx: PlanContext, svc: Service, upstreams: UpstreamPlan): string {
  let host = upstreams.hostOf.get(svc);
  if (host === undefined) upstreams.hostOf.set(svc, (host = computeUpstreamHost(ctx, svc, upstreams)));
  return host;
}

function computeUpstreamHost(ctx: PlanContext, svc: Service, upstreams: UpstreamPlan): string {
  const via = upstreams.byUpstream.get(svc.host);
  if (!via) return withPort(svc.host, svc.port, svc.protocol);
  // Kong sets the Host after the balancer picked a target: upstream.host_header if set, else the
  // target's host; plus the target's port unless it is the scheme's default (balancer set_host_header).
  const live = via.upstream.targets.filter((t) => t.weight > 0).sort((a, b) => a.order - b.order);
  if (!live.length) return svc.host;
  const hosts = [...new Set(live.map((t) => withPort(via.upstream.host_header ?? t.host, t.port, svc.protocol)))];
  if (hosts.length > 1) {
    ctx.warn(
      ctx.field(via.upstream, via.upstream.host_header ? 'host_header' : 'targets'),
      'host-header',
      `Kong sends the Host of the target it picked (${hosts.slice(0, 3).join(', ')}${hosts.length > 3 ? ', …' : ''}); nginx sets headers before it picks a target, so every request to ${label('upstream', via.upstream, ctx.key(via.upstream))} carries Host ${hosts[0]}`,
      via.upstream.host_header ? 'give every target the same port, so Kong sends one Host too' : "set the upstream's host_header and give the targets one port, so Kong sends one Host too",
    );
  }
  return hosts[0]!;
}

/** The name nginx sends as SNI for a Host value (nginx strips the port of proxy_ssl_name the same way). */
function hostWithoutPort(host: string): string {
  const bracketed = /^(\[[^\]]*\])(?::\d+)?$/.exec(host);
  return bracketed ? bracketed[1]! : host.replace(/:\d+$/, '');
}

function sourcesOf(ctx: PlanContext, state: KongState): Record<string, SourceInfo> {
  const out: Record<string, SourceInfo> = {};
  const add = (kind: SourceInfo['kind'], e: { src: { map: { locate(p: string): { file: string; line: number; column: number } }; pointer: string }; name?: string | null }, key: string) => {
    const pos = e.src.map.locate(e.src.pointer);
    out[key] = { kind, file: pos.file, line: pos.line, column: pos.column, pointer: e.src.pointer, name: e.name ?? null };
  };
  for (const s of state.services) add('service', s, ctx.key(s));
  for (const r of state.routes) add('route', r, ctx.key(r));
  for (const u of state.upstreams) {
    add('upstream', u, ctx.key(u));
    for (const t of u.targets) add('target', { src: t.src, name: t.target }, ctx.key(t));
  }
  return out;
}

