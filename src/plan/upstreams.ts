// Kong upstreams and plain service hosts → nginx upstream blocks (KONG.md §7).
import { createHash } from 'node:crypto';
import { KEEPALIVE, defaultPortFor } from '../model/defaults.js';
import { isIPv6 } from '../model/target-address.js';
import type { Service, Upstream } from '../model/types.js';
import type { MapBlock, UpstreamBlock } from './ir.js';
import { label, type PlanContext } from './context.js';

/** nginx's proxy_next_upstream can retry (and count as failures) these statuses. */
const NGINX_NEXT_UPSTREAM_STATUSES = new Set([500, 502, 503, 504, 403, 404, 429]);

export interface UpstreamPlan {
  blocks: UpstreamBlock[];
  maps: MapBlock[];
  /** Kong upstream name → its block, or null when no target can take traffic. */
  byUpstream: Map<string, { block: UpstreamBlock | null; upstream: Upstream; nextUpstream: string[] }>;
  /** `host|port` of a plain service → block. */
  byHost: Map<string, UpstreamBlock>;
}

const SAFE_TOKEN = /^[A-Za-z0-9._-]{1,64}$/;

export function upstreamName(prefix: string, name: string): string {
  return SAFE_TOKEN.test(name) ? `${prefix}${name}` : `${prefix}${createHash('sha1').update(name).digest('hex').slice(0, 12)}`;
}

export function formatAddress(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

const keepalive = { connections: KEEPALIVE.poolSize, requests: KEEPALIVE.maxRequests, timeoutSeconds: KEEPALIVE.idleTimeoutSeconds };

export function planUpstreams(ctx: PlanContext, upstreams: Upstream[], services: Service[]): UpstreamPlan {
  const plan: UpstreamPlan = { blocks: [], maps: [], byUpstream: new Map(), byHost: new Map() };
  for (const up of [...upstreams].sort((a, b) => a.name.localeCompare(b.name))) {
    const key = ctx.key(up);
    const passive = up.healthchecks.passive.unhealthy;
    const active = up.healthchecks.active;
    const what = label('upstream', up, key);
    if (active.healthy.interval > 0 || active.unhealthy.interval > 0) {
      ctx.degraded(ctx.field(up, 'healthchecks', 'active'), `${what}: active health checks need NGINX Plus (health_check)`, 'no active checks; passive max_fails only');
    }
    if (up.healthchecks.threshold > 0) {
      ctx.degraded(ctx.field(up, 'healthchecks', 'threshold'), `${what}: healthchecks.threshold (503 below a healthy-weight share) has no nginx equivalent`, 'no threshold');
    }
    if (up.client_certificate) ctx.error(ctx.field(up, 'client_certificate'), 'unsupported', `${what}: client_certificate is not compiled by kongc`);
    const nextUpstream = ['error', 'timeout'];
    if (passive.http_failures > 0) {
      for (const s of [...new Set(passive.http_statuses)].sort((a, b) => a - b)) {
        if (NGINX_NEXT_UPSTREAM_STATUSES.has(s)) nextUpstream.push(`http_${s}`);
        else ctx.warn(ctx.field(up, 'healthchecks', 'passive', 'unhealthy', 'http_statuses'), 'degraded', `${what}: nginx cannot count status ${s} as a passive failure`);
      }
    }
    const counters = [passive.tcp_failures, passive.timeouts, passive.http_failures].filter((n) => n > 0);
    const maxFails = counters.length ? Math.min(...counters) : 0;
    const balance = planBalance(ctx, up, key, plan.maps);
    const servers = up.targets
      .filter((t) => t.weight > 0)
      .sort((a, b) => a.order - b.order)
      .map((t) => ({ address: formatAddress(t.host, t.port), weight: t.weight, maxFails, failTimeoutSeconds: 10, target: ctx.key(t) }));
    for (const t of up.targets) {
      if (!/^[\d.]+$/.test(t.host) && !isIPv6(t.host) && t.weight > 0) {
        ctx.warn(ctx.field(t, 'target'), 'dns', `target '${t.target}' of ${what} is a hostname: nginx resolves it once, at start and reload (Kong re-resolves on TTL)`, 'use IP addresses, or reload nginx when DNS changes');
      }
    }
    const seen = new Map<string, string>();
    for (const t of up.targets) {
      const addr = formatAddress(t.host, t.port);
      if (seen.has(addr)) ctx.error(ctx.field(t, 'target'), 'duplicate-target', `${what} lists target ${addr} twice (Kong answers 409)`, 'remove one of them');
      seen.set(addr, ctx.key(t));
    }
    const block: UpstreamBlock | null = servers.length ? { name: upstreamName('kongc_up_', up.name), entityKind: 'upstream', entity: key, balance, servers, keepalive } : null;
    if (block) plan.blocks.push(block);
    plan.byUpstream.set(up.name, { block, upstream: up, nextUpstream });
  }
  const upstreamNames = new Set(upstreams.map((u) => u.name));
  for (const svc of [...services].sort((a, b) => a.order - b.order)) {
    if (upstreamNames.has(svc.host)) continue;
    const id = `${svc.host}|${svc.port}`;
    if (plan.byHost.has(id)) continue;
    const block: UpstreamBlock = {
      name: upstreamName('kongc_host_', `${svc.host}_${svc.port}`),
      entityKind: 'service',
      entity: ctx.key(svc),
      balance: { kind: 'round-robin' },
      servers: [{ address: formatAddress(svc.host, svc.port || defaultPortFor(svc.protocol)), weight: 1, maxFails: 0, failTimeoutSeconds: 10, target: null }],
      keepalive,
    };
    plan.byHost.set(id, block);
    plan.blocks.push(block);
  }
  plan.blocks.sort((a, b) => a.name.localeCompare(b.name));
  return plan;
}

/** nginx variable for a request header (`X-User` → `$http_x_user`). */
export function headerVariable(name: string): string {
  return 'http_' + name.toLowerCase().replace(/-/g, '_');
}

function planBalance(ctx: PlanContext, up: Upstream, key: string, maps: MapBlock[]): UpstreamBlock['balance'] {
  const what = label('upstream', up, key);
  if (up.algorithm === 'least-connections') return { kind: 'least_conn' };
  if (up.algorithm === 'latency') {
    ctx.degraded(ctx.field(up, 'algorithm'), `${what}: the latency algorithm needs NGINX Plus (least_time)`, 'least_conn');
    return { kind: 'least_conn' };
  }
  if (up.algorithm !== 'consistent-hashing' || up.hash_on === 'none') return { kind: 'round-robin' };
  const primary = hashSource(ctx, up, 'hash_on', up.hash_on, up.hash_on_header, up.hash_on_query_arg, up.hash_on_uri_capture);
  if (up.hash_on === 'cookie') {
    ctx.degraded(ctx.field(up, 'hash_on'), `${what}: Kong sets the hash cookie when the client has none; nginx cannot generate it`, `hash on $cookie_${up.hash_on_cookie ?? ''} (clients without the cookie all hash to one target)`);
  }
  if (primary === null) return { kind: 'round-robin' };
  if (up.hash_fallback === 'none') return { kind: 'hash', key: primary };
  const fallback = hashSource(ctx, up, 'hash_fallback', up.hash_fallback, up.hash_fallback_header, up.hash_fallback_query_arg, up.hash_fallback_uri_capture);
  if (fallback === null) return { kind: 'hash', key: primary };
  // Kong uses the fallback when the primary value is missing: a map picks it.
  const variable = `kongc_hash_${key}`;
  maps.push({
    variable,
    source: [{ variable: primary }],
    entries: [{ match: 'exact', key: '', value: [{ variable: fallback }] }],
    default: [{ variable: primary }],
    purpose: `hash key of upstream ${key}: ${up.hash_on}, falling back to ${up.hash_fallback}`,
  });
  return { kind: 'hash', key: variable };
}

const NGINX_VAR_SUFFIX = /^[A-Za-z0-9_]+$/;

function hashSource(
  ctx: PlanContext,
  up: Upstream,
  field: 'hash_on' | 'hash_fallback',
  on: Upstream['hash_on'],
  header: string | null,
  queryArg: string | null,
  uriCapture: string | null,
): string | null {
  const what = label('upstream', up, ctx.key(up));
  switch (on) {
    case 'ip':
      return 'remote_addr';
    case 'path':
      return 'uri';
    case 'header':
      return header ? headerVariable(header) : null;
    case 'cookie':
      if (up.hash_on_cookie && NGINX_VAR_SUFFIX.test(up.hash_on_cookie)) return `cookie_${up.hash_on_cookie}`;
      ctx.error(ctx.field(up, 'hash_on_cookie'), 'unsupported', `${what}: nginx can only read cookies whose names are letters, digits and '_'`);
      return null;
    case 'query_arg':
      if (queryArg && NGINX_VAR_SUFFIX.test(queryArg)) return `arg_${queryArg}`;
      ctx.error(ctx.field(up, `${field}_query_arg`), 'unsupported', `${what}: nginx can only read query arguments whose names are letters, digits and '_'`);
      return null;
    case 'consumer':
      ctx.degraded(ctx.field(up, field), `${what}: hashing on the consumer needs Kong's authentication plugins`, 'round-robin');
      return null;
    case 'uri_capture':
      ctx.degraded(ctx.field(up, field), `${what}: hashing on a regex capture ('${uriCapture ?? ''}') is not compiled by kongc`, 'hash on $uri');
      return 'uri';
    default:
      return null;
  }
}
