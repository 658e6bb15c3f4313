// What key-auth, basic-auth and acl share: the consumer as nginx variables, the headers Kong sends
// upstream about it, and lookups of secrets (keys, encoded passwords) in side files only nginx's
// master process reads. Everything here is built once per plan (cached per state), whatever the
// number of routes: a route's share is a few `set`/`if` lines naming these variables.
import type { SourceRef } from '../../load/source-map.js';
import { child } from '../../load/source-map.js';
import type { Consumer, KongState } from '../../model/types.js';
import { uuid5 } from '../../model/consumers.js';
import { escapeRegex } from '../../pcre.js';
import type { HeaderLine, MapEntry, MapValue, PluginAction, PluginStep } from '../ir.js';
import type { CheckContext, LowerContext, PluginUse } from './definition.js';

/** Namespace for ids kongc derives where Kong would pick a random one (a consumer with only custom_id, a credential without id). */
const KONGC_NAMESPACE = uuid5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'kongc');

/** The id nginx uses for a consumer: Kong's (given or derived from the username), else one derived from custom_id. */
/** The realm goes into WWW-Authenticate as Kong writes it; the anonymous consumer is an id or a username. */
export function checkRealmAndAnonymous(config: { realm?: string; anonymous?: string }, ctx: CheckContext): void {
  if (config.realm !== undefined && /[\x00-\x1f\x7f"\\]/.test(config.realm)) {
    ctx.error(ctx.at('realm'), 'realm: control characters, quotes and backslashes cannot be sent in a WWW-Authenticate header as Kong writes it', 'use a realm of printable characters without quotes');
  }
  if (config.anonymous !== undefined && /[\x00-\x1f\x7f]/.test(config.anonymous)) {
    ctx.error(ctx.at('anonymous'), 'anonymous: control characters are not allowed', 'name the consumer by id or username');
  }
}

export function consumerId(c: Consumer): string {
  return c.id ?? uuid5(KONGC_NAMESPACE, `consumer:${c.custom_id ?? ''}`);
}

export function derivedId(kind: string, owner: string, order: number): string {
  return uuid5(KONGC_NAMESPACE, `${kind}:${owner}:${order}`);
}

const v = (variable: string): MapValue => [{ variable }];
const t = (text: string): MapValue => [{ text }];

/** Per-state caches: what is built once per plan. */
const caches = new WeakMap<KongState, Map<string, unknown>>();
export function once<T>(ctx: LowerContext, key: string, build: () => T): T {
  let cache = caches.get(ctx.state);
  if (!cache) caches.set(ctx.state, (cache = new Map()));
  if (!cache.has(key)) cache.set(key, build());
  return cache.get(key) as T;
}

/** Maps from the consumer variable to what Kong's headers carry (username, custom_id, ACL groups). */
export function consumerMaps(ctx: LowerContext): { username: string; customId: string } {
  return once(ctx, 'consumer-maps', () => {
    const vars = ctx.consumerVariables();
    const unnamed = ctx.state.consumers.filter((c) => c.id === null);
    if (unnamed.length) {
      ctx.warn(
        child(unnamed[0]!.src, 'custom_id'),
        `${unnamed.length} consumer${unnamed.length > 1 ? 's have' : ' has'} neither id nor username: Kong gives each a random id at every load (sent upstream as X-Consumer-ID); kongc derives a fixed one from the custom_id`,
        'give these consumers an id to send the same X-Consumer-ID as Kong',
      );
    }
    // Kong sends these upstream as headers: a control character would end the header line.
    const sendable = (c: Consumer, field: 'username' | 'custom_id'): boolean => {
      if (c[field] === null) return false;
      if (!/[\x00-\x1f\x7f]/.test(c[field]!)) return true;
      ctx.error(child(c.src, field), `a consumer ${field} with control characters cannot be sent upstream in ${field === 'username' ? 'X-Consumer-Username' : 'X-Consumer-Custom-ID'}`, `use a ${field} of printable characters`);
      return false;
    };
    const username = ctx.map({
      variable: 'kongc_consumer_username',
      source: v(vars.consumer),
      entries: ctx.state.consumers.filter((c) => sendable(c, 'username')).map((c) => ({ match: 'exact', key: consumerId(c), value: t(c.username!) })),
      default: [],
      purpose: "the consumer's username (X-Consumer-Username)",
    });
    const customId = ctx.map({
      variable: 'kongc_consumer_custom_id',
      source: v(vars.consumer),
      entries: ctx.state.consumers.filter((c) => sendable(c, 'custom_id')).map((c) => ({ match: 'exact', key: consumerId(c), value: t(c.custom_id!) })),
      default: [],
      purpose: "the consumer's custom_id (X-Consumer-Custom-ID)",
    });
    return { username, customId };
  });
}

/** The headers Kong's authentication plugins set upstream; empty values clear what the client sent. */
export function consumerHeaders(ctx: LowerContext): HeaderLine[] {
  const vars = ctx.consumerVariables();
  const maps = consumerMaps(ctx);
  return [
    { name: 'X-Consumer-ID', value: v(vars.consumer) },
    { name: 'X-Consumer-Custom-ID', value: v(maps.customId) },
    { name: 'X-Consumer-Username', value: v(maps.username) },
    { name: 'X-Credential-Identifier', value: v(vars.credential) },
    { name: 'X-Anonymous-Consumer', value: v(vars.anonymous) },
  ];
}

/** Sets the consumer variables: an identified consumer, or the anonymous one. */
export function setConsumer(ctx: LowerContext, consumer: MapValue, credential: MapValue | null): PluginAction[] {
  const vars = ctx.consumerVariables();
  return [
    { kind: 'set', variable: vars.consumer, value: consumer },
    { kind: 'set', variable: vars.credential, value: credential ?? [] },
    { kind: 'set', variable: vars.anonymous, value: credential ? [] : t('true') },
  ];
}

/**
 * `anonymous` as Kong resolves it (load_consumer by id, then by username). Unknown: Kong answers
 * 500 at request time (the config loads), so kongc compiles that answer and warns.
 */
export function resolveAnonymous(use: PluginUse<{ anonymous?: string }>, ctx: LowerContext): { consumer: Consumer } | { missing: string } | null {
  const name = use.config.anonymous;
  if (name === undefined || name === '') return null;
  const found = ctx.state.consumers.find((c) => c.id === name) ?? ctx.state.consumers.find((c) => c.username === name);
  if (found) return { consumer: found };
  return { missing: name };
}

export function anonymousActions(use: PluginUse<{ anonymous?: string }>, ctx: LowerContext, anon: { consumer: Consumer } | { missing: string }): PluginAction[] {
  if ('consumer' in anon) return setConsumer(ctx, t(consumerId(anon.consumer)), null);
  const key = `anon-missing:${use.plugin.order}`;
  once(ctx, key, () =>
    ctx.warn(
      ctx.at(use, 'anonymous'),
      `anonymous consumer '${anon.missing}' does not exist: Kong loads this config and answers 500 to every request that fails authentication, and so does nginx`,
      'declare the consumer (by id or username), or remove anonymous',
    ),
  );
  return [{ kind: 'answer', target: ctx.kongError(500, `anonymous consumer ${anon.missing} is configured but doesn't exist`) }];
}

/** One secret to look up: the text a request carries, and the token nginx maps it to. */
export interface Secret {
  text: string;
  token: string;
  /** Where the secret is, for errors (which never print it). */
  ref: SourceRef;
}

/**
 * A case-sensitive exact lookup of secrets held in 0600 side files (read by nginx's master when it
 * loads the config). nginx compares map string keys case-insensitively, so the lookup map gives a
 * token, a second map gives the secret it stands for, and a regex with a back-reference (which is
 * case-sensitive) checks that the request's text is exactly that secret. Keys that differ only in
 * case are regex entries (case-sensitive) instead, since nginx refuses them as exact keys.
 */
export function secretLookup(ctx: LowerContext, prefix: string, secrets: Secret[], ref: SourceRef): { lookupFile: string | null; canonFile: string | null } {
  return once(ctx, `secret-files:${prefix}`, () => {
    const lower = new Map<string, number>();
    for (const s of secrets) lower.set(s.text.toLowerCase(), (lower.get(s.text.toLowerCase()) ?? 0) + 1);
    const lookup: MapEntry[] = [];
    const regexes: MapEntry[] = [];
    const canon: MapEntry[] = [];
    for (const s of secrets) {
      if (lower.get(s.text.toLowerCase())! > 1) regexes.push({ match: 'regex', caseless: false, pattern: '^' + escapeRegex(s.text) + '$', value: t(s.token) });
      else lookup.push({ match: 'exact', key: s.text, value: t(s.token) });
      canon.push({ match: 'exact', key: s.token, value: t(s.text) });
    }
    const lookupFile = ctx.secretMapFile(`${prefix}-lookup`, 'secrets', [...lookup, ...regexes], ref);
    const canonFile = lookupFile === null ? null : ctx.secretMapFile(`${prefix}-canon`, 'secrets', canon, ref);
    return { lookupFile, canonFile };
  });
}

/**
 * One chain of the lookup: `source` (a variable holding what the request carried) → the token of
 * the matching secret, or "" when none matches exactly. Returns the token's variable.
 */
export function lookupChain(ctx: LowerContext, name: string, source: string, files: { lookupFile: string | null; canonFile: string | null }, count: number, longest: number): string {
  const stats = (n: number, longest: number) => ({ entries: n, longestKey: longest });
  const token = ctx.map({
    variable: `kongc_${name}_token`,
    source: v(source),
    entries: [],
    default: [],
    ...(files.lookupFile ? { include: files.lookupFile } : {}),
    includeStats: stats(count, longest),
    purpose: 'the secret the request carries, as a token (entries in the side file); nginx compares these keys ignoring case',
  });
  const canon = ctx.map({
    variable: `kongc_${name}_canon`,
    source: v(token),
    entries: [],
    default: [],
    ...(files.canonFile ? { include: files.canonFile } : {}),
    includeStats: stats(count, 8),
    purpose: "the token's secret, to compare with the request's exactly",
  });
  return ctx.map({
    variable: `kongc_${name}_cred`,
    source: [{ variable: canon }, { separator: true }, { variable: source }],
    entries: [{ match: 'regex', caseless: false, pattern: '^(.+)\\n\\1$', value: v(token) }],
    default: [],
    purpose: 'the token when the request carries exactly its secret (a back-reference compares case-sensitively)',
  });
}

/** A map from a token variable to a value per token (consumer id, credential identifier). */
export function tokenMap(ctx: LowerContext, variable: string, source: string, entries: [string, string][], purpose: string): string {
  return ctx.map({ variable, source: v(source), entries: entries.map(([key, value]) => ({ match: 'exact', key, value: t(value) })), default: [], purpose });
}

/** `if ($variable = "value") { … }` */
export function when(variable: string, value: string, then: PluginAction[]): PluginStep {
  return { kind: 'if', check: { variable, op: '=', operand: value }, then };
}

export { v as variableValue, t as textValue };
export { child };
