// Kong's rules for stream routes and services (Kong's routes.lua and
// routes_subschemas.lua): which fields a tcp, tls, udp or tls_passthrough route may and must set,
// and what a sources/destinations element holds.
import type { Diagnostic } from '../diagnostics.js';
import { child, diag, type SourceRef } from '../load/source-map.js';
import { parseStreamEndpoint } from '../model/stream-endpoint.js';
import type { KongState, Protocol, Route, Service } from '../model/types.js';

const STREAM_PROTOCOLS: ReadonlySet<Protocol> = new Set(['tcp', 'tls', 'udp', 'tls_passthrough']);

/** Service protocols kongc proxies in nginx's stream {} context. */
const STREAM_SERVICE_PROTOCOLS: ReadonlySet<Protocol> = new Set(['tcp', 'tls', 'udp']);

/** Kong's mutually exclusive protocol sets. */
const PROTOCOL_SETS: Protocol[][] = [['http', 'https'], ['tcp', 'tls', 'udp'], ['tls_passthrough'], ['grpc', 'grpcs']];

/** A route Kong's stream subsystem serves (its protocols are tcp, tls, udp or tls_passthrough). */
export function isStreamRoute(r: Route): boolean {
  return r.protocols.some((p) => STREAM_PROTOCOLS.has(p));
}

/** A stream route kongc compiles (the others are reported, and left out with --skip-unsupported). */
export function isCompiledStreamRoute(r: Route): boolean {
  const svc = r.service;
  return isStreamRoute(r) && (svc === null || (isStreamService(svc) && !(svc.protocol === 'tls' && r.preserve_host)));
}

export function isStreamService(s: Service): boolean {
  return STREAM_SERVICE_PROTOCOLS.has(s.protocol);
}

export function checkStreamService(s: Service, out: Diagnostic[]): void {
  if (s.path !== null) out.push(diag(child(s.src, 'path'), 'error', 'stream', `service path must be null when protocol is '${s.protocol}' (Kong: "value must be null")`, "remove 'path'"));
}

export function checkStreamRoute(r: Route, out: Diagnostic[], unsupported: (ref: SourceRef, message: string) => void): void {
  const err = (ref: SourceRef, message: string, hint?: string) => out.push(diag(ref, 'error', 'stream', message, hint));
  const protos = r.protocols;
  const sets = PROTOCOL_SETS.filter((set) => set.some((p) => protos.includes(p)));
  if (sets.length > 1) {
    err(child(r.src, 'protocols'), `protocols: these sets are mutually exclusive: ${PROTOCOL_SETS.map((s) => `(${s.map((p) => `'${p}'`).join(', ')})`).join(', ')}`, 'split the route into one per set');
    return;
  }
  const first = protos.includes('tls_passthrough') ? 'tls_passthrough' : (['tcp', 'tls', 'udp'] as const).find((p) => protos.includes(p))!;
  for (const field of ['methods', 'hosts', 'paths', 'headers'] as const) {
    if (r[field] !== null) err(child(r.src, field), `cannot set '${field}' when 'protocols' is '${first}'`, 'stream routes match on sources, destinations and snis only');
  }
  if (r.snis && !protos.some((p) => p === 'tls' || p === 'tls_passthrough')) {
    err(child(r.src, 'snis'), "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'", "add 'tls' to protocols, or remove snis");
  }
  const need = first === 'tls_passthrough' ? (['snis'] as const) : (['sources', 'destinations', 'snis'] as const);
  if (!need.some((f) => r[f] !== null)) {
    err(r.src, `must set one of ${need.map((f) => `'${f}'`).join(', ')} when 'protocols' is '${first}'`, first === 'tls_passthrough' ? 'name the server names the route passes through' : 'add sources or destinations (ip and/or port), or snis for tls');
  }
  for (const field of ['sources', 'destinations'] as const) {
    (r[field] ?? []).forEach((raw, i) => {
      const parsed = parseStreamEndpoint(raw);
      if ('problem' in parsed) err(child(r.src, field, i), `${field}: ${parsed.problem}`, "write { ip: 10.0.0.0/8, port: 9000 } (either may be left out)");
    });
  }
  (r.snis ?? []).forEach((sni, i) => {
    const problem = sniProblem(sni);
    if (problem) err(child(r.src, 'snis', i), `invalid sni '${JSON.stringify(sni).slice(1, -1)}': ${problem}`, "use a host name, '*.example.com' or 'example.*'");
  });
  const svc = r.service;
  if (svc?.protocol === 'tls' && r.preserve_host) {
    unsupported(child(r.src, 'preserve_host'), "preserve_host on a stream route (Kong names the client's SNI to a tls service) is not compiled by kongc");
  }
  if (svc && !isStreamService(svc)) {
    unsupported(child(r.src, 'service'), `a ${first} route proxies a byte stream, and its service has protocol '${svc.protocol}'; kongc sends stream routes only to services with protocol tcp, tls or udp`);
  }
}

/** Server names as Kong's wildcard_host accepts them, with no port (SNI carries none). */
function sniProblem(sni: string): string | null {
  if (typeof sni !== 'string' || !sni) return 'must be a non-empty string';
  if (sni.length > 253) return 'a server name has at most 253 characters';
  if (/[^A-Za-z0-9.*_-]/.test(sni)) return 'only letters, digits, dots, dashes, underscores and one leading or trailing wildcard are allowed';
  const stars = sni.split('*').length - 1;
  if (stars > 1) return 'only one wildcard is allowed';
  if (stars === 1 && !sni.startsWith('*.') && !sni.endsWith('.*')) return "the wildcard must be the whole leftmost or rightmost label ('*.example.com' or 'example.*')";
  if (sni === '*' ) return "a route sni cannot be '*'";
  if (sni.includes('..') || sni.startsWith('.')) return 'empty label';
  return null;
}

/** Plugins whose default protocols include the stream ones (Kong runs them on tcp/tls connections too). */
const STREAM_DEFAULT_PLUGINS = new Set(['ip-restriction']);

/**
 * Plugins kongc would otherwise leave off stream connections: every plugin on a stream route or
 * service, and a global one Kong also runs on streams (its protocols name one, or it is one that
 * does by default). kongc compiles no stream plugin, so each is an error, even with
 * --skip-unsupported: leaving out a plugin such as ip-restriction would open the route.
 */
export function checkStreamPlugins(state: KongState, out: Diagnostic[]): void {
  const streamRoutes = state.routes.filter(isStreamRoute);
  if (!streamRoutes.length) return;
  for (const p of state.plugins) {
    if (!p.enabled) continue;
    const scoped = (p.route && isStreamRoute(p.route)) || (p.service && !p.route && isStreamService(p.service));
    const global = !p.route && !p.service && (p.protocols ? p.protocols.some((x) => STREAM_PROTOCOLS.has(x)) : STREAM_DEFAULT_PLUGINS.has(p.name));
    if (scoped || global) {
      const message = `plugin '${p.name}' ${scoped ? 'is on a stream route or service' : 'also runs on stream connections in Kong'}, and kongc compiles no plugin into the stream include`;
      out.push(diag(p.src, 'error', 'unsupported', message, scoped ? 'remove the plugin, or the stream route' : "set the plugin's protocols to http/https only, or remove the stream routes"));
    }
  }
}
