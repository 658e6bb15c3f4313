// Plugins → nginx: each instance checked against its schema, chosen per route by Kong's
// precedence, run in Kong's priority order; what nginx's phase order changes is reported.
import { posix } from 'node:path';
import type { Diagnostic } from '../../diagnostics.js';
import { child, diag, type SourceRef } from '../../load/source-map.js';
import type { Consumer, KongState, Plugin, Route } from '../../model/types.js';
import { kongError } from '../errors.js';
import type { FixedResponse, GeneratedFile, GeoBlock, HeaderLine, KongError, MapBlock, PluginDirective, PluginHttp, PluginStep, PluginWork } from '../ir.js';
import { label as entityLabel, type PlanContext } from '../context.js';
import { secretMapFile, shortHash, variableToken, VARIABLES } from '../names.js';
import { consumerId } from './auth-common.js';
import { WITH_NJS_HINT } from '../njs.js';
import { checkConfig } from './config.js';
import { PHASE_ORDER, type LowerContext, type PluginDefinition, type PluginUse } from './definition.js';
import { DROPPABLE, NEEDS_NJS, PLUGINS } from './registry.js';
import { selectForRoute } from './scope.js';

const HTTP_PROTOCOLS = new Set(['http', 'https', 'grpc', 'grpcs']);

/** Kong's answer when a plugin fails (a Lua error): what a skipped gate answers (fail closed). */
export const PLUGIN_FAILED = '@kongc_plugin_failed';

/** Always empty (server.hbs answers a FixedResponse without a body with it). */
const EMPTY_VARIABLE = VARIABLES.empty;

const CONSUMER_VARIABLES = { consumer: 'kongc_consumer', credential: 'kongc_credential', anonymous: 'kongc_anonymous' };

const PLUGIN_FAILED_RESPONSE: FixedResponse = {
  name: PLUGIN_FAILED,
  status: 500,
  contentType: 'application/json; charset=utf-8',
  body: [{ text: '{"message":"An unexpected error occurred"}' }],
  headers: [],
  purpose: 'a plugin kongc does not compile decides who gets in: fail closed, as Kong does when a plugin errors',
};

export interface PluginPlan {
  http: PluginHttp;
  maps: MapBlock[];
  errors: KongError[];
  files: GeneratedFile[];
  /** The plugin work of a route's location, null when no plugin applies. */
  forRoute(route: Route): PluginWork | null;
}

/** An instance ready to lower: checked config, or a skipped gate that answers 500. */
interface Ready {
  plugin: Plugin;
  def: PluginDefinition | null;
  config: unknown;
  priority: number;
  key: string;
}

export function planPlugins(ctx: PlanContext, state: KongState): PluginPlan {
  const http: PluginHttp = { directives: [], geos: [], responses: [], answerHeaders: [], answerDirectives: [] };
  const maps = new Map<string, MapBlock>();
  const geos = new Map<string, GeoBlock>();
  const directives = new Map<string, PluginDirective>();
  const responses = new Map<string, FixedResponse>();
  const errors = new Map<string, KongError>();
  const files = new Map<string, GeneratedFile>();
  const answerHeaders = new Map<string, HeaderLine>();
  const answerDirectives = new Map<string, PluginDirective>();
  const ready = readyInstances(ctx, state);

  const lowerCtx: LowerContext = {
    state,
    njs: ctx.njs,
    strict: Boolean(ctx.options.strict),
    at: (use, ...keys) => child(use.plugin.src, 'config', ...keys),
    error: (ref, message, hint, code = 'plugin') => ctx.error(ref, code, message, hint),
    warn: (ref, message, hint, code = 'plugin') => ctx.warn(ref, code, message, hint),
    approximate: (ref, message, hint) =>
      ctx.options.strict ? ctx.error(ref, 'plugin-approximated', message, hint ?? 'drop --strict to accept the approximation') : ctx.warn(ref, 'plugin-approximated', message, hint),
    map: (block) => (maps.has(block.variable) || maps.set(block.variable, block), block.variable),
    geo: (block) => (geos.has(block.variable) || geos.set(block.variable, block), block.variable),
    httpDirective: (key, d) => void (directives.has(key) || directives.set(key, d)),
    response: (r) => {
      // An empty body is sent as an empty variable: `return 503 ""` would send nginx's own page.
      if (r.body === null && !maps.has(EMPTY_VARIABLE)) maps.set(EMPTY_VARIABLE, { variable: EMPTY_VARIABLE, source: [], entries: [], default: [], purpose: 'always empty: the body of an answer without one' });
      return responses.has(r.name) || responses.set(r.name, r), r.name;
    },
    kongError: (status, message, headers = []) => {
      const name = `@kongc_error_${status}_${shortHash(JSON.stringify([message, headers]), 8)}`;
      if (!errors.has(name)) errors.set(name, kongError(name, status, message, 'response', headers));
      return name;
    },
    answerHeader: (line) => void (answerHeaders.has(line.name.toLowerCase()) || answerHeaders.set(line.name.toLowerCase(), line)),
    answerDirective: (key, d) => void (answerDirectives.has(key) || answerDirectives.set(key, d)),
    consumerVariables: () => {
      for (const variable of Object.values(CONSUMER_VARIABLES)) {
        if (!maps.has(variable)) maps.set(variable, { variable, source: [], entries: [], default: [], purpose: 'set by an authentication plugin (empty without a consumer)' });
      }
      return CONSUMER_VARIABLES;
    },
    consumerChoice: (use) => {
      const { only, except } = use.consumers;
      if (!only && !except.length) return null;
      const ids = (only ?? except).map(consumerId).sort();
      const variable = `kongc_sel_${use.key}_${shortHash(JSON.stringify([only ? 'only' : 'except', ids]), 8)}`;
      if (!maps.has(variable)) {
        const consumer = lowerCtx.consumerVariables().consumer;
        maps.set(variable, {
          variable,
          source: [{ variable: consumer }],
          entries: [...new Set(ids)].map((key) => ({ match: 'exact' as const, key, value: only ? [{ text: '1' }] : [] })),
          default: only ? [] : [{ text: '1' }],
          purpose: `${use.label} applies to ${only ? 'these consumers only' : 'every consumer but these'} (they have their own instance)`,
        });
      }
      return variable;
    },
    secretMapFile: (prefix, holds, entries, ref) => {
      const dir = ctx.options.secretsDir ?? ctx.options.caDir;
      if (!dir) {
        ctx.error(ref, 'credential', 'kongc writes credentials to a file that only nginx reads (mode 0600), and has nowhere to write it', 'build with -o FILE (the file goes next to it) or --secrets-dir DIR');
        return null;
      }
      const file = secretMapFile(dir, prefix, holds, entries);
      if (!files.has(file.path)) files.set(file.path, file);
      return file.path;
    },
    stateDir: (prefix, name, ref, what) => {
      const dir = ctx.options.stateDir ?? ctx.options.caDir;
      if (!dir) {
        ctx.error(ref, 'plugin', `${what} lives in a folder nginx writes, and kongc has no folder to name`, 'build with -o FILE (the folder goes next to it) or --state-dir DIR');
        return null;
      }
      return posix.join(dir, `kongc-${prefix}-${name}`);
    },
  };

  // Declared up front when consumers can be identified: upstream hashing on the consumer reads them.
  if (identifiesConsumers(state)) lowerCtx.consumerVariables();

  const reportedOrder = new Set<string>();
  const forRoute = (route: Route): PluginWork | null => {
    const selected = selectForRoute(
      ready.map((r) => r.plugin),
      route,
    );
    if (!selected.size) return null;
    const byPlugin = new Map(ready.map((r) => [r.plugin, r]));
    const uses: { r: Ready; use: PluginUse<unknown> }[] = [];
    for (const sel of selected.values()) {
      const own = [...sel.byConsumer.values()].flat();
      if (sel.fallback) uses.push(makeUse(byPlugin.get(sel.fallback)!, route, { only: null, except: own }));
      for (const [p, consumers] of sel.byConsumer) uses.push(makeUse(byPlugin.get(p)!, route, { only: consumers, except: [] }));
    }
    // Kong's order: PRIORITY descending, then name descending; one plugin's instances stay together.
    uses.sort((a, b) => b.r.priority - a.r.priority || (a.r.plugin.name < b.r.plugin.name ? 1 : a.r.plugin.name > b.r.plugin.name ? -1 : 0) || a.r.plugin.order - b.r.plugin.order);
    const work: PluginWork = { applied: [], steps: [], directives: [], requestHeaders: [], hideHeaders: [], responseHeaders: [], errorPages: [] };
    const claims = new Map<string, { target: string; r: Ready }>();
    const first: PluginStep[] = [];
    for (const { r, use } of uses) {
      if (!r.def) {
        work.applied.push(`${use.label}: not compiled (--skip-unsupported); it decides who gets in, so this route answers 500`);
        work.steps.push({ kind: 'answer', target: lowerCtx.response(PLUGIN_FAILED_RESPONSE) });
        continue;
      }
      if (!r.def.lower) continue;
      work.applied.push(use.label + (use.consumers.only ? ` for consumers ${use.consumers.only.map(consumerName).join(', ')}` : ''));
      const part = r.def.lower(use, lowerCtx);
      claimOnce(ctx, route, r, part, claims);
      for (const k of ['steps', 'directives', 'requestHeaders', 'hideHeaders', 'responseHeaders', 'errorPages'] as const) {
        const add = part[k];
        if (k === 'requestHeaders' && add) {
          // Authentication plugins on one route each set the consumer's headers: one line each.
          for (const h of part.requestHeaders!) if (!work.requestHeaders.some((x) => x.name.toLowerCase() === h.name.toLowerCase() && JSON.stringify(x.value) === JSON.stringify(h.value))) work.requestHeaders.push(h);
        } else if (add) (work[k] as unknown[]).push(...add);
      }
      if (part.first?.length) first.push(...part.first);
      if (part.upstreamHost) work.upstreamHost = part.upstreamHost;
      if (part.upstreamPath !== undefined) work.upstreamPath = part.upstreamPath;
    }
    if (first.length) work.steps.unshift(...first);
    reportPhaseOrder(ctx, route, uses.map((u) => u.r), reportedOrder);
    return work.applied.length ? work : null;
  };

  const plan: PluginPlan = {
    http,
    get maps() {
      return [...maps.values()];
    },
    get errors() {
      return [...errors.values()];
    },
    get files() {
      return [...files.values()];
    },
    forRoute,
  };
  // Parts added while routes are lowered are read after: fill http lazily, in name order.
  Object.defineProperty(plan, 'http', {
    get() {
      http.directives = [...directives.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
      http.geos = [...geos.values()];
      http.responses = [...responses.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
      http.answerHeaders = [...answerHeaders.values()];
      http.answerDirectives = [...answerDirectives.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
      return http;
    },
  });
  return plan;
}

/**
 * Status codes a location answers through error_page, and directives nginx allows once per
 * location (limit_req_status, client_max_body_size): two instances on one route may share one
 * (the same line is kept once), never claim it differently.
 */
function claimOnce(ctx: PlanContext, route: Route, r: Ready, part: Partial<PluginWork>, claims: Map<string, { target: string; r: Ready }>): void {
  /** True when this line is new on the route; a repeat is dropped, a conflicting one refused. */
  const claim = (what: string, target: string): boolean => {
    const had = claims.get(what);
    if (!had) return claims.set(what, { target, r }), true;
    if (had.target !== target) {
      ctx.error(
        child(r.plugin.src, 'name'),
        'plugin',
        `on ${entityLabel('route', route, ctx.key(route))}, ${pluginLabel(r.plugin)} and ${pluginLabel(had.r.plugin)} both claim ${what} with different answers; one nginx location has one`,
        'give both the same setting (error_code, message, size), or apply them to different routes',
      );
    }
    return false;
  };
  if (part.errorPages) {
    part.errorPages = part.errorPages
      .map((page) => ({ codes: page.codes.filter((code) => claim(`status ${code}`, page.target)), target: page.target }))
      .filter((page) => page.codes.length > 0);
  }
  if (part.directives) {
    part.directives = part.directives.filter((d) => (d.name === 'limit_req_status' || d.name === 'client_max_body_size' ? claim(d.name, JSON.stringify(d.args)) : true));
  }
}

/** An enabled authentication plugin sets the consumer variables. */
export function identifiesConsumers(state: KongState): boolean {
  return state.plugins.some((p) => p.enabled && (p.name === 'key-auth' || p.name === 'basic-auth' || p.name === 'jwt'));
}

function makeUse(r: Ready, route: Route, consumers: PluginUse<unknown>['consumers']): { r: Ready; use: PluginUse<unknown> } {
  return { r, use: { plugin: r.plugin, config: r.config, route, key: r.key, label: pluginLabel(r.plugin), consumers } };
}

function consumerName(c: Consumer): string {
  return `'${c.username ?? c.custom_id ?? c.id}'`;
}

/** `rate-limiting (service 'shop')`, `cors (global)`. */
export function pluginLabel(p: Plugin): string {
  const scope = [
    p.route ? `route '${p.route.name ?? p.route.id ?? `#${p.route.order}`}'` : null,
    p.service ? `service '${p.service.name ?? p.service.id ?? p.service.host}'` : null,
    p.consumer ? `consumer ${consumerName(p.consumer)}` : null,
  ].filter(Boolean);
  return `${p.name}${p.instance_name ? ` '${p.instance_name}'` : ''} (${scope.length ? scope.join(', ') : 'global'})`;
}

/** Checks every instance; reports what kongc does not compile. */
function readyInstances(ctx: PlanContext, state: KongState): Ready[] {
  const out: Ready[] = [];
  const skip = Boolean(ctx.options.skipUnsupported);
  const sameInNginx = namesInNginx(state.plugins);
  for (const p of state.plugins) {
    if (!p.enabled) continue;
    const what = `plugin ${pluginLabel(p)}`;
    if (p.protocols && !p.protocols.some((x) => HTTP_PROTOCOLS.has(x))) {
      ctx.warn(child(p.src, 'protocols'), 'plugin', `${what} runs on stream traffic only (protocols ${p.protocols.join(', ')}); the HTTP include leaves it out, as Kong's HTTP subsystem does`);
      continue;
    }
    const def = PLUGINS.get(p.name);
    const key = instanceKey(ctx, p, sameInNginx);
    if (!def || (def.tier === 'njs' && !ctx.options.withNjs)) {
      const droppable = DROPPABLE.has(p.name);
      const needsNjs = NEEDS_NJS.has(p.name) || def?.tier === 'njs';
      const why = def ? 'needs JavaScript at request time (njs)' : needsNjs ? 'needs JavaScript at request time (njs) and is not compiled by kongc' : 'is not compiled by kongc';
      if (!skip) {
        ctx.error(
          child(p.src, 'name'),
          'unsupported',
          `${what} ${why}`,
          def && needsNjs
            ? WITH_NJS_HINT
            : droppable
            ? 'it only transforms or reports: pass --skip-unsupported to compile without it'
            : 'it decides what is allowed, so nginx cannot leave it out: remove it from the config; --skip-unsupported would make the routes it covers answer 500',
        );
      } else if (droppable) {
        ctx.warn(child(p.src, 'name'), 'unsupported', `${what} ${why}; left out (--skip-unsupported): it only transforms or reports`);
      } else {
        ctx.warn(child(p.src, 'name'), 'unsupported', `${what} ${why}; the routes it covers answer 500 (--skip-unsupported fails closed, as Kong does when a plugin errors)`);
        out.push({ plugin: p, def: null, config: null, priority: def?.priority ?? 1000, key });
      }
      continue;
    }
    if (def.noConsumer && p.consumer) {
      ctx.error(child(p.src, 'consumer'), 'plugin', `${what}: ${p.name} cannot be bound to a consumer (Kong: "value must be null")`, 'remove the consumer, or bind it to a route or service');
      continue;
    }
    const diagnostics: Diagnostic[] = [];
    const config = checkConfig(def, p, diagnostics);
    if (config && def.check) {
      def.check(config, {
        at: (...keys) => child(p.src, 'config', ...keys),
        error: (ref, message, hint) => diagnostics.push(diag(ref, 'error', 'plugin', `plugin '${p.name}': ${message}`, hint)),
        warn: (ref, message, hint) => diagnostics.push(diag(ref, 'warning', 'plugin', `plugin '${p.name}': ${message}`, hint)),
      });
    }
    ctx.diagnostics.push(...diagnostics);
    if (!config || diagnostics.some((d) => d.severity === 'error')) continue;
    if (def.role === 'observe' && !def.lower) {
      ctx.warn(child(p.src, 'name'), 'plugin-observe', `${what} changes no response and is left out; instead use ${def.instead ?? "nginx's own logging"}`);
      continue;
    }
    out.push({ plugin: p, def, config, priority: def.priority, key });
  }
  return out;
}

/**
 * A name for generated identifiers: the instance_name, else a hash of the instance's scope (unique
 * per Kong's cache key). nginx's variable names are words and ignore case, so instance names that
 * would read the same there (`a-b` and `a_b`, `X` and `x`) each get a hash of their own name too.
 */
function instanceKey(ctx: PlanContext, p: Plugin, sameInNginx: Map<string, number>): string {
  if (p.instance_name) {
    const word = nginxWord(p.instance_name);
    return sameInNginx.get(word.toLowerCase())! > 1 ? `${word}_${shortHash(p.instance_name, 6)}` : word;
  }
  const scope = [p.name, p.route ? ctx.key(p.route) : '', p.service ? ctx.key(p.service) : '', p.consumer ? (p.consumer.id ?? p.consumer.username ?? '') : ''];
  return shortHash(JSON.stringify(scope), 10);
}

const nginxWord = (name: string) => variableToken(name.replace(/[^A-Za-z0-9_]/g, '_'));

/** How many instance names read as each word in nginx (lower case). */
function namesInNginx(plugins: Plugin[]): Map<string, number> {
  const count = new Map<string, number>();
  for (const p of plugins) {
    if (!p.instance_name) continue;
    const word = nginxWord(p.instance_name).toLowerCase();
    count.set(word, (count.get(word) ?? 0) + 1);
  }
  return count;
}

/** Gates Kong runs in one order that nginx's phases run in another: one warning per pair of instances. */
function reportPhaseOrder(ctx: PlanContext, route: Route, ordered: Ready[], reported: Set<string>): void {
  const gates = ordered.filter((r) => r.def?.role === 'gate' && r.def.phase);
  for (let i = 0; i < gates.length; i++) {
    for (let j = i + 1; j < gates.length; j++) {
      const first = gates[i]!;
      const later = gates[j]!;
      if (PHASE_ORDER.indexOf(later.def!.phase!) >= PHASE_ORDER.indexOf(first.def!.phase!)) continue;
      const pair = `${first.key}|${later.key}`;
      if (reported.has(pair)) continue;
      reported.add(pair);
      ctx.warn(
        child(later.plugin.src, 'name'),
        'phase-order',
        `on ${entityLabel('route', route, ctx.key(route))} (and any other route both apply to), nginx runs ${pluginLabel(later.plugin)} (${later.def!.phase} phase) before ${pluginLabel(first.plugin)} (${first.def!.phase} phase); Kong runs ${first.plugin.name} first (priority ${first.priority} over ${later.priority}), so a request both would refuse gets ${later.plugin.name}'s answer, not ${first.plugin.name}'s`,
        'see "Phase order" in the README',
      );
    }
  }
}

export { type LowerContext } from './definition.js';
