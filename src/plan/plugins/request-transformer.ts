// request-transformer: the request sent upstream edited in Kong's order (uri, method, headers:
// remove, rename, replace, add, append; then the body and the query string). Body edits need
// JavaScript at request time: with --with-njs, templates/njs/request-body.js makes them.
import { WITH_NJS_HINT } from '../njs.js';
import { isPlainUriPath } from '../../nginx-quoting.js';
import type { HeaderLine, MapValue, PluginDirective, PluginStep } from '../ir.js';
import type { LowerContext, PluginDefinition, PluginUse } from './definition.js';
import { KONG_REQUEST_HEADERS } from './correlation-id.js';
import { checkHeaderEntries, errorOnce, lowered, HEADER_OP_ORDER, headersOfOtherPlugins, instanceToken, lowerHeaderOps, readOps, splitEntry, type HeaderOp } from './header-ops.js';

type Part = { body: string[]; headers: string[]; querystring: string[] };
export interface RequestTransformerConfig {
  http_method?: string;
  remove: Part;
  rename: Part;
  replace: Part & { uri?: string };
  add: Part;
  append: Part;
}

const list = { type: 'array', items: { type: 'string' }, default: [] };
const part = (extra: Record<string, unknown> = {}) => ({
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: { body: list, headers: list, querystring: list, ...extra },
});

const QUERY_SEPARATOR = 'kongc_query_sep';

const refused = new WeakSet<object>();

export const requestTransformer: PluginDefinition<RequestTransformerConfig> = {
  name: 'request-transformer',
  priority: 801,
  tier: 'stock',
  role: 'transform',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      http_method: { type: 'string', pattern: '^[A-Z]+$' },
      remove: part(),
      rename: part(),
      replace: part({ uri: { type: 'string' } }),
      add: part(),
      append: part(),
    },
  },
  check(config, ctx) {
    checkHeaderEntries(config, ctx);
    // Kong's check_for_value: every body entry but remove's is name:value with a value.
    for (const op of HEADER_OP_ORDER) {
      if (op === 'remove') continue;
      config[op].body.forEach((e, i) => {
        const split = splitEntry(e);
        if (!split || split.value === '') ctx.error(ctx.at(op, 'body', i), `key '${split?.name ?? e}' has no value`, 'write name:value');
      });
    }
  },
  lower(use, ctx) {
    return lowerRequestTransformer(use, ctx);
  },
};

function lowerRequestTransformer(use: PluginUse<RequestTransformerConfig>, ctx: LowerContext) {
  const c = use.config;
  const once = !refused.has(use.plugin);
  refused.add(use.plugin);
  const error = errorOnce(use, ctx);
  const errorCtx = { at: ctx.at, error };
  if (use.consumers.only || use.consumers.except.length) {
    error(ctx.at(use), `${use.label}: an instance chosen per consumer is not compiled for request-transformer`, 'bind it to a route, a service or globally');
    return {};
  }
  let failed = false;
  const body = bodyEdits(use, ctx, error);
  if (body === 'refused') failed = true;
  const work: {
    steps: PluginStep[];
    directives: PluginDirective[];
    requestHeaders: HeaderLine[];
    upstreamHost?: MapValue;
    upstreamPath?: string;
  } = { steps: [], directives: [], requestHeaders: [] };

  // uri: the upstream path, the query kept. An empty value changes nothing (Kong renders nothing).
  const uri = c.replace.uri;
  if (uri !== undefined && uri !== '') {
    if (/\$\(/.test(uri)) {
      error(ctx.at(use, 'replace', 'uri'), `${use.label}: '${uri}' is a template ($(…)), which Kong renders in Lua at request time; kongc does not compile templates`, 'write the path as plain text');
      failed = true;
    } else if (!isPlainUriPath(uri)) {
      error(ctx.at(use, 'replace', 'uri'), `${use.label}: kongc compiles a replace.uri of plain path characters only (/, letters, digits, . _ ~ -); '${uri}' has others`, 'write the path without percent-escapes, spaces or reserved characters');
      failed = true;
    } else work.upstreamPath = uri;
  }

  if (c.http_method) {
    work.directives.push({ name: 'proxy_method', args: [{ word: c.http_method }] });
    if (['GET', 'HEAD', 'TRACE'].includes(c.http_method) && once) {
      ctx.approximate(ctx.at(use, 'http_method'), `${use.label}: with http_method ${c.http_method}, Kong moves a form-encoded request body into the query string; nginx sends the body as it came`);
    }
  }

  // Headers. Kong never sees Host in the table it edits: replace sets the upstream Host, the others
  // leave it alone (add) or are refused (rename, append).
  const ops: HeaderOp[] = [];
  const others = headersOfOtherPlugins(ctx.state, use.route, 'request');
  for (const op of HEADER_OP_ORDER) {
    for (const h of readOps(use, errorCtx, op, c[op].headers, [op, 'headers'], { kongNames: true, what: 'header' })) {
      const names = op === 'rename' ? [h.name, h.value] : [h.name];
      const lower = names.map((n) => n.toLowerCase());
      if (lower.includes('host')) {
        if (op === 'replace') work.upstreamHost = [{ text: h.value }];
        else if (op === 'rename' || op === 'append') {
          error(ctx.at(use, ...h.at), `${use.label}: ${op} of the Host header is not compiled`, 'use replace.headers with host:NAME to set the upstream Host');
          failed = true;
        }
        continue;
      }
      const other = lower.find((n) => others.has(n));
      if (other) {
        error(ctx.at(use, ...h.at), `${use.label}: ${other} is set by ${others.get(other)}, which Kong runs first; kongc does not compile a later edit of it`, 'remove the entry, or use another header');
        failed = true;
        continue;
      }
      if (body && body !== 'refused' && lower.includes('content-length')) {
        error(ctx.at(use, ...h.at), `${use.label}: with body edits, Content-Length is the edited body's; kongc does not compile a header edit of it`, 'remove the entry');
        failed = true;
        continue;
      }
      const kong = lower.find((n) => KONG_REQUEST_HEADERS.has(n));
      if (kong) {
        error(ctx.at(use, ...h.at), `${use.label}: ${kong} is a header Kong sets upstream itself; kongc does not compile edits of it`, 'remove the entry');
        failed = true;
        continue;
      }
      ops.push(h);
    }
  }
  // Query string: add and append only (Kong re-encodes the whole query; nginx appends to it).
  for (const op of ['remove', 'rename', 'replace'] as const) {
    if (c[op].querystring.length) {
      error(ctx.at(use, op, 'querystring'), `${use.label}: ${op}.querystring is not compiled: nginx cannot edit arguments inside the query string as Kong does (it decodes, edits and re-encodes them)`, 'make the edit in the service, or use add/append');
      failed = true;
    }
  }
  const queryOps: { op: 'add' | 'append'; name: string; value: string; at: (string | number)[] }[] = [];
  for (const op of ['add', 'append'] as const) {
    c[op].querystring.forEach((entry, i) => {
      const split = splitEntry(entry);
      const at = [op, 'querystring', i];
      if (!split || split.value === '') {
        error(ctx.at(use, ...at), `${use.label}: key '${split?.name ?? entry}' has no value`, 'write name:value');
        failed = true;
      } else if (/\$\(/.test(split.value)) {
        error(ctx.at(use, ...at), `${use.label}: '${split.value}' is a template ($(…)), which Kong renders in Lua at request time; kongc does not compile templates`, 'write the value as plain text');
        failed = true;
      } else if (!/^[A-Za-z0-9_]+$/.test(split.name)) {
        error(ctx.at(use, ...at), `${use.label}: kongc compiles query arguments named with letters, digits and _ only; '${split.name}' has others`, 'rename the argument');
        failed = true;
      } else queryOps.push({ op, name: split.name, value: split.value, at });
    });
  }
  if (failed) return {};

  if (body && body !== 'refused') {
    // The body goes through kongc's module; Content-Length follows it (no header without a body).
    work.steps.push({ kind: 'set', variable: BODY_CONF, value: [{ text: body.key }] });
    work.directives.push(
      { name: 'client_body_in_file_only', args: [{ word: 'clean' }] },
      { name: 'proxy_set_body', args: [{ value: [{ variable: BODY_VARIABLE }] }] },
    );
    work.requestHeaders.push({ name: 'Content-Length', value: [{ variable: BODY_LENGTH_VARIABLE }] });
  }

  for (const r of lowered(use.plugin, () => lowerHeaderOps(ops, 'request', 'http_', `kongc_rqt_${instanceToken(use)}`, ctx))) {
    if (!r.lines) continue;
    for (const value of r.lines) work.requestHeaders.push({ name: r.name, value });
  }

  if (queryOps.length) {
    if (once) {
      ctx.approximate(
        ctx.at(use, queryOps[0]!.op, 'querystring'),
        `${use.label}: Kong re-encodes the query string with its arguments sorted; nginx appends the added arguments to the query as the client sent it (an argument present with an empty value counts as absent)`,
      );
    }
    work.steps.push({ kind: 'set', variable: QUERY_SEPARATOR, value: [{ text: '&' }] });
    work.steps.push({ kind: 'if', check: { variable: 'args', op: '=', operand: '' }, then: [{ kind: 'set', variable: QUERY_SEPARATOR, value: [] }] });
    for (const q of queryOps) {
      const append = [
        { kind: 'set' as const, variable: 'args', value: [{ variable: 'args' }, { variable: QUERY_SEPARATOR }, { text: `${escapeArg(q.name)}=${escapeArg(q.value)}` }] },
        { kind: 'set' as const, variable: QUERY_SEPARATOR, value: [{ text: '&' }] },
      ];
      if (q.op === 'add') work.steps.push({ kind: 'if', check: { variable: `arg_${q.name}`, op: '=', operand: '' }, then: append });
      else work.steps.push(...append);
    }
  }
  return work;
}

const BODY_CONF = 'kongc_rqt_conf';
const BODY_VARIABLE = 'kongc_rqt_body';
const BODY_LENGTH_VARIABLE = 'kongc_rqt_length';

/**
 * The instance's body edits as data for templates/njs/request-body.js (its key in DATA); null when
 * it has none; 'refused' after an error (no --with-njs, or a template).
 */
function bodyEdits(use: PluginUse<RequestTransformerConfig>, ctx: LowerContext, error: LowerContext['error']): { key: string } | null | 'refused' {
  const c = use.config;
  const ops = HEADER_OP_ORDER.filter((op) => c[op].body.length);
  if (!ops.length) return null;
  const njs = ctx.njs;
  if (!njs) {
    for (const op of ops) {
      error(ctx.at(use, op, 'body'), `${use.label}: ${op}.body edits the request body, which needs JavaScript at request time (njs)`, `${WITH_NJS_HINT}, or remove the body edits`);
    }
    return 'refused';
  }
  let refused = false;
  const pairs = (op: 'rename' | 'replace' | 'add' | 'append') =>
    c[op].body.map((entry, i) => {
      const { name, value } = splitEntry(entry)!;
      if (/\$\(/.test(value)) {
        error(ctx.at(use, op, 'body', i), `${use.label}: '${value}' is a template ($(…)), which Kong renders in Lua at request time; kongc does not compile templates`, 'write the value as plain text');
        refused = true;
      }
      return [name, value];
    });
  const data = {
    remove: c.remove.body.map((entry) => splitEntry(entry)?.name ?? entry),
    rename: pairs('rename'),
    replace: pairs('replace'),
    add: pairs('add'),
    append: pairs('append'),
  };
  if (refused) return 'refused';
  const at = ctx.at(use, ops[0]!, 'body');
  njs.library('kong-json', at);
  njs.library('multipart', at);
  njs.library('request-body', at);
  const key = `request-transformer:${instanceToken(use)}`;
  njs.data(key, data);
  ctx.httpDirective(`js_set:${BODY_VARIABLE}`, { name: 'js_set', args: [{ value: [{ variable: BODY_VARIABLE }] }, { word: njs.handler('requestBody') }] });
  ctx.httpDirective(`js_set:${BODY_LENGTH_VARIABLE}`, { name: 'js_set', args: [{ value: [{ variable: BODY_LENGTH_VARIABLE }] }, { word: njs.handler('requestBodyLength') }] });
  return { key };
}

/** ngx.encode_args's escaping: everything but letters, digits and -._~ percent-encoded. */
function escapeArg(s: string): string {
  return Array.from(Buffer.from(s, 'utf8'))
    .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0')))
    .join('');
}
