// Semantic checks the JSON Schema cannot express: references, uniqueness, Kong's
// host/path/header rules, values nginx cannot carry, and entities kongc does not compile.
import { checkConsumers } from './consumers.js';
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js';
import { child, diag, type SourceRef } from '../load/source-map.js';
import { addressProblem, portProblem, splitHostPort, wildcardProblem, withoutWildcard } from '../kong/host-syntax.js';
import { decodeAllPercent, normalizeKongPath, pathSyntaxProblem, validPercentEncoding } from '../kong/kong-path.js';
import type { KongState, Route, Service } from '../model/types.js';
import { isIPv4, isIPv6 } from '../kong/target-address.js';
import { analyzeRouteRegex } from '../model/route-regex.js';
import { checkNginxValues } from './nginx-values.js';
import { checkUpstreams } from './upstreams.js';
import { checkCertificates } from './certificates.js';
import { checkNearMisses } from './near-misses.js';
import { checkStreamPlugins, checkStreamRoute, checkStreamService, isStreamRoute, isStreamService } from './stream.js';

export interface CheckOptions {
  skipUnsupported?: boolean;
}

const HTTP_PROTOCOLS = new Set(['http', 'https']);

/** Services kongc compiles: HTTP(S) into the http include, tcp/tls/udp into the stream include. */
export function isCompiledService(s: Service): boolean {
  return HTTP_PROTOCOLS.has(s.protocol) || isStreamService(s);
}
/** Routes compiled into the http include (stream routes: src/plan/stream). */
export function isCompiledRoute(r: Route): boolean {
  return r.protocols.every((p) => HTTP_PROTOCOLS.has(p)) && !r.sources && !r.destinations && (r.service === null || HTTP_PROTOCOLS.has(r.service.protocol));
}

/** Characters that can never be part of a value nginx receives from kongc (control characters). */
const CONTROL = /[\x00-\x1f\x7f]/;

export function checkState(state: KongState, options: CheckOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const err = (ref: SourceRef, code: DiagnosticCode, message: string, hint?: string) => out.push(diag(ref, 'error', code, message, hint));
  const unsupported = (ref: SourceRef, message: string) =>
    out.push(diag(ref, options.skipUnsupported ? 'warning' : 'error', 'unsupported', message, options.skipUnsupported ? 'left out because of --skip-unsupported' : 'remove it, or pass --skip-unsupported to compile the rest'));

  unique(state.services.filter((s) => s.name), (s) => s.name!, 'service name', out);
  unique(state.routes.filter((r) => r.name), (r) => r.name!, 'route name', out);
  unique(state.upstreams, (u) => u.name, 'upstream name', out);
  unique([...state.services, ...state.routes, ...state.upstreams, ...state.caCertificates, ...state.certificates].filter((e) => e.id), (e) => e.id!.toLowerCase(), 'id', out, 'id');

  for (const s of state.services) {
    if (!isCompiledService(s)) unsupported(child(s.src, 'protocol'), `service protocol '${s.protocol}' is not compiled by kongc (http, https, tcp, tls and udp only)`);
    if (isStreamService(s)) checkStreamService(s, out);
    if (s.host && addressProblem({ host: s.host, port: null, bracketed: false })) {
      err(child(s.src, 'host'), 'host', `service host '${s.host}' is not a hostname or IP address`, s.host.includes(':') ? "put the port in 'port', not in 'host'" : undefined);
    }
    if (s.path !== null) checkServicePath(s.path, child(s.src, 'path'), err);
    if (s.port === 0) err(child(s.src, 'port'), 'port', 'service port 0 cannot be proxied to', 'set the port the service listens on');
    if (s.protocol !== 'https' && s.protocol !== 'tls' && (s.tls_verify !== null || s.tls_verify_depth !== null)) {
      err(child(s.src, s.tls_verify !== null ? 'tls_verify' : 'tls_verify_depth'), 'tls', "tls_verify and tls_verify_depth apply only to services with protocol 'https' or 'tls'");
    }
  }

  // Not push(...list): a large config can report more problems than a call takes arguments.
  for (const d of checkUpstreams(state)) out.push(d);
  for (const d of checkCertificates(state)) out.push(d);
  for (const d of checkNearMisses(state)) out.push(d);
  for (const d of checkConsumers(state)) out.push(d);
  for (const d of checkNginxValues(state)) out.push(d);
  // Many routes share a host: each distinct one is checked once.
  const hostProblems = new Map<string, string | null>();
  const hostProblemOnce = (h: string) => {
    let problem = hostProblems.get(h);
    if (problem === undefined) hostProblems.set(h, (problem = hostProblem(h)));
    return problem;
  };
  const checks: RouteChecks = { err, unsupported, warn: (ref, code, message, hint) => out.push(diag(ref, 'warning', code, message, hint)), hostProblem: hostProblemOnce };
  for (const r of state.routes) {
    if (isStreamRoute(r)) checkStreamRoute(r, out, unsupported);
    else checkRoute(r, checks);
  }
  checkStreamPlugins(state, out);
  return out;
}

type Report = (ref: SourceRef, code: DiagnosticCode, message: string, hint?: string) => void;

interface RouteChecks {
  err: Report;
  warn: Report;
  unsupported: (ref: SourceRef, message: string) => void;
  hostProblem: (host: string) => string | null;
}

function checkRoute(r: Route, { err, warn, unsupported, hostProblem }: RouteChecks): void {
  const protos = r.protocols;
  const nonHttp = protos.filter((p) => !HTTP_PROTOCOLS.has(p));
  if (nonHttp.length) unsupported(child(r.src, 'protocols'), `route protocols ${nonHttp.join(', ')} are not compiled by kongc (HTTP and HTTPS only)`);
  if (r.service && isStreamService(r.service)) unsupported(child(r.src, 'service'), `an HTTP route's service has protocol '${r.service.protocol}', which is for stream routes`);
  if (r.sources || r.destinations) err(child(r.src, r.sources ? 'sources' : 'destinations'), 'route-matcher', "sources and destinations are for stream routes ('tcp', 'tls', 'udp'): Kong's router rejects them on http routes", "set protocols to tcp/tls/udp, or remove them");
  if (nonHttp.length === 0 && !r.methods && !r.hosts && !r.headers && !r.paths && !(protos.includes('https') && r.snis)) {
    const which = protos.includes('https') ? "'methods', 'hosts', 'headers', 'paths', 'snis'" : "'methods', 'hosts', 'headers', 'paths'";
    err(r.src, 'route-matcher', `route must set one of ${which} when 'protocols' is '${protos.includes('https') ? 'https' : 'http'}'`, 'add hosts or paths so Kong (and kongc) can match requests to it');
  }
  if (r.snis) {
    if (!protos.includes('https')) err(child(r.src, 'snis'), 'snis', "'snis' can be set only when protocols has 'https'");
    r.snis.forEach((name, i) => {
      const problem = routeSniProblem(name);
      if (problem) err(child(r.src, 'snis', i), 'snis', `invalid SNI '${printable(name)}': ${problem}`, 'a host name without port, with at most one * as its whole first or last label (*.example.com, example.*)');
    });
  }
  if (r.path_handling === 'v1') {
    warn(child(r.src, 'path_handling'), 'path-handling', "path_handling 'v1' is ignored by Kong 3.x's default router (traditional_compatible), which uses v0; kongc does the same", "remove path_handling or set it to 'v0'");
  }
  if (r.methods && r.methods.length > 64) err(child(r.src, 'methods'), 'methods', 'more than 64 methods');
  if (r.regex_priority < 0 && r.paths?.some((p) => p.startsWith('~'))) {
    warn(
      child(r.src, 'regex_priority'),
      'regex-priority',
      'a negative regex_priority makes Kong try this route first, not last: Kong computes route priority with 32-bit shifts, and a negative value fills the highest bits (kongc does the same)',
      'use 0 here and a higher regex_priority on the routes that should go first',
    );
  }
  (r.hosts ?? []).forEach((h, i) => {
    const problem = hostProblem(h);
    if (problem) err(child(r.src, 'hosts', i), 'host', `invalid host '${printable(h)}': ${problem}`, 'use a hostname, IP, *.suffix or prefix.* with an optional :port');
  });
  (r.paths ?? []).forEach((p, i) => {
    const problem = routePathProblem(p);
    if (problem) err(child(r.src, 'paths', i), 'path', `invalid path '${printable(p)}': ${problem.message}`, problem.hint);
  });
  for (const [name, values] of Object.entries(r.headers ?? {})) {
    const ref = child(r.src, 'headers', name);
    if (name.toLowerCase() === 'host') err(ref, 'header', "cannot contain 'host' header, which must be specified in the 'hosts' attribute");
    values.forEach((v, i) => {
      if (CONTROL.test(v)) err(child(ref, i), 'header', `header value for '${name}' contains a control character`);
      if (v.startsWith('~*')) {
        if (values.length > 1) return;
        const rx = analyzeRouteRegex(v.slice(2).toLowerCase()); // Kong lower-cases the pattern
        if ('error' in rx) err(child(ref, i), 'regex', `header regex for '${name}': ${rx.error}`, rx.hint);
      }
    });
  }
}

function printable(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** Kong's host rules for route hosts: one `*` as a whole leftmost/rightmost label; hostname or IP; optional port. */
export function hostProblem(h: string): string | null {
  if (CONTROL.test(h) || /\s/.test(h)) return 'contains whitespace or a control character';
  const hostPort = splitHostPort(h);
  // Port 0 is Kong's, but no request arrives on it.
  const port = hostPort.port === null ? null : portProblem(hostPort.port, 1);
  if (port) return port;
  const wildcard = wildcardProblem(hostPort.host);
  if (wildcard === 'several') return 'only one wildcard is allowed';
  if (wildcard === 'placement') return "the wildcard must be the whole leftmost or rightmost label ('*.example.com' or 'example.*')";
  const host = withoutWildcard(hostPort.host);
  // Kong takes a trailing dot too, but nginx drops it from the request's host: it never matches.
  return addressProblem({ ...hostPort, host }) ?? (host.endsWith('.') ? 'must not end with a dot' : null);
}

/** Kong's wildcard_host for route snis (Kong 3.x routers): a host name, no port, no IP address; a trailing dot is ignored. */
function routeSniProblem(name: string): string | null {
  if (name === '*') return null;
  const host = name.length > 1 && name.endsWith('.') ? name.slice(0, -1) : name;
  if (isIPv4(host) || isIPv6(host) || host.startsWith('[')) return 'must not be an IP';
  if (host.includes(':')) return 'must not have a port';
  return hostProblem(host);
}

/** Kong's router_path rules plus what nginx cannot carry. */
export function routePathProblem(p: string): { message: string; hint?: string } | null {
  if (CONTROL.test(p)) return { message: 'contains a control character' };
  if (p.startsWith('~')) {
    if (!p.startsWith('~/')) return { message: "a regex path must start with '~/'" };
    if (p.includes('//')) return { message: "must not contain '//'" };
    const rx = analyzeRouteRegex(p.slice(1));
    if ('error' in rx) return { message: rx.error, hint: rx.hint ?? 'rewrite the regex in the syntax PCRE and Rust regex share' };
    return null;
  }
  if (!p.startsWith('/')) return { message: "should start with: / (fixed path) or ~/ (regex path)", hint: `write '/${p}'` };
  if (p.includes('//')) return { message: "must not contain '//'" };
  if (!validPercentEncoding(p)) return { message: "invalid percent-encoding ('%' must start %XX)" };
  const norm = normalizeKongPath(p);
  if (norm !== p) return { message: `non-normalized path, consider use '${norm}' instead` };
  const decoded = decodeAllPercent(p);
  if (decoded === null) return { message: 'percent-encoded bytes are not valid UTF-8' };
  if (CONTROL.test(decoded)) return { message: 'decodes to a control character, which nginx cannot match in a location' };
  // Spaces and other non-control whitespace are accepted, as Kong does (they are not normalized
  // away); the location encoder quotes them.
  return null;
}

const SERVICE_PATH_PROBLEMS = {
  start: ['should start with: /'],
  'empty-segment': ["must not contain '//'"],
  characters: ['only RFC 3986 characters are allowed', 'percent-encode other characters'],
  percent: ["'%' must start a %XX escape"],
} as const;

function checkServicePath(p: string, ref: SourceRef, err: Report): void {
  const problem = pathSyntaxProblem(p);
  if (problem) {
    const [message, hint] = SERVICE_PATH_PROBLEMS[problem.kind];
    return err(ref, 'path', `invalid service path '${printable(p)}': ${message}`, hint);
  }
  const decoded = decodeAllPercent(p);
  if (decoded === null || CONTROL.test(decoded)) return err(ref, 'path', `invalid service path '${printable(p)}': decodes to bytes nginx cannot carry`);
}

function unique<T extends { src: SourceRef }>(items: T[], keyOf: (t: T) => string, what: string, out: Diagnostic[], code: DiagnosticCode = 'duplicate-name'): void {
  const first = new Map<string, T>();
  for (const it of items) {
    const k = keyOf(it);
    const prev = first.get(k);
    if (prev) {
      const at = prev.src.map.locate(prev.src.pointer);
      out.push(diag(it.src, 'error', code, `duplicate ${what} '${k}' (first declared at ${at.file}:${at.line}:${at.column})`, `${what}s must be unique`));
    } else first.set(k, it);
  }
}
