// lower: the router's decisions → nginx checks, dispatch and shared maps. The only plan code that
// spells nginx for routing.
//
// nginx allocates a slot for every variable on every request, so the variables defined here are a
// fixed set (names.ts VARIABLES): a route's own checks live in its location as `if` lines, a
// location's candidates as an `if` chain, and what depends on the virtual host goes through one
// shared map keyed by location and host. A check that needs several request values at once reads
// them joined by newlines (which none of them can contain) in `$kongc_sig`.
import type { Condition } from './entries.js';
import { uriRegex } from './entries.js';
import { escapeRegex } from '../pcre.js';
import type { RouteGuard, RouterDecision } from './decide.js';
import type { Candidate, Check, Dispatch, DispatchLocation, LocationPlan, MapBlock, MapEntry, MapValue, RouteLocation, Selector } from './ir.js';
import { escapeStopsKey, locationKey, NO_ROUTE, selectorName, VARIABLES as V } from './names.js';
import { FIRST_LINE, type HeaderReading } from './header-reading.js';
import { ABSOLUTE_FORM, RESERVED_ESCAPE, type RawPathRule } from './raw-path.js';

export interface LoweredRouter {
  locations: DispatchLocation[];
  selectors: Selector[];
  maps: MapBlock[];
  /** Routes served in the one prefix location that reaches them: target → that location's path. */
  inline: Map<string, string>;
  /** What a route's block checks itself (each failing check answers Kong's 404). */
  guards: Map<string, NonNullable<RouteLocation['guard']>>;
}

/** `$kongc_sni` over plain HTTP (no SNI can be ':'). */
export const PLAIN_HTTP_SNI = ':';

/**
 * `$kongc_escape_at`: "!" and the raw path before its first reserved escape, "" without one, and
 * "%" when another escape comes first (the raw text then is not the decoded path: such a request
 * is taken as nginx's decoded view has it; README "Differences from Kong").
 */
const ESCAPE_MAP: MapBlock = Object.freeze({
  variable: V.escapeAt,
  source: [{ variable: 'request_uri' }],
  entries: [
    { match: 'regex', caseless: false, pattern: `^${ABSOLUTE_FORM}([^?%]*)${RESERVED_ESCAPE}`, value: [{ text: '!' }, { variable: '1' }] },
    { match: 'regex', caseless: false, pattern: `^[^?]*${RESERVED_ESCAPE}`, value: [{ text: '%' }] },
  ],
  default: [],
  purpose: 'the raw path before its first reserved percent-escape (Kong keeps those encoded)',
}) as MapBlock;

/**
 * `$kongc_sni`, what a route's snis are compared with: the SNI over TLS ("" without one, or with a
 * character no host name has, so that it cannot spill into the signature's other fields), and ":"
 * over plain HTTP, which every snis check lets through (Kong ignores snis there).
 */
const SNI_MAP: MapBlock = Object.freeze({
  variable: V.sni,
  source: [{ variable: 'https' }, { text: ':' }, { variable: 'ssl_server_name' }],
  entries: [
    { match: 'regex', caseless: false, pattern: '^on:([^\\x00-\\x20\\x7f:]+)\\z', value: [{ variable: '1' }] },
    { match: 'regex', caseless: false, pattern: '^on:', value: [] },
  ],
  default: [{ text: PLAIN_HTTP_SNI }],
  purpose: 'the SNI route snis are compared with; ":" over plain HTTP, where Kong does not check them',
}) as MapBlock;

/**
 * Lowers the router. A route reached from exactly one location and nowhere else is served in that
 * location (`inline`); `proxies(target)` says whether the route proxies (see below).
 */
export function lowerRouter(decision: RouterDecision, proxies: (target: string) => boolean, headers: HeaderReading = FIRST_LINE): LoweredRouter {
  const usage: Usage = { escape: false, headers, escapeStops: new Map() };
  const selectors = new Map<string, Selector>();
  const byVhostEntries: { key: string; target: string }[] = [];
  const references = new Map<string, number>();
  const refer = (target: string, weight = 1) => references.set(target, (references.get(target) ?? 0) + weight);

  const lowered: { only: string | null; location: DispatchLocation }[] = [];
  for (const d of decision.locations) {
    let dispatch: Dispatch;
    let key: string | null = null;
    // The one route every request here goes to: it checks its own conditions (sole), or has none.
    const only = d.sole ?? (d.byVhost.length === 0 && d.fallback.candidates.length === 1 && d.fallback.candidates[0]!.target !== NO_ROUTE ? d.fallback.candidates[0]!.target : null);
    if (only !== null) {
      dispatch = { signature: null, steps: [], fallback: only, fallbackRoute: routeOf(d.fallback, only) };
      refer(only);
    } else {
      dispatch = lowerPlan(d.fallback, usage);
      for (const step of dispatch.steps) refer(step.target, 2);
      refer(dispatch.fallback, 2);
      if (d.byVhost.length) {
        key = locationKey(d.path);
        for (const { vhost, plan } of d.byVhost) {
          const target = plan.candidates.length === 1 ? plan.candidates[0]!.target : selectorFor(plan, selectors, usage);
          refer(target, 2);
          byVhostEntries.push({ key: `${key} ${vhost}`, target });
        }
      }
    }
    lowered.push({ only, location: { block: 'dispatch', path: d.path, locationKey: key, dispatch } });
  }

  // A route only this location reaches is served in the location itself; not under a path ending
  // in '/': nginx answers a request for that path without its '/' with a 301 to it when the
  // location proxies (auto_redirect), where Kong answers 404.
  const locations: DispatchLocation[] = [];
  const inline = new Map<string, string>();
  for (const { only, location } of lowered) {
    const redirects = location.path.length > 1 && location.path.endsWith('/');
    if (only !== null && only !== NO_ROUTE && references.get(only) === 1 && !(redirects && proxies(only))) inline.set(only, location.path);
    else locations.push(location);
  }
  const guards = new Map<string, NonNullable<RouteLocation['guard']>>();
  for (const [target, guard] of decision.guards) {
    const lowered = lowerGuard(guard, usage);
    if (lowered) guards.set(target, lowered);
  }

  const maps: MapBlock[] = [];
  if (decision.vhosts.length) {
    // Kong compares the raw Host header with route hosts as written; nginx's $host is lower-cased
    // (and map keys match case-insensitively), so a Host with an upper-case letter names no route host.
    maps.push({
      variable: V.routeHost,
      source: [{ variable: 'http_host' }],
      entries: [{ match: 'regex', caseless: false, pattern: '[A-Z]', value: [] }],
      default: [{ variable: 'host' }],
      purpose: 'the Host a route host can match: none when the Host header has an upper-case letter (Kong compares it as sent)',
    });
    maps.push({
      variable: V.vhost,
      source: [{ variable: V.routeHost }],
      hostnames: true,
      entries: decision.vhosts.map((name) => ({ match: 'exact', key: name, value: [{ text: name }] })),
      default: [],
      purpose: 'virtual host: the route host the request Host matches, chosen as server_name would be',
    });
  }
  if (byVhostEntries.length) {
    maps.push({
      variable: V.byVhost,
      source: [{ variable: V.location }, { text: ' ' }, { variable: V.vhost }],
      entries: byVhostEntries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((e) => ({ match: 'exact', key: e.key, value: [{ text: e.target }] })),
      default: [],
      purpose: 'where a location hands a request for a virtual host served differently there',
    });
  }
  if (usage.escape) maps.push(ESCAPE_MAP);
  if (usage.escapeStops.size) {
    maps.push({
      variable: V.escapeHit,
      source: [{ variable: V.location }, { variable: V.escapeAt }],
      entries: [...usage.escapeStops.keys()].sort().map((key) => usage.escapeStops.get(key)!),
      default: [],
      purpose: '"!" when the raw path escapes a reserved character of the route path whose stops $kongc_location names',
    });
  }
  if ([...decision.byTarget.values()].some((e) => e.conditions.some((c) => c.kind === 'sni'))) maps.push(SNI_MAP);
  const sortedSelectors = [...selectors.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { locations, selectors: sortedSelectors, maps, inline, guards };
}

/** What the lowering uses: whether a check read the escape map, how headers are read, the routes' reserved-escape stops. */
interface Usage {
  escape: boolean;
  headers: HeaderReading;
  escapeStops: Map<string, MapEntry>;
}

function routeOf(plan: LocationPlan, target: string): string {
  return plan.candidates.find((c) => c.target === target)?.route ?? '-';
}

/** The selector for a candidate list, shared by every virtual host and location with the same list. */
function selectorFor(plan: LocationPlan, selectors: Map<string, Selector>, usage: Usage): string {
  const content = JSON.stringify(plan.candidates.map((c) => [c.target, c.conditions, c.rawPath]));
  const name = selectorName(content);
  if (!selectors.has(name)) selectors.set(name, { block: 'selector', name, dispatch: lowerPlan(plan, usage) });
  return name;
}

/** A candidate list as an `if` chain: every candidate but the last is a step, the last is the fallback. */
function lowerPlan(plan: LocationPlan, usage: Usage): Dispatch {
  const last = plan.candidates[plan.candidates.length - 1]!;
  const conditional = plan.candidates.slice(0, -1);
  const fields = new Set<Field>();
  for (const c of conditional) if (needsSignature(c)) for (const f of fieldsOf(c.conditions, c.rawPath)) fields.add(f);
  const layout = layoutOf(fields);
  const steps = conditional.map((c) => ({ check: needsSignature(c) ? signatureCheck(layout, c.conditions, c.rawPath, usage) : singleCheck(c, usage), target: c.target, route: c.route }));
  return { signature: layout.length ? signatureValue(layout, usage.headers) : null, steps, fallback: last.target, fallbackRoute: last.route };
}

/** Several request values at once (or host and port, two variables) are tested on the signature. */
function needsSignature(c: Candidate): boolean {
  return c.conditions.length + (c.rawPath ? 1 : 0) > 1 || c.conditions[0]?.kind === 'host';
}

/** A candidate with one condition: tested on its own variable. */
function singleCheck(c: Candidate, usage: Usage): Check {
  if (c.rawPath) return passes(c.rawPath, usage);
  const cond = c.conditions[0]!;
  if (cond.kind === 'host') throw new Error('a host check needs the signature');
  return conditionCheck(cond, usage.headers);
}

function conditionCheck(cond: Exclude<Condition, { kind: 'host' }>, headers: HeaderReading): Check {
  switch (cond.kind) {
    case 'methods':
      return cond.methods.length === 1 ? { variable: 'request_method', op: '=', operand: cond.methods[0]! } : { variable: 'request_method', op: '~', operand: `^(?:${cond.methods.map(escapeRegex).join('|')})\\z` };
    case 'header':
      return { variable: headers.variable(cond.name), op: '~*', operand: headers.values(cond.values) };
    case 'header-regex':
      return { variable: headers.variable(cond.name), op: '~*', operand: headers.regex(cond.pattern) };
    case 'path-regex':
      return { variable: 'uri', op: '~', operand: uriRegex(cond.pattern) };
    case 'sni':
      return { variable: V.sni, op: '~', operand: `^${fieldPattern(cond, headers)}\\z` };
  }
}

/** The check a request passes when its raw path agrees with Kong's view for this route. */
function passes(rule: RawPathRule, usage: Usage): Check {
  if (rule.kind === 'exact') return { variable: 'request_uri', op: '~', operand: rule.pattern };
  usage.escape = true;
  if (rule.stops.length === 1) return { variable: V.escapeAt, op: '!=', operand: `!${rule.stops[0]}` };
  return { variable: V.escapeAt, op: '!~', operand: `^!(?:${rule.stops.map(escapeRegex).join('|')})\\z` };
}

/**
 * What a route's own location checks, as at most one `if`: nginx builds a whole location
 * configuration for every `if` block (several KB of worker memory each), and most routes are
 * guarded this way. One condition is compared on its own variable. With several, the raw-path
 * escape is read as a string, `$kongc_escape_hit` ("!" when the raw path escapes one of the route
 * path's reserved characters: a map keyed by the route path's stops, set in `$kongc_location`, and
 * `$kongc_escape_at`); conditions that are plain comparisons (one virtual host, one method, the
 * escape) are joined into `$kongc_sig` and compared with one string; otherwise one regex tests the
 * signature.
 */
function lowerGuard(guard: RouteGuard, usage: Usage): RouteLocation['guard'] {
  const { vhosts, conditions, rawPath } = guard;
  const count = (vhosts ? 1 : 0) + conditions.length + (rawPath ? (rawPath.kind === 'no-escape-at' ? rawPath.stops.length : 1) : 0);
  if (count === 0) return null;
  if (count === 1) return { location: null, signature: null, failures: [singleFailure(vhosts, conditions, rawPath, usage)] };
  let location: string | null = null;
  if (rawPath?.kind === 'no-escape-at') {
    usage.escape = true;
    location = escapeStopsKey(rawPath.stops);
    for (const stop of rawPath.stops) usage.escapeStops.set(`${location}!${stop}`, { match: 'exact', key: `${location}!${stop}`, value: [{ text: '!' }] });
  }
  const method = conditions.length === 1 && conditions[0]!.kind === 'methods' && conditions[0]!.methods.length === 1 ? conditions[0]!.methods[0]! : null;
  if ((!vhosts || vhosts.length === 1) && (conditions.length === 0 || method !== null) && rawPath?.kind !== 'exact') {
    // A method never contains ' ', a virtual host never '!': the joined values are the expected
    // string only when each is.
    const signature: MapValue = [];
    let expected = '';
    if (method !== null) {
      signature.push({ variable: 'request_method' }, { text: ' ' });
      expected += `${method} `;
    }
    if (vhosts) {
      signature.push({ variable: V.vhost });
      expected += vhosts[0]!;
    }
    if (location !== null) signature.push({ variable: V.escapeHit });
    return { location, signature, failures: [{ variable: V.signature, op: '!=', operand: expected }] };
  }
  const fields = new Set<Field>(conditions.map(fieldOf));
  if (vhosts) fields.add(VHOST);
  if (rawPath) fields.add(rawPath.kind === 'exact' ? RAW : ESCAPE_HIT);
  const layout = layoutOf(fields);
  return { location, signature: signatureValue(layout, usage.headers), failures: [negate(signatureCheck(layout, conditions, rawPath?.kind === 'exact' ? rawPath : null, usage, vhosts))] };
}

/** The one check of a route whose location tests a single thing. */
function singleFailure(vhosts: string[] | null, conditions: readonly Condition[], rawPath: RawPathRule | null, usage: Usage): Check {
  if (vhosts) return vhosts.length === 1 ? { variable: V.vhost, op: '!=', operand: vhosts[0]! } : { variable: V.vhost, op: '!~', operand: `^(?:${vhosts.map(escapeRegex).join('|')})\\z` };
  if (rawPath?.kind === 'no-escape-at') {
    usage.escape = true;
    return { variable: V.escapeAt, op: '=', operand: `!${rawPath.stops[0]!}` };
  }
  if (rawPath) return negate(passes(rawPath, usage));
  const cond = conditions[0]!;
  if (cond.kind === 'host') {
    const layout = layoutOf(new Set([fieldOf(cond)]));
    return negate(signatureCheck(layout, [cond], null, usage, null));
  }
  return negate(conditionCheck(cond, usage.headers));
}

const NEGATED: Record<Check['op'], Check['op']> = { '=': '!=', '!=': '=', '~': '!~', '!~': '~', '~*': '!~*', '!~*': '~*' };
function negate(check: Check): Check {
  return { ...check, op: NEGATED[check.op] };
}

// ---- the signature: several request values in one string, newline-separated ----

/** A request value a signature can hold, in signature order (the path last: route regexes match its start). */
type Field = string;
const METHOD = 'method';
const HOST = 'host';
const VHOST = 'vhost';
/** `$kongc_escape_hit`, which must be empty. */
const ESCAPE_HIT = 'escape-hit';
const ESCAPE = 'escape';
const RAW = 'raw';
const URI = 'uri';
const SNI = 'sni';

function fieldOf(cond: Condition): Field {
  switch (cond.kind) {
    case 'methods':
      return METHOD;
    case 'host':
      return HOST;
    case 'header':
    case 'header-regex':
      return `header:${cond.name}`;
    case 'path-regex':
      return URI;
    case 'sni':
      return SNI;
  }
}

function fieldsOf(conditions: readonly Condition[], rawPath: RawPathRule | null): Field[] {
  const out = conditions.map(fieldOf);
  if (rawPath) out.push(rawPath.kind === 'exact' ? RAW : ESCAPE);
  return out;
}

function rankOf(f: Field): string {
  if (f === METHOD) return '0';
  if (f === HOST) return '1';
  if (f === SNI) return '1s';
  if (f === VHOST) return '1v';
  if (f.startsWith('header:')) return '2' + f;
  if (f === ESCAPE || f === ESCAPE_HIT) return '3';
  if (f === RAW) return '4';
  return '5';
}

function layoutOf(fields: Set<Field>): Field[] {
  return [...fields].sort((a, b) => (rankOf(a) < rankOf(b) ? -1 : rankOf(a) > rankOf(b) ? 1 : 0));
}

function signatureValue(layout: Field[], headers: HeaderReading): MapValue {
  const parts: MapValue = [];
  layout.forEach((f, i) => {
    if (i) parts.push({ separator: true });
    if (f === METHOD) parts.push({ variable: 'request_method' });
    else if (f === HOST) parts.push({ variable: 'host' }, { text: ':' }, { variable: V.hostPort });
    else if (f === ESCAPE) parts.push({ variable: V.escapeAt });
    else if (f === RAW) parts.push({ variable: 'request_uri' });
    else if (f === URI) parts.push({ variable: 'uri' });
    else if (f === SNI) parts.push({ variable: V.sni });
    else if (f === VHOST) parts.push({ variable: V.vhost });
    else if (f === ESCAPE_HIT) parts.push({ variable: V.escapeHit });
    else parts.push({ variable: headers.variable(f.slice('header:'.length)) });
  });
  return parts;
}

/** One regex over the signature: every field this candidate tests, the others skipped. */
function signatureCheck(layout: Field[], conditions: readonly Condition[], rawPath: RawPathRule | null, usage: Usage, vhosts: string[] | null = null): Check {
  const byField = new Map<Field, string>();
  if (vhosts) byField.set(VHOST, `(?:${vhosts.map(escapeRegex).join('|')})`);
  if (layout.includes(ESCAPE_HIT)) byField.set(ESCAPE_HIT, '');
  for (const cond of conditions) byField.set(fieldOf(cond), fieldPattern(cond, usage.headers));
  if (rawPath?.kind === 'exact') byField.set(RAW, `${rawPath.pattern.slice(1)}[^\\n]*`);
  else if (rawPath) {
    usage.escape = true;
    byField.set(ESCAPE, `(?!!(?:${rawPath.stops.map(escapeRegex).join('|')})(?:\\n|\\z))[^\\n]*`);
  }
  let last = -1;
  layout.forEach((f, i) => {
    if (byField.has(f)) last = i;
  });
  const parts = layout.slice(0, last + 1).map((f) => byField.get(f) ?? '[^\\n]*');
  const end = layout[last] === URI ? '' : last === layout.length - 1 ? '\\z' : '\\n';
  return { variable: V.signature, op: '~', operand: `^${parts.join('\\n')}${end}` };
}

/** A condition as the pattern of its signature field (the field's whole value, except a path regex's prefix match). */
function fieldPattern(cond: Condition, headers: HeaderReading): string {
  switch (cond.kind) {
    case 'methods':
      return `(?:${cond.methods.map(escapeRegex).join('|')})`;
    case 'host':
      return `(?i:${cond.patterns.join('|')})`;
    case 'header':
      return headers.valuesField(cond.values);
    case 'header-regex':
      return headers.regexField(cond.pattern);
    case 'path-regex':
      return cond.pattern.includes('^') ? `(?m:${cond.pattern})` : `(?:${cond.pattern})`;
    case 'sni':
      return `(?:${[escapeRegex(PLAIN_HTTP_SNI), ...cond.names.map(sniPattern)].join('|')})`;
  }
}

/** One route SNI as a pattern for the whole of `$kongc_sni` (compared with case, as Kong does). */
function sniPattern(name: string): string {
  if (name === '*') return '[^\\n]+';
  if (name.startsWith('*.')) return `[^\\n]*${escapeRegex(name.slice(1))}`;
  if (name.endsWith('.*')) return `${escapeRegex(name.slice(0, -1))}[^\\n]*`;
  return escapeRegex(name);
}
