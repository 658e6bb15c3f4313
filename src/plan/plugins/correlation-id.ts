// correlation-id: the client's own id kept, else one generated and sent upstream; with
// echo_downstream the id is set on every response, the upstream's and Kong's own answers.
import type { MapValue } from '../ir.js';
import { shortHash } from '../names.js';
import type { PluginDefinition } from './definition.js';
import { HEADER_NAME, headerVariable, instanceToken } from './header-ops.js';

export interface CorrelationIdConfig {
  header_name: string;
  generator: 'uuid' | 'uuid#counter' | 'tracker';
  echo_downstream: boolean;
}

/** Headers kongc sends upstream itself (as Kong does), which an id header cannot replace. */
export const KONG_REQUEST_HEADERS = new Set(['host', 'upgrade', 'connection', 'x-real-ip', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-path', 'x-forwarded-prefix']);

/** A version 4 UUID from nginx's $request_id (32 random hex digits): the version and variant digits set. */
const UUID = 'kongc_uuid';

const notified = new WeakSet<object>();

export const correlationId: PluginDefinition<CorrelationIdConfig> = {
  name: 'correlation-id',
  // Kong 3.9 moved it from 1 to 100001, before every other plugin (authentication included).
  priority: 100001,
  tier: 'stock',
  role: 'transform',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      header_name: { type: 'string', default: 'Kong-Request-ID' },
      generator: { enum: ['uuid', 'uuid#counter', 'tracker'], default: 'uuid#counter' },
      echo_downstream: { type: 'boolean', default: false },
    },
  },
  check(config, ctx) {
    const name = config.header_name;
    if (!HEADER_NAME.test(name) || !headerVariable('http_', name)) ctx.error(ctx.at('header_name'), `'${name}' is not a valid header name`, 'header names are letters, digits, - and _');
    else if (KONG_REQUEST_HEADERS.has(name.toLowerCase())) ctx.error(ctx.at('header_name'), `${name} is a header Kong sets upstream itself; kongc does not compile an id in it`, 'use a header of its own, such as X-Request-ID');
  },
  lower(use, ctx) {
    const c = use.config;
    if (use.consumers.only) {
      // Kong 3.9+ runs correlation-id before any authentication, so an instance bound to a consumer never applies.
      if (!notified.has(use.plugin)) {
        notified.add(use.plugin);
        ctx.warn(ctx.at(use, 'header_name'), `${use.label}: Kong runs correlation-id before authentication, so an instance for consumers is never chosen; left out`);
      }
      return {};
    }
    const k = `kongc_cid_${instanceToken(use)}`;
    let generated: MapValue;
    if (c.generator === 'tracker') {
      // Kong: server_addr-server_port-worker pid-connection serial-requests on it-now (3 decimals).
      generated = ['server_addr', 'server_port', 'pid', 'connection', 'connection_requests', 'msec'].flatMap((v, i) => (i ? [{ text: '-' }, { variable: v }] : [{ variable: v }]));
    } else {
      ctx.map({
        variable: UUID,
        source: [{ variable: 'request_id' }],
        entries: [['0-3', '8'], ['4-7', '9'], ['89ab', 'a'], ['c-f', 'b']].map(([cls, variant]) => ({
          match: 'regex' as const,
          caseless: false,
          pattern: `^([0-9a-f]{8})([0-9a-f]{4})[0-9a-f]([0-9a-f]{3})[${cls}]([0-9a-f]{3})([0-9a-f]{12})\\z`,
          value: [{ variable: '1' }, { text: '-' }, { variable: '2' }, { text: '-4' }, { variable: '3' }, { text: `-${variant}` }, { variable: '4' }, { text: '-' }, { variable: '5' }],
        })),
        default: [],
        purpose: "a random version 4 UUID per request, made of nginx's $request_id",
      });
      generated = [{ variable: UUID }];
      if (c.generator === 'uuid#counter') {
        ctx.approximate(
          ctx.at(use, 'generator'),
          `${use.label}: Kong's uuid#counter is one UUID per worker and a counter (<uuid>#<n>); nginx has neither, so the id is a UUID per request and the number of the request on its connection`,
          'use generator: uuid (compiled exactly)',
        );
        generated = [{ variable: UUID }, { text: '#' }, { variable: 'connection_requests' }];
      }
    }
    const incoming = headerVariable('http_', c.header_name)!;
    const id = ctx.map({
      variable: k,
      source: [{ variable: incoming }],
      entries: [{ match: 'exact', key: '', value: generated }],
      default: [{ variable: incoming }],
      purpose: `${use.label}: the client's ${c.header_name}, else a new id`,
    });
    const work: ReturnType<NonNullable<PluginDefinition['lower']>> = { requestHeaders: [{ name: c.header_name, value: [{ variable: id }] }] };
    if (c.echo_downstream) {
      const shared = `kongc_echo_${shortHash(c.header_name.toLowerCase(), 8)}`;
      ctx.map({ variable: shared, source: [], entries: [], default: [], purpose: `correlation-id: the ${c.header_name} Kong's own answers echo (set by a route that echoes it)` });
      work.first = [{ kind: 'set', variable: shared, value: [{ variable: id }] }];
      work.hideHeaders = [c.header_name];
      work.responseHeaders = [{ name: c.header_name, value: [{ variable: id }] }];
      ctx.answerHeader({ name: c.header_name, value: [{ variable: shared }] });
    }
    return work;
  },
};
