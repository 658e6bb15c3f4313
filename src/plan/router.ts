// Kong's router → nginx: servers by host, prefix locations that classify, named locations per route.
//
// "Classify, then proxy": for every server and prefix location, the ordered list of Kong routes that
// can match a request arriving there is known at compile time (prefix routes whose path is a prefix
// of the location's, regex and path-less routes, in Kong priority order). Conditions nginx cannot
// settle by choosing the server and location (methods, headers, regex paths, host ports, other
// wildcards) become 0/1 flag maps; one selection map per location picks the first candidate whose
// flags all hold, and `error_page 418 = $selection` hands the request to that route's named location.
// Where one route is the only one that can match in a location, there is no selection: the route
// is served there and checks its own conditions (`if ($flag != 1) { return 419; }` → 404).
import { decodeAllPercent } from '../model/kong-path.js';
import type { Route } from '../model/types.js';
import type { Candidate, LocationPlan, MapBlock, MapEntry, MapValue, ServerBlock, SiteLocation } from './ir.js';
import { parseHostPattern, patternMatchesName, wildcardRegex, wildcardWithin, wildcardsOverlap, type HostPattern } from './hosts.js';
import { comparePriority, priorityNumber, routePriority, type Priority } from './priority.js';
import { analyzeRouteRegex } from './route-regex.js';
import { headerVariable } from './upstreams.js';
import { compareText } from '../text.js';

export const NO_ROUTE = '@kongc_no_route';

/** One Kong route split per path, as Kong splits it. */
export interface RouteEntry {
  route: Route;
  routeKey: string;
  pathIndex: number | null;
  /** The path as written in Kong (`/foo`, `~/x/\d+`), null when the route has no paths. */
  kongPath: string | null;
  kind: 'prefix' | 'regex' | 'none';
  /** For prefix entries: what nginx compares with $uri. */
  decodedPrefix: string | null;
  /** For regex entries: the non-capturing pattern and its literal prefix. */
  regex: { pattern: string; literalPrefix: string } | null;
  priority: Priority;
  hosts: HostPattern[] | null;
  /** Named location handling this entry. */
  target: string;
  /** Flag variables for conditions independent of the server (methods, headers, regex path). */
  flags: string[];
  /** The flag of those testing a regex path (a route location that checks it itself tests the regex directly). */
  regexFlag: string | null;
  /** Regex the raw $request_uri must match (prefix paths with reserved characters), or null. */
  rawPath: string | null;
  /** Kong's priority as a rank among all entries (0 = tried first; equal priority, equal rank). */
  rank: number;
  /** Position in declaration order (route order, then path index): the tie-break after the host port. */
  seq: number;
}

export class FlagRegistry {
  readonly maps: MapBlock[] = [];
  private readonly byKey = new Map<string, string>();

  /** Returns the variable of a 0/1 map, creating it once per distinct condition. */
  flag(key: string, make: (variable: string) => Omit<MapBlock, 'variable'>): string {
    const hit = this.byKey.get(key);
    if (hit) return hit;
    const variable = `kongc_f${this.byKey.size}`;
    this.byKey.set(key, variable);
    this.maps.push({ variable, ...make(variable) });
    return variable;
  }
}

const ONE = [{ text: '1' }];
const ZERO = [{ text: '0' }];

/** A route regex as nginx tests it on $uri: anchored at the start, as Kong's router does. */
export function uriRegex(pattern: string): string {
  return `^(?:${pattern})`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.\\+*?^$()[\]{}|/-]/g, (c) => '\\' + c);
}

export function makeEntries(routes: Route[], keyOf: (r: Route) => string, flags: FlagRegistry, targetOf: (routeKey: string, pathIndex: number | null) => string): RouteEntry[] {
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
    const common: string[] = [];
    if (route.methods) {
      const methods = [...new Set(route.methods)].sort();
      common.push(
        flags.flag(`m:${methods.join(',')}`, () => ({
          source: [{ variable: 'request_method' }],
          entries: methods.map((m) => ({ match: 'exact', key: m, value: ONE })),
          default: ZERO,
          purpose: `request method is ${methods.join(' or ')}`,
        })),
      );
    }
    for (const [name, values] of Object.entries(route.headers ?? {}).sort(([a], [b]) => compareText(a, b))) {
      const variable = headerVariable(name);
      const isRegex = values.length === 1 && values[0]!.startsWith('~*');
      const entriesOf = (): MapEntry[] => {
        if (isRegex) {
          // Kong 3.x (compat) lower-cases the pattern and matches it against the lower-cased value.
          const rx = analyzeRouteRegex(values[0]!.slice(2).toLowerCase());
          const pattern = 'error' in rx ? '(?!)' : rx.pattern;
          return [{ match: 'regex', caseless: true, pattern, value: ONE }];
        }
        // Kong compares header values case-insensitively; nginx map string keys are case-insensitive too.
        return [...new Set(values.map((v) => v.toLowerCase()))].sort().map((v) => ({ match: 'exact', key: v, value: ONE }));
      };
      common.push(
        flags.flag(`h:${variable}:${JSON.stringify(isRegex ? values.map((v) => v.toLowerCase()) : [...values].map((v) => v.toLowerCase()).sort())}`, () => ({
          source: [{ variable }],
          entries: entriesOf(),
          default: ZERO,
          purpose: `request header ${name.toLowerCase()} matches`,
        })),
      );
    }
    const paths = route.paths ?? [null];
    for (let i = 0; i < paths.length; i++) {
      const kongPath = paths[i]!;
      const pathIndex = kongPath === null ? null : i;
      let kind: RouteEntry['kind'] = 'none';
      let decodedPrefix: string | null = null;
      let regex: RouteEntry['regex'] = null;
      let rawPath: string | null = null;
      let regexFlag: string | null = null;
      const entryFlags = [...common];
      if (kongPath !== null && kongPath.startsWith('~')) {
        const rx = analyzeRouteRegex(kongPath.slice(1));
        if ('error' in rx) continue; // reported by validation
        kind = 'regex';
        regex = { pattern: rx.pattern, literalPrefix: rx.caseless ? '' : rx.literalPrefix };
        regexFlag = flags.flag(`x:${rx.pattern}`, () => ({
          source: [{ variable: 'uri' }],
          entries: [{ match: 'regex', caseless: false, pattern: uriRegex(rx.pattern), value: ONE }],
          default: ZERO,
          purpose: 'path matches a route regex',
        }));
        entryFlags.push(regexFlag);
      } else if (kongPath !== null) {
        kind = 'prefix';
        decodedPrefix = decodeAllPercent(kongPath) ?? kongPath;
        rawPath = rawPathCheck(kongPath);
      }
      entries.push({
        route,
        routeKey,
        pathIndex,
        kongPath,
        kind,
        decodedPrefix,
        regex,
        priority: routePriority(route, kongPath),
        hosts,
        target: targetOf(routeKey, pathIndex),
        flags: entryFlags,
        regexFlag,
        rawPath,
        rank: 0,
        seq: 0,
      });
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

/** RFC 3986 reserved characters (and '%'): Kong's normalization keeps them percent-encoded. */
const RESERVED = new Set("!*'();:@&=+$,/?%#[]".split(''));
/** A percent-escape of a reserved character in the raw request path. */
const RESERVED_ESCAPE = '%(?:2[1346-9A-Ca-cFf]|3[ABDFabdf]|40|5[BDbd])';

/**
 * Kong compares a prefix path with the normalized request path, in which reserved characters
 * the client percent-encoded stay encoded (`/a%2Fb` is not `/a/b`); nginx's $uri has them all
 * decoded. For a route path with a reserved character after its leading '/', this flag checks
 * the raw $request_uri: each reserved character must appear as Kong's path has it (literal, or
 * as that %XX escape), any other character literally or as any %XX escape of it. When the raw
 * path cannot be aligned (dot segments, '//'), a route without escapes trusts nginx's decoded
 * view unless the raw path holds a reserved escape; a route with escapes does not match.
 */
function rawPathCheck(kongPath: string): string | null {
  let reserved = false;
  for (let i = 1; i < kongPath.length && !reserved; i++) reserved = RESERVED.has(kongPath[i]!);
  if (!reserved) return null;
  // Built as a list and joined once: one flat string instead of a rope of a piece per character.
  // rx[0] opens the alternative below when the path has no escapes of its own.
  const rx: string[] = ['', '(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?]*)?'];
  let hasEscape = false;
  for (let i = 0; i < kongPath.length; ) {
    if (kongPath.charCodeAt(i) === 37 /* % */ && /^[0-9A-Fa-f]{2}$/.test(kongPath.slice(i + 1, i + 3))) {
      rx.push('%', hexCaseless(kongPath.slice(i + 1, i + 3)));
      hasEscape = true;
      i += 3;
      continue;
    }
    const unit = kongPath.charCodeAt(i);
    if (unit < 0x80) {
      rx.push(ASCII_IN_RAW_PATH[unit]!);
      i++;
      continue;
    }
    const ch = String.fromCodePoint(kongPath.codePointAt(i)!);
    i += ch.length;
    for (const b of Buffer.from(ch, 'utf8')) {
      const hex = b.toString(16).toUpperCase().padStart(2, '0');
      rx.push(`(?:\\x${hex}|%${hexCaseless(hex)})`);
    }
  }
  // Without escapes of its own, the route also matches whenever the raw path has no reserved
  // escape at all: then nginx's decoded view and Kong's normalized one agree.
  if (!hasEscape) {
    rx[0] = '(?:';
    rx.push('|(?![^?]*', RESERVED_ESCAPE, '))');
  }
  return rx.join('');
}

/** `2f` → `2[Ff]`: hex digits of a percent-escape in either case. */
function hexCaseless(hex: string): string {
  return [...hex.toUpperCase()].map((d) => (/[A-F]/.test(d) ? `[${d}${d.toLowerCase()}]` : d)).join('');
}

/** How each ASCII character of a route path may appear in the raw path: a reserved character as itself, any other also as its escape. */
const ASCII_IN_RAW_PATH: string[] = Array.from({ length: 128 }, (_, cp) => {
  const ch = String.fromCharCode(cp);
  if (RESERVED.has(ch)) return escapeRegex(ch);
  const hex = cp.toString(16).toUpperCase().padStart(2, '0');
  const lit = /[A-Za-z0-9]/.test(ch) ? ch : '\\' + ch;
  return `(?:${lit}|%${hexCaseless(hex)})`;
});

interface HostFit {
  /** Flag variable when the host still has to be checked at run time. */
  flag: string | null;
  /** The route names a port for this server: more specific, tried first among equals. */
  portSpecific: boolean;
}

/** A route that matches every request of a server (or a host-less route): one shared value. */
const ALWAYS_FITS: HostFit = Object.freeze({ flag: null, portSpecific: false });

/** How (and whether) a route's hosts can match requests that nginx sends to this server. */
function hostFit(hosts: HostPattern[] | null, server: ServerName | null, flags: FlagRegistry): HostFit | null {
  if (!hosts) return ALWAYS_FITS;
  if (!server) return null; // the default server only sees hosts no route names
  const alternatives: { host: string; port: number | null }[] = [];
  for (const p of hosts) {
    let fits: 'always' | 'maybe' | 'never';
    if (server.pattern.kind === 'exact') fits = patternMatchesName(p, server.pattern.host) ? 'always' : 'never';
    else if (p.kind === 'exact') fits = 'never'; // exact names have their own server, which nginx prefers
    else if (wildcardWithin(server.pattern, p)) fits = 'always';
    else fits = wildcardsOverlap(server.pattern, p) ? 'maybe' : 'never';
    if (fits === 'never') continue;
    if (fits === 'always' && p.port === null) return ALWAYS_FITS;
    alternatives.push({ host: fits === 'always' ? '' : wildcardRegex(p).slice(1, -2), port: p.port });
  }
  if (!alternatives.length) return null;
  const patterns = [...new Set(alternatives.map((a) => `^${a.host || '[^:]*'}:${a.port ?? '[0-9]+'}\\z`))].sort();
  const flag = flags.flag(`host:${patterns.join('|')}`, () => ({
    source: [{ variable: 'host' }, { text: ':' }, { variable: 'kongc_host_port' }],
    entries: patterns.map((pattern) => ({ match: 'regex' as const, caseless: true, pattern, value: ONE })),
    default: ZERO,
    purpose: 'request host and port match',
  }));
  return { flag, portSpecific: alternatives.every((a) => a.port !== null) };
}

interface ServerName {
  name: string;
  pattern: HostPattern;
}

export interface RouterPlan {
  /** Virtual hosts with the locations where they differ, for review (`--format json`). */
  servers: ServerBlock[];
  /** The locations of the one nginx server, each dispatching per virtual host. */
  site: SiteLocation[];
  maps: MapBlock[];
  /** Every named location some dispatch can reach. */
  targets: Set<string>;
  /**
   * Checks a route's location makes itself (answering 404 when one fails), so that a location
   * whose only possible route it is can jump there without a map: its virtual hosts (null =
   * any), its raw-path regex (null = none), its path regex and its own conditions.
   */
  guards: Map<string, RouteGuard>;
}

/** What a route's own location checks when a location jumps to it without a map (null = nothing to check). */
export interface RouteGuard {
  vhosts: string[] | null;
  rawPath: string | null;
  /** The route's own conditions (flag variables): methods, headers. */
  flags: string[];
  /** Its path regex (see uriRegex), checked directly rather than through a flag. */
  pathRegex: string | null;
}

type Fitting = { entry: RouteEntry; fit: HostFit };

/** Fitting entries indexed by the prefix a request path must start with for them to match. */
class PrefixIndex {
  readonly everywhere: Fitting[] = [];
  readonly byPrefix = new Map<string, Fitting[]>();

  add(f: Fitting): void {
    const { entry } = f;
    const key = entry.kind === 'prefix' ? entry.decodedPrefix! : entry.kind === 'regex' ? entry.regex!.literalPrefix : '';
    if (key === '') this.everywhere.push(f);
    else {
      const list = this.byPrefix.get(key);
      if (list) list.push(f);
      else this.byPrefix.set(key, [f]);
    }
  }

  /**
   * Appends the entries that can match a request landing in a location (`prefixes`: the location
   * paths its path starts with) to `out`.
   */
  addTo(out: Fitting[], prefixes: string[]): Fitting[] {
    for (const f of this.everywhere) out.push(f);
    for (const prefix of prefixes) {
      const list = this.byPrefix.get(prefix);
      if (list) for (const f of list) out.push(f);
    }
    return out;
  }
}

/**
 * One nginx server holds every location; a `hostnames` map turns the Host into a virtual host
 * exactly as server_name selection would (exact, longest `*.` wildcard, longest `.*` wildcard),
 * and each location dispatches per virtual host. Locations and named route locations thus appear
 * once, however many hosts share them; a virtual host only costs map entries where its routes
 * change the outcome.
 */
export function planRouter(entries: RouteEntry[], flags: FlagRegistry): RouterPlan {
  const names = new Map<string, ServerName>();
  for (const e of entries) for (const p of e.hosts ?? []) if (!names.has(p.serverName)) names.set(p.serverName, { name: p.serverName, pattern: { ...p, port: null } });
  const vhosts = [...names.values()].sort((a, b) => compareText(a.name, b.name));
  const hostless = new PrefixIndex();
  const wildcard: RouteEntry[] = [];
  const byExactName = new Map<string, RouteEntry[]>();
  // Locations: every prefix path, and every regex literal prefix, so that a location tests
  // only the regexes whose literal prefix is a prefix of its own.
  const paths = new Set<string>(['/']);
  for (const e of entries) {
    if (e.decodedPrefix !== null) paths.add(e.decodedPrefix);
    if (e.regex && e.regex.literalPrefix.startsWith('/')) paths.add(e.regex.literalPrefix);
    if (!e.hosts) hostless.add({ entry: e, fit: ALWAYS_FITS });
    else {
      if (e.hosts.some((p) => p.kind !== 'exact')) wildcard.push(e);
      for (const name of new Set(e.hosts.filter((p) => p.kind === 'exact').map((p) => p.host))) {
        const list = byExactName.get(name);
        if (list) list.push(e);
        else byExactName.set(name, [e]);
      }
    }
  }
  const sorted = [...paths].sort();
  // Every entry's prefix is a location path, so the prefixes that can match in a location are
  // the location paths its path starts with: in sorted order, a chain kept on a stack.
  const prefixesOf = new Map<string, string[]>();
  const chain: string[] = [];
  for (const path of sorted) {
    while (chain.length && !path.startsWith(chain[chain.length - 1]!)) chain.pop();
    chain.push(path);
    prefixesOf.set(path, [...chain]);
  }
  const selections = new Map<string, MapBlock>();
  const dispatchValue = (l: LocationPlan): MapValue => (l.dispatch.kind === 'direct' ? [{ text: l.dispatch.target }] : [{ variable: l.dispatch.variable }]);
  /** Gives a plan its dispatch: its only candidate, or the selection map over its candidates. */
  const realize = (plan: LocationPlan): void => {
    if (plan.candidates.length > 1) plan.dispatch = { kind: 'map', variable: selectionMap(plan.candidates, selections, pool) };
  };

  const defaults = new Map<string, LocationPlan>();
  const pool = new CandidatePool();
  for (const path of sorted) defaults.set(path, planLocation(path, hostless.addTo([], prefixesOf.get(path)!), pool));
  const ownPaths = (index: PrefixIndex) => new Set(['/', ...index.byPrefix.keys()].filter((k) => paths.has(k)));
  const servers: ServerBlock[] = [
    { key: 'default', names: [], isDefault: true, locations: [...ownPaths(hostless)].sort().map((p) => defaults.get(p)!) },
  ];
  const overrides = new Map<string, { vhost: string; value: MapValue; plan: LocationPlan }[]>();
  /** Virtual-host location plans that dispatch exactly like the default's (shown for review only). */
  const sameAsDefault = new Map<LocationPlan, LocationPlan>();
  /** The virtual hosts each hosted route can match in (at run time or always). */
  const fitsIn = new Map<RouteEntry, string[]>();
  vhosts.forEach((sn, i) => {
    const key = `h${i + 1}`;
    const own = new PrefixIndex();
    const named = sn.pattern.kind === 'exact' ? byExactName.get(sn.pattern.host) ?? [] : [];
    // An entry in both lists (a wildcard and an exact host of this name) is fitted once.
    for (const entry of wildcard.length ? new Set([...wildcard, ...named]) : named) {
      const fit = hostFit(entry.hosts, sn, flags);
      if (fit) {
        own.add({ entry, fit });
        const list = fitsIn.get(entry);
        if (list) list.push(key);
        else fitsIn.set(entry, [key]);
      }
    }
    // The locations where this host's own routes can match: under one of their prefixes.
    const relevant = new Set<string>(['/']);
    if (own.everywhere.length) sorted.forEach((p) => relevant.add(p));
    else for (const prefix of own.byPrefix.keys()) for (const p of pathsStartingWith(sorted, prefix)) relevant.add(p);
    const locations: LocationPlan[] = [];
    for (const path of [...relevant].sort()) {
      const prefixes = prefixesOf.get(path)!;
      const plan = planLocation(path, hostless.addTo(own.addTo([], prefixes), prefixes), pool);
      locations.push(plan);
      const dflt = defaults.get(path)!;
      if (sameCandidates(plan, dflt)) {
        sameAsDefault.set(plan, dflt);
        continue;
      }
      const value: MapValue = [];
      const list = overrides.get(path);
      if (list) list.push({ vhost: key, value, plan });
      else overrides.set(path, [{ vhost: key, value, plan }]);
    }
    servers.push({ key, names: [sn.name], isDefault: false, locations });
  });

  // A location where only one route can ever match (per virtual host: that route, or no route)
  // jumps straight to it; the route's location checks the virtual host, raw path and the route's
  // own conditions itself (no vhost or selection map for it).
  const byTarget = new Map(entries.map((e) => [e.target, e]));
  const guards = new Map<string, RouteGuard>();
  /**
   * A plan's only possible route: its target, null for no route at all, false for several, or
   * for a host check that depends on the virtual host (its route location could not make it).
   */
  const sole = (p: LocationPlan): string | null | false => {
    const first = p.candidates[0]!;
    const second = p.candidates[1];
    if (first.target === NO_ROUTE) return null;
    // A candidate without a host check has the entry's own flag list as its conditions (the pool shares it).
    if (first.conditions.length && first.conditions !== byTarget.get(first.target)!.flags) return false;
    if (!second) return first.rawPath === null ? first.target : false;
    return second.target === NO_ROUTE && p.candidates.length === 2 ? first.target : false;
  };
  const soleRoute = (path: string): RouteEntry | null => {
    const atDefault = sole(defaults.get(path)!);
    if (atDefault === false) return null;
    const others = overrides.get(path) ?? [];
    let named: string | null = atDefault;
    // In virtual-host order, as fitsIn lists them.
    const listed: string[] = [];
    for (const o of others) {
      const t = sole(o.plan);
      if (t === false || (t !== null && named !== null && t !== named)) return null;
      if (t !== null) {
        named = t;
        listed.push(o.vhost);
      }
    }
    if (named === null) return null;
    const entry = byTarget.get(named)!;
    if (entry.hosts === null) return atDefault === entry.target && listed.length === others.length ? entry : null;
    // Hosted: the default has no route here, and exactly the hosts the route fits choose it.
    const fits = fitsIn.get(entry) ?? [];
    return atDefault === null && fits.length === listed.length && fits.every((k, i) => k === listed[i]) ? entry : null;
  };
  /** Locations that jump straight to their sole route, and that route's target. */
  const direct = new Map<string, string>();
  for (const path of sorted) {
    const entry = soleRoute(path);
    if (!entry || (entry.hosts === null && entry.rawPath === null && entry.flags.length === 0)) continue;
    direct.set(path, entry.target);
    guards.set(entry.target, {
      vhosts: entry.hosts === null ? null : fitsIn.get(entry) ?? [],
      rawPath: entry.rawPath,
      flags: entry.regexFlag === null ? entry.flags : entry.flags.filter((f) => f !== entry.regexFlag),
      pathRegex: entry.regex === null ? null : entry.regex.pattern,
    });
  }

  // Dispatch: straight to the route where it is the only one, else through a selection map.
  const dispatch = (plan: LocationPlan): void => {
    const same = sameAsDefault.get(plan);
    if (same) plan.dispatch = same.dispatch;
    else if (direct.has(plan.path)) plan.dispatch = { kind: 'direct', target: plan.candidates[0]!.target };
    else realize(plan);
  };
  for (const plan of defaults.values()) dispatch(plan);
  for (const server of servers) if (!server.isDefault) for (const plan of server.locations) dispatch(plan);
  for (const list of overrides.values()) for (const o of list) o.value.push(...dispatchValue(o.plan));

  const maps: MapBlock[] = [];
  if (vhosts.length) {
    maps.push({
      variable: 'kongc_vhost',
      source: [{ variable: 'host' }],
      hostnames: true,
      entries: servers.filter((s) => !s.isDefault).map((s) => ({ match: 'exact', key: s.names[0]!, value: [{ text: s.key }] })),
      default: [{ text: 'default' }],
      purpose: 'virtual host: the route hosts the request Host matches, chosen as server_name would be',
    });
  }
  const site: SiteLocation[] = sorted.map((path, i) => {
    const dflt = defaults.get(path)!;
    const sole = direct.get(path);
    if (sole) return { path, dispatch: { kind: 'direct', target: sole } };
    const list = overrides.get(path);
    if (!list) return { path, dispatch: dflt.dispatch };
    const variable = `kongc_at_${i}`;
    maps.push({
      variable,
      source: [{ variable: 'kongc_vhost' }],
      entries: list.map((o) => ({ match: 'exact', key: o.vhost, value: o.value })),
      default: dispatchValue(dflt),
      purpose: `dispatch of location ${i} per virtual host`,
    });
    return { path, dispatch: { kind: 'map', variable } };
  });
  return { servers, site, maps: [...selections.values(), ...maps], targets: pool.targets, guards };
}

/** The paths of a sorted list that start with `prefix` (a contiguous run). */
function pathsStartingWith(sorted: string[], prefix: string): string[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < sorted.length && sorted[i]!.startsWith(prefix); i++) out.push(sorted[i]!);
  return out;
}

/** `here`: the entries that can match a request in this location, in any order. */
function planLocation(path: string, here: Fitting[], pool: CandidatePool): LocationPlan {
  // No route can match here (most locations of a virtual host's own paths, seen from elsewhere).
  if (here.length === 0) return { path, candidates: NO_ROUTE_ONLY, dispatch: NO_ROUTE_DISPATCH };
  here.sort((a, b) => a.entry.rank - b.entry.rank || Number(b.fit.portSpecific) - Number(a.fit.portSpecific) || a.entry.seq - b.entry.seq);
  const candidates: Candidate[] = [];
  for (const { entry, fit } of here) {
    const candidate = pool.get(entry, fit.flag);
    candidates.push(candidate);
    if (candidate.conditions.length === 0 && entry.rawPath === null) break; // everything after it is shadowed here
  }
  const last = candidates[candidates.length - 1];
  if (!last || last.conditions.length || last.rawPath !== null) candidates.push(NO_ROUTE_CANDIDATE);
  // The dispatch is settled once the router knows which locations jump straight to a route.
  return { path, candidates, dispatch: { kind: 'direct', target: candidates[0]!.target } };
}

/**
 * A candidate as the plan holds it. Its Kong priority (a 64-bit number) and the reason for its
 * place are for review only (`--format json`), so they are worked out when read.
 */
class RouteCandidate implements Candidate {
  constructor(
    readonly target: string,
    readonly route: string,
    readonly path: string | null,
    readonly conditions: string[],
    readonly rawPath: string | null,
    private readonly entry: RouteEntry | null,
    private readonly hostChecked: boolean,
  ) {}

  get priority(): string {
    return this.entry ? priorityNumber(this.entry.priority) : '0';
  }

  get why(): string {
    return this.entry ? describe(this.entry, this.hostChecked) : 'no route matched';
  }

  toJSON(): Candidate {
    return { target: this.target, route: this.route, path: this.path, priority: this.priority, conditions: this.conditions, rawPath: this.rawPath, why: this.why };
  }
}

const NO_ROUTE_CANDIDATE: Candidate = Object.freeze(new RouteCandidate(NO_ROUTE, '-', null, Object.freeze([]) as unknown as string[], null, null, false));
const NO_ROUTE_ONLY = Object.freeze([NO_ROUTE_CANDIDATE]) as unknown as Candidate[];
const NO_ROUTE_DISPATCH: LocationPlan['dispatch'] = Object.freeze({ kind: 'direct', target: NO_ROUTE });

/**
 * The candidates of one router plan: an entry with the host flag it needs in a location. The same
 * entry appears in many locations alike, so each is made once and shared (the plan treats
 * candidates as immutable), and numbered for cheap selection-map keys.
 */
class CandidatePool {
  private readonly byEntry = new Map<RouteEntry, Map<string | null, Candidate>>();
  private readonly numbers = new Map<Candidate, number>([[NO_ROUTE_CANDIDATE, 0]]);
  /** Every target a location can hand a request to (NO_ROUTE included). */
  readonly targets = new Set<string>([NO_ROUTE]);

  get(entry: RouteEntry, hostFlag: string | null): Candidate {
    let byFlag = this.byEntry.get(entry);
    if (!byFlag) this.byEntry.set(entry, (byFlag = new Map()));
    let candidate = byFlag.get(hostFlag);
    if (!candidate) {
      candidate = new RouteCandidate(entry.target, entry.routeKey, entry.kongPath, hostFlag ? [hostFlag, ...entry.flags] : entry.flags, entry.rawPath, entry, hostFlag !== null);
      byFlag.set(hostFlag, candidate);
      this.numbers.set(candidate, this.numbers.size);
      this.targets.add(candidate.target);
    }
    return candidate;
  }

  number(candidate: Candidate): number {
    return this.numbers.get(candidate)!;
  }
}

/**
 * Two candidate lists that dispatch the same way. Candidates come from one pool, one per entry
 * and host flag: the same target, conditions and raw-path check are the same object.
 */
function sameCandidates(a: LocationPlan, b: LocationPlan): boolean {
  return a.candidates.length === b.candidates.length && a.candidates.every((x, i) => x === b.candidates[i]);
}

/** Flags per selection map: keeps the map's source well under nginx's 4096-byte token limit. */
const FLAGS_PER_MAP = 24;

/**
 * The selection for an ordered candidate list: one map per chunk of candidates, each falling
 * back to the next chunk's map. nginx evaluates a map value (and its flags) only when it is used,
 * so later chunks cost nothing once an earlier candidate matched.
 */
function selectionMap(candidates: Candidate[], selections: Map<string, MapBlock>, pool: CandidatePool): string {
  const conditional = candidates.slice(0, -1);
  const finalTarget = candidates[candidates.length - 1]!.target;
  // Chunks in order, each with the flags its candidates test.
  const chunks: { candidates: Candidate[]; flags: Set<string> }[] = [];
  for (const c of conditional) {
    const chunk = chunks[chunks.length - 1];
    // A candidate's conditions are distinct flags.
    const added = c.conditions.filter((f) => !chunk?.flags.has(f));
    if (chunk && chunk.flags.size + added.length <= FLAGS_PER_MAP) {
      chunk.candidates.push(c);
      for (const f of added) chunk.flags.add(f);
    } else chunks.push({ candidates: [c], flags: new Set(c.conditions) });
  }
  let fallback: MapBlock['default'] = [{ text: finalTarget }];
  // The map a chunk needs is fixed by its candidates (shared objects, numbered) and its fallback.
  let fallbackKey = finalTarget;
  let variable = '';
  for (const { candidates: chunk, flags } of chunks.reverse()) {
    const key = `${chunk.map((c) => pool.number(c)).join(',')}>${fallbackKey}`;
    let map = selections.get(key);
    if (!map) {
      const flagVars = [...flags].sort();
      // Raw-path checks read $request_uri after the fixed-width flags and a '|'.
      const raw = chunk.some((c) => c.rawPath !== null);
      const entries: MapEntry[] = chunk.map((c) => {
        const flagsPattern = flagVars.map((f) => (c.conditions.includes(f) ? '1' : '.')).join('');
        return {
          match: 'regex',
          caseless: false,
          pattern: c.rawPath !== null ? `^${flagsPattern}\\|${c.rawPath}` : '^' + flagsPattern.replace(/\.+$/, ''),
          value: [{ text: c.target }],
        };
      });
      map = {
        variable: `kongc_route_${selections.size}`,
        source: [...flagVars.map((v) => ({ variable: v })), ...(raw ? [{ text: '|' }, { variable: 'request_uri' }] : [])],
        entries,
        default: fallback,
        purpose: 'first matching route, in Kong priority order',
      };
      selections.set(key, map);
    }
    variable = map.variable;
    fallback = [{ variable }];
    fallbackKey = `$${variable}`;
  }
  return variable;
}

/** Why an entry is a candidate, for review. */
function describe(e: RouteEntry, hostChecked: boolean): string {
  const parts: string[] = [];
  if (e.hosts) parts.push(hostChecked ? 'host (checked)' : 'host');
  if (e.kind === 'prefix') parts.push(`prefix ${e.kongPath}${e.rawPath ? ' (raw path checked)' : ''}`);
  if (e.kind === 'regex') parts.push(`regex ${e.kongPath}`);
  if (e.route.methods) parts.push(`methods ${e.route.methods.join(',')}`);
  if (e.route.headers) parts.push(`headers ${Object.keys(e.route.headers).join(',')}`);
  return parts.join(', ') || 'any request';
}

