// Every name kongc generates, in one place, derived from content: an entity's Kong name (or id, or
// a hash of what it is), a location's path, a selector's candidates. Inserting, removing or
// renaming one route then changes only the lines that serve it, never a number further down.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Route, Service, Target, Upstream } from '../model/types.js';
import type { MapEntriesFile, MapEntry, MapValue } from './ir.js';
import { DOLLAR_VARIABLE, QUESTION_VARIABLE } from '../nginx-quoting.js';

/** Named locations answering Kong's own errors (errors.ts), by what happened. */
export const NO_ROUTE = '@kongc_no_route';
export const NO_SERVICE = '@kongc_no_service';
export const HTTPS_REQUIRED = '@kongc_https_required';
export const NO_PEER = '@kongc_no_peer';
export const BAD_GATEWAY = '@kongc_bad_gateway';
export const UNAVAILABLE = '@kongc_unavailable';
export const GATEWAY_TIMEOUT = '@kongc_gateway_timeout';

/** Status codes used only for internal jumps (never sent to a client). */
export const JUMP_STATUS = 418;
/** A route's own check failed: Kong's 404. */
export const NO_ROUTE_STATUS = 419;

/** Variables kongc defines: a fixed set, whatever the number of routes (README "Performance"). */
export const VARIABLES = {
  vhost: 'kongc_vhost',
  tlsCert: 'kongc_tls_cert',
  tlsKey: 'kongc_tls_key',
  tlsCertAlt: 'kongc_tls_cert_alt',
  tlsKeyAlt: 'kongc_tls_key_alt',
  routeHost: 'kongc_route_host',
  byVhost: 'kongc_at',
  location: 'kongc_location',
  target: 'kongc_target',
  signature: 'kongc_sig',
  escapeAt: 'kongc_escape_at',
  escapeHit: 'kongc_escape_hit',
  sni: 'kongc_sni',
  hostPort: 'kongc_host_port',
  upgrade: 'kongc_upgrade',
  connection: 'kongc_connection',
  upstreamHost: 'kongc_upstream_host',
  forwardedPrefix: 'kongc_forwarded_prefix',
  forwardedPath: 'kongc_forwarded_path',
  upstreamLatency: 'kongc_upstream_latency_ms',
  errorFormat: 'kongc_error_format',
  upstreamErrorFormat: 'kongc_upstream_error_format',
  requestFormat: 'kongc_request_format',
  dollar: DOLLAR_VARIABLE,
  question: QUESTION_VARIABLE,
  /** Always empty: the body of a fixed answer without one. */
  empty: 'kongc_empty',
  // --with-njs (njs-router.ts): Kong's normalized path (js_set), the same only for a request whose
  // path has a reserved escape (map), a route's upstream rule, and Kong's upstream path (js_set).
  normalizedPath: 'kongc_normalized_path',
  escapedPath: 'kongc_escaped_path',
  upstreamRule: 'kongc_upstream_rule',
  upstreamUri: 'kongc_upstream_uri',
} as const;

/**
 * The k-th part (from 0) of a PEM too long for one nginx token, held by `base` and its numbered
 * siblings (`kongc_tls_cert`, `kongc_tls_cert_2`, …): as many as the longest certificate needs.
 */
export function pemPartVariable(base: string, k: number): string {
  return k === 0 ? base : `${base}_${k + 1}`;
}

/** A key printed as it is: Kong names are of these characters; targets add ':' and brackets. */
const SAFE = /^[A-Za-z0-9._:[\]-]{1,80}$/;

export function shortHash(text: string, length = 12): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** A side file's name (CA bundles, credentials, certificates): what it holds and a hash of its content. */
export function sideFileName(what: string, content: string): string {
  return `kongc-${what}-${shortHash(content, 16)}`;
}

/**
 * A side file of map entries that only nginx's master reads (mode 0600), in `dir`, named by `what`
 * and a hash of its entries (and default); `holds` says what they are, in its first line.
 */
export function secretMapFile(dir: string, what: string, holds: string, entries: MapEntry[], dflt: MapValue | null = null): MapEntriesFile {
  const content = JSON.stringify(dflt === null ? entries : [entries, dflt]);
  const comment = `kongc: ${holds}; nginx reads this file as the master process loads its config`;
  return { kind: 'map-entries', path: posix.join(dir, sideFileName(what, content)), comment, entries, default: dflt, secret: true, usedBy: [] };
}

/**
 * Entity keys: the Kong name when it is a plain word, else the id, else a hash of the entity's
 * defining fields. Keys are unique per kind; a repeated key (two identical nameless routes) gets
 * `~2`, `~3` in declaration order.
 */
export class EntityNames {
  private readonly keys = new Map<object, string>();

  assign<T extends { order: number }>(kind: string, list: T[], content: (e: T) => unknown, name: (e: T) => string | null | undefined): void {
    const seen = new Map<string, number>();
    for (const e of [...list].sort((a, b) => a.order - b.order)) {
      const n = name(e);
      const id = (e as { id?: string | null }).id;
      const base = n && SAFE.test(n) ? n : id && SAFE.test(id) ? id : `${kind}-${shortHash(JSON.stringify(content(e)) + (n ?? ''))}`;
      const count = (seen.get(base) ?? 0) + 1;
      seen.set(base, count);
      this.keys.set(e, count === 1 ? base : `${base}~${count}`);
    }
  }

  key(entity: object): string {
    return this.keys.get(entity) ?? '?';
  }
}

export function assignEntityNames(names: EntityNames, routes: Route[], services: Service[], upstreams: Upstream[]): void {
  names.assign('route', routes, (r) => [r.service?.name ?? r.service?.host ?? null, r.paths, r.hosts, r.methods, r.headers, r.protocols], (r) => r.name);
  names.assign('service', services, (s) => [s.protocol, s.host, s.port, s.path], (s) => s.name);
  names.assign('upstream', upstreams, (u) => [u.name], (u) => u.name);
  for (const u of upstreams) names.assign('target', u.targets, (t: Target) => [t.target], (t: Target) => t.target);
}

/** An identifier-safe form of a key (named locations accept only [A-Za-z0-9_.-] here). */
function token(key: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(key) ? key : shortHash(key);
}

/** A key as part of a variable name (letters, digits, '_'), hashed when it has other characters. */
export function variableToken(key: string): string {
  return /^[A-Za-z0-9_]{1,48}$/.test(key) ? key : shortHash(key);
}

/** The named location serving one path of a route (`@kongc_route_orders`, `@kongc_route_orders_p1`). */
export function routeTarget(routeKey: string, pathIndex: number | null, pathCount: number): string {
  return `@kongc_route_${token(routeKey)}${pathIndex !== null && pathCount > 1 ? `_p${pathIndex}` : ''}`;
}

/** A named location that picks among candidates, named by what it picks. */
export function selectorName(content: string): string {
  return `@kongc_select_${shortHash(content)}`;
}

/** The key a route path's reserved-escape stops have in the escape-hit map (map keys are case-insensitive, paths are not). */
export function escapeStopsKey(stops: string[]): string {
  return shortHash(stops.join('\n'));
}

/** The key a location sets for the per-virtual-host dispatch map (paths are case-sensitive, map keys are not). */
export function locationKey(path: string): string {
  return shortHash(path);
}

