// Kong's stream route matching (routes.ts) in nginx terms. A connection is described by one
// string, `<source nets>|$remote_port|<destination nets>|$server_port|$ssl_preread_server_name`,
// and one map tries each route's regex over it in Kong's order (nginx tries regex entries in the
// order written, the first match wins). The net parts come from `geo` blocks: a geo answers for
// the longest prefix containing the address, so each entry lists every route network containing
// it (networks nest or are disjoint), and a route's regex asks for its own network's number.
import { escapeRegex } from '../../pcre.js';
import { netContains, netText, type IpNet } from '../../model/stream-endpoint.js';
import type { MapBlock, MapEntry, StreamGeo } from '../ir.js';
import type { HostPattern } from '../hosts.js';
import type { ParsedEndpoint, StreamRoute } from './routes.js';

export const STREAM_VARIABLES = {
  sourceNets: 'kongc_stream_src',
  destinationNets: 'kongc_stream_dst',
  route: 'kongc_stream_route',
} as const;

export interface StreamMatch {
  geos: StreamGeo[];
  /** Route token by route, and the map choosing the token. */
  routeMap: MapBlock;
}

/** `tokens` names each route in the map's value (generated identifiers). */
export function lowerStreamMatch(routes: StreamRoute[], tokens: Map<StreamRoute, string>): StreamMatch {
  const src = numberNets(routes.flatMap((r) => r.sources));
  const dst = numberNets(routes.flatMap((r) => r.destinations));
  const geos: StreamGeo[] = [];
  if (src.nets.length) geos.push(geoOf('remote_addr', STREAM_VARIABLES.sourceNets, src, 'the route sources (by number) that contain the client address'));
  if (dst.nets.length) geos.push(geoOf('server_addr', STREAM_VARIABLES.destinationNets, dst, 'the route destinations (by number) that contain the address the client connected to'));
  const entries: MapEntry[] = routes.map((r) => ({
    match: 'regex',
    caseless: false,
    pattern: `^${endpointsRegex(r.sources, src)}\\|${endpointsRegex(r.destinations, dst)}\\|${snisRegex(r.snis)}\\z`,
    value: [{ text: tokens.get(r)! }],
  }));
  const routeMap: MapBlock = {
    variable: STREAM_VARIABLES.route,
    // Without networks on a side, its part is empty (a regex `[^|]*` takes it).
    source: [
      ...(src.nets.length ? [{ variable: STREAM_VARIABLES.sourceNets }] : []),
      { text: '|' },
      { variable: 'remote_port' },
      { text: '|' },
      ...(dst.nets.length ? [{ variable: STREAM_VARIABLES.destinationNets }] : []),
      { text: '|' },
      { variable: 'server_port' },
      { text: '|' },
      { variable: 'ssl_preread_server_name' },
    ],
    entries,
    default: [],
    purpose: "the route Kong picks for a connection: each route's sources, destinations and snis, in Kong's order",
  };
  return { geos, routeMap };
}

interface NumberedNets {
  nets: IpNet[];
  number: Map<string, number>;
}

function numberNets(list: ParsedEndpoint[]): NumberedNets {
  const byText = new Map<string, IpNet>();
  for (const e of list) if (e.net) byText.set(netText(e.net), e.net);
  const texts = [...byText.keys()].sort();
  return { nets: texts.map((t) => byText.get(t)!), number: new Map(texts.map((t, i) => [t, i])) };
}

function geoOf(address: string, variable: string, nets: NumberedNets, purpose: string): StreamGeo {
  const entries = nets.nets.map((n) => {
    const containing = nets.nets.filter((m) => netContains(m, n)).map((m) => nets.number.get(netText(m))!);
    return { cidr: netText(n), value: `:${containing.join(':')}:` };
  });
  return { address, variable, entries, purpose };
}

/** `<nets>|<port>` for any of the endpoints (or any connection, without endpoints). */
function endpointsRegex(list: ParsedEndpoint[], nets: NumberedNets): string {
  if (!list.length) return '[^|]*\\|[0-9]*';
  const alternatives = list.map((e) => {
    const net = e.net ? `[^|]*:${nets.number.get(netText(e.net))}:[^|]*` : '[^|]*';
    return `${net}\\|${e.port === null ? '[0-9]*' : String(e.port)}`;
  });
  return `(?:${[...new Set(alternatives)].join('|')})`;
}

/**
 * Kong compares SNIs only when the client sent one: an empty SNI (no TLS, or none sent) passes.
 * `*.example.com` is Kong's postfix `.example.com`, `example.*` its prefix `example.`.
 */
function snisRegex(snis: HostPattern[]): string {
  if (!snis.length) return '[\\s\\S]*';
  const alternatives = snis.map((p) => (p.kind === 'exact' ? escapeRegex(p.host) : p.kind === 'leading' ? `[\\s\\S]*\\.${escapeRegex(p.host)}` : `${escapeRegex(p.host)}\\.[\\s\\S]*`));
  return `(?:|${alternatives.join('|')})`;
}
