// decide: Kong's router, per virtual host and location, in Kong semantics only.
//
// For every location (each route prefix path, each regex literal prefix, and '/') and every
// virtual host (each route host name, plus the default for hosts no route names), the ordered
// list of Kong routes that can match a request arriving there is known at compile time: prefix
// routes whose path is a prefix of the location's, regex and path-less routes, in Kong priority
// order, cut after the first that always matches. What is left to check at run time (host ports,
// wildcards, methods, headers, SNIs, path regexes, raw-path escapes) stays as typed conditions; lower.ts
// alone spells them in nginx.
import type { Candidate, LocationPlan, ServerBlock } from './ir.js';
import { patternMatchesName, wildcardRegex, wildcardWithin, wildcardsOverlap, type HostPattern } from './hosts.js';
import { priorityNumber } from './priority.js';
import type { Condition, RouteEntry } from './entries.js';
import type { RawPathRule } from './raw-path.js';
import { compareText } from '../text.js';
import { NO_ROUTE } from './names.js';

interface HostFit {
  /** The host check still to make at run time, or null. */
  check: Condition | null;
  /** The route names a port for this server: more specific, tried first among equals. */
  portSpecific: boolean;
}

/** A route that matches every request of a server (or a host-less route): one shared value. */
const ALWAYS_FITS: HostFit = Object.freeze({ check: null, portSpecific: false });

/** How (and whether) a route's hosts can match requests that reach this virtual host. */
function hostFit(hosts: HostPattern[] | null, server: ServerName | null, checks: Map<string, Condition>): HostFit | null {
  if (!hosts) return ALWAYS_FITS;
  if (!server) return null; // the default virtual host only sees hosts no route names
  const alternatives: { host: string; port: number | null }[] = [];
  for (const p of hosts) {
    let fits: 'always' | 'maybe' | 'never';
    if (server.pattern.kind === 'exact') fits = patternMatchesName(p, server.pattern.host) ? 'always' : 'never';
    else if (p.kind === 'exact') fits = 'never'; // exact names have their own virtual host, which wins
    else if (wildcardWithin(server.pattern, p)) fits = 'always';
    else fits = wildcardsOverlap(server.pattern, p) ? 'maybe' : 'never';
    if (fits === 'never') continue;
    if (fits === 'always' && p.port === null) return ALWAYS_FITS;
    alternatives.push({ host: fits === 'always' ? '' : wildcardRegex(p).slice(1, -2), port: p.port });
  }
  if (!alternatives.length) return null;
  const patterns = [...new Set(alternatives.map((a) => `${a.host || '[^:]*'}:${a.port ?? '[0-9]+'}`))].sort();
  const key = patterns.join('|');
  let check = checks.get(key);
  if (!check) checks.set(key, (check = { kind: 'host', patterns }));
  return { check, portSpecific: alternatives.every((a) => a.port !== null) };
}

interface ServerName {
  name: string;
  pattern: HostPattern;
}

/** One location and how each virtual host is served there. */
export interface LocationDecision {
  /** Decoded prefix nginx compares with $uri. */
  path: string;
  /** Candidates for a request whose Host no route names (host-less routes only). */
  fallback: LocationPlan;
  /** Virtual hosts whose candidates here differ from the fallback's, in virtual-host order. */
  byVhost: { vhost: string; plan: LocationPlan }[];
  /**
   * The only route that can match here, for every virtual host: the location hands every request
   * to it and the route checks its own conditions (see RouterDecision.guards).
   */
  sole: string | null;
}

export interface RouterDecision {
  /** Virtual hosts with the locations where they differ, for review (`--format json`). */
  servers: ServerBlock[];
  /** Route host names, in order: the virtual hosts a request's Host selects as server_name would. */
  vhosts: string[];
  locations: LocationDecision[];
  /** Every target some location can hand a request to. */
  targets: Set<string>;
  /** What a route's location checks itself, for the routes some location reaches as its sole route. */
  guards: Map<string, RouteGuard>;
  /** Each route entry by its target (`kongc explain` reads a winner's route from it). */
  byTarget: Map<string, RouteEntry>;
}

/** What a route's own location checks when a location hands it every request. */
export interface RouteGuard {
  /** The virtual hosts the route fits (null = any). */
  vhosts: string[] | null;
  rawPath: RawPathRule | null;
  /** Methods, headers, SNIs and the path regex. */
  conditions: Condition[];
}

type Fitting = { entry: RouteEntry; fit: HostFit };

/**
 * Wildcard route hosts by the names they hang from, so that a virtual host only fits the wildcard
 * routes that can overlap it (a wildcard host per service would otherwise make every virtual host
 * look at every wildcard route).
 */
class WildcardIndex {
  /** `*.x.y`: by `x.y`; and by each name `x.y` ends with (`y`), for the wildcards below one. */
  private readonly leading = new Map<string, RouteEntry[]>();
  private readonly leadingBelow = new Map<string, RouteEntry[]>();
  private readonly trailing = new Map<string, RouteEntry[]>();
  private readonly trailingBelow = new Map<string, RouteEntry[]>();
  private readonly all = { leading: [] as RouteEntry[], trailing: [] as RouteEntry[] };

  add(p: HostPattern, e: RouteEntry): void {
    const labels = p.host.split('.');
    if (p.kind === 'leading') {
      push(this.leading, p.host, e);
      for (let i = 1; i < labels.length; i++) push(this.leadingBelow, labels.slice(i).join('.'), e);
      this.all.leading.push(e);
    } else {
      push(this.trailing, p.host, e);
      for (let i = labels.length - 1; i > 0; i--) push(this.trailingBelow, labels.slice(0, i).join('.'), e);
      this.all.trailing.push(e);
    }
  }

  /** Entries with a wildcard that can match some name of this virtual host (a superset; hostFit decides). */
  near(v: HostPattern): RouteEntry[] {
    const out: RouteEntry[] = [];
    const labels = v.host.split('.');
    const add = (list: RouteEntry[] | undefined) => {
      if (list) for (const e of list) out.push(e);
    };
    // Wildcards whose fixed part is a dot-suffix (leading) or dot-prefix (trailing) of the name.
    for (let i = v.kind === 'exact' ? 1 : 0; i < labels.length; i++) if (v.kind !== 'trailing') add(this.leading.get(labels.slice(i).join('.')));
    for (let i = labels.length - (v.kind === 'exact' ? 1 : 0); i > 0; i--) if (v.kind !== 'leading') add(this.trailing.get(labels.slice(0, i).join('.')));
    // A wildcard virtual host also overlaps the wildcards below it, and every one of the other kind.
    if (v.kind === 'leading') {
      add(this.leadingBelow.get(v.host));
      add(this.all.trailing);
    }
    if (v.kind === 'trailing') {
      add(this.trailingBelow.get(v.host));
      add(this.all.leading);
    }
    return out;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Fitting entries indexed by the prefix a request path must start with for them to match. */
class PrefixIndex {
  readonly everywhere: Fitting[] = [];
  readonly byPrefix = new Map<string, Fitting[]>();

  add(f: Fitting): void {
    const { entry } = f;
    const key = entry.kind === 'prefix' ? entry.decodedPrefix : entry.kind === 'regex' ? entry.regex.literalPrefix : '';
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
 * Decides, per location and virtual host, the ordered candidates. Locations and route locations
 * appear once however many hosts share them; a virtual host only differs where its routes change
 * the outcome.
 */
export function decideRouter(entries: RouteEntry[]): RouterDecision {
  const names = new Map<string, ServerName>();
  for (const e of entries) for (const p of e.hosts ?? []) if (!names.has(p.serverName)) names.set(p.serverName, { name: p.serverName, pattern: { ...p, port: null } });
  const vhosts = [...names.values()].sort((a, b) => compareText(a.name, b.name));
  const hostless = new PrefixIndex();
  const wildcards = new WildcardIndex();
  const byExactName = new Map<string, RouteEntry[]>();
  // Locations: every prefix path, and every regex literal prefix, so that a location tests
  // only the regexes whose literal prefix is a prefix of its own.
  const paths = new Set<string>(['/']);
  for (const e of entries) {
    if (e.decodedPrefix !== null) paths.add(e.decodedPrefix);
    if (e.regex && e.regex.literalPrefix.startsWith('/')) paths.add(e.regex.literalPrefix);
    if (!e.hosts) hostless.add({ entry: e, fit: ALWAYS_FITS });
    else {
      for (const p of e.hosts) if (p.kind !== 'exact') wildcards.add(p, e);
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

  const defaults = new Map<string, LocationPlan>();
  const pool = new CandidatePool();
  const hostChecks = new Map<string, Condition>();
  for (const path of sorted) defaults.set(path, planLocation(path, hostless.addTo([], prefixesOf.get(path)!), pool));
  const ownPaths = (index: PrefixIndex) => new Set(['/', ...index.byPrefix.keys()].filter((k) => paths.has(k)));
  const servers: ServerBlock[] = [{ key: 'default', names: [], isDefault: true, locations: [...ownPaths(hostless)].sort().map((p) => defaults.get(p)!) }];
  const overrides = new Map<string, { vhost: string; plan: LocationPlan }[]>();
  /** The virtual hosts each hosted route can match in (at run time or always). */
  const fitsIn = new Map<RouteEntry, string[]>();
  for (const sn of vhosts) {
    const own = new PrefixIndex();
    const named = sn.pattern.kind === 'exact' ? byExactName.get(sn.pattern.host) ?? [] : [];
    // An entry in both lists (a wildcard and an exact host of this name) is fitted once.
    const near = wildcards.near(sn.pattern);
    for (const entry of near.length ? new Set([...near, ...named]) : named) {
      const fit = hostFit(entry.hosts, sn, hostChecks);
      if (fit) {
        own.add({ entry, fit });
        const list = fitsIn.get(entry);
        if (list) list.push(sn.name);
        else fitsIn.set(entry, [sn.name]);
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
      if (sameCandidates(plan, defaults.get(path)!)) continue;
      const list = overrides.get(path);
      if (list) list.push({ vhost: sn.name, plan });
      else overrides.set(path, [{ vhost: sn.name, plan }]);
    }
    servers.push({ key: sn.name, names: [sn.name], isDefault: false, locations });
  }

  // A location where only one route can ever match (per virtual host: that route, or no route)
  // hands every request to it; the route's location checks the virtual host, raw path and the
  // route's own conditions itself.
  const byTarget = new Map(entries.map((e) => [e.target, e]));
  const guards = new Map<string, RouteGuard>();
  /** A plan's only possible route: its target, null for no route at all, false for several or for a host check. */
  const sole = (p: LocationPlan): string | null | false => {
    const first = p.candidates[0]!;
    const second = p.candidates[1];
    if (first.target === NO_ROUTE) return null;
    if (first.hostChecked) return false;
    if (!second) return first.rawPath === null ? first.target : false;
    return second.target === NO_ROUTE && p.candidates.length === 2 ? first.target : false;
  };
  const soleRoute = (path: string): RouteEntry | null => {
    const atDefault = sole(defaults.get(path)!);
    if (atDefault === false) return null;
    const others = overrides.get(path) ?? [];
    let named: string | null = atDefault;
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
  const locations: LocationDecision[] = sorted.map((path) => {
    const entry = soleRoute(path);
    const isSole = entry !== null && !(entry.hosts === null && entry.rawPath === null && entry.conditions.length === 0);
    if (entry && isSole) guards.set(entry.target, { vhosts: entry.hosts === null ? null : fitsIn.get(entry) ?? [], rawPath: entry.rawPath, conditions: entry.conditions });
    return { path, fallback: defaults.get(path)!, byVhost: overrides.get(path) ?? [], sole: isSole ? entry!.target : null };
  });
  return { servers, vhosts: vhosts.map((v) => v.name), locations, targets: pool.targets, guards, byTarget };
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
  if (here.length === 0) return { path, candidates: NO_ROUTE_ONLY };
  here.sort((a, b) => a.entry.rank - b.entry.rank || Number(b.fit.portSpecific) - Number(a.fit.portSpecific) || a.entry.seq - b.entry.seq);
  const candidates: Candidate[] = [];
  for (const { entry, fit } of here) {
    const candidate = pool.get(entry, fit.check);
    candidates.push(candidate);
    if (candidate.conditions.length === 0 && entry.rawPath === null) break; // everything after it is shadowed here
  }
  const last = candidates[candidates.length - 1];
  if (!last || last.conditions.length || last.rawPath !== null) candidates.push(NO_ROUTE_CANDIDATE);
  return { path, candidates };
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
    readonly conditions: readonly Condition[],
    readonly rawPath: RawPathRule | null,
    readonly hostChecked: boolean,
    private readonly entry: RouteEntry | null,
  ) {}

  get priority(): string {
    return this.entry ? priorityNumber(this.entry.priority) : '0';
  }

  get why(): string {
    return this.entry ? describe(this.entry, this.hostChecked) : 'no route matched';
  }

  toJSON(): Candidate {
    return { target: this.target, route: this.route, path: this.path, priority: this.priority, conditions: this.conditions, rawPath: this.rawPath, hostChecked: this.hostChecked, why: this.why };
  }
}

const NO_CONDITIONS: readonly Condition[] = Object.freeze([]);
const NO_ROUTE_CANDIDATE: Candidate = Object.freeze(new RouteCandidate(NO_ROUTE, '-', null, NO_CONDITIONS, null, false, null));
const NO_ROUTE_ONLY: readonly Candidate[] = Object.freeze([NO_ROUTE_CANDIDATE]);

/**
 * The candidates of one router decision: an entry with the host check it needs in a location. The
 * same entry appears in many locations alike, so each is made once and shared (candidates are
 * immutable), which also makes equal candidate lists cheap to compare.
 */
class CandidatePool {
  private readonly byEntry = new Map<RouteEntry, Map<Condition | null, Candidate>>();
  /** Every target a location can hand a request to (NO_ROUTE included). */
  readonly targets = new Set<string>([NO_ROUTE]);

  get(entry: RouteEntry, hostCheck: Condition | null): Candidate {
    let byCheck = this.byEntry.get(entry);
    if (!byCheck) this.byEntry.set(entry, (byCheck = new Map()));
    let candidate = byCheck.get(hostCheck);
    if (!candidate) {
      const conditions = hostCheck ? [hostCheck, ...entry.conditions] : entry.conditions;
      candidate = new RouteCandidate(entry.target, entry.routeKey, entry.kongPath, conditions, entry.rawPath, hostCheck !== null, entry);
      byCheck.set(hostCheck, candidate);
      this.targets.add(candidate.target);
    }
    return candidate;
  }
}

/** Two candidate lists that dispatch the same way (candidates are pooled: equal means identical). */
function sameCandidates(a: LocationPlan, b: LocationPlan): boolean {
  return a.candidates.length === b.candidates.length && a.candidates.every((x, i) => x === b.candidates[i]);
}

/** Why an entry is a candidate, for review. */
function describe(e: RouteEntry, hostChecked: boolean): string {
  const parts: string[] = [];
  if (e.hosts) parts.push(hostChecked ? 'host (checked)' : 'host');
  if (e.kind === 'prefix') parts.push(`prefix ${e.kongPath}${e.rawPath ? ' (raw path checked)' : ''}`);
  if (e.kind === 'regex') parts.push(`regex ${e.kongPath}`);
  if (e.route.methods) parts.push(`methods ${e.route.methods.join(',')}`);
  if (e.route.headers) parts.push(`headers ${Object.keys(e.route.headers).join(',')}`);
  const snis = e.conditions.find((c) => c.kind === 'sni');
  if (snis) parts.push(`snis ${snis.names.join(',')}`);
  return parts.join(', ') || 'any request';
}
