// Kong upstreams and plain service hosts → nginx upstream blocks.
//
// What maps exactly: weights (0 = left out), least_conn, consistent hashing on ip, header, cookie
// (including the cookie Kong sets when the client has none), path, query_arg and named regex
// captures, with Kong's fallback order; passive health counters → max_fails and the statuses nginx
// can count. What nginx cannot do is a diagnostic naming the upstream and field: an error, or with
// --allow-degraded a warning plus the nearest nginx behaviour (README "Upstreams").
import { createHash } from 'node:crypto';
import { KEEPALIVE, defaultPortFor } from '../kong/defaults.js';
import { isIPv4, isIPv6 } from '../kong/target-address.js';
import type { HashOn, Service, Upstream } from '../model/types.js';
import type { MapBlock, MapValue, UpstreamBlock } from './ir.js';
import { label, type PlanContext } from './context.js';
import { compareText } from '../text.js';
import { BAD_GATEWAY, NO_PEER, shortHash, variableToken } from './names.js';

/** Statuses nginx's proxy_next_upstream can retry on, and so count as a failed attempt (403/404 never count). */
const NGINX_NEXT_UPSTREAM_STATUSES = new Set([500, 502, 503, 504, 429]);

/** nginx `fail_timeout`: how long a server that reached max_fails is left out. */
export const FAIL_TIMEOUT_SECONDS = 10;

/** The variable holding the client's $uri before the route's rewrite (hash_on path). */
export const CLIENT_URI_VARIABLE = 'kongc_client_uri';

/** The map choosing where an nginx-generated 502 goes (503 when no target was left to try). */
export const BAD_GATEWAY_VARIABLE = 'kongc_bad_gateway';

/** What a route location must set before its URI rewrite for an upstream's hash key. */
export type HashInput =
  | { kind: 'client-uri'; variable: string }
  | { kind: 'uri-capture'; variable: string; group: string };

export interface UpstreamInfo {
  /** The nginx block, or null when no target can take traffic (Kong answers 503). */
  block: UpstreamBlock | null;
  upstream: Upstream;
  nextUpstream: string[];
  hashInputs: HashInput[];
  /** Headers every response through this upstream gets (the hash cookie Kong sets). */
  responseHeaders: { name: string; value: MapValue }[];
  /** max_fails can take every server out: nginx then answers 502 where Kong answers 503. */
  canRunOutOfPeers: boolean;
}

export interface UpstreamPlan {
  blocks: UpstreamBlock[];
  maps: MapBlock[];
  /** Kong upstream name → its block and per-request needs. */
  byUpstream: Map<string, UpstreamInfo>;
  /** A plain service's block, by `hostKey`. */
  byHost: Map<string, UpstreamBlock>;
  /** The Host each service sends upstream, computed (and warned about) once per plan. */
  hostOf: Map<Service, string>;
  /** Host header values by host, shared by the route locations that send them. */
  hostValues: Map<string, MapValue>;
}

const SAFE_TOKEN = /^[A-Za-z0-9._-]{1,64}$/;

export function upstreamName(prefix: string, name: string): string {
  return SAFE_TOKEN.test(name) ? `${prefix}${name}` : `${prefix}${createHash('sha1').update(name).digest('hex').slice(0, 12)}`;
}

/**
 * The block of a service whose host is a plain host: one per host, port and client certificate.
 * nginx keeps upstream connections per block, and Kong keeps them per client certificate too: a
 * connection made with one service's certificate must not carry another service's requests.
 */
export function hostKey(svc: Service): string {
  const cert = clientCertificateOf(svc, null);
  return `${svc.host}|${svc.port}${cert === null ? '' : `|${cert}`}`;
}

/** The id of the certificate Kong presents for an https service: its own, else its upstream's (lower case), or null. */
export function clientCertificateOf(svc: Service, upstream: Upstream | null): string | null {
  if (svc.protocol !== 'https') return null;
  return (svc.client_certificate ?? upstream?.client_certificate ?? null)?.toLowerCase() ?? null;
}

/**
 * The block of a service proxying through a Kong upstream: the upstream's own, or, for a service
 * presenting another client certificate than the upstream's, a copy of it (see hostKey) made once.
 */
export function upstreamBlockFor(plan: UpstreamPlan, info: UpstreamInfo, svc: Service): UpstreamBlock | null {
  const cert = clientCertificateOf(svc, info.upstream);
  const base = info.block;
  if (!base || cert === null || cert === info.upstream.client_certificate?.toLowerCase()) return base;
  const name = `${base.name}_mtls_${shortHash(cert, 8)}`;
  let block = plan.blocks.find((b) => b.name === name);
  if (!block) {
    block = { ...base, name };
    plan.blocks.push(block);
    plan.blocks.sort((a, b) => compareText(a.name, b.name));
  }
  return block;
}

export function formatAddress(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** IPv6 written out in full, as Kong stores it (`::1` → `0000:…:0001`), for duplicate detection. */
export function expandIPv6(host: string): string {
  let h = host.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    h = h.slice(0, -v4[1]!.length) + ((b[0]! << 8) | b[1]!).toString(16) + ':' + ((b[2]! << 8) | b[3]!).toString(16);
  }
  const [head, tail] = h.includes('::') ? h.split('::') : [h, null];
  const left = head ? head.split(':') : [];
  const right = tail === null ? [] : tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  const groups = [...left, ...(tail === null ? [] : Array(missing).fill('0')), ...right];
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

const keepalive = { connections: KEEPALIVE.poolSize, requests: KEEPALIVE.maxRequests, timeoutSeconds: KEEPALIVE.idleTimeoutSeconds };

function isIp(host: string): boolean {
  return isIPv4(host) || isIPv6(host);
}

export function planUpstreams(ctx: PlanContext, upstreams: Upstream[], services: Service[], consumerVariable: string | null = null): UpstreamPlan {
  const plan: UpstreamPlan = { blocks: [], maps: [], byUpstream: new Map(), byHost: new Map(), hostOf: new Map(), hostValues: new Map() };
  let badGatewayMap = false;
  for (const up of [...upstreams].sort((a, b) => compareText(a.name, b.name))) {
    const key = ctx.key(up);
    const what = label('upstream', up, key);
    checkHealthchecks(ctx, up, what);
    if (up.use_srv_name) {
      ctx.warn(ctx.field(up, 'use_srv_name'), 'dns', `${what}: use_srv_name has no effect: nginx resolves targets as A/AAAA records once, never SRV records`);
    }
    const { nextUpstream, maxFails } = passiveHealth(ctx, up, what);

    const seen = new Map<string, string>();
    for (const t of up.targets) {
      const id = `${isIPv6(t.host) ? expandIPv6(t.host) : t.host}|${t.port}`;
      if (seen.has(id)) ctx.error(ctx.field(t, 'target'), 'duplicate-target', `${what} lists target ${formatAddress(t.host, t.port)} twice (Kong answers 409)`, 'remove one of them');
      seen.set(id, ctx.key(t));
      if (!isIp(t.host) && t.weight > 0) {
        ctx.warn(ctx.field(t, 'target'), 'dns', `target '${t.target}' of ${what} is a hostname: nginx resolves it once, at start and reload (Kong re-resolves on TTL); every address it resolves to gets weight ${t.weight}, as in Kong`, 'use IP addresses, or reload nginx when DNS changes');
      }
    }
    const live = up.targets.filter((t) => t.weight > 0).sort((a, b) => a.order - b.order);
    const servers = live.map((t) => ({ address: formatAddress(t.host, t.port), weight: t.weight, maxFails, failTimeoutSeconds: FAIL_TIMEOUT_SECONDS, target: ctx.key(t) }));
    const hash = planBalance(ctx, up, key, plan.maps, consumerVariable);
    const block: UpstreamBlock | null = servers.length ? { name: upstreamName('kongc_up_', up.name), entityKind: 'upstream', entity: key, balance: hash.balance, servers, keepalive } : null;
    if (block) plan.blocks.push(block);
    // nginx never takes the only server of a block out (max_fails is ignored for it).
    const canRunOutOfPeers = maxFails > 0 && servers.length > 1;
    badGatewayMap ||= canRunOutOfPeers;
    plan.byUpstream.set(up.name, { block, upstream: up, nextUpstream, hashInputs: hash.inputs, responseHeaders: hash.responseHeaders, canRunOutOfPeers });
  }
  const upstreamNames = new Set(upstreams.map((u) => u.name));
  for (const svc of [...services].sort((a, b) => a.order - b.order)) {
    if (upstreamNames.has(svc.host)) continue;
    const id = hostKey(svc);
    if (plan.byHost.has(id)) continue;
    const cert = clientCertificateOf(svc, null);
    if (!isIp(svc.host)) {
      ctx.warn(ctx.field(svc, 'host'), 'dns', `${label('service', svc, ctx.key(svc))}: host '${svc.host}' is resolved by nginx once, at start and reload (Kong re-resolves on TTL); nginx fails to start if it does not resolve`, 'use an IP address, or reload nginx when DNS changes');
    }
    const block: UpstreamBlock = {
      name: upstreamName('kongc_host_', `${svc.host}_${svc.port}`) + (cert === null ? '' : `_mtls_${shortHash(cert, 8)}`),
      entityKind: 'service',
      entity: ctx.key(svc),
      balance: { kind: 'round-robin' },
      servers: [{ address: formatAddress(svc.host, svc.port || defaultPortFor(svc.protocol)), weight: 1, maxFails: 0, failTimeoutSeconds: FAIL_TIMEOUT_SECONDS, target: null }],
      keepalive,
    };
    plan.byHost.set(id, block);
    plan.blocks.push(block);
  }
  plan.blocks.sort((a, b) => compareText(a.name, b.name));
  if (badGatewayMap) {
    plan.maps.push({
      variable: BAD_GATEWAY_VARIABLE,
      source: [{ variable: 'upstream_addr' }],
      // nginx logs the block's name instead of an address when max_fails left no server to try.
      entries: [{ match: 'regex', caseless: false, pattern: '(?:^|\\s)kongc_(?:up|host)_[A-Za-z0-9_.-]+\\z', value: [{ text: NO_PEER }] }],
      default: [{ text: BAD_GATEWAY }],
      purpose: "an nginx 502: Kong's 503 when passive health checks left no target, else Kong's 502",
    });
  }
  return plan;
}

function checkHealthchecks(ctx: PlanContext, up: Upstream, what: string): void {
  const active = up.healthchecks.active;
  if (active.healthy.interval > 0 || active.unhealthy.interval > 0) {
    const which = active.healthy.interval > 0 ? 'healthy' : 'unhealthy';
    ctx.degraded(
      ctx.field(up, 'healthchecks', 'active', which, 'interval'),
      `${what}: active health checks (healthchecks.active.${which}.interval > 0) need NGINX Plus (health_check); open source nginx has none`,
      'no active probing; only passive max_fails',
    );
  }
  if (up.healthchecks.threshold > 0) {
    ctx.degraded(ctx.field(up, 'healthchecks', 'threshold'), `${what}: healthchecks.threshold (answer 503 when the healthy weight falls below ${up.healthchecks.threshold}%) has no nginx equivalent`, 'no threshold: nginx uses whatever targets are left');
  }
}

/** Kong's passive health counters → nginx max_fails and the proxy_next_upstream conditions that count as failures. */
function passiveHealth(ctx: PlanContext, up: Upstream, what: string): { nextUpstream: string[]; maxFails: number } {
  const passive = up.healthchecks.passive;
  const unhealthy = passive.unhealthy;
  const nextUpstream = ['error', 'timeout'];
  const countsStatuses = unhealthy.http_failures > 0 && passive.type !== 'tcp';
  if (countsStatuses) {
    const statuses = [...new Set(unhealthy.http_statuses)].sort((a, b) => a - b);
    const missing = statuses.filter((s) => !NGINX_NEXT_UPSTREAM_STATUSES.has(s));
    if (missing.length) {
      ctx.degraded(
        ctx.field(up, 'healthchecks', 'passive', 'unhealthy', 'http_statuses'),
        `${what}: nginx can count only 429, 500, 502, 503 and 504 as passive failures, not ${missing.join(', ')}`,
        `count ${statuses.filter((s) => NGINX_NEXT_UPSTREAM_STATUSES.has(s)).join(', ') || 'no status'} only`,
      );
    }
    const counted = statuses.filter((s) => NGINX_NEXT_UPSTREAM_STATUSES.has(s));
    for (const s of counted) nextUpstream.push(`http_${s}`);
    if (counted.length) {
      ctx.warn(
        ctx.field(up, 'healthchecks', 'passive', 'unhealthy', 'http_failures'),
        'passive-health',
        `${what}: nginx counts status ${counted.join('/')} as a failure only by retrying the request on another target (idempotent requests, up to retries + 1 attempts); Kong counts it and returns the response`,
      );
    }
  }
  const counters = [unhealthy.tcp_failures, unhealthy.timeouts, countsStatuses ? unhealthy.http_failures : 0].filter((n) => n > 0);
  const maxFails = counters.length ? Math.min(...counters) : 0;
  if (maxFails > 0) {
    ctx.warn(
      ctx.field(up, 'healthchecks', 'passive', 'unhealthy'),
      'passive-health',
      `${what}: nginx takes a target out after ${maxFails} failure${maxFails === 1 ? '' : 's'} (max_fails, which adds up connection errors, timeouts and counted statuses) and tries it again after ${FAIL_TIMEOUT_SECONDS}s; Kong keeps it unhealthy until an active check or the Admin API marks it healthy`,
    );
  }
  return { nextUpstream, maxFails };
}

/** nginx variable for a request header (`X-User` → `$http_x_user`). */
export function headerVariable(name: string): string {
  return 'http_' + name.toLowerCase().replace(/-/g, '_');
}

interface Balance {
  balance: UpstreamBlock['balance'];
  inputs: HashInput[];
  responseHeaders: { name: string; value: MapValue }[];
}

function planBalance(ctx: PlanContext, up: Upstream, key: string, maps: MapBlock[], consumerVariable: string | null = null): Balance {
  const what = label('upstream', up, key);
  const result: Balance = { balance: { kind: 'round-robin' }, inputs: [], responseHeaders: [] };
  if (up.algorithm === 'least-connections') return { ...result, balance: { kind: 'least_conn' } };
  if (up.algorithm === 'latency') {
    ctx.degraded(ctx.field(up, 'algorithm'), `${what}: the latency algorithm (peak EWMA of response times) needs NGINX Plus (least_time)`, 'least_conn');
    return { ...result, balance: { kind: 'least_conn' } };
  }
  if (up.algorithm !== 'consistent-hashing' || up.hash_on === 'none') return result;

  const ctxHash: HashContext = { ctx, up, key, what, maps, result, consumerVariable };
  const primary = hashSource(ctxHash, 'hash_on', up.hash_on, up.hash_on_header, up.hash_on_query_arg, up.hash_on_uri_capture, null);
  const fallback =
    up.hash_fallback === 'none' || primary === 'error'
      ? null
      : hashSource(ctxHash, 'hash_fallback', up.hash_fallback, up.hash_fallback_header, up.hash_fallback_query_arg, up.hash_fallback_uri_capture, primary);
  if (primary === 'error' || fallback === 'error') return result;
  const sources = [primary, fallback].filter((s): s is string => typeof s === 'string');
  if (!sources.length) return result; // consumer hashing without a fallback: round-robin (degraded)

  // Kong hashes the first value present (primary, then fallback); with neither it hashes an empty
  // string, which sends every such request to one target. nginx would round-robin on an empty key,
  // so the map gives those requests one constant key instead.
  const variable = `kongc_hash_${variableToken(key)}`;
  const [first, second] = sources as [string, string | undefined];
  maps.push(
    second === undefined
      ? { variable, source: [{ variable: first }], entries: [{ match: 'exact', key: '', value: [{ text: 'none' }] }], default: [{ variable: first }], purpose: `hash key of upstream ${key}: ${up.hash_on}` }
      : {
          variable,
          source: [{ variable: first }, { text: '|' }, { variable: second }],
          entries: [
            { match: 'exact', key: '|', value: [{ text: 'none' }] },
            { match: 'regex', caseless: false, pattern: '^\\|', value: [{ variable: second }] },
          ],
          default: [{ variable: first }],
          purpose: `hash key of upstream ${key}: ${up.hash_on}, or ${up.hash_fallback} when that is missing`,
        },
  );
  return { ...result, balance: { kind: 'hash', key: variable } };
}

interface HashContext {
  ctx: PlanContext;
  up: Upstream;
  key: string;
  what: string;
  maps: MapBlock[];
  result: Balance;
  /** The variable an authentication plugin sets to the consumer's id; null when no plugin identifies consumers. */
  consumerVariable?: string | null;
}

const NGINX_VAR_SUFFIX = /^[A-Za-z0-9_]+$/;
const CAPTURE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The nginx variable holding one hash input; null when there is none (consumer); 'error' after an error. */
function hashSource(
  h: HashContext,
  field: 'hash_on' | 'hash_fallback',
  on: HashOn,
  header: string | null,
  queryArg: string | null,
  uriCapture: string | null,
  /** For the fallback: the primary's variable (the cookie is generated only when that is empty too). */
  primary: string | null,
): string | null | 'error' {
  const { ctx, up, key, what } = h;
  const role = field === 'hash_on' ? 'on' : 'fb';
  switch (on) {
    case 'ip':
      return 'remote_addr';
    case 'path':
      // Kong hashes the client's normalized path; the route's rewrite changes $uri before the
      // balancer runs, so each route location saves it first.
      if (!h.result.inputs.some((i) => i.kind === 'client-uri')) h.result.inputs.push({ kind: 'client-uri', variable: CLIENT_URI_VARIABLE });
      return CLIENT_URI_VARIABLE;
    case 'header':
      return header ? headerVariable(header) : 'error';
    case 'cookie': {
      const name = up.hash_on_cookie;
      if (!name || !NGINX_VAR_SUFFIX.test(name)) {
        ctx.error(ctx.field(up, 'hash_on_cookie'), 'unsupported', `${what}: nginx can only read cookies whose names are letters, digits and '_' ($cookie_NAME)`, 'rename the cookie');
        return 'error';
      }
      // Kong generates a value when the client has no cookie, hashes it and sets the cookie on the
      // response; kongc uses nginx's $request_id the same way.
      const variable = `kongc_cookie_${variableToken(key)}`;
      h.maps.push({
        variable,
        source: [{ variable: `cookie_${name}` }],
        entries: [{ match: 'exact', key: '', value: [{ variable: 'request_id' }] }],
        default: [{ variable: `cookie_${name}` }],
        purpose: `hash cookie of upstream ${key}: the client's, or a new value kongc sets`,
      });
      const setCookie = `kongc_set_cookie_${variableToken(key)}`;
      const cookieValue: MapValue = [{ text: `${name}=` }, { variable: 'request_id' }, { text: `; Path=${up.hash_on_cookie_path}; Same-Site=Lax; HttpOnly` }];
      // As fallback, the cookie is only generated when the primary value is missing too.
      h.maps.push({
        variable: setCookie,
        source: primary ? [{ variable: primary }, { text: '|' }, { variable: `cookie_${name}` }] : [{ variable: `cookie_${name}` }],
        entries: [{ match: 'exact', key: primary ? '|' : '', value: cookieValue }],
        default: [],
        purpose: `Set-Cookie of upstream ${key}: only when kongc generated the hash cookie`,
      });
      h.result.responseHeaders.push({ name: 'Set-Cookie', value: [{ variable: setCookie }] });
      return variable;
    }
    case 'query_arg':
      if (queryArg && NGINX_VAR_SUFFIX.test(queryArg)) return `arg_${queryArg}`;
      ctx.error(ctx.field(up, `${field}_query_arg`), 'unsupported', `${what}: nginx can only read query arguments whose names are letters, digits and '_' ($arg_NAME)`);
      return 'error';
    case 'uri_capture': {
      if (!uriCapture || !CAPTURE_NAME.test(uriCapture)) {
        ctx.degraded(
          ctx.field(up, `${field}_uri_capture`),
          `${what}: kongc maps only named captures ((?<name>…)) of route regexes; '${uriCapture ?? ''}' is not a capture name`,
          field === 'hash_on' && up.hash_fallback !== 'none' ? `always hash on the fallback (${up.hash_fallback})` : 'an empty hash key (one target)',
        );
        return null;
      }
      const variable = `kongc_capture_${variableToken(key)}_${role}`;
      h.result.inputs.push({ kind: 'uri-capture', variable, group: uriCapture });
      return variable;
    }
    case 'consumer':
      if (h.consumerVariable) return h.consumerVariable;
      ctx.degraded(
        ctx.field(up, field),
        `${what}: hashing on the consumer needs an authentication plugin (key-auth, basic-auth), and none is enabled`,
        field === 'hash_on' && up.hash_fallback !== 'none' ? `hash on the fallback (${up.hash_fallback}), as Kong does for requests without a consumer` : 'round-robin',
      );
      return null;
    default:
      return null;
  }
}
