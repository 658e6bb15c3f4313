// `kongc explain`: one request through the compiled configuration. It follows the router's decision
// (decide.ts) as the generated nginx does: the virtual host the Host header selects, the prefix
// location the path falls in, then the candidates in Kong's order with their conditions, and the
// winner's upstream URI as its own rewrites compute it.
import type { Condition } from '../plan/entries.js';
import { sniMatches, uriRegex } from '../plan/entries.js';
import type { RouterDecision } from '../plan/decide.js';
import { parseHostPattern, patternMatchesName } from '../plan/hosts.js';
import type { Candidate, MapValue, NginxPlan, ProxySettings, RouteLocation } from '../plan/ir.js';
import { NO_ROUTE } from '../plan/names.js';
import { PLAIN_HTTP_SNI } from '../plan/lower.js';
import { headerVariable } from '../plan/upstreams.js';
import { ABSOLUTE_FORM, RESERVED_ESCAPE, type RawPathRule } from '../plan/raw-path.js';
import type { KongState } from '../model/types.js';
import { ESCAPED_PATH, kongPathFunctions } from '../plan/njs-router.js';
import { byteRegex, bytes, text } from './pcre-js.js';
import { nginxView, type ExplainRequest, type NginxView } from './request.js';

export interface TriedRoute {
  route: string;
  path: string | null;
  priority: string;
  why: string;
  /** null: it matched; else the first condition the request fails. */
  failed: string | null;
}

export type Answer =
  | { kind: 'proxy'; method: string; uri: string; host: string; upstream: string; targets: string[] }
  | { kind: 'error'; status: number; message: string }
  | { kind: 'redirect'; status: number; location: string };

export interface Explanation {
  /** `sni`: over TLS, the SNI sent (null for none); undefined over plain HTTP. */
  request: { method: string; target: string; host: string | null; sni?: string | null };
  /** nginx's view: $uri, the virtual host, the prefix location, and the block that serves the route. */
  nginx: { uri: string; vhost: string | null; location: string; block: string | null };
  /** Candidates tried in Kong's order, up to the winner. */
  tried: TriedRoute[];
  /** Routes that are no candidate here: their paths or hosts cannot match this request. */
  notCandidates: number;
  route: null | { name: string; path: string | null; service: string | null; strip_path: boolean; preserve_host: boolean };
  answer: Answer;
  plugins: string[];
  /** What explain could not evaluate in JavaScript (nginx decides it). */
  unknown: string[];
}

export function explainRequest(req: ExplainRequest, state: KongState, plan: NginxPlan, router: RouterDecision): Explanation {
  const unknown: string[] = [];
  const request = { method: req.method, target: req.target, host: req.hostHeader, ...(req.tls ? { sni: req.tls.sni } : {}) };
  const view = nginxView(req);
  if ('status' in view) {
    return { request, nginx: { uri: '', vhost: null, location: '', block: null }, tried: [], notCandidates: state.routes.length, route: null, answer: { kind: 'error', status: view.status, message: view.why }, plugins: [], unknown };
  }
  // Kong compares the Host header as sent: one with an upper-case letter names no route host.
  const routeHost = req.hostHeader !== null && /[A-Z]/.test(req.hostHeader) ? '' : view.host;
  const vhost = selectVhost(router.vhosts, routeHost);
  // Every location is a `^~` prefix: the longest that $uri starts with.
  let location = router.locations[0]!;
  for (const l of router.locations) {
    const p = bytes(l.path);
    if (p.length > bytes(location.path).length && view.uri.startsWith(p)) location = l;
  }
  const candidates = (vhost !== null ? location.byVhost.find((o) => o.vhost === vhost)?.plan : undefined) ?? location.fallback;

  const tried: TriedRoute[] = [];
  let winner: Candidate | null = null;
  for (const c of candidates.candidates) {
    if (c.target === NO_ROUTE) break;
    const failed = firstFailure(c, view, req, plan.njs !== null, unknown);
    tried.push({ route: c.route, path: c.path, priority: c.priority, why: c.why, failed });
    if (failed === null) {
      winner = c;
      break;
    }
  }
  const considered = new Set(candidates.candidates.filter((c) => c.target !== NO_ROUTE).map((c) => c.route));
  const nginx = { uri: text(view.uri), vhost, location: location.path, block: null as string | null };
  const base = { request, tried, notCandidates: new Set([...router.byTarget.values()].map((e) => e.routeKey)).size - considered.size, unknown };
  if (!winner) return { ...base, nginx, route: null, answer: kongErrorAnswer(plan, NO_ROUTE), plugins: [] };

  const entry = router.byTarget.get(winner.target)!;
  const rl = plan.site.routeLocations.find((l) => l.name === winner!.target)!;
  nginx.block = rl.prefix !== null ? `location ^~ ${JSON.stringify(rl.prefix)}` : rl.name;
  const r = entry.route;
  const route = { name: entry.routeKey, path: entry.kongPath, service: rl.entity.service, strip_path: r.strip_path, preserve_host: r.preserve_host };
  const plugins = rl.plugins?.applied ?? [];
  let answer: Answer;
  // An https-only route answers plain HTTP before anything else (route.hbs).
  if (rl.plainHttp && req.tls === null) {
    const ph = rl.plainHttp;
    answer = ph.kind === 'error' ? kongErrorAnswer(plan, ph.error) : { kind: 'redirect', status: ph.status, location: `https://${view.host}${req.target}` };
  } else if (rl.body.kind === 'error') answer = kongErrorAnswer(plan, rl.body.error);
  else if (rl.body.kind === 'redirect') answer = { kind: 'redirect', status: rl.body.status, location: `https://${view.host}${req.target}` };
  else {
    const svc = r.service!;
    const upstream = state.upstreams.find((u) => u.name === svc.host);
    answer = {
      kind: 'proxy',
      method: req.method,
      uri: upstreamUri(rl, view, unknown),
      host: evaluate(rl.body.proxy.host, { req, view, groups: [] }, unknown),
      upstream: upstream ? `upstream '${upstream.name}' (${upstream.algorithm})` : `${svc.host}:${svc.port} (the service's host)`,
      targets: upstream ? upstream.targets.map((t) => `${t.target} weight ${t.weight}`) : [],
    };
  }
  return { ...base, nginx, route, answer, plugins };
}

/** The route host a Host selects, as nginx's server_name: exact, then the longest `*.x`, then the longest `x.*`. */
function selectVhost(vhosts: string[], host: string): string | null {
  if (!host) return null;
  if (vhosts.includes(host)) return host;
  let best: string | null = null;
  for (const kind of ['leading', 'trailing'] as const) {
    for (const v of vhosts) {
      const p = parseHostPattern(v);
      if (p.kind === kind && patternMatchesName(p, host) && (best === null || v.length > best.length)) best = v;
    }
    if (best) return best;
  }
  return null;
}

/** The first condition a candidate's request fails, in words; null when it matches. */
function firstFailure(c: Candidate, view: NginxView, req: ExplainRequest, everyLine: boolean, unknown: string[]): string | null {
  for (const cond of c.conditions) {
    const ok = holds(cond, view, req, everyLine, unknown);
    if (!ok) return describeFailure(cond, view, req, everyLine);
  }
  if (c.rawPath && !rawPathHolds(c.rawPath, view, unknown)) return `the raw path ${text(view.requestUri)} spells the route path with a reserved character percent-encoded (Kong keeps it encoded, so the prefix does not match)`;
  return null;
}

function matches(pattern: string, subject: string, unknown: string[], caseless = false): boolean {
  const rx = byteRegex(pattern, caseless);
  if (!rx) {
    unknown.push(`the regex ${pattern} (explain cannot evaluate it; taken as not matching)`);
    return false;
  }
  return rx.exec(subject) !== null;
}

/** nginx's $http_NAME: the first header whose name, with '-' read as '_', is NAME. */
function headerValue(req: ExplainRequest, name: string): string | undefined {
  const wanted = headerVariable(name);
  return req.headers.find(([n]) => headerVariable(n) === wanted)?.[1];
}

/**
 * The header's lines the route tests: nginx's first (stock), or every line (--with-njs, as Kong).
 * An absent header reads as one empty line.
 */
function headerLines(req: ExplainRequest, name: string, everyLine: boolean): string[] {
  const wanted = headerVariable(name);
  const lines = req.headers.filter(([n]) => headerVariable(n) === wanted).map(([, v]) => bytes(v));
  return lines.length === 0 ? [''] : everyLine ? lines : lines.slice(0, 1);
}

function holds(cond: Condition, view: NginxView, req: ExplainRequest, everyLine: boolean, unknown: string[]): boolean {
  switch (cond.kind) {
    case 'host':
      return matches(`^(?:${cond.patterns.join('|')})\\z`, `${view.host}:${view.hostPort}`, unknown, true);
    case 'methods':
      return cond.methods.includes(req.method);
    case 'header':
      return headerLines(req, cond.name, everyLine).some((line) => cond.values.includes(text(line).toLowerCase()));
    case 'header-regex':
      return headerLines(req, cond.name, everyLine).some((line) => matches(cond.pattern, line, unknown, true));
    case 'path-regex':
      return matches(uriRegex(cond.pattern), view.uri, unknown);
    case 'sni':
      return view.sni === PLAIN_HTTP_SNI || cond.names.some((n) => sniMatches(bytes(n), view.sni));
  }
}

function describeFailure(cond: Condition, view: NginxView, req: ExplainRequest, everyLine: boolean): string {
  switch (cond.kind) {
    case 'host':
      return `host ${view.host}:${view.hostPort} is not one of its hosts`;
    case 'methods':
      return `method ${req.method} is not one of ${cond.methods.join(', ')}`;
    case 'header':
    case 'header-regex': {
      const value = headerValue(req, cond.name);
      if (value === undefined) return `no ${cond.name} header`;
      const lines = headerLines(req, cond.name, everyLine);
      return lines.length > 1 ? `no line of header ${cond.name} (${lines.map(text).join(' | ')}) matches` : `header ${cond.name}: ${value} does not match`;
    }
    case 'path-regex':
      return `path ${text(view.uri)} does not match its regex`;
    case 'sni':
      return view.sni === '' ? `no SNI, and it has snis ${cond.names.join(', ')}` : `SNI ${text(view.sni)} is not one of ${cond.names.join(', ')}`;
  }
}

/** The shared escape map (lower.ts) and the exact raw-path rule, on $request_uri. */
function rawPathHolds(rule: RawPathRule, view: NginxView, unknown: string[]): boolean {
  if (rule.kind === 'exact') return matches(rule.pattern, view.requestUri, unknown);
  const first = byteRegex(`^${ABSOLUTE_FORM}([^?%]*)${RESERVED_ESCAPE}`)!.exec(view.requestUri);
  const escapeAt = first ? `!${first.groups[1]}` : '';
  return !rule.stops.some((s) => escapeAt === `!${bytes(s)}`);
}

/** The path and query nginx sends upstream, as the route's location computes it. */
function upstreamUri(rl: RouteLocation, view: NginxView, unknown: string[]): string {
  if (rl.body.kind !== 'proxy') return '';
  const proxy = rl.body.proxy;
  // nginx appends the query string only when it is not empty.
  const query = view.args ? `?${view.args}` : '';
  if (proxy.kongUri && byteRegex(ESCAPED_PATH)!.exec(view.requestUri)) {
    const kong = kongUpstreamUri(proxy.kongUri, view, unknown);
    if (kong !== null) return kong;
  }
  if (rl.prefix !== null && proxy.prefixUri !== null) {
    // proxy_pass with a URI in the route's own prefix location replaces the matched prefix;
    // nginx escapes the rest only when the client's path had escapes of its own.
    const rest = view.uri.slice(bytes(rl.prefix).length);
    const path = bytes(proxy.prefixUri) + (view.quoted ? escapeUri(rest) : rest);
    return text(path + query);
  }
  for (const rewrite of proxy.rewrites) {
    const rx = byteRegex(rewrite.pattern);
    if (!rx) {
      unknown.push(`the rewrite ${rewrite.pattern}`);
      return '?';
    }
    const m = rx.exec(view.uri);
    if (!m) continue;
    // A rewritten $uri is sent percent-encoded, with the client's query string.
    return text(escapeUri(evaluate(rewrite.replacement, { view, groups: m.groups }, unknown, true)) + query);
  }
  return text(escapeUri(view.uri) + query);
}

/** --with-njs, a path with a reserved escape: Kong's upstream path (kong-router.js), or null when the route's `if` does not apply. */
function kongUpstreamUri(kongUri: NonNullable<ProxySettings['kongUri']>, view: NginxView, unknown: string[]): string | null {
  const js = kongPathFunctions();
  const normalized = js.kongNormalize(js.kongRawPath(Buffer.from(view.requestUri, 'latin1')));
  let groups: (string | undefined)[] = [];
  if (kongUri.when.op === '~') {
    const m = byteRegex(kongUri.when.operand)?.exec(normalized);
    if (!m) return null;
    groups = m.groups;
  }
  const rule = evaluate(kongUri.rule, { view, groups }, unknown, true);
  // nginx appends $args after the '?' the path brings when the request has one.
  return text(js.kongUpstreamPath(normalized, rule) + (view.args !== null ? `?${view.args}` : ''));
}

/** nginx's ngx_escape_uri(NGX_ESCAPE_URI): controls, space, `"#%<>?\\^\`{|}`, DEL and bytes ≥ 0x80. */
function escapeUri(binary: string): string {
  return binary.replace(/[\x00-\x20"#%<>?\\^`{|}\x7f-\xff]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

/** A generated value with the request's variables filled in (binary when `binary`). */
function evaluate(value: MapValue, scope: { req?: ExplainRequest; view: NginxView; groups: (string | undefined)[] }, unknown: string[], binary = false): string {
  let out = '';
  for (const part of value) {
    if ('text' in part) out += binary ? bytes(part.text) : part.text;
    else if ('variable' in part) {
      const v = part.variable;
      if (/^[0-9]$/.test(v)) out += scope.groups[Number(v)] ?? '';
      else if (v === 'uri') out += scope.view.uri;
      else if (v === 'http_host') out += scope.req?.hostHeader ?? '';
      else if (v === 'host') out += scope.view.host;
      else {
        unknown.push(`$${v}`);
        out += `$${v}`;
      }
    } else out += '\n';
  }
  return out;
}

/** One of Kong's errors (the text variant's first line is the message). */
function kongErrorAnswer(plan: NginxPlan, name: string): Answer {
  const error = plan.site.errors.find((e) => e.name === name);
  const variant = error?.variants.find((v) => v.name.endsWith('_text'));
  const first = variant?.body[0];
  return { kind: 'error', status: variant?.status ?? 404, message: first && 'text' in first ? first.text : name };
}
