// file-log → an nginx access_log writing one JSON line per request, in Kong's field names where an
// nginx variable gives the value (log_format escape=json, shared by every instance).
import type { MapValue } from '../ir.js';
import type { PluginDefinition } from './definition.js';

export interface FileLogConfig {
  path: string;
  reopen: boolean;
  custom_fields_by_lua?: Record<string, string>;
}

/** The log_format every file-log instance writes with. */
export const FILE_LOG_FORMAT = 'kongc_file_log';

/**
 * Kong's serializer (kong.log.serialize) fields that nginx cannot give: whole header tables, the
 * parsed query, the upstream URI, latencies in milliseconds, tries, and the route, service and
 * consumer entities.
 */
export const FILE_LOG_MISSING = [
  'request.querystring', 'request.headers', 'request.tls', 'response.headers', 'upstream_uri',
  'latencies.kong', 'latencies.proxy', 'latencies.receive', 'tries', 'authenticated_entity',
  'route and service beyond their id and name (an id the file does not give is empty)', 'consumer', 'source', 'workspace',
];

const ROUTE_ID = 'kongc_log_route_id';
const ROUTE_NAME = 'kongc_log_route_name';
const SERVICE_ID = 'kongc_log_service_id';
const SERVICE_NAME = 'kongc_log_service_name';
/** $msec as the route's rewrite phase reads it: the request's start, give or take the time reading its headers took. */
const START = 'kongc_log_start';

/** Kong's path rule (schema `match`): no leading or trailing space, no `*`, `&`, `%` or backtick. */
const KONG_PATH = /^[^\s*&%`][^*&%`]*[^\s*&%`]$/;

/** The JSON line: literal text and nginx variables (escape=json escapes each variable's value). */
function format(): MapValue[] {
  const v = (variable: string) => ({ variable });
  const t = (text: string) => ({ text });
  return [
    [t('{"request":{"id":"'), v('request_id'), t('","method":"'), v('request_method'), t('","uri":"'), v('request_uri'), t('","url":"'), v('scheme'), t('://'), v('host'), t(':'), v('server_port'), v('request_uri'), t('","size":'), v('request_length'), t('},')],
    [t('"upstream_status":"'), v('upstream_status'), t('","response":{"status":'), v('status'), t(',"size":'), v('bytes_sent'), t('},')],
    [t('"latencies":{"request":'), v('kongc_log_request_ms'), t('},')],
    [t('"route":{"id":"'), v(ROUTE_ID), t('","name":"'), v(ROUTE_NAME), t('"},"service":{"id":"'), v(SERVICE_ID), t('","name":"'), v(SERVICE_NAME), t('"},')],
    [t('"client_ip":"'), v('remote_addr'), t('","started_at":'), v('kongc_log_msec'), t(',"workspace_name":"default"}')],
  ];
}

export const fileLog: PluginDefinition<FileLogConfig> = {
  name: 'file-log',
  priority: 9,
  tier: 'stock',
  role: 'observe',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      path: { type: 'string' },
      reopen: { type: 'boolean', default: false },
      custom_fields_by_lua: { type: 'object', additionalProperties: { type: 'string' } },
    },
    required: ['path'],
  },

  check(config, ctx) {
    const path = config.path;
    if (!KONG_PATH.test(path)) {
      ctx.error(ctx.at('path'), 'path: not a valid filename (Kong refuses a path that starts or ends with a space, or holds *, & , % or a backtick)');
    } else if (/[\x00-\x1f\x7f]/.test(path)) {
      ctx.error(ctx.at('path'), 'path: a control character cannot be part of an nginx file name');
    } else if (!path.startsWith('/')) {
      ctx.error(ctx.at('path'), `path '${path.slice(0, 80)}' is relative: Kong opens it from its prefix folder, nginx from its own`, 'give an absolute path');
    } else if (path.includes('$')) {
      ctx.error(ctx.at('path'), `path '${path.slice(0, 80)}': nginx would read '$' in an access_log path as a variable`, 'choose a path without $');
    }
    if (config.custom_fields_by_lua && Object.keys(config.custom_fields_by_lua).length) {
      ctx.error(ctx.at('custom_fields_by_lua'), 'custom_fields_by_lua runs Lua for each log entry, which nginx cannot run', 'remove custom_fields_by_lua');
    }
  },

  lower(use, ctx) {
    if (use.consumers.only) {
      ctx.error(ctx.at(use, 'path'), `${use.label}: a file-log for some consumers only is not compiled (nginx would need the consumer known when it writes the log)`, 'bind file-log to a route, a service or globally');
      return {};
    }
    ctx.map({
      variable: 'kongc_log_msec',
      source: [{ variable: START }],
      entries: [{ match: 'regex', caseless: false, pattern: '^(\\d+)\\.(\\d{3})$', value: [{ variable: '1' }, { variable: '2' }] }],
      default: [{ text: '0' }],
      purpose: 'file-log: when the request started (its rewrite phase), in milliseconds since the epoch',
    });
    ctx.map({
      variable: 'kongc_log_request_ms',
      source: [{ variable: 'request_time' }],
      entries: [
        { match: 'regex', caseless: false, pattern: '^0\\.0*(\\d+)$', value: [{ variable: '1' }] },
        { match: 'regex', caseless: false, pattern: '^(\\d+)\\.(\\d{3})$', value: [{ variable: '1' }, { variable: '2' }] },
      ],
      default: [{ text: '0' }],
      purpose: 'file-log: the request time in milliseconds (latencies.request)',
    });
    ctx.httpDirective(`log_format ${FILE_LOG_FORMAT}`, {
      name: 'log_format',
      args: [{ word: FILE_LOG_FORMAT }, { option: 'escape', value: 'json' }, ...format().map((value) => ({ value }))],
    });
    ctx.approximate(
      ctx.at(use, 'path'),
      `${use.label}: nginx writes this file for the requests the route proxies; answers kongc makes itself (errors of other plugins, Kong's 502/503/504) are written to the access log the server inherits, not to path, where Kong's file-log writes every request; and an access_log in a location replaces the inherited ones, so these requests no longer reach the http- or server-level access log; each entry has Kong's fields nginx can give and lacks ${FILE_LOG_MISSING.join(', ')}`,
      'read both logs, or rely on nginx\'s own access_log for answers kongc makes',
    );
    if (use.config.reopen) {
      ctx.approximate(ctx.at(use, 'reopen'), `${use.label}: nginx opens the log file when it loads the config and again on \`nginx -s reopen\`, where Kong reopens it for every entry: after the file is moved away, entries go to the moved file until nginx is told to reopen`, 'run `nginx -s reopen` after rotating the file (logrotate postrotate)');
    }
    // The route and service the entry is about; empty where the file gives no id (Kong would log the one it generated).
    const route = use.route;
    const service = route.service;
    const set = (variable: string, text: string | null | undefined) => ({ kind: 'set' as const, variable, value: [{ text: text ?? '' }] });
    return {
      steps: [{ kind: 'set', variable: START, value: [{ variable: 'msec' }] }, set(ROUTE_ID, route.id), set(ROUTE_NAME, route.name), set(SERVICE_ID, service?.id), set(SERVICE_NAME, service?.name)],
      directives: [{ name: 'access_log', args: [{ file: use.config.path }, { word: FILE_LOG_FORMAT }] }],
    };
  },
};
