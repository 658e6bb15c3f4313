// proxy-cache (strategy memory) → an nginx disk cache per instance: proxy_cache_path at http level,
// proxy_cache_* in each route's location, and maps that decide what Kong would store and what
// X-Cache-Status it would send.
import type { MapEntry, MapValue, PluginDirective } from '../ir.js';
import { escapeRegex } from '../../pcre.js';
import { VARIABLES } from '../names.js';
import type { Plugin } from '../../model/types.js';
import type { PluginDefinition } from './definition.js';
import { selectForRoute } from './scope.js';

export interface ProxyCacheConfig {
  response_code: number[];
  request_method: string[];
  content_type: string[];
  cache_ttl: number;
  strategy: string;
  cache_control: boolean;
  ignore_uri_case: boolean;
  storage_ttl?: number;
  memory: { dictionary_name: string };
  vary_query_params?: string[];
  vary_headers?: string[];
  response_headers: { age: boolean; 'X-Cache-Status': boolean; 'X-Cache-Key': boolean };
}

/** nginx's time values are seconds in a signed 32-bit int. */
const MAX_SECONDS = 2147483647;
/** Kong's memory strategy lives in kong_db_cache, 128 MB by default (mem_cache_size). */
const CACHE_MAX_SIZE = '128m';
const HEADER_WORD = /^[A-Za-z0-9_-]+$/;

/** RFC 2045 token characters, as Kong's media-type parser (kong/tools/mime_type.lua) reads them. */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"[^"\\x00-\\x1f\\x7f]*"';
const PARAM = `${TOKEN}=(?:${TOKEN}|${QUOTED})`;
const SEP = '[ \\t]*;[ \\t]*';

/** A caseless group for text compared case-insensitively (types, parameter names). */
function caseless(text: string): string {
  return `(?i:${escapeRegex(text)})`;
}

interface MediaType {
  type: string;
  subtype: string;
  params: [string, string][];
}

/** Kong's parse_mime_type: `type/subtype` or `*`, then `; name=value` (token or quoted); null when it does not parse. */
export function parseMediaType(text: string): MediaType | null {
  const token = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
  const m = new RegExp(`^(?:(${token})/(${token})|(\\*))((?:[ \\t]*;[ \\t]*${token}=(?:${token}|"[^"\\x00-\\x1f\\x7f]*"))*)$`).exec(text);
  if (!m) return null;
  const params = new Map<string, string>();
  const re = new RegExp(`;[ \\t]*(${token})=(?:(${token})|"([^"\\x00-\\x1f\\x7f]*)")`, 'g');
  for (const p of m[4]!.matchAll(re)) params.set(p[1]!.toLowerCase(), p[2] ?? p[3] ?? '');
  return { type: m[3] ? '*' : m[1]!.toLowerCase(), subtype: m[3] ? '*' : m[2]!.toLowerCase(), params: [...params] };
}

/**
 * A regex matching the response Content-Type values Kong's cacheable_response accepts for one
 * configured type: type and subtype caseless (`*` any), the same parameters (names caseless, values
 * exact, any order) and no others.
 */
export function mediaTypePattern(expected: MediaType): string {
  const type = expected.type === '*' ? TOKEN : caseless(expected.type);
  const subtype = expected.subtype === '*' ? TOKEN : caseless(expected.subtype);
  // The bare `*` form parses as */* too.
  const head = expected.type === '*' && expected.subtype === '*' ? `(?:${TOKEN}/${TOKEN}|\\*)` : `${type}/${subtype}`;
  const wanted = expected.params.map(([k, v]) => {
    const value = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(v) ? `(?:${escapeRegex(v)}|"${escapeRegex(v)}")` : `"${escapeRegex(v)}"`;
    return `(?=(?:${SEP}${PARAM})*?${SEP}${caseless(k)}=${value}(?:${SEP}|$))`;
  });
  return `^${head}${wanted.join('')}(?:${SEP}${PARAM}){${expected.params.length}}$`;
}

const ANY_METHOD = ['HEAD', 'GET', 'POST', 'PATCH', 'PUT'];

export const proxyCache: PluginDefinition<ProxyCacheConfig> = {
  name: 'proxy-cache',
  priority: 100,
  tier: 'stock',
  role: 'transform',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      response_code: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 100, maximum: 900 }, default: [200, 301, 404] },
      request_method: { type: 'array', items: { enum: ANY_METHOD }, default: ['GET', 'HEAD'] },
      content_type: { type: 'array', items: { type: 'string' }, default: ['text/plain', 'application/json'] },
      cache_ttl: { type: 'integer', exclusiveMinimum: 0, maximum: MAX_SECONDS, default: 300 },
      strategy: { type: 'string' },
      cache_control: { type: 'boolean', default: false },
      ignore_uri_case: { type: 'boolean', default: false },
      storage_ttl: { type: 'integer', maximum: MAX_SECONDS },
      memory: {
        type: 'object',
        additionalProperties: false,
        properties: { dictionary_name: { type: 'string', default: 'kong_db_cache' } },
        default: {},
      },
      redis: { type: 'object' },
      vary_query_params: { type: 'array', items: { type: 'string' } },
      vary_headers: { type: 'array', items: { type: 'string' } },
      response_headers: {
        type: 'object',
        additionalProperties: false,
        properties: { age: { type: 'boolean', default: true }, 'X-Cache-Status': { type: 'boolean', default: true }, 'X-Cache-Key': { type: 'boolean', default: true } },
        default: {},
      },
    },
    required: ['strategy'],
  },

  check(config, ctx) {
    if (config.strategy !== 'memory') {
      ctx.error(
        ctx.at('strategy'),
        `strategy '${String(config.strategy).slice(0, 40)}' is not one kongc compiles: Kong's proxy-cache knows only "memory" (redis is proxy-cache-advanced, an Enterprise plugin)`,
        'use strategy: memory (kongc keeps the cache in an nginx proxy_cache_path on disk)',
      );
    }
    if (config.memory.dictionary_name !== 'kong_db_cache') {
      ctx.warn(ctx.at('memory', 'dictionary_name'), `memory.dictionary_name '${config.memory.dictionary_name.slice(0, 60)}': Kong needs this shared dict declared in its nginx template; kongc keeps one nginx cache per instance instead and ignores the name`);
    }
    config.content_type.forEach((ct, i) => {
      if (!parseMediaType(ct)) ctx.warn(ctx.at('content_type', i), `content_type '${ct.slice(0, 60)}' is not a media type Kong can parse: it matches no response`);
    });
    config.vary_headers?.forEach((name, i) => {
      if (!HEADER_WORD.test(name)) ctx.error(ctx.at('vary_headers', i), `vary_headers: '${name.slice(0, 60)}' is not a header name nginx can read ($http_ variables name letters, digits, '-' and '_')`, 'use the header name only');
    });
  },

  lower(use, ctx) {
    const c = use.config;
    const k = `kongc_pc_${use.key}`;
    if (use.consumers.only) {
      ctx.error(ctx.at(use, 'strategy'), `${use.label}: a proxy-cache for some consumers only is not compiled (one nginx cache per location, chosen before the consumer is known)`, 'bind proxy-cache to a route, a service or globally');
      return {};
    }
    if (!use.route.response_buffering) {
      ctx.approximate(ctx.at(use, 'strategy'), `${use.label}: route ${use.route.name ?? `#${use.route.order}`} has response_buffering false, and nginx caches only buffered responses: every response is a Miss there`, 'set response_buffering: true on the route');
    }
    const dir = ctx.stateDir('cache', use.key, ctx.at(use, 'strategy'), `the cache of ${use.label}`);
    if (!dir) return {};
    const inactive = c.storage_ttl && c.storage_ttl > 0 ? c.storage_ttl : c.cache_ttl;
    ctx.httpDirective(`proxy_cache_path ${k}`, {
      name: 'proxy_cache_path',
      args: [{ file: dir }, { option: 'levels', value: '1:2' }, { option: 'keys_zone', value: `${k}:10m` }, { option: 'inactive', value: `${inactive}s` }, { option: 'max_size', value: CACHE_MAX_SIZE }],
    });
    reportApproximations(use, ctx);
    reportTermination(use, ctx);

    // Requests Kong does not look up nor store: a method not listed (and, with cache_control, a
    // request Cache-Control of no-store or no-cache).
    const methods = c.request_method.filter((m) => m === 'GET' || m === 'HEAD' || m === 'POST');
    const skipMethod = ctx.map({
      variable: `${k}_skip`,
      source: [{ variable: 'request_method' }],
      entries: [...new Set(methods)].sort().map((m): MapEntry => ({ match: 'exact', key: m, value: [{ text: '' }] })),
      default: [{ text: '1' }],
      purpose: `${use.label}: 1 for request methods it does not cache`,
    });
    const bypass: MapValue[] = [[{ variable: skipMethod }]];
    if (c.cache_control) {
      const skipCc = ctx.map({
        variable: `kongc_pc_req_nocache`,
        source: [{ variable: 'http_cache_control' }],
        entries: [{ match: 'regex', caseless: true, pattern: '(?:^|,)[ \\t]*no-(?:store|cache)[ \\t]*(?:[,=]|$)', value: [{ text: '1' }] }],
        default: [{ text: '' }],
        purpose: 'proxy-cache with cache_control: 1 when the request says Cache-Control no-store or no-cache',
      });
      bypass.push([{ variable: skipCc }]);
    }
    // Responses Kong stores: a listed status (proxy_cache_valid), a listed media type (this map).
    const types = c.content_type.map(parseMediaType).filter((t): t is MediaType => t !== null);
    const ctNo = ctx.map({
      variable: `${k}_ctno`,
      source: [{ variable: 'upstream_http_content_type' }],
      entries: types.map((t): MapEntry => ({ match: 'regex', caseless: false, pattern: mediaTypePattern(t), value: [{ text: '0' }] })),
      default: [{ text: '1' }],
      purpose: `${use.label}: 0 when the response's Content-Type is one it caches (content_type)`,
    });
    const codes = [...new Set(c.response_code)].sort((a, b) => a - b);
    const nginxCodes = codes.filter((n) => n <= 599);
    const codeNo = ctx.map({
      variable: `${k}_codeno`,
      source: [{ variable: 'status' }],
      entries: codes.map((n): MapEntry => ({ match: 'exact', key: String(n), value: [{ text: '0' }] })),
      default: [{ text: '1' }],
      purpose: `${use.label}: 0 for the statuses it caches (response_code)`,
    });
    const noCache: MapValue[] = [...bypass, [{ variable: ctNo }], [{ variable: codeNo }]];
    const statusSource: MapValue = [{ variable: 'upstream_cache_status' }, { text: ':' }, { variable: ctNo }, { text: ':' }, { variable: codeNo }];
    if (c.cache_control) {
      // Kong stores a response for its TTL (s-maxage, else max-age, else Expires) when it is above 0
      // and the response is not private, no-store or no-cache; nginx reads the same headers.
      const ttlNo = ctx.map({
        variable: 'kongc_pc_res_nostore',
        source: [{ variable: 'upstream_http_cache_control' }, { separator: true }, { variable: 'upstream_http_expires' }],
        entries: [
          { match: 'regex', caseless: true, pattern: '(?:^|,)[ \\t]*(?:private|no-store|no-cache)[ \\t]*(?:[,=\\n])', value: [{ text: '1' }] },
          { match: 'regex', caseless: true, pattern: '(?:^|,)[ \\t]*s-maxage="?0*"?[ \\t]*[,\\n]', value: [{ text: '1' }] },
          { match: 'regex', caseless: true, pattern: '(?:^|,)[ \\t]*s-maxage="?[0-9]', value: [{ text: '0' }] },
          { match: 'regex', caseless: true, pattern: '(?:^|,)[ \\t]*max-age="?0*"?[ \\t]*[,\\n]', value: [{ text: '1' }] },
          { match: 'regex', caseless: true, pattern: '(?:^|,)[ \\t]*max-age="?[0-9]', value: [{ text: '0' }] },
          { match: 'regex', caseless: false, pattern: '\\n.', value: [{ text: '0' }] },
        ],
        default: [{ text: '1' }],
        purpose: 'proxy-cache with cache_control: 0 when the response has a TTL above 0 and is not private, no-store or no-cache',
      });
      noCache.push([{ variable: ttlNo }]);
      statusSource.push({ text: ':' }, { variable: ttlNo });
    }
    const tail = c.cache_control ? ':0:0:0' : ':0:0';
    // Kong keeps an entry storage_ttl seconds (else its TTL): after cache_ttl it says Refresh while
    // the entry is still stored, Miss once it is gone.
    const expired = !c.cache_control && c.storage_ttl && c.storage_ttl > c.cache_ttl ? 'Refresh' : 'Miss';
    const status = ctx.map({
      variable: `${k}_status`,
      source: statusSource,
      entries: [
        { match: 'exact', key: `MISS${tail}`, value: [{ text: 'Miss' }] },
        { match: 'exact', key: `EXPIRED${tail}`, value: [{ text: expired }] },
        { match: 'regex', caseless: false, pattern: '^HIT:', value: [{ text: 'Hit' }] },
      ],
      default: [{ text: 'Bypass' }],
      purpose: `${use.label}: Kong's X-Cache-Status from nginx's $upstream_cache_status`,
    });
    let statusHeader = status;
    if (!c.response_headers['X-Cache-Status']) {
      // Off: sent only when the request has a Kong-Debug header.
      statusHeader = ctx.map({
        variable: `${k}_status_debug`,
        source: [{ variable: 'http_kong_debug' }],
        entries: [{ match: 'exact', key: '', value: [{ text: '' }] }],
        default: [{ variable: status }],
        purpose: `${use.label}: X-Cache-Status only for requests with Kong-Debug`,
      });
    }

    const key: MapValue = [];
    if (ctx.state.consumers.length) key.push({ variable: ctx.consumerVariables().consumer }, { text: ':' });
    key.push({ text: `${use.route.id ?? use.route.name ?? `#${use.route.order}`}|` }, { variable: 'request_method' }, { text: '|' }, { variable: VARIABLES.forwardedPath }, { text: '|' });
    if (c.vary_query_params?.length) {
      // Each listed argument as Kong writes it in the key: `name=value`, `name` alone when it has
      // no value, nothing when absent (first occurrence, as sent).
      c.vary_query_params.forEach((name, i) => {
        const arg = ctx.map({
          variable: `${k}_q${i}`,
          source: [{ variable: 'args' }],
          entries: [{ match: 'regex', caseless: false, pattern: `(?:^|&)${escapeRegex(name)}(=[^&]*)?(?:&|$)`, value: [{ text: name }, { variable: '1' }] }],
          default: [{ text: '' }],
          purpose: `${use.label}: vary_query_params[${i}] for the cache key`,
        });
        key.push(...(i ? [{ text: ':' }] : []), { variable: arg });
      });
    } else {
      key.push({ variable: 'args' });
    }
    key.push({ text: '|' });
    c.vary_headers?.forEach((name, i) => key.push({ text: `${i ? ':' : ''}${name.toLowerCase()}=` }, { variable: `http_${name.toLowerCase().replace(/-/g, '_')}` }));

    const ignore = ['Set-Cookie', 'Vary', 'X-Accel-Expires'];
    if (!c.cache_control) ignore.unshift('Cache-Control', 'Expires');
    const directives: PluginDirective[] = [
      { name: 'proxy_cache', args: [{ word: k }] },
      { name: 'proxy_cache_key', args: [{ value: key }] },
      { name: 'proxy_cache_methods', args: [...new Set(['GET', 'HEAD', ...methods])].map((word) => ({ word })) },
      { name: 'proxy_cache_convert_head', args: [{ on: false }] },
      { name: 'proxy_ignore_headers', args: ignore.map((word) => ({ word })) },
      { name: 'proxy_cache_bypass', args: bypass.map((value) => ({ value })) },
      { name: 'proxy_no_cache', args: noCache.map((value) => ({ value })) },
    ];
    // With cache_control the response's own TTL decides, as in Kong (no TTL: not stored).
    if (nginxCodes.length && !c.cache_control) directives.push({ name: 'proxy_cache_valid', args: [...nginxCodes.map((count) => ({ count })), { word: `${c.cache_ttl}s` }] });
    return {
      directives,
      responseHeaders: [{ name: 'X-Cache-Status', value: [{ variable: statusHeader }] }],
    };
  },
};

/** Instances already warned about running before request-termination (once each). */
const warnedOrder = new WeakSet<Plugin>();

/**
 * Kong answers a stored response in proxy-cache's access handler (priority 100), before
 * request-termination (priority 2) runs; nginx answers request-termination in the rewrite phase,
 * before the cache is read. Said once per instance, naming the first route both apply to.
 */
function reportTermination(use: Parameters<NonNullable<PluginDefinition<ProxyCacheConfig>['lower']>>[0], ctx: Parameters<NonNullable<PluginDefinition<ProxyCacheConfig>['lower']>>[1]): void {
  if (warnedOrder.has(use.plugin)) return;
  const terminations = ctx.state.plugins.filter((p) => p.name === 'request-termination' && p.enabled);
  if (!terminations.length || !selectForRoute(terminations, use.route).size) return;
  warnedOrder.add(use.plugin);
  ctx.warn(
    ctx.at(use, 'strategy'),
    `on route ${use.route.name ?? `#${use.route.order}`} (and any other route both apply to), Kong answers a request ${use.label} has stored from the cache before request-termination runs (priority 100 over 2); nginx runs request-termination first, so such a request gets its answer instead of the cached response`,
    'see "Phase order" in the README',
    'phase-order',
  );
}

/** What nginx does differently for this instance: one warning per field (errors with --strict). */
function reportApproximations(use: Parameters<NonNullable<PluginDefinition<ProxyCacheConfig>['lower']>>[0], ctx: Parameters<NonNullable<PluginDefinition<ProxyCacheConfig>['lower']>>[1]): void {
  const c = use.config;
  const at = (...keys: (string | number)[]) => ctx.at(use, ...keys);
  const pp = c.request_method.filter((m) => m === 'PUT' || m === 'PATCH');
  if (pp.length) ctx.approximate(at('request_method'), `${use.label}: nginx caches only GET, HEAD and POST; ${pp.join(' and ')} requests always reach the upstream and get X-Cache-Status: Bypass`, `remove ${pp.join(' and ')} from request_method`);
  if (c.response_code.some((n) => n > 599)) ctx.approximate(at('response_code'), `${use.label}: nginx caches statuses 100-599 only; responses with a status above 599 are not cached`);
  if (!c.vary_query_params?.length) {
    ctx.approximate(at('vary_query_params'), `${use.label}: the cache key holds the query string as sent, where Kong sorts and decodes the arguments: requests whose arguments differ only in order or encoding are cached separately (a Miss where Kong answers Hit)`, 'list the arguments that matter in vary_query_params');
  } else {
    ctx.approximate(at('vary_query_params'), `${use.label}: the cache key holds each listed argument's first occurrence as sent, where Kong joins every value decoded and sorted: requests differing only in a repeated argument share an entry, and differently encoded ones are cached separately`);
  }
  if (c.vary_headers?.length) ctx.approximate(at('vary_headers'), `${use.label}: the cache key holds each listed header's first value ($http_), where Kong joins repeated headers sorted and tells an absent header from an empty one: requests differing only there share an entry`);
  if (c.ignore_uri_case) ctx.approximate(at('ignore_uri_case'), `${use.label}: nginx cannot lowercase the path in the cache key: paths differing only in case are cached separately (a Miss where Kong answers Hit)`, 'set ignore_uri_case: false');
  if (c.storage_ttl !== undefined) ctx.approximate(at('storage_ttl'), `${use.label}: nginx removes an entry storage_ttl seconds after its last use (proxy_cache_path inactive), where Kong removes it storage_ttl seconds after storing it: a stale entry requested often stays longer, reported as Refresh instead of Miss`);
  if (c.cache_control) {
    ctx.approximate(
      at('cache_control'),
      `${use.label}: with cache_control nginx follows the response's Cache-Control (no-store, no-cache, private, max-age) and Expires and bypasses requests saying no-store or no-cache, as Kong does; it does not honour the request's max-age, max-stale or min-fresh (Kong refreshes) nor only-if-cached (Kong answers 504 on a miss), and it reads s-maxage as nginx does`,
      'set cache_control: false to cache for cache_ttl whatever the headers say',
    );
  }
  if (c.response_headers['X-Cache-Key']) ctx.approximate(at('response_headers', 'X-Cache-Key'), `${use.label}: nginx cannot compute Kong's SHA-256 cache key: responses carry no X-Cache-Key header`, 'set response_headers: {X-Cache-Key: false}');
  if (c.response_headers.age) ctx.approximate(at('response_headers', 'age'), `${use.label}: nginx does not count an entry's age: a hit carries the upstream's own Age header, if any, not Kong's`, 'set response_headers: {age: false}');
}
