// cors: Kong's preflight answer (OPTIONS with Origin and Access-Control-Request-Method) and the
// CORS headers its header filter puts on every other response, the upstream's and Kong's own.
// Origins are matched as Kong's handler does: `*`, one plain origin sent verbatim, else each entry
// a regex (any character outside [A-Za-z0-9.:/-]) or an origin compared after normalizing.
import { LIMITS } from '../../load/limits.js';
import { analyzeRouteRegex } from '../../model/route-regex.js';
import { regexProblem } from '../../validate/nginx-values.js';
import { escapeRegex } from '../../pcre.js';
import type { FixedResponse, HeaderLine, MapValue, PluginStep } from '../ir.js';
import type { LowerContext, PluginDefinition, PluginUse } from './definition.js';
import { HEADER_VALUE, instanceToken } from './header-ops.js';

const METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'];

export interface CorsConfig {
  origins?: string[];
  headers?: string[];
  exposed_headers?: string[];
  methods: string[];
  max_age?: number;
  credentials: boolean;
  private_network: boolean;
  preflight_continue: boolean;
  allow_origin_absent: boolean;
}

const stringList = { type: 'array', items: { type: 'string' } };

/** `preflight`, `absent` (no Origin) or `normal`: what the request is to Kong's cors handler. */
const MODE = 'kongc_cors_mode';
/** The request's Origin normalized as Kong does (`scheme://host[:port]`, default ports dropped), and its host. */
const ORIGIN = 'kongc_cors_origin';
const ORIGIN_HOST = 'kongc_cors_origin_host';
const PRIVATE_NETWORK = 'kongc_cors_private_network';
/** What Kong's own answers on a route carry, set by the route's first steps. */
const ANSWER = { acao: 'kongc_cors_acao', acac: 'kongc_cors_acac', expose: 'kongc_cors_expose', vary: 'kongc_cors_vary' };

const AUTHORITY_USER = '(?:[^/@]*@)?';
/** LuaSocket's url.parse as Kong uses it: the port is what follows the authority's last ':'. */
const NORMALIZE: { pattern: string; origin: string; host: string }[] = [
  { pattern: `^http://${AUTHORITY_USER}([^/]*):80(?:/.*)?\\z`, origin: 'http://$1', host: '$1' },
  { pattern: `^https://${AUTHORITY_USER}([^/]*):443(?:/.*)?\\z`, origin: 'https://$1', host: '$1' },
  { pattern: `^([A-Za-z0-9][A-Za-z0-9+.-]*)://${AUTHORITY_USER}([^/]*?)(:[^:\\]/]*)?(?:/.*)?\\z`, origin: '$1://$2$3', host: '$2' },
];

/** Kong's normalize_origin, for configured origins (the maps do the same to the request's). */
export function normalizeOrigin(origin: string): { domain: string; host: string } {
  for (const n of NORMALIZE) {
    const m = new RegExp(n.pattern.replace('\\z', '$')).exec(origin);
    if (m) {
      const fill = (t: string) => t.replace(/\$(\d)/g, (_, d: string) => m[Number(d)] ?? '');
      return { domain: fill(n.origin), host: fill(n.host) };
    }
  }
  return { domain: origin, host: origin };
}

function capturesValue(template: string): MapValue {
  const out: MapValue = [];
  for (const part of template.split(/(\$\d)/)) {
    if (!part) continue;
    out.push(/^\$\d$/.test(part) ? { variable: part.slice(1) } : { text: part });
  }
  return out;
}

function sharedMaps(ctx: LowerContext): void {
  ctx.map({
    variable: MODE,
    source: [{ variable: 'request_method' }, { separator: true }, { variable: 'http_origin' }, { separator: true }, { variable: 'http_access_control_request_method' }],
    entries: [
      { match: 'regex', caseless: false, pattern: '^OPTIONS\\n[^\\n]+\\n[^\\n]', value: [{ text: 'preflight' }] },
      { match: 'regex', caseless: false, pattern: '^[^\\n]*\\n\\n', value: [{ text: 'absent' }] },
    ],
    default: [{ text: 'normal' }],
    purpose: "cors: a preflight (OPTIONS with Origin and Access-Control-Request-Method), a request without Origin, or any other",
  });
  for (const [variable, key] of [[ORIGIN, 'origin'], [ORIGIN_HOST, 'host']] as const) {
    ctx.map({
      variable,
      source: [{ variable: 'http_origin' }],
      entries: NORMALIZE.map((n) => ({ match: 'regex' as const, caseless: false, pattern: n.pattern, value: capturesValue(n[key]) })),
      default: [{ variable: 'http_origin' }],
      purpose: key === 'origin' ? "cors: the request's Origin normalized as Kong compares it (scheme://host[:port], default ports dropped)" : "cors: the host of the request's Origin",
    });
  }
  for (const variable of Object.values(ANSWER)) ctx.map({ variable, source: [], entries: [], default: [], purpose: "cors: what Kong's own answers carry (set by a route with cors)" });
}

type Kind = 'all' | 'single' | 'star' | 'match';

const reported = new WeakSet<object>();
const loweredCors = new WeakMap<object, ReturnType<typeof lowerCors>>();

export const cors: PluginDefinition<CorsConfig> = {
  name: 'cors',
  priority: 2000,
  tier: 'stock',
  role: 'transform',
  noConsumer: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      origins: stringList,
      headers: stringList,
      exposed_headers: stringList,
      methods: { type: 'array', items: { enum: METHODS }, default: METHODS },
      max_age: { type: 'number' },
      credentials: { type: 'boolean', default: false },
      private_network: { type: 'boolean', default: false },
      preflight_continue: { type: 'boolean', default: false },
      allow_origin_absent: { type: 'boolean', default: true },
    },
  },
  check(config, ctx) {
    (config.origins ?? []).forEach((o, i) => {
      if (!HEADER_VALUE.test(o)) ctx.error(ctx.at('origins', i), `'${o}' is not a valid regex`, 'an origin is one line of text');
      else if (o.length > LIMITS.regexLength) ctx.error(ctx.at('origins', i), `an origin of ${o.length} characters (at most ${LIMITS.regexLength})`, 'an origin is a scheme, host and port, or a regex of them');
      else if (o !== '*' && /[^A-Za-z0-9.:/-]/.test(o)) {
        const rx = analyzeRouteRegex(originRegex(o));
        const problem = 'error' in rx ? rx.error : regexProblem(originRegex(o))?.message;
        if (problem) ctx.error(ctx.at('origins', i), `'${o}' is not a valid regex: ${problem}`, 'a regex origin is matched as PCRE, anchored as Kong anchors it');
      }
    });
    for (const field of ['headers', 'exposed_headers'] as const) {
      (config[field] ?? []).forEach((h, i) => {
        if (!HEADER_VALUE.test(h)) ctx.error(ctx.at(field, i), `'${h}' has a control character, which a header value cannot carry`, 'a header value is one line of text');
      });
    }
  },
  lower(use, ctx) {
    // The same for every route the instance applies to: lowered once.
    let work = loweredCors.get(use.plugin);
    if (!work) loweredCors.set(use.plugin, (work = lowerCors(use, ctx)));
    return work;
  },
};

/** Kong anchors a regex entry: a `$` is added at the end, a leading `^` dropped (the match is anchored). */
function originRegex(entry: string): string {
  const r = entry.endsWith('$') ? entry : entry + '$';
  return r.startsWith('^') ? r.slice(1) : r;
}

function lowerCors(use: PluginUse<CorsConfig>, ctx: LowerContext) {
  const c = use.config;
  const k = `kongc_cors_${instanceToken(use)}`;
  sharedMaps(ctx);
  const origins = c.origins ?? [];
  let kind: Kind;
  if (origins.length === 0 || (origins.length === 1 && origins[0] === '*')) kind = 'all';
  else if (origins.length === 1 && /^[A-Za-z0-9.:/-]+$/.test(origins[0]!)) kind = 'single';
  else if (origins.includes('*')) kind = 'star';
  else kind = 'match';

  if (kind === 'match') {
    const byHost: string[] = [];
    const byDomain: string[] = [];
    for (const entry of origins) {
      if (/[^A-Za-z0-9.:/-]/.test(entry)) {
        // Checked in `check`; groups become non-capturing (a named group would set an nginx variable).
        const rx = analyzeRouteRegex(originRegex(entry));
        if ('error' in rx) continue;
        (entry.includes(':') ? byDomain : byHost).push(`^(?:${rx.pattern})`);
      } else {
        byDomain.push(`^${escapeRegex(normalizeOrigin(entry).domain)}\\z`);
      }
    }
    const matched: MapValue = [{ variable: ORIGIN }];
    if (byHost.length) {
      ctx.map({
        variable: `${k}_h`,
        source: [{ variable: ORIGIN_HOST }],
        entries: byHost.map((pattern) => ({ match: 'regex', caseless: false, pattern, value: matched })),
        default: [],
        purpose: `${use.label}: origins matched against the Origin's host`,
      });
    }
    ctx.map({
      variable: `${k}_o`,
      source: [{ variable: ORIGIN }],
      entries: byDomain.map((pattern) => ({ match: 'regex', caseless: false, pattern, value: matched })),
      default: byHost.length ? [{ variable: `${k}_h` }] : [],
      purpose: `${use.label}: the normalized Origin when an allowed origin matches it, else empty (no Access-Control-Allow-Origin)`,
    });
  }

  const text = (t: string): MapValue => [{ text: t }];
  const none: MapValue = [];
  const origin: MapValue = [{ variable: 'http_origin' }];
  const cred = c.credentials;
  // Values Kong's header filter gives with an Origin (normal) and without one (absent).
  const acao = {
    all: { normal: cred ? origin : text('*'), absent: text('*') },
    single: { normal: text(origins[0] ?? ''), absent: text(origins[0] ?? '') },
    star: { normal: cred ? origin : text('*'), absent: none },
    match: { normal: [{ variable: `${k}_o` }] as MapValue, absent: none },
  }[kind];
  const vary = kind === 'all' ? { normal: cred ? text('Origin') : none, absent: none } : { normal: text('Origin'), absent: text('Origin') };
  // '*' among several origins with credentials: configure_origin adds Vary, configure_credentials a second one.
  const vary2 = kind === 'star' && cred ? { normal: text('Origin'), absent: none } : null;
  const acac = cred ? (kind === 'all' ? { normal: text('true'), absent: null } : { normal: text('true'), absent: text('true') }) : null;
  const exposed = c.exposed_headers?.length ? text(c.exposed_headers.join(',')) : null;
  const expose = exposed ? { normal: exposed, absent: exposed } : null;

  const responseHeaders: HeaderLine[] = [];
  const hideHeaders: string[] = [];
  const first: PluginStep[] = [];
  /**
   * One header: on proxied responses the upstream's value passes where Kong leaves the header
   * alone (a preflight it does not answer, no Origin with allow_origin_absent false); Kong's own
   * answers get the value from a variable the route sets first.
   */
  const header = (name: string, short: string, v: { normal: MapValue; absent: MapValue | null }, hides: boolean, answer: string | null) => {
    const upstream: MapValue = hides ? [{ variable: `upstream_http_${name.toLowerCase().replace(/-/g, '_')}` }] : none;
    const absent = c.allow_origin_absent ? (v.absent ?? upstream) : upstream;
    const respond = pick(ctx, `${k}_${short}`, upstream, absent, v.normal, `${use.label}: ${name} on proxied responses`);
    if (hides) hideHeaders.push(name);
    responseHeaders.push({ name, value: respond });
    if (answer) {
      const kong = pick(ctx, `${k}_${short}_kong`, none, c.allow_origin_absent ? (v.absent ?? none) : none, v.normal, `${use.label}: ${name} on Kong's own answers`);
      first.push({ kind: 'set', variable: answer, value: kong });
      ctx.answerHeader({ name, value: [{ variable: answer }] });
    }
  };
  header('Access-Control-Allow-Origin', 'acao', acao, true, ANSWER.acao);
  if (vary.normal.length || vary.absent.length) header('Vary', 'vary', vary, false, ANSWER.vary);
  if (vary2) {
    header('Vary', 'vary2', vary2, false, null);
    if (!reported.has(use.plugin)) {
      reported.add(use.plugin);
      ctx.approximate(ctx.at(use, 'origins'), `${use.label}: with credentials and '*' among several origins Kong adds Vary: Origin twice; kongc does too on proxied responses, but Kong's own answers (errors) get it once`);
    }
  }
  if (acac) header('Access-Control-Allow-Credentials', 'acac', acac, true, ANSWER.acac);
  if (expose) header('Access-Control-Expose-Headers', 'expose', expose, true, ANSWER.expose);

  const steps: PluginStep[] = [];
  if (!c.preflight_continue) {
    const preflight: HeaderLine[] = [];
    const add = (name: string, value: MapValue) => value.length && preflight.push({ name, value });
    add('Access-Control-Allow-Origin', acao.normal);
    if (kind !== 'all' || cred) add('Vary', text('Origin'));
    if (cred) add('Access-Control-Allow-Credentials', text('true'));
    add('Access-Control-Allow-Headers', c.headers?.length ? text(c.headers.join(',')) : [{ variable: 'http_access_control_request_headers' }]);
    add('Access-Control-Allow-Methods', text(c.methods.join(',')));
    if (c.max_age !== undefined) add('Access-Control-Max-Age', text(luaNumber(c.max_age)));
    if (c.private_network) {
      ctx.map({
        variable: PRIVATE_NETWORK,
        source: [{ variable: 'http_access_control_request_private_network' }],
        entries: [{ match: 'regex', caseless: false, pattern: '^true\\z', value: text('true') }],
        default: [],
        purpose: 'cors: Access-Control-Request-Private-Network is exactly "true"',
      });
      add('Access-Control-Allow-Private-Network', [{ variable: PRIVATE_NETWORK }]);
    }
    const response: FixedResponse = {
      name: `@${k}_preflight`,
      status: 200,
      contentType: null,
      body: null,
      headers: preflight,
      purpose: `${use.label}: Kong's answer to a preflight (200, no body)`,
    };
    steps.push({ kind: 'if', check: { variable: MODE, op: '=', operand: 'preflight' }, then: [{ kind: 'answer', target: ctx.response(response) }] });
  }
  return { first, steps, hideHeaders, responseHeaders };
}

/** A value by mode: the same in all three needs no map. */
function pick(ctx: LowerContext, variable: string, preflight: MapValue, absent: MapValue, normal: MapValue, purpose: string): MapValue {
  const same = (a: MapValue, b: MapValue) => JSON.stringify(a) === JSON.stringify(b);
  if (same(preflight, absent) && same(absent, normal)) return normal;
  ctx.map({
    variable,
    source: [{ variable: MODE }],
    entries: [
      { match: 'exact', key: 'preflight', value: preflight },
      { match: 'exact', key: 'absent', value: absent },
    ],
    default: normal,
    purpose,
  });
  return [{ variable }];
}

/** Lua's tostring of a number (%.14g). */
function luaNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  return String(Number(n.toPrecision(14)));
}
