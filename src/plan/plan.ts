// Kong state → nginx plan. Pure: no I/O; diagnostics for what nginx cannot reproduce.
import { defaultPortFor, SERVICE_DEFAULTS } from '../kong/defaults.js';
import { decodeAllPercent } from '../kong/kong-path.js';
import { isIPv6 } from '../kong/target-address.js';
import type { KongState, Route, Service } from '../model/types.js';
import { isCompiledRoute } from '../validate/semantic.js';
import { VERSION } from '../version.js';
import { isPlainUriPath } from '../nginx-quoting.js';
import { label, PlanContext, type PlanOptions } from './context.js';
import { decideRouter, type RouterDecision } from './decide.js';
import { planTlsListener } from './tls-listener.js';
import { isHttpsOnly, makeEntries, type RouteEntry } from './entries.js';
import { computeHashSizes } from './hash-sizes.js';
import type { DispatchLocation, MapBlock, MapValue, NginxPlan, Preset, ProxyOverride, RouteLocation, Selector, SourceInfo } from './ir.js';
import { lowerRouter } from './lower.js';
import { kongError } from './errors.js';
import { assignEntityNames, BAD_GATEWAY, GATEWAY_TIMEOUT, HTTPS_REQUIRED, JUMP_STATUS, NO_PEER, NO_ROUTE, NO_ROUTE_STATUS, NO_SERVICE, routeTarget, shortHash, UNAVAILABLE, VARIABLES } from './names.js';
import { reportShadowed, reportTies } from './ties.js';
import { analyzeRouteRegex } from '../model/route-regex.js';
import { TlsFiles } from './tls.js';
import type { NjsModule } from './njs.js';
import { NjsRouter } from './njs-router.js';
import { identifiesConsumers, planPlugins } from './plugins/plan-plugins.js';
import { BAD_GATEWAY_VARIABLE, hostKey, planUpstreams, upstreamBlockFor, type UpstreamPlan } from './upstreams.js';
import { prefixMatcher, regexMatcher, upstreamRewrites } from './upstream-uri.js';

export type { PlanOptions } from './context.js';

export interface PlannedConfig {
  plan: NginxPlan;
  diagnostics: PlanContext['diagnostics'];
  /** The router's decision in Kong's terms, for `kongc explain`. */
  router: RouterDecision;
}

export function planConfig(state: KongState, options: PlanOptions = {}): PlannedConfig {
  const ctx = new PlanContext(options);
  assignEntityNames(ctx.names, state.routes, state.services, state.upstreams);

  const routes: Route[] = [];
  for (const r of [...state.routes].sort((a, b) => a.order - b.order)) {
    if (!isCompiledRoute(r)) continue;
    if (r.service && !r.service.enabled) {
      ctx.warn(r.src, 'disabled-service', `${label('route', r, ctx.key(r))} is left out: its service is disabled (enabled: false), as Kong does`);
      continue;
    }
    routes.push(r);
  }
  const listener = planTlsListener(ctx, state);
  const upstreams = planUpstreams(ctx, state.upstreams, state.services.filter((s) => s.enabled && (s.protocol === 'http' || s.protocol === 'https')), identifiesConsumers(state) ? 'kongc_consumer' : null);
  const targets = new Set<string>();
  const entries = makeEntries(
    routes,
    (r) => ctx.key(r),
    (routeKey, pathIndex, route) => {
      // Route names are unique, but `x` with two paths and a route named `x_p1` would meet.
      let target = routeTarget(routeKey, pathIndex, route.paths?.length ?? 0);
      if (targets.has(target)) target = `${target}_${shortHash(`${routeKey}\n${pathIndex}`, 8)}`;
      targets.add(target);
      return target;
    },
    listener.listener !== null,
  );
  reportTies(ctx, entries);
  const tls = new TlsFiles(ctx, state.caCertificates, state.certificates);
  const latency: MapBlock[] = [];
  const kongHeaders = options.kongHeaders ? kongResponseHeaders(latency) : [];
  const njsRouter = ctx.njs && entries.length ? new NjsRouter(ctx.njs, entries[0]!.route.src) : null;
  const bodies = new Map<string, RouteLocation['body']>();
  for (const e of entries) bodies.set(e.target, planRouteBody(ctx, e, upstreams, tls, kongHeaders, listener.listener !== null, njsRouter));

  const decision = decideRouter(entries);
  reportShadowed(ctx, entries, decision.targets);
  const router = lowerRouter(decision, (target) => bodies.get(target)?.kind === 'proxy', njsRouter?.headers);
  const plugins = planPlugins(ctx, state);
  const pluginWork = new Map<Route, RouteLocation['plugins']>();
  const routeLocations = new Map<string, RouteLocation>();
  for (const e of entries) {
    const body = bodies.get(e.target)!;
    // Kong redirects to https before any plugin runs.
    let work: RouteLocation['plugins'] = null;
    if (body.kind !== 'redirect') {
      if (!pluginWork.has(e.route)) pluginWork.set(e.route, plugins.forRoute(e.route));
      work = pluginWork.get(e.route)!;
    }
    const proxied = work && body.kind === 'proxy' && (work.upstreamHost || work.upstreamPath !== undefined) ? withPluginUpstream(body, work) : body;
    const [guard, served] = work === null ? sharePathCapture(router.guards.get(e.target) ?? null, proxied) : [router.guards.get(e.target) ?? null, proxied];
    routeLocations.set(e.target, {
      block: 'route',
      name: e.target,
      prefix: router.inline.get(e.target) ?? null,
      entity: routeEntity(ctx, e),
      guard,
      plainHttp: listener.listener && isHttpsOnly(e.route) ? plainHttpAnswer(e.route) : null,
      plugins: work,
      errorPages: locationErrorPages(served, work),
      body: served,
    });
  }
  const siteRoutes = [...decision.targets].filter((t) => routeLocations.has(t)).map((t) => routeLocations.get(t)!);
  const byPath = (x: DispatchLocation | RouteLocation) => (x.block === 'dispatch' ? x.path : x.prefix!);
  const byName = (x: Selector | RouteLocation) => x.name;
  const locations = [...router.locations, ...siteRoutes.filter((r) => r.prefix !== null)].sort((a, b) => compareBytes(byPath(a), byPath(b)));
  const named = [...router.selectors, ...siteRoutes.filter((r) => r.prefix === null)].sort((a, b) => compareBytes(byName(a), byName(b)));
  const site: NginxPlan['site'] = { errors: [...KONG_ERRORS, ...plugins.errors], locations, named, routeLocations: siteRoutes, proxies: siteRoutes.some((l) => l.body.kind === 'proxy') };

  // A hash input no route location sets (an upstream no route uses) still needs declaring for nginx.
  const presetVariables = new Set<string>();
  for (const l of routeLocations.values()) if (l.body.kind === 'proxy') for (const p of l.body.proxy.presets) presetVariables.add(p.variable);
  const unset: MapBlock[] = [...upstreams.byUpstream.values()]
    .flatMap((u) => u.hashInputs)
    .filter((i) => !presetVariables.has(i.variable) && (presetVariables.add(i.variable), true))
    .map((i) => ({ variable: i.variable, source: [], entries: [], default: [], purpose: 'hash input of an upstream no route uses' }));
  const maps: MapBlock[] = [...upstreams.maps, ...unset, ...latency, ...router.maps, ...(njsRouter?.maps() ?? []), ...listener.maps, ...plugins.maps];
  const njs = njsModuleFile(ctx);
  const plan: NginxPlan = {
    kongcVersion: VERSION,
    listen: options.listen?.length ? options.listen : ['8000'],
    tls: listener.listener,
    kongHeaders: Boolean(options.kongHeaders),
    proxyDefaults: PROXY_DEFAULTS,
    upstreams: upstreams.blocks,
    maps,
    servers: decision.servers,
    site,
    sources: {},
    hashSizes: { mapBucket: 0, mapMax: 0, variablesBucket: 0, variablesMax: 0 },
    files: [...tls.files, ...listener.files, ...plugins.files, ...(njs ? [njs.file] : [])],
    njs: njs?.import ?? null,
    plugins: plugins.http,
    proxyHeaders: PROXY_HEADERS,
    streamBuild: null,
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
  return { plan, diagnostics: ctx.diagnostics, router: decision };
}

/** A plugin's upstream Host or path (request-transformer) in place of the route's. */
function withPluginUpstream(body: RouteLocation['body'] & { kind: 'proxy' }, work: NonNullable<RouteLocation['plugins']>): RouteLocation['body'] {
  const proxy = { ...body.proxy };
  if (work.upstreamHost) {
    proxy.host = work.upstreamHost;
    // Kong names the upstream Host as SNI too (proxy_ssl_name $upstream_host).
    const text = work.upstreamHost.length === 1 && 'text' in work.upstreamHost[0]! ? work.upstreamHost[0].text : null;
    if (proxy.ssl && text !== null) proxy.ssl = { ...proxy.ssl, serverName: [{ text: hostWithoutPort(text) }] };
  }
  if (work.upstreamPath !== undefined) {
    proxy.rewrites = [{ pattern: '^', replacement: [{ text: work.upstreamPath }] }];
    proxy.prefixUri = null;
    proxy.kongUri = null;
  }
  return { kind: 'proxy', proxy };
}

/** A location's own error_page lines (the server's repeated, since nginx then ignores them), or null. */
function locationErrorPages(body: RouteLocation['body'], work: RouteLocation['plugins']): RouteLocation['errorPages'] {
  const own = work?.errorPages ?? [];
  const badGateway = body.kind === 'proxy' ? body.proxy.badGatewayVariable : null;
  if (!own.length && !badGateway) return null;
  // nginx uses the first error_page line for a status: a plugin's answer replaces the server's.
  const claimed = new Set(own.flatMap((p) => p.codes));
  const server = [
    { codes: [502], target: badGateway ? `$${badGateway}` : BAD_GATEWAY },
    { codes: [503], target: UNAVAILABLE },
    { codes: [504], target: GATEWAY_TIMEOUT },
    { codes: [NO_ROUTE_STATUS], target: NO_ROUTE },
    { codes: [JUMP_STATUS], target: `$${VARIABLES.target}` },
  ].filter((p) => !claimed.has(p.codes[0]!));
  return [...server, ...own];
}

/** nginx's order for location names (ngx_filename_cmp: bytes). */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The entities a route block serves, for its comment. */
function routeEntity(ctx: PlanContext, e: RouteEntry): RouteLocation['entity'] {
  const svc = e.route.service;
  return { route: e.routeKey, path: e.pathIndex !== null && (e.route.paths?.length ?? 0) > 1 ? String(e.pathIndex) : null, service: svc ? ctx.key(svc) : null };
}


/** The headers Kong sends upstream, as nginx variables. */
const PROXY_HEADERS: NginxPlan['proxyHeaders'] = [
  ['Upgrade', VARIABLES.upgrade],
  ['Connection', VARIABLES.connection],
  ['Host', VARIABLES.upstreamHost],
  ['X-Real-IP', 'remote_addr'],
  ['X-Forwarded-For', 'proxy_add_x_forwarded_for'],
  ['X-Forwarded-Proto', 'scheme'],
  ['X-Forwarded-Host', 'host'],
  ['X-Forwarded-Port', 'server_port'],
  ['X-Forwarded-Path', VARIABLES.forwardedPath],
  ['X-Forwarded-Prefix', VARIABLES.forwardedPrefix],
].map(([name, variable]) => ({ name: name!, variable: variable! }));

/** Kong's own error responses, every one in each format Kong writes (errors.ts). */
const KONG_ERRORS = [
  kongError(NO_ROUTE, 404, 'no Route matched with those values', 'response'),
  kongError(NO_SERVICE, 503, 'no Service found with those values', 'response'),
  kongError(HTTPS_REQUIRED, 426, 'Please use HTTPS protocol', 'response', [['Connection', 'Upgrade'], ['Upgrade', 'TLS/1.2, HTTP/1.1']]),
  kongError(NO_PEER, 503, 'failure to get a peer from the ring-balancer', 'response'),
  kongError(BAD_GATEWAY, 502, 'An invalid response was received from the upstream server', 'upstream'),
  kongError(UNAVAILABLE, 503, 'The upstream server is currently unavailable', 'upstream'),
  kongError(GATEWAY_TIMEOUT, 504, 'The upstream server is timing out', 'upstream'),
];

/**
 * Kong's response headers (`--kong-headers`): Via, and the latencies in integer
 * milliseconds. nginx gives `$upstream_header_time` in seconds with three decimals (one value per
 * attempt, the last one counts); the map turns `0.012` into `12` and `1.234` into `1234`.
 */
function kongResponseHeaders(maps: MapBlock[]): { name: string; value: MapValue }[] {
  maps.push({
    variable: VARIABLES.upstreamLatency,
    source: [{ variable: 'upstream_header_time' }],
    entries: [
      { match: 'regex', caseless: false, pattern: '(?:^|[\\s,:])0\\.0*([1-9][0-9]*)\\z', value: [{ variable: '1' }] },
      { match: 'regex', caseless: false, pattern: '(?:^|[\\s,:])0\\.000\\z', value: [{ text: '0' }] },
      { match: 'regex', caseless: false, pattern: '(?:^|[\\s,:])([1-9][0-9]*)\\.([0-9]{3})\\z', value: [{ variable: '1' }, { variable: '2' }] },
    ],
    default: [],
    purpose: 'X-Kong-Upstream-Latency: seconds to the first upstream byte, as integer milliseconds',
  });
  return [
    { name: 'Via', value: [{ text: `kong/${VERSION}` }] },
    { name: 'X-Kong-Upstream-Latency', value: [{ variable: VARIABLES.upstreamLatency }] },
    // nginx has no variable for the time spent before proxying; kongc's routing is done inside
    // nginx's own request processing (README: "Kong response headers").
    { name: 'X-Kong-Proxy-Latency', value: [{ text: '0' }] },
  ];
}

/**
 * A stripping regex route checks its path regex in its own location, then captures what it strips
 * for X-Forwarded-Prefix with the same regex: one `if` can do both, `$1` keeping the capture
 * (without plugins or capturing presets, no other regex runs in between). nginx builds a location
 * configuration for every `if` and compiles every regex, so this saves both for each such route.
 */
function sharePathCapture(guard: RouteLocation['guard'], body: RouteLocation['body']): [RouteLocation['guard'], RouteLocation['body']] {
  if (!guard || guard.location !== null || guard.signature !== null || guard.failures.length !== 1 || body.kind !== 'proxy') return [guard, body];
  const check = guard.failures[0]!;
  const prefix = body.proxy.forwardedPrefix;
  if (check.variable !== 'uri' || check.op !== '!~' || !('capture' in prefix) || body.proxy.presets.some((p) => 'capture' in p)) return [guard, body];
  // `^(?:P)` and `^((?>P))` match the same paths: nothing follows the atomic group.
  const inner = /^\^\(\?:([\s\S]*)\)$/.exec(check.operand)?.[1];
  if (inner === undefined || prefix.capture !== `^((?>${inner}))`) return [guard, body];
  return [
    { ...guard, failures: [{ ...check, operand: prefix.capture }] },
    { kind: 'proxy', proxy: { ...body.proxy, forwardedPrefix: { variable: prefix.variable, value: [{ variable: '1' }] } } },
  ];
}

/** What a route's block does: proxy as Kong would, answer one of Kong's errors, or redirect to https. */
/** What an https-only route answers over plain HTTP (before any plugin, as Kong). */
function plainHttpAnswer(r: Route): NonNullable<RouteLocation['plainHttp']> {
  return r.https_redirect_status_code === 426 ? { kind: 'error', error: HTTPS_REQUIRED } : { kind: 'redirect', status: r.https_redirect_status_code };
}

function planRouteBody(ctx: PlanContext, e: RouteEntry, upstreams: UpstreamPlan, tls: TlsFiles, kongHeaders: { name: string; value: MapValue }[], tlsListener: boolean, njsRouter: NjsRouter | null): RouteLocation['body'] {
  const r = e.route;
  const svc = r.service;
  // Without a TLS listener, every request is plain HTTP: an https-only route only ever answers that.
  if (isHttpsOnly(r) && !tlsListener) return plainHttpAnswer(r);
  if (!svc) return { kind: 'error', error: NO_SERVICE };
  const viaUpstream = upstreams.byUpstream.get(svc.host);
  const block = viaUpstream ? upstreamBlockFor(upstreams, viaUpstream, svc) : upstreams.byHost.get(hostKey(svc))!;
  if (!block) return { kind: 'error', error: NO_PEER };

  const base = decodeAllPercent(svc.path ?? '/') ?? '/';
  const matcher = e.kind === 'prefix' ? prefixMatcher(e.decodedPrefix) : e.kind === 'regex' ? regexMatcher(e.regex.pattern) : null;
  const rewrites = upstreamRewrites({ base, strip: r.strip_path, matcher });
  // Not stripping, Kong sends the service path (without its trailing '/') and the request path;
  // proxy_pass with a URI does exactly that in the route's own prefix location (but for '/', whose
  // request '/' gets the service path as written). Only plain URI characters, which nginx sends as written.
  const prefixUri = !r.strip_path && e.kind === 'prefix' && (e.decodedPrefix !== '/' || base.endsWith('/')) ? `${base.endsWith('/') ? base.slice(0, -1) : base}${e.decodedPrefix}` : null;

  let forwardedPrefix: Preset = NO_FORWARDED_PREFIX;
  if (r.strip_path && e.kind === 'prefix' && e.kongPath !== '/') forwardedPrefix = { variable: VARIABLES.forwardedPrefix, value: [{ text: e.kongPath }] };
  if (r.strip_path && e.kind === 'regex') forwardedPrefix = { variable: VARIABLES.forwardedPrefix, capture: `^(${regexMatcher(e.regex.pattern)})` };

  // Hash inputs that depend on the client's path or on this route's regex captures.
  const presets: Preset[] = [];
  for (const input of viaUpstream?.hashInputs ?? []) {
    if (input.kind === 'client-uri') {
      presets.push({ variable: input.variable, value: [{ variable: 'uri' }] });
      continue;
    }
    const kept = e.kind === 'regex' ? analyzeRouteRegex(e.kongPath.slice(1), { keepGroup: input.group }) : null;
    // Kong finds no such capture for this route: the fallback (if any) is used.
    if (!kept || 'error' in kept || !kept.keptGroup) presets.push({ variable: input.variable, value: [] });
    else presets.push({ variable: input.variable, capture: `^${regexMatcher(kept.pattern)}` });
  }

  const host = r.preserve_host ? null : upstreamHost(ctx, svc, upstreams);
  const tlsSettings = svc.protocol === 'https' ? tls.forService(svc, viaUpstream?.upstream ?? null) : null;

  const responseHeaders = viaUpstream?.responseHeaders.length || kongHeaders.length ? [...(viaUpstream?.responseHeaders ?? []), ...kongHeaders] : none<{ name: string; value: MapValue }>();
  const badGatewayVariable = viaUpstream?.canRunOutOfPeers ? BAD_GATEWAY_VARIABLE : null;
  const overrides = proxyOverrides(svc, r, viaUpstream?.nextUpstream ?? PROXY_DEFAULTS.nextUpstream);
  const ssl = tlsSettings && { serverName: host === null ? CLIENT_HOST : [{ text: hostWithoutPort(host) }], ...tlsSettings };
  return {
    kind: 'proxy',
    proxy: {
      scheme: svc.protocol === 'https' ? 'https' : 'http',
      tuned: overrides.length > 0 || ssl !== null || responseHeaders.length > 0 || badGatewayVariable !== null,
      upstream: block.name,
      rewrites,
      prefixUri: prefixUri !== null && isPlainUriPath(prefixUri) ? prefixUri : null,
      kongUri: njsRouter?.kongUri({ servicePath: svc.path ?? '/', strip: r.strip_path, match: e.kind === 'prefix' ? { kind: 'prefix', path: e.kongPath } : e.kind === 'regex' ? { kind: 'regex', pattern: e.regex.pattern } : { kind: 'none' } }) ?? null,
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
function none<T>(): readonly T[] {
  return EMPTY;
}

/** X-Forwarded-Prefix of a route that strips nothing: empty. */
const NO_FORWARDED_PREFIX: Preset = { variable: VARIABLES.forwardedPrefix, value: [] };

/** The client's Host: what preserve_host sends, and the name nginx then uses for SNI (shared like hostValue's). */
const CLIENT_HOST: MapValue = [{ variable: 'http_host' }];

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
  nextUpstream: Object.freeze(['error', 'timeout']),
});

/** The proxy directives a route location sets because its service or route differs from PROXY_DEFAULTS. */
function proxyOverrides(svc: Service, r: Route, nextUpstream: readonly string[]): readonly ProxyOverride[] {
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

/** The Host Kong sends upstream without preserve_host. */
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
    out[`${kind}:${key}`] = { kind, file: pos.file, line: pos.line, column: pos.column, pointer: e.src.pointer, name: e.name ?? null };
  };
  for (const s of state.services) add('service', s, ctx.key(s));
  for (const r of state.routes) add('route', r, ctx.key(r));
  for (const u of state.upstreams) {
    add('upstream', u, ctx.key(u));
    for (const t of u.targets) add('target', { src: t.src, name: t.target }, ctx.key(t));
  }
  return out;
}


/** The njs module as a side file next to the credentials (it may hold secrets); null when nothing needs it. */
function njsModuleFile(ctx: PlanContext): ReturnType<NjsModule['file']> {
  if (!ctx.njs || ctx.njs.empty) return null;
  const dir = ctx.options.secretsDir ?? ctx.options.caDir;
  if (!dir) {
    ctx.error(ctx.njs.neededBy!, 'njs', 'with --with-njs, kongc writes a JavaScript module that nginx imports, and has nowhere to write it', 'build with -o FILE (the module goes next to it) or --secrets-dir DIR');
    return null;
  }
  return ctx.njs.file(dir, VERSION);
}
