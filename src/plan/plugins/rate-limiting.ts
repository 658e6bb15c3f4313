// rate-limiting: per instance and period one limit_req_zone; `rate=N/period burst=N-1 nodelay`
// lets exactly N back-to-back requests through, then one more each 1/N of the period (a leaky
// bucket, where Kong counts fixed calendar windows). Every period configured applies. The key
// (limit_by, with Kong's fallback to the client address) is set in the route's rewrite phase,
// before the route rewrites $uri; nginx answers error_code through error_page with Kong's error.
import type { Consumer } from '../../model/types.js';
import type { HeaderLine, MapValue, PluginDirective, PluginStep } from '../ir.js';
import { shortHash } from '../names.js';
import { checkErrorPageStatus, checkText, HEADER_NAME, once } from './answers.js';
import type { LowerContext, PluginDefinition, PluginUse } from './definition.js';

type Period = 'second' | 'minute' | 'hour' | 'day' | 'month' | 'year';

interface Config {
  second?: number;
  minute?: number;
  hour?: number;
  day?: number;
  month?: number;
  year?: number;
  limit_by: 'consumer' | 'credential' | 'ip' | 'service' | 'header' | 'path';
  header_name?: string;
  path?: string;
  policy: 'local' | 'redis' | 'cluster';
  fault_tolerant: boolean;
  redis?: Record<string, unknown>;
  redis_host?: string;
  hide_client_headers: boolean;
  error_code: number;
  error_message: string;
  sync_rate: number;
}

export const PERIODS: readonly Period[] = ['second', 'minute', 'hour', 'day', 'month', 'year'];
/** Seconds per window, as Kong counts them (month 30 days, year 365). */
const WINDOW_SECONDS: Record<Period, number> = { second: 1, minute: 60, hour: 3600, day: 86400, month: 2592000, year: 31536000 };
/** The largest limit kongc compiles (nginx keeps rates in machine integers). */
const MAX_LIMIT = 1_000_000_000;
/** Shared memory per zone: about 16 000 clients per megabyte (nginx's figure for 64-byte states). */
const ZONE_SIZE = '2m';

const LIMIT = { type: 'number', exclusiveMinimum: 0 };
const REDIS_SHORTHANDS = ['redis_host', 'redis_port', 'redis_password', 'redis_username', 'redis_ssl', 'redis_ssl_verify', 'redis_server_name', 'redis_timeout', 'redis_database'];

function capitalized(p: Period): string {
  return p[0]!.toUpperCase() + p.slice(1);
}

/** Kong's `%.1f`. */
const oneDecimal = (n: number) => n.toFixed(1);

export const rateLimiting: PluginDefinition<Config> = {
  name: 'rate-limiting',
  priority: 910,
  tier: 'stock',
  role: 'gate',
  phase: 'preaccess',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      second: LIMIT,
      minute: LIMIT,
      hour: LIMIT,
      day: LIMIT,
      month: LIMIT,
      year: LIMIT,
      limit_by: { enum: ['consumer', 'credential', 'ip', 'service', 'header', 'path'], default: 'consumer' },
      header_name: HEADER_NAME,
      path: { type: 'string', pattern: "^/[A-Za-z0-9._~/%:@!$&'()*+,;=-]*$", maxLength: 1024, 'x-hint': 'a path starting with /, in the characters RFC 3986 allows' },
      policy: { enum: ['local', 'redis', 'cluster'], default: 'local' },
      fault_tolerant: { type: 'boolean', default: true },
      redis: { type: 'object' },
      hide_client_headers: { type: 'boolean', default: false },
      error_code: { type: 'number', exclusiveMinimum: 0, default: 429 },
      error_message: { type: 'string', default: 'API rate limit exceeded' },
      sync_rate: { type: 'number', default: -1 },
      ...Object.fromEntries(REDIS_SHORTHANDS.map((k) => [k, {}])),
    },
  },
  check(config, ctx) {
    const set = PERIODS.filter((p) => config[p] !== undefined);
    if (!set.length) {
      ctx.error(ctx.at(), `at least one of these fields must be non-empty: ${PERIODS.map((p) => `'config.${p}'`).join(', ')}`, 'set a limit, e.g. minute: 60');
    }
    // Kong's custom_validator: a longer window may not have a lower limit.
    outer: for (let i = 0; i < PERIODS.length; i++) {
      const lower = PERIODS[i]!;
      const v1 = config[lower];
      if (v1 === undefined) continue;
      for (const upper of PERIODS.slice(i + 1)) {
        const v2 = config[upper];
        if (v2 !== undefined && v2 < v1) {
          ctx.error(ctx.at(upper), `The limit for ${upper}(${oneDecimal(v2)}) cannot be lower than the limit for ${lower}(${oneDecimal(v1)})`);
          break outer;
        }
      }
    }
    for (const p of set) if (config[p]! > MAX_LIMIT) ctx.error(ctx.at(p), `${p} ${config[p]}: more than kongc compiles (${MAX_LIMIT})`, 'use a lower limit');
    if (config.policy !== 'redis' && config.sync_rate !== -1) ctx.error(ctx.at('sync_rate'), 'sync_rate can only be used with the redis policy');
    if (config.policy === 'redis' && config.sync_rate !== -1 && config.sync_rate < 0.02) ctx.error(ctx.at('sync_rate'), 'sync_rate must be greater than 0.02, or -1 to disable');
    if (config.policy === 'redis' && !config.redis?.host && !config.redis_host) ctx.error(ctx.at('policy'), "config.redis.host: required field missing (policy is 'redis')", 'set redis.host, or use policy: local');
    if (config.limit_by === 'header' && !config.header_name) ctx.error(ctx.at('limit_by'), "config.header_name: required field missing (limit_by is 'header')", 'name the header to count by');
    if (config.limit_by === 'path' && !config.path) ctx.error(ctx.at('limit_by'), "config.path: required field missing (limit_by is 'path')", 'give the path to count');
    checkErrorPageStatus(ctx, ctx.at('error_code'), 'error_code', config.error_code);
    checkText(ctx, ctx.at('error_message'), 'error_message', config.error_message);
  },
  lower(use, ctx) {
    const c = use.config;
    const periods = PERIODS.filter((p) => c[p] !== undefined);
    approximations(use, ctx, periods);
    const keyVariable = `kongc_rl_${use.key}`;
    const key = consumerScoped(use, ctx, keyFor(use, ctx));
    if (!key) return {};
    const directives: PluginDirective[] = [];
    for (const p of periods) {
      const allowed = Math.ceil(c[p]!);
      const minutes = WINDOW_SECONDS[p] / 60;
      // second and minute are nginx's own units; longer windows become a per-minute rate (approximated).
      const rate = p === 'second' ? `${allowed}r/s` : p === 'minute' ? `${allowed}r/m` : `${Math.ceil(allowed / minutes)}r/m`;
      const zone = `kongc-rl-${use.key.replace(/_/g, '-')}-${p}`;
      ctx.httpDirective(`limit_req_zone ${zone}`, {
        name: 'limit_req_zone',
        args: [{ value: [{ variable: keyVariable }] }, { option: 'zone', value: `${zone}:${ZONE_SIZE}` }, { option: 'rate', value: rate }],
      });
      directives.push({ name: 'limit_req', args: [{ option: 'zone', value: zone }, ...(allowed > 1 ? [{ option: 'burst', value: String(allowed - 1) }] : []), { word: 'nodelay' }] });
    }
    directives.push({ name: 'limit_req_status', args: [{ count: c.error_code }] });

    const scoped = use.consumers.only !== null || use.consumers.except.length > 0;
    const steps: PluginStep[] = [{ kind: 'set', variable: keyVariable, value: key }];
    const headers: HeaderLine[] = [];
    if (!c.hide_client_headers && !scoped) {
      // The limits go into variables set at this plugin's turn: Kong's answers after it (another
      // plugin's, the 429 itself, an upstream failure) carry them, answers before it do not.
      const shown: [string, number][] = periods.map((p) => [`X-RateLimit-Limit-${capitalized(p)}`, c[p]!]);
      // RateLimit-Limit is the period with the fewest requests left: before any request, the lowest limit (a tie: the longer window).
      const lowest = [...periods].reverse().reduce((a, b) => (c[b]! < c[a]! ? b : a));
      shown.push(['RateLimit-Limit', c[lowest]!]);
      for (const [name, limit] of shown) {
        const variable = ctx.map({ variable: `kongc_rlh_${name.slice(name.lastIndexOf('-') + 1).toLowerCase()}`, source: [], entries: [], default: [], purpose: `the ${name} header: set by rate-limiting on its routes` });
        steps.push({ kind: 'set', variable, value: [{ text: String(limit) }] });
        headers.push({ name, value: [{ variable }] });
        ctx.answerHeader({ name, value: [{ variable }] });
      }
    }
    // nginx lets the next request through once each bucket drained one: at most this many seconds.
    const retryAfter = Math.max(...periods.map((p) => Math.ceil(1 / perSecond(p, c[p]!))));
    const target = ctx.kongError(c.error_code, c.error_message, headers.length ? [['Retry-After', String(retryAfter)]] : []);
    return {
      steps,
      directives,
      responseHeaders: headers,
      errorPages: [{ codes: [c.error_code], target }],
    };
  },
};

/** The rate nginx refills a period's bucket at, in requests per second. */
function perSecond(p: Period, limit: number): number {
  const allowed = Math.ceil(limit);
  if (p === 'second') return allowed;
  if (p === 'minute') return allowed / 60;
  return Math.ceil(allowed / (WINDOW_SECONDS[p] / 60)) / 60;
}

/** What Kong counts by, with its fallback to the client address when the value is missing. */
function keyFor(use: PluginUse<Config>, ctx: LowerContext): MapValue {
  const c = use.config;
  switch (c.limit_by) {
    case 'ip':
      return [{ variable: 'binary_remote_addr' }];
    case 'service': {
      const svc = use.route.service;
      // Kong counts by the service's id; a route without a service counts by address.
      return svc ? [{ text: `service:${svc.id ?? svc.name ?? `#${svc.order}`}` }] : [{ variable: 'remote_addr' }];
    }
    case 'header': {
      const header = 'http_' + c.header_name!.toLowerCase().replace(/-/g, '_');
      return [{ variable: ctx.map({ variable: `kongc_rl_h_${shortHash(header, 10)}`, source: [{ variable: header }], entries: [{ match: 'exact', key: '', value: [{ variable: 'remote_addr' }] }], default: [{ variable: header }], purpose: `rate-limiting by the ${c.header_name} header, else the client address` }) }];
    }
    case 'path':
      // $uri as the client sent it (decoded, normalized): read here, before the route rewrites it.
      return [{ variable: ctx.map({ variable: `kongc_rl_p_${shortHash(c.path!, 10)}`, source: [{ variable: 'uri' }], entries: [{ match: 'exact', key: c.path!, value: [{ text: `path:${c.path}` }] }], default: [{ variable: 'remote_addr' }], purpose: `rate-limiting by the path ${c.path}, else the client address` }) }];
    case 'credential':
      return [{ variable: credentialKey(ctx) }];
    case 'consumer': {
      const { consumer } = ctx.consumerVariables();
      return [{ variable: ctx.map({ variable: 'kongc_rl_consumer', source: [{ variable: consumer }], entries: [{ match: 'exact', key: '', value: [{ variable: credentialKey(ctx) }] }], default: [{ variable: consumer }], purpose: "rate-limiting by consumer: the consumer's id, else the credential's, else the client address" }) }];
    }
  }
}

function credentialKey(ctx: LowerContext): string {
  const { credential } = ctx.consumerVariables();
  return ctx.map({ variable: 'kongc_rl_credential', source: [{ variable: credential }], entries: [{ match: 'exact', key: '', value: [{ variable: 'remote_addr' }] }], default: [{ variable: credential }], purpose: "rate-limiting by credential: the credential, else the client address" });
}

/**
 * An instance chosen for some consumers only (or for everyone but some): the key is empty (nginx
 * does not limit an empty key) for the requests of the others.
 */
function consumerScoped(use: PluginUse<Config>, ctx: LowerContext, key: MapValue): MapValue | null {
  const { only, except } = use.consumers;
  if (only === null && !except.length) return key;
  const listed = only ?? except;
  const missing = listed.find((x: Consumer) => !x.id);
  if (missing) {
    ctx.error(ctx.at(use), `${use.label}: consumer '${missing.custom_id ?? '?'}' has neither id nor username, so nginx cannot tell its requests apart`, 'give the consumer a username or an id');
    return null;
  }
  const ids = [...new Set(listed.map((x) => x.id!))].sort();
  const { consumer } = ctx.consumerVariables();
  const variable = ctx.map({
    variable: `kongc_rl_${use.key}_${only ? 'for' : 'but'}_${shortHash(JSON.stringify([ids, key]), 8)}`,
    source: [{ variable: consumer }],
    entries: ids.map((id) => ({ match: 'exact' as const, key: id, value: only ? key : [] })),
    default: only ? [] : key,
    purpose: `${use.label}: counts ${only ? 'only' : 'all but'} the requests of ${ids.length} consumer(s)`,
  });
  return [{ variable }];
}

function approximations(use: PluginUse<Config>, ctx: LowerContext, periods: Period[]): void {
  const c = use.config;
  // Said once per instance: the config's, on its first route; the headers', on its first consumer-scoped route.
  if (!c.hide_client_headers && (use.consumers.only !== null || use.consumers.except.length > 0) && once(use.plugin, 'headers')) {
    ctx.approximate(ctx.at(use, 'hide_client_headers'), `${use.label}: on routes where consumer-specific rate-limiting instances apply, no X-RateLimit-Limit headers are sent (nginx's headers cannot depend on the consumer)`, 'set hide_client_headers: true to state it');
  }
  if (!once(use.plugin, 'config')) return;
  for (const p of periods) {
    if (p === 'second' || p === 'minute') continue;
    const allowed = Math.ceil(c[p]!);
    const minutes = WINDOW_SECONDS[p] / 60;
    const perMinute = Math.ceil(allowed / minutes);
    const worst = allowed + perMinute * minutes - 1;
    ctx.approximate(
      ctx.at(use, p),
      `${use.label}: ${p}: ${c[p]} per ${p} becomes a burst of ${allowed} then ${perMinute} per minute (nginx rates are per second or minute): a client can make up to ${worst} requests in any ${p} (Kong: at most ${allowed} per calendar ${p}, so up to ${2 * allowed} in one ${p} straddling two)`,
      'use second or minute limits for exact counts',
    );
  }
  if (c.policy !== 'local') {
    ctx.approximate(
      ctx.at(use, 'policy'),
      `${use.label}: policy ${c.policy}: the counters live in each nginx (shared by its workers), not in ${c.policy === 'redis' ? 'Redis' : "Kong's database"}: with K nginx instances behind a load balancer a client can make K times the limit`,
      'use policy: local to state that each gateway counts alone',
    );
  }
}
