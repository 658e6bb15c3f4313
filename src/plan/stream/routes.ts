// Kong's stream router (traditional_compatible: K:kong/router/transform.lua, atc.lua, fields.lua):
// a route matches a connection when each of its fields does — an SNI pattern (only when the client
// sent an SNI: Kong's `net.protocol != "tls" || tls.sni …`), a source (ip/CIDR and/or port) and a
// destination (ip/CIDR and/or port). Protocols take no part in matching. Routes are tried in
// descending priority (stream_get_priority), equal priorities by route UUID.
import { parseStreamEndpoint, parseIpNet, netContains, type IpNet, type StreamEndpoint } from '../../model/stream-endpoint.js';
import type { Route } from '../../model/types.js';
import { parseHostPattern, patternMatchesName, wildcardsOverlap, type HostPattern } from '../hosts.js';

export interface StreamRoute {
  route: Route;
  key: string;
  priority: bigint;
  snis: HostPattern[];
  sources: ParsedEndpoint[];
  destinations: ParsedEndpoint[];
}

export interface ParsedEndpoint {
  net: IpNet | null;
  port: number | null;
}

// stream_get_priority: bit 61 for snis, or for sources and destinations together; the source
// weight shifted by 4, the destination weight in the low bits. IP > port > CIDR.
const SNI_BIT = 1n << 61n;
const IP_BIT = 8n;
const PORT_BIT = 4n;
const CIDR_BIT = 1n;

function weight(list: unknown[] | null): bigint {
  let w = 0n;
  for (const raw of list ?? []) {
    const e = parseStreamEndpoint(raw) as StreamEndpoint;
    if (e.ip !== null) w |= e.ip.includes('/') ? CIDR_BIT : IP_BIT;
    if (e.port !== null) w |= PORT_BIT;
  }
  return w;
}

/** Kong's priority of a stream route. */
export function streamPriority(r: Pick<Route, 'snis' | 'sources' | 'destinations'>): bigint {
  const both = r.sources !== null && r.destinations !== null;
  return (r.snis !== null || both ? SNI_BIT : 0n) | (weight(r.sources) << 4n) | weight(r.destinations);
}

function endpoints(list: unknown[] | null): ParsedEndpoint[] {
  return (list ?? []).map((raw) => {
    const e = parseStreamEndpoint(raw) as StreamEndpoint;
    return { net: e.ip === null ? null : parseIpNet(e.ip), port: e.port };
  });
}

/** Validated routes in the order Kong tries them: priority, then declaration order (see ties). */
export function orderStreamRoutes(routes: { route: Route; key: string }[]): StreamRoute[] {
  return routes
    .map(({ route, key }) => ({ route, key, priority: streamPriority(route), snis: (route.snis ?? []).map(parseHostPattern), sources: endpoints(route.sources), destinations: endpoints(route.destinations) }))
    .sort((a, b) => (a.priority === b.priority ? a.route.order - b.route.order : a.priority > b.priority ? -1 : 1));
}

/** Two routes of equal priority that can match one connection (one that sends an SNI, when both name SNIs). */
export function streamRoutesOverlap(a: StreamRoute, b: StreamRoute): boolean {
  return snisOverlap(a.snis, b.snis) && endpointsOverlap(a.sources, b.sources) && endpointsOverlap(a.destinations, b.destinations);
}

function snisOverlap(a: HostPattern[], b: HostPattern[]): boolean {
  if (!a.length || !b.length) return true;
  return a.some((x) => b.some((y) => (x.kind === 'exact' ? (y.kind === 'exact' ? x.host === y.host : patternMatchesName(y, x.host)) : y.kind === 'exact' ? patternMatchesName(x, y.host) : wildcardsOverlap(x, y))));
}

function endpointsOverlap(a: ParsedEndpoint[], b: ParsedEndpoint[]): boolean {
  if (!a.length || !b.length) return true;
  const nets = (x: IpNet | null, y: IpNet | null) => x === null || y === null || netContains(x, y) || netContains(y, x);
  return a.some((x) => b.some((y) => nets(x.net, y.net) && (x.port === null || y.port === null || x.port === y.port)));
}
