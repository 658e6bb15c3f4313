// Kong routes as the router sees them: one entry per path, with typed conditions (decide step).
// Nothing here spells nginx: conditions are Kong semantics that lowering turns into checks.
import { decodeAllPercent } from '../kong/kong-path.js';
import type { Route } from '../model/types.js';
import { compareText } from '../text.js';
import { parseHostPattern, type HostPattern } from './hosts.js';
import { rawPathRule, type RawPathRule } from './raw-path.js';
import { comparePriority, routePriority, type Priority } from './priority.js';
import { analyzeRouteRegex } from '../model/route-regex.js';

/** A condition a request must meet, beyond the location and virtual host that lead to a candidate. */
export type Condition =
  /** The request Host and port (`host:port`) match one of these patterns (regex fragments, caseless). */
  | { kind: 'host'; patterns: string[] }
  | { kind: 'methods'; methods: string[] }
  /** Header value equals one of `values` (compared case-insensitively, as Kong does). */
  | { kind: 'header'; name: string; values: string[] }
  /** Header value matches a `~*` regex (Kong lower-cases pattern and value). */
  | { kind: 'header-regex'; name: string; pattern: string }
  /** $uri matches the route regex at its start. */
  | { kind: 'path-regex'; pattern: string }
  /**
   * Over TLS, the SNI is one of `names` (as sent, compared with case): exact, `*.x` (ends with
   * `.x`), `x.*` (starts with `x.`) or `*` (any SNI). Plain-HTTP requests pass: Kong's router
   * checks snis only when the request scheme is https (transform.lua: `net.protocol != "https" || …`).
   */
  | { kind: 'sni'; names: string[] };

/** One Kong route split per path, as Kong splits it. */
export type RouteEntry = EntryCommon &
  (
    | { kind: 'prefix'; kongPath: string; decodedPrefix: string; regex: null }
    | { kind: 'regex'; kongPath: string; decodedPrefix: null; regex: { pattern: string; literalPrefix: string } }
    | { kind: 'none'; kongPath: null; decodedPrefix: null; regex: null }
  );

interface EntryCommon {
  route: Route;
  /** The route's content-derived name (see names.ts). */
  routeKey: string;
  pathIndex: number | null;
  priority: Priority;
  hosts: HostPattern[] | null;
  /** Named location handling this entry. */
  target: string;
  /** Conditions independent of the server: methods, headers, SNIs, and the path regex (last). */
  conditions: Condition[];
  /** How the raw request path must look (prefix paths with reserved characters), or null. */
  rawPath: RawPathRule | null;
  /** Kong's priority as a rank among all entries (0 = tried first; equal priority, equal rank). */
  rank: number;
  /** Position in Kong's order (priority, then declaration): the tie-break after the host port. */
  seq: number;
}

/** A route with `protocols: [https]`: Kong answers plain-HTTP requests with a 426 or a redirect. */
export function isHttpsOnly(r: Route): boolean {
  return r.protocols.length === 1 && r.protocols[0] === 'https';
}

/** Kong's SNI operators (transform.lua): `*.x` ends with `.x`, `x.*` starts with `x.`, `*` any SNI, else equal. */
export function sniMatches(name: string, sni: string): boolean {
  if (name === '*') return sni !== '';
  if (name.startsWith('*.')) return sni.endsWith(name.slice(1));
  if (name.endsWith('.*')) return sni.startsWith(name.slice(0, -1));
  return sni === name;
}

/** A route SNI as Kong's router compares it: without the trailing dot of a name (transform.lua sni_val_transform). */
function routeSni(name: string): string {
  return name.length > 1 && name.endsWith('.') ? name.slice(0, -1) : name;
}

/** A route regex as tested on $uri: anchored at the start, as Kong's router does. */
export function uriRegex(pattern: string): string {
  return `^(?:${pattern})`;
}

/**
 * `tls`: requests can arrive over TLS. Without a TLS listener every request is plain HTTP, where
 * Kong ignores route snis, so they are no condition at all.
 */
export function makeEntries(routes: Route[], keyOf: (r: Route) => string, targetOf: (routeKey: string, pathIndex: number | null, route: Route) => string, tls: boolean): RouteEntry[] {
  const entries: RouteEntry[] = [];
  // Routes share hosts (many routes per API host): each is parsed once; patterns are not changed.
  const patterns = new Map<string, HostPattern>();
  const pattern = (host: string): HostPattern => {
    let p = patterns.get(host);
    if (!p) patterns.set(host, (p = parseHostPattern(host)));
    return p;
  };
  for (const route of routes) {
    const routeKey = keyOf(route);
    const hosts = route.hosts ? route.hosts.map(pattern) : null;
    const common: Condition[] = [];
    if (route.methods) common.push({ kind: 'methods', methods: [...new Set(route.methods)].sort() });
    for (const [name, values] of Object.entries(route.headers ?? {}).sort(([a], [b]) => compareText(a, b))) {
      if (values.length === 1 && values[0]!.startsWith('~*')) {
        // Kong 3.x (compat) lower-cases the pattern and matches it against the lower-cased value.
        const rx = analyzeRouteRegex(values[0]!.slice(2).toLowerCase());
        common.push({ kind: 'header-regex', name: name.toLowerCase(), pattern: 'error' in rx ? '(?!)' : rx.pattern });
      } else common.push({ kind: 'header', name: name.toLowerCase(), values: [...new Set(values.map((v) => v.toLowerCase()))].sort() });
    }
    if (tls && route.snis) common.push({ kind: 'sni', names: [...new Set(route.snis.map(routeSni))].sort() });
    const paths = route.paths ?? [null];
    for (let i = 0; i < paths.length; i++) {
      const kongPath = paths[i]!;
      const priority = routePriority(route, kongPath);
      // Every entry is made by one literal in one field order: one object shape for the router.
      const make = (kind: RouteEntry['kind'], decodedPrefix: string | null, regex: RouteEntry['regex'], conditions: Condition[], rawPath: RawPathRule | null): RouteEntry =>
        ({ route, routeKey, pathIndex: kongPath === null ? null : i, priority, hosts, target: targetOf(routeKey, kongPath === null ? null : i, route), conditions, rawPath, rank: 0, seq: 0, kind, kongPath, decodedPrefix, regex }) as RouteEntry;
      if (kongPath === null) entries.push(make('none', null, null, common, null));
      else if (kongPath.startsWith('~')) {
        const rx = analyzeRouteRegex(kongPath.slice(1));
        if ('error' in rx) continue; // reported by validation
        entries.push(make('regex', null, { pattern: rx.pattern, literalPrefix: rx.caseless ? '' : rx.literalPrefix }, [...common, { kind: 'path-regex', pattern: rx.pattern }], null));
      } else {
        const decodedPrefix = decodeAllPercent(kongPath) ?? kongPath;
        entries.push(make('prefix', decodedPrefix, null, common, rawPathRule(kongPath, decodedPrefix)));
      }
    }
  }
  // Ranks once here, so that each location sorts its candidates by two integers.
  const byPriority = [...entries].sort((a, b) => comparePriority(a.priority, b.priority) || a.route.order - b.route.order || (a.pathIndex ?? 0) - (b.pathIndex ?? 0));
  byPriority.forEach((e, i) => {
    const previous = byPriority[i - 1];
    e.seq = i;
    e.rank = previous && comparePriority(previous.priority, e.priority) === 0 ? previous.rank : i;
  });
  return entries;
}
