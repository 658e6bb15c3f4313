// key-auth: the key from a header or the query string, looked up case-sensitively among every
// consumer's keys (held in a 0600 side file), Kong's 401s with their WWW-Authenticate, the
// consumer's headers upstream, anonymous, hide_credentials and run_on_preflight.
import { escapeRegex } from '../../pcre.js';
import type { MapValue, PluginAction, PluginStep } from '../ir.js';
import type { LowerContext, PluginDefinition, PluginUse } from './definition.js';
import {
  checkRealmAndAnonymous,
  anonymousActions,
  child,
  consumerHeaders,
  consumerId,
  derivedId,
  lookupChain,
  once,
  resolveAnonymous,
  secretLookup,
  setConsumer,
  tokenMap,
  when,
  type Secret,
} from './auth-common.js';

interface KeyAuthConfig {
  key_names: string[];
  hide_credentials: boolean;
  anonymous?: string;
  key_in_header: boolean;
  key_in_query: boolean;
  key_in_body: boolean;
  run_on_preflight: boolean;
  realm?: string;
}

const HEADER_NAME = '^[a-zA-Z0-9-_]+$';

/** Longest key kongc accepts: it is written escaped into one nginx token. */
const MAX_KEY = 1000;

/** Characters a client need not percent-encode in a query string. */
const QUERY_SAFE = /^[A-Za-z0-9._~-]*$/;

const v = (variable: string): MapValue => [{ variable }];
const t = (text: string): MapValue => [{ text }];

/** Every consumer's keys, looked up once per plan: the token map, the consumer and credential per token. */
function keyTable(ctx: LowerContext, first: PluginUse<unknown>): { cred: string; consumer: string; credential: string; hasQueryUnsafe: boolean } {
  return once(ctx, 'key-auth', () => {
    const secrets: Secret[] = [];
    const consumers: [string, string][] = [];
    const credentials: [string, string][] = [];
    let derived = 0;
    let hasQueryUnsafe = false;
    let longest = 0;
    for (const c of ctx.state.consumers) {
      for (const k of c.keyauthCredentials) {
        const ref = child(k.src, 'key');
        if (k.key === '') {
          ctx.error(ref, "a key-auth credential without a key: Kong generates a random one, which kongc cannot know", 'give every keyauth_credential its key');
          continue;
        }
        if (/[\x00-\x1f\x7f]/.test(k.key) || k.key.length > MAX_KEY) {
          ctx.error(ref, `a key-auth key has control characters or more than ${MAX_KEY} characters: no client can send it in a header`, 'use a key of printable characters');
          continue;
        }
        if (k.ttl !== null) {
          ctx.approximate(child(k.src, 'ttl'), "a key-auth credential's ttl: the key never expires in nginx (Kong stops accepting it ttl seconds after loading the config)", 'remove ttl, or rebuild and reload before it runs out');
        }
        const token = `k${secrets.length}`;
        secrets.push({ text: k.key, token, ref });
        longest = Math.max(longest, Buffer.byteLength(k.key));
        if (!QUERY_SAFE.test(k.key)) hasQueryUnsafe = true;
        consumers.push([token, consumerId(c)]);
        if (!k.id) derived++;
        credentials.push([token, k.id ?? derivedId('keyauth_credential', consumerId(c), k.order)]);
      }
    }
    if (derived) {
      ctx.warn(
        child(ctx.state.consumers.find((c) => c.keyauthCredentials.some((k) => !k.id))!.keyauthCredentials.find((k) => !k.id)!.src),
        `${derived} key-auth credential${derived > 1 ? 's have' : ' has'} no id: Kong gives each a random one at every load (sent upstream as X-Credential-Identifier); kongc derives a fixed one`,
        'give keyauth_credentials an id to send the same X-Credential-Identifier as Kong',
      );
    }
    const files = secretLookup(ctx, 'key-auth', secrets, child(first.plugin.src, 'name'));
    const cred = lookupChain(ctx, 'ka', 'kongc_ka_key', files, secrets.length, longest);
    return {
      cred,
      consumer: tokenMap(ctx, 'kongc_ka_consumer', cred, consumers, "the id of the key's consumer"),
      credential: tokenMap(ctx, 'kongc_ka_credential', cred, credentials, "the key's credential id (X-Credential-Identifier)"),
      hasQueryUnsafe,
    };
  });
}

/** What one instance reads: its key chain over key_names, and which name held the key. */
function instanceMaps(use: PluginUse<KeyAuthConfig>, ctx: LowerContext): { key: string; args: string | null; headers: [string, string][]; dup: string | null } {
  return once(ctx, `key-auth:${use.key}`, () => {
    const c = use.config;
    const base = `kongc_ka_${use.key}`;
    const names = c.key_names;
    let next: MapValue = [];
    let nextIndex: MapValue = [];
    const query = (j: number) =>
      ctx.map({
        variable: `${base}_q${j}`,
        source: v('args'),
        entries: [{ match: 'regex', caseless: false, pattern: `(?:^|&)${escapeRegex(names[j]!)}=([^&]*)`, value: v('1') }],
        default: [],
        purpose: `the query argument ${names[j]} (named case-sensitively, as Kong does)`,
      });
    for (let j = names.length - 1; j >= 0; j--) {
      const name = names[j]!;
      const header = `http_${name.toLowerCase().replace(/-/g, '_')}`;
      if (c.key_in_query) {
        const q = query(j);
        next = v(ctx.map({ variable: `${base}_kq${j}`, source: v(q), entries: [{ match: 'exact', key: '', value: next }], default: v(q), purpose: `the key: query argument ${name}, else the next place` }));
        nextIndex = v(ctx.map({ variable: `${base}_iq${j}`, source: v(q), entries: [{ match: 'exact', key: '', value: nextIndex }], default: t(`q${j}`), purpose: 'which key name held the key' }));
      }
      if (c.key_in_header) {
        next = v(ctx.map({ variable: `${base}_kh${j}`, source: v(header), entries: [{ match: 'exact', key: '', value: next }], default: v(header), purpose: `the key: header ${name}, else the next place` }));
        nextIndex = v(ctx.map({ variable: `${base}_ih${j}`, source: v(header), entries: [{ match: 'exact', key: '', value: nextIndex }], default: t(`h${j}`), purpose: 'which key name held the key' }));
      }
    }
    const key = next.length ? (next[0] as { variable: string }).variable : '';
    const index = nextIndex.length ? (nextIndex[0] as { variable: string }).variable : null;
    // Kong answers "Duplicate API key found" when the query argument that held the key is repeated
    // (nginx's $http_ sees only the first of repeated headers: that case is not detected).
    let dup: string | null = null;
    if (c.key_in_query && index) {
      const perName = names.map((name, j) => {
        const n = escapeRegex(name);
        return ctx.map({
          variable: `${base}_dup${j}`,
          source: v('args'),
          entries: [{ match: 'regex', caseless: false, pattern: `(?:^|&)${n}(?:=[^&]*)?&(?:.*&)?${n}(?:=|&|$)`, value: t('1') }],
          default: [],
          purpose: `the query argument ${name} is repeated`,
        });
      });
      dup = ctx.map({ variable: `${base}_dup`, source: v(index), entries: perName.map((p, j) => ({ match: 'exact', key: `q${j}`, value: v(p) })), default: [], purpose: 'the query argument that held the key is repeated' });
    }
    let args: string | null = null;
    const headers: [string, string][] = [];
    if (c.hide_credentials && index) {
      // Kong clears the header and the query argument of the name that held the key.
      if (c.key_in_query || c.key_in_header) {
        const perName = names.map((name, j) =>
          ctx.map({
            variable: `${base}_args${j}`,
            source: v('args'),
            entries: [
              { match: 'regex', caseless: false, pattern: `^${escapeRegex(name)}=[^&]*(?:&|$)(.*)$`, value: v('1') },
              { match: 'regex', caseless: false, pattern: `^(.*?)&${escapeRegex(name)}=[^&]*(.*)$`, value: [{ variable: '1' }, { variable: '2' }] },
            ],
            default: v('args'),
            purpose: `the query string without the argument ${name}`,
          }),
        );
        args = ctx.map({ variable: `${base}_args`, source: v(index), entries: perName.flatMap((p, j) => [`h${j}`, `q${j}`].map((key) => ({ match: 'exact' as const, key, value: v(p) }))), default: v('args'), purpose: 'the query string without the key' });
      }
      names.forEach((name, j) => {
        const header = `http_${name.toLowerCase().replace(/-/g, '_')}`;
        headers.push([name, ctx.map({ variable: `${base}_fwd${j}`, source: v(index), entries: [`h${j}`, `q${j}`].map((key) => ({ match: 'exact' as const, key, value: [] })), default: v(header), purpose: `header ${name} upstream: cleared when it held the key` })]);
      });
    }
    return { key, args, headers, dup };
  });
}

export const KEY_AUTH: PluginDefinition<KeyAuthConfig> = {
  name: 'key-auth',
  priority: 1250,
  tier: 'stock',
  role: 'gate',
  phase: 'rewrite',
  noConsumer: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      key_names: { type: 'array', items: { type: 'string', pattern: HEADER_NAME, minLength: 1, maxLength: 256 }, minItems: 1, default: ['apikey'] },
      hide_credentials: { type: 'boolean', default: false },
      anonymous: { type: 'string', maxLength: 256 },
      key_in_header: { type: 'boolean', default: true },
      key_in_query: { type: 'boolean', default: true },
      key_in_body: { type: 'boolean', default: false },
      run_on_preflight: { type: 'boolean', default: true },
      realm: { type: 'string', maxLength: 256 },
    },
  },
  check(config, ctx) {
    if (config.key_in_body) {
      ctx.error(ctx.at('key_in_body'), 'key_in_body: nginx cannot read a key from the request body before proxying it', 'set key_in_body: false and send the key in a header or the query string');
    }
    checkRealmAndAnonymous(config, ctx);
  },
  lower(use, ctx) {
    const c = use.config;
    const vars = ctx.consumerVariables();
    const table = keyTable(ctx, use);
    const inst = instanceMaps(use, ctx);
    if (c.key_in_query && table.hasQueryUnsafe) {
      once(ctx, `key-auth-query:${use.key}`, () =>
        ctx.approximate(
          ctx.at(use, 'key_in_query'),
          'some keys have characters a client must percent-encode in a query string: nginx compares the query argument as sent, so those keys are accepted in a header only (Kong decodes the argument first)',
          'use keys of letters, digits and -._~, or key_in_query: false',
        ),
      );
    }
    const auth = `Key${c.realm !== undefined ? ` realm="${c.realm}"` : ''}`;
    const status = `kongc_ka_${use.key}_status`;
    once(ctx, `key-auth-status:${use.key}`, () => {
      const entries: { match: 'regex'; caseless: false; pattern: string; value: MapValue }[] = [];
      if (!c.run_on_preflight) entries.push({ match: 'regex', caseless: false, pattern: '^OPTIONS\\n', value: t('skip') });
      // With anonymous, Kong's plugin does nothing when an earlier one authenticated (logical OR).
      if (c.anonymous) entries.push({ match: 'regex', caseless: false, pattern: '^[^\\n]*\\n[^\\n]', value: t('skip') });
      entries.push({ match: 'regex', caseless: false, pattern: '\\n1$', value: t('duplicate') });
      entries.push({ match: 'regex', caseless: false, pattern: '^[^\\n]*\\n[^\\n]*\\n[^\\n]', value: t('ok') });
      entries.push({ match: 'regex', caseless: false, pattern: '\\n\\n$', value: t('none') });
      ctx.map({
        variable: status,
        source: [{ variable: 'request_method' }, { separator: true }, { variable: vars.credential }, { separator: true }, { variable: table.cred }, { separator: true }, { variable: 'kongc_ka_key' }, { separator: true }, ...(inst.dup ? [{ variable: inst.dup }] : [])],
        entries,
        default: t('bad'),
        purpose: `key-auth ${use.label}: skip, duplicate, ok, none (no key) or bad (unknown key)`,
      });
    });
    const anon = resolveAnonymous(use, ctx);
    const hide: PluginAction[] = inst.args ? [{ kind: 'set', variable: 'args', value: v(inst.args) }] : [];
    const fail = (message: string): PluginAction[] =>
      anon ? [...hide, ...anonymousActions(use, ctx, anon)] : [{ kind: 'answer', target: ctx.kongError(401, message, [['WWW-Authenticate', auth]]) }];
    const steps: PluginStep[] = [
      { kind: 'set', variable: 'kongc_ka_key', value: inst.key ? v(inst.key) : [] },
      ...(inst.dup ? [when(status, 'duplicate', fail('Duplicate API key found'))] : []),
      when(status, 'none', fail('No API key found in request')),
      when(status, 'bad', fail('Unauthorized')),
      when(status, 'ok', [...hide, ...setConsumer(ctx, v(table.consumer), v(table.credential))]),
    ];
    return {
      steps,
      requestHeaders: [...consumerHeaders(ctx), ...inst.headers.map(([name, variable]) => ({ name, value: v(variable) }))],
    };
  },
};
