// Routes Kong would order arbitrarily: equal priority and able to match the same request.
// Kong 3.x breaks such ties by route UUID ("not defined which … will be used"); kongc uses
// declaration order and says so, naming both routes.
import type { HostPattern } from './hosts.js';
import { wildcardsOverlap, patternMatchesName } from './hosts.js';
import { label, type PlanContext } from './context.js';
import { isHttpsOnly, sniMatches, type RouteEntry } from './entries.js';

const MAX_TIE_WARNINGS = 200;

export function reportTies(ctx: PlanContext, entries: RouteEntry[]): void {
  // Equal priority (equal rank) and overlapping prefix paths means identical prefixes (the length
  // is in the priority). Groups keep the order of their first entry; they are found by place (the
  // prefix path, or the kind of a regex or path-less entry), then rank: no key string per entry.
  const groups: RouteEntry[][] = [];
  const byPlace = new Map<string, Map<number, RouteEntry[]>>();
  for (const e of entries) {
    const place = e.kind === 'prefix' ? e.decodedPrefix! : e.kind;
    let byRank = byPlace.get(place);
    if (!byRank) byPlace.set(place, (byRank = new Map()));
    const g = byRank.get(e.rank);
    if (g) g.push(e);
    else {
      const group = [e];
      byRank.set(e.rank, group);
      groups.push(group);
    }
  }
  let reported = 0;
  const seenPairs = new Set<string>();
  for (const group of groups) {
    if (group.length < 2) continue;
    for (const [a, b] of candidatePairs(group)) {
      if (a.route === b.route) continue;
      const pair = `${a.routeKey}|${b.routeKey}`;
      if (seenPairs.has(pair) || !overlap(a, b)) continue;
      seenPairs.add(pair);
      if (++reported > MAX_TIE_WARNINGS) return;
      const first = a.route.src.map.locate(a.route.src.pointer);
      ctx.warn(
        b.route.src,
        'route-tie',
        `${label('route', b.route, b.routeKey)} and ${label('route', a.route, a.routeKey)} (${first.file}:${first.line}:${first.column}) can match the same requests with equal Kong priority; Kong picks one by route UUID; kongc tries a host naming the request's port first, then the first declared (${label('route', a.route, a.routeKey)})`,
        'make them distinct (hosts, methods, headers) or give regex routes different regex_priority',
      );
    }
  }
}

/**
 * Pairs of a group (earlier entry first) that might overlap. Regex entries can only overlap when
 * one literal prefix is a prefix of the other, so they are paired through their prefixes rather
 * than all against all.
 */
function candidatePairs(group: RouteEntry[]): [RouteEntry, RouteEntry][] {
  const pairs: [RouteEntry, RouteEntry][] = [];
  if (group[0]!.kind !== 'regex') {
    for (let i = 0; i < group.length; i++) for (let j = i + 1; j < group.length; j++) pairs.push([group[i]!, group[j]!]);
    return pairs;
  }
  const byPrefix = new Map<string, RouteEntry[]>();
  const lengths = new Set<number>();
  // Shorter prefixes first: each entry then finds every earlier one whose prefix is a prefix of its own.
  for (const e of [...group].sort((x, y) => x.regex!.literalPrefix.length - y.regex!.literalPrefix.length)) {
    const lp = e.regex!.literalPrefix;
    for (const n of lengths) {
      if (n > lp.length) continue;
      for (const f of byPrefix.get(lp.slice(0, n)) ?? []) pairs.push(f.route.order <= e.route.order ? [f, e] : [e, f]);
    }
    const list = byPrefix.get(lp);
    if (list) list.push(e);
    else byPrefix.set(lp, [e]);
    lengths.add(lp.length);
  }
  return pairs;
}

function overlap(a: RouteEntry, b: RouteEntry): boolean {
  if (a.kind === 'regex' && b.kind === 'regex') {
    const [x, y] = [a.regex!.literalPrefix, b.regex!.literalPrefix];
    if (!(x.startsWith(y) || y.startsWith(x))) return false;
  }
  if (!hostsOverlap(a.hosts, b.hosts)) return false;
  if (!snisOverlap(a, b)) return false;
  const ma = a.route.methods;
  const mb = b.route.methods;
  if (ma && mb && !ma.some((m) => mb.includes(m))) return false;
  for (const [name, va] of Object.entries(a.route.headers ?? {})) {
    const vb = Object.entries(b.route.headers ?? {}).find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
    if (!vb) continue;
    const regex = (v: string[]) => v.length === 1 && v[0]!.startsWith('~*');
    if (!regex(va) && !regex(vb) && !va.some((x) => vb.some((y) => x.toLowerCase() === y.toLowerCase()))) return false;
  }
  return true;
}

/**
 * Routes whose snis no SNI satisfies both can still meet over plain HTTP, where Kong ignores
 * snis, unless both are https-only (then both answer plain HTTP alike).
 */
function snisOverlap(a: RouteEntry, b: RouteEntry): boolean {
  const sa = a.conditions.find((c) => c.kind === 'sni');
  const sb = b.conditions.find((c) => c.kind === 'sni');
  if (!sa || !sb || !isHttpsOnly(a.route) || !isHttpsOnly(b.route)) return true;
  const exact = (n: string) => !n.includes('*');
  return sa.names.some((x) => sb.names.some((y) => (exact(x) ? sniMatches(y, x) : exact(y) ? sniMatches(x, y) : true)));
}

function hostsOverlap(a: HostPattern[] | null, b: HostPattern[] | null): boolean {
  if (!a || !b) return true;
  return a.some((p) =>
    b.some((q) => {
      if (p.port !== null && q.port !== null && p.port !== q.port) return false;
      if (p.kind === 'exact' && q.kind === 'exact') return p.host === q.host;
      if (p.kind === 'exact') return patternMatchesName(q, p.host);
      if (q.kind === 'exact') return patternMatchesName(p, q.host);
      return wildcardsOverlap(p, q);
    }),
  );
}

const MAX_SHADOW_WARNINGS = 200;

/**
 * Route paths no location can hand a request to: wherever they could match, a route Kong tries
 * first matches without conditions. They leave no trace in the output, so say so.
 */
export function reportShadowed(ctx: PlanContext, entries: RouteEntry[], reachable: ReadonlySet<string>): void {
  let reported = 0;
  for (const e of entries) {
    if (reachable.has(e.target)) continue;
    if (++reported > MAX_SHADOW_WARNINGS) return;
    const what = e.pathIndex !== null && (e.route.paths?.length ?? 0) > 1 ? `path '${e.kongPath}' of ${label('route', e.route, e.routeKey)}` : label('route', e.route, e.routeKey);
    ctx.warn(
      e.pathIndex === null ? e.route.src : ctx.field(e.route, 'paths', e.pathIndex),
      'route-shadowed',
      `${what} can never match: wherever it could, a route Kong tries first matches without further conditions (Kong would not use it either)`,
      '`kongc build --format json` lists each location\'s routes in Kong\'s order; remove the route or make it more specific',
    );
  }
}
