// response-transformer: response headers edited in Kong's order (remove, rename, replace, add,
// append), each decided against the headers the response came with. JSON body edits need
// JavaScript at request time: with --with-njs, templates/njs/response-json.js makes them.
import { WITH_NJS_HINT } from '../njs.js';
import type { HeaderLine, PluginDirective, PluginStep } from '../ir.js';
import { shortHash } from '../names.js';
import type { LowerContext, PluginDefinition, PluginUse } from './definition.js';
import { checkHeaderEntries, errorOnce, lowered, HEADER_OP_ORDER, headersOfOtherPlugins, instanceToken, lowerHeaderOps, readOps, splitEntry, type HeaderOp } from './header-ops.js';

type Part = { json: string[]; headers: string[]; json_types?: string[] };
export interface ResponseTransformerConfig {
  remove: Part;
  rename: Part;
  replace: Part;
  add: Part;
  append: Part;
}

const list = { type: 'array', items: { type: 'string' }, default: [] };
const types = { type: 'array', items: { enum: ['boolean', 'number', 'string'] }, default: [] };
const part = (withTypes: boolean) => ({
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: withTypes ? { json: list, json_types: types, headers: list } : { json: list, headers: list },
});

/** Headers nginx writes itself: kongc cannot set them with add_header. */
const NGINX_OWNED = new Set(['content-type', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date', 'server']);

const reported = new WeakSet<object>();

export const responseTransformer: PluginDefinition<ResponseTransformerConfig> = {
  name: 'response-transformer',
  priority: 800,
  tier: 'stock',
  role: 'transform',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: { remove: part(false), rename: part(false), replace: part(true), add: part(true), append: part(true) },
  },
  check(config, ctx) {
    checkHeaderEntries(config, ctx);
    for (const op of HEADER_OP_ORDER) {
      if (op === 'remove') continue;
      config[op].json.forEach((e, i) => {
        if (!/^[^:]+:[\s\S]*$/.test(e)) ctx.error(ctx.at(op, 'json', i), `'${e}' is not of the form name:value`, 'write name:value');
      });
    }
  },
  lower(use, ctx) {
    return lowerResponseTransformer(use, ctx);
  },
};

function lowerResponseTransformer(use: PluginUse<ResponseTransformerConfig>, ctx: LowerContext) {
  const c = use.config;
  const once = !reported.has(use.plugin);
  reported.add(use.plugin);
  const error = errorOnce(use, ctx);
  if (use.consumers.only || use.consumers.except.length) {
    error(ctx.at(use), `${use.label}: an instance chosen per consumer is not compiled for response-transformer`, 'bind it to a route, a service or globally');
    return {};
  }
  let failed = false;
  const json = jsonEdits(use, ctx, error);
  if (json === 'refused') failed = true;
  const ops: HeaderOp[] = [];
  const others = headersOfOtherPlugins(ctx.state, use.route, 'response');
  for (const op of HEADER_OP_ORDER) {
    for (const h of readOps(use, { at: ctx.at, error }, op, c[op].headers, [op, 'headers'], { kongNames: op === 'rename', what: 'header' })) {
      const names = (op === 'rename' ? [h.name, h.value] : [h.name]).map((n) => n.toLowerCase());
      const other = names.find((n) => others.has(n));
      if (other) {
        error(ctx.at(use, ...h.at), `${use.label}: ${other} is set by ${others.get(other)}, whose header filter Kong runs first; kongc does not compile a later edit of it`, 'remove the entry, or use another header');
        failed = true;
        continue;
      }
      const owned = names.find((n) => NGINX_OWNED.has(n));
      if (owned && op === 'remove' && (owned === 'server' || owned === 'date')) {
        if (once) ctx.approximate(ctx.at(use, ...h.at), `${use.label}: the upstream's ${h.name} is removed, but nginx then sends its own (${owned === 'server' ? 'Server: nginx' : 'Date'})`);
      } else if (owned) {
        error(ctx.at(use, ...h.at), `${use.label}: nginx writes the ${owned} header itself; kongc does not compile ${op} of it`, 'remove the entry');
        failed = true;
        continue;
      }
      ops.push(h);
    }
  }
  if (failed) return {};

  const hideHeaders: string[] = [];
  const responseHeaders: HeaderLine[] = [];
  const first: PluginStep[] = [];
  for (const r of lowered(use.plugin, () => lowerHeaderOps(ops, 'response', 'upstream_http_', `kongc_rst_${instanceToken(use)}`, ctx))) {
    if (!r.lines) continue;
    hideHeaders.push(r.name);
    for (const value of r.lines) if (value.length) responseHeaders.push({ name: r.name, value });
    // Kong's own answers (errors, other plugins' answers) get the edits too, as responses without upstream headers.
    const alone = r.alone.filter((t) => t !== '');
    if (!alone.length) continue;
    const shared = `kongc_rst_${shortHash(r.key, 8)}`;
    ctx.map({ variable: shared, source: [], entries: [], default: [], purpose: `response-transformer: the ${r.name} Kong's own answers carry (set by a route that adds it)` });
    first.push({ kind: 'set', variable: shared, value: [{ text: alone[0]! }] });
    ctx.answerHeader({ name: r.name, value: [{ variable: shared }] });
    if (alone.length > 1 && once) ctx.approximate(ctx.at(use, 'append', 'headers'), `${use.label}: Kong's own answers (errors) get only the first of the ${alone.length} ${r.name} lines`);
  }
  const directives: PluginDirective[] = [];
  if (json && json !== 'refused') {
    // Set before any gate: Kong's own answers (a 401, a termination) get the edits too.
    first.push({ kind: 'set', variable: JSON_CONF, value: [{ text: json.key }] });
    const filters: PluginDirective[] = [
      { name: 'js_header_filter', args: [{ word: json.headerFilter }] },
      { name: 'js_body_filter', args: [{ word: json.bodyFilter }, { option: 'buffer_type', value: 'buffer' }] },
    ];
    directives.push(...filters);
    for (const f of filters) ctx.answerDirective(f.name, f);
  }
  return { first, hideHeaders, responseHeaders, directives };
}

const JSON_CONF = 'kongc_rst_json';

/**
 * The instance's JSON edits as data for templates/njs/response-json.js (its key in DATA, and the
 * filters that read it); null when it has none; 'refused' without --with-njs.
 */
function jsonEdits(use: PluginUse<ResponseTransformerConfig>, ctx: LowerContext, error: LowerContext['error']): { key: string; headerFilter: string; bodyFilter: string } | null | 'refused' {
  const c = use.config;
  const ops = HEADER_OP_ORDER.filter((op) => c[op].json.length);
  if (!ops.length) return null;
  const njs = ctx.njs;
  if (!njs) {
    for (const op of ops) {
      error(ctx.at(use, op, 'json'), `${use.label}: ${op}.json edits the response body, which needs JavaScript at request time (njs)`, `${WITH_NJS_HINT}, or remove the json edits`);
    }
    return 'refused';
  }
  // Kong's iter: the name up to the first ':', the rest the value, none when empty.
  const split = (entry: string) => splitEntry(entry) ?? { name: entry, value: '' };
  const typed = (op: 'replace' | 'add' | 'append') =>
    c[op].json.map((entry, i) => {
      const { name, value } = split(entry);
      return [name, value === '' ? null : value, c[op].json_types?.[i] ?? null];
    });
  const data = {
    remove: c.remove.json.map((entry) => split(entry).name),
    rename: c.rename.json.map((entry) => {
      const { name, value } = split(entry);
      return [name, value === '' ? null : value];
    }),
    replace: typed('replace'),
    add: typed('add'),
    append: typed('append'),
  };
  const at = ctx.at(use, ops[0]!, 'json');
  njs.library('kong-json', at);
  njs.library('response-json', at);
  const key = `response-transformer:${instanceToken(use)}`;
  njs.data(key, data);
  return { key, headerFilter: njs.handler('responseJsonHeaders'), bodyFilter: njs.handler('responseJsonBody') };
}
