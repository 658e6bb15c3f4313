// basic-auth: the credentials of Proxy-Authorization, else Authorization, matched exactly against
// every consumer's username and password in their base64 form, held in a 0600 side file that
// nginx's master reads when it loads the config. nginx's own auth_basic is not used: its workers
// open the password file at each request, and a file only root can read (what a secret should
// be) makes every request a 500 where workers run as another user (Debian's `user www-data`).
// Matching the header's base64 form needs the password in plain text, so hashed passwords
// (`_transform: false`) are refused.
import type { MapValue } from '../ir.js';
import type { LowerContext, PluginDefinition, PluginUse } from './definition.js';
import {
  checkRealmAndAnonymous,
  anonymousActions,
  child,
  consumerHeaders,
  consumerId,
  lookupChain,
  once,
  resolveAnonymous,
  secretLookup,
  setConsumer,
  tokenMap,
  when,
  type Secret,
} from './auth-common.js';

interface BasicAuthConfig {
  anonymous?: string;
  hide_credentials: boolean;
  realm: string;
}

const MAX_ENCODED = 1300;

const v = (variable: string): MapValue => [{ variable }];
const t = (text: string): MapValue => [{ text }];

/** The base64 text after `Basic` as Kong finds it (its first match; decoding stops at '='), without padding. */
const BASIC = '^(?>.*?[Bb]asic)\\s*([A-Za-z0-9+/]*)(?:=.*)?$';

/** Base64 without padding: what the lookup compares (Kong's decoder ignores what follows '='). */
export function basicToken(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64').replace(/=+$/, '');
}

function credentialTable(ctx: LowerContext, first: PluginUse<unknown>): { cred: string; proxyCred: string; consumer: string; credential: string } {
  return once(ctx, 'basic-auth', () => {
    const secrets: Secret[] = [];
    const consumers: [string, string][] = [];
    const usernames: [string, string][] = [];
    let longest = 0;
    for (const c of ctx.state.consumers) {
      for (const b of c.basicauthCredentials) {
        if (b.hashed) {
          ctx.error(
            child(b.src, 'password'),
            "a basic-auth password given as Kong's hash (_transform: false): nginx can check a hash only with auth_basic_user_file, which its worker processes read at each request, so a file only root can read answers 500 where workers run as another user (Debian's www-data)",
            'give this credential its password in plain text with _transform: true (kongc keeps it in a file only nginx reads)',
          );
          continue;
        }
        if (b.username.includes(':')) {
          ctx.warn(child(b.src, 'username'), `basic-auth username '${b.username}' contains ':': Kong reads the username up to the first ':' of the header, so this credential never authenticates, in Kong or in nginx`, 'remove the credential or rename it');
          continue;
        }
        if (b.username === '' || /[\x00-\x1f\x7f]/.test(b.username + b.password)) {
          ctx.error(child(b.src, /[\x00-\x1f\x7f]/.test(b.username) || b.username === '' ? 'username' : 'password'), 'a basic-auth credential with an empty username or control characters cannot be sent in an Authorization header', 'use printable characters');
          continue;
        }
        const text = basicToken(b.username, b.password);
        if (text.length > MAX_ENCODED) {
          ctx.error(child(b.src, 'password'), 'a basic-auth username and password longer than 900 bytes together cannot be matched by nginx', 'use a shorter password');
          continue;
        }
        const token = `b${secrets.length}`;
        secrets.push({ text, token, ref: child(b.src, 'password') });
        longest = Math.max(longest, text.length);
        consumers.push([token, consumerId(c)]);
        usernames.push([token, b.username]);
      }
    }
    const files = secretLookup(ctx, 'basic-auth', secrets, child(first.plugin.src, 'name'));
    const extract = (variable: string, header: string, name: string) =>
      ctx.map({ variable, source: v(header), entries: [{ match: 'regex', caseless: false, pattern: BASIC, value: v('1') }], default: [], purpose: `the base64 credentials of ${name}, as Kong finds them` });
    const proxy = lookupChain(ctx, 'bap', extract('kongc_ba_proxy64', 'http_proxy_authorization', 'Proxy-Authorization'), files, secrets.length, longest);
    const plain = lookupChain(ctx, 'baa', extract('kongc_ba_auth64', 'http_authorization', 'Authorization'), files, secrets.length, longest);
    const cred = ctx.map({
      variable: 'kongc_ba_cred',
      source: [{ variable: proxy }, { separator: true }, { variable: plain }],
      entries: [
        { match: 'regex', caseless: false, pattern: '^([^\\n]+)\\n', value: v('1') },
        { match: 'regex', caseless: false, pattern: '\\n(.+)$', value: v('1') },
      ],
      default: [],
      purpose: 'the credential: Proxy-Authorization first, then Authorization, as Kong reads them',
    });
    return {
      cred,
      proxyCred: proxy,
      consumer: tokenMap(ctx, 'kongc_ba_consumer', cred, consumers, "the id of the credential's consumer"),
      credential: tokenMap(ctx, 'kongc_ba_credential', cred, usernames, "the credential's username (X-Credential-Identifier)"),
    };
  });
}

export const BASIC_AUTH: PluginDefinition<BasicAuthConfig> = {
  name: 'basic-auth',
  priority: 1100,
  tier: 'stock',
  role: 'gate',
  phase: 'rewrite',
  noConsumer: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      anonymous: { type: 'string', maxLength: 256 },
      hide_credentials: { type: 'boolean', default: false },
      realm: { type: 'string', default: 'service', maxLength: 256 },
    },
  },
  check(config, ctx) {
    checkRealmAndAnonymous(config, ctx);
  },
  lower(use, ctx) {
    const c = use.config;
    const vars = ctx.consumerVariables();
    const table = credentialTable(ctx, use);
    const status = `kongc_ba_${use.key}_status`;
    once(ctx, `basic-auth-status:${use.key}`, () =>
      ctx.map({
        variable: status,
        source: [{ variable: vars.credential }, { separator: true }, { variable: table.cred }],
        entries: [
          // With anonymous, Kong's plugin does nothing when an earlier one authenticated (logical OR).
          ...(c.anonymous ? [{ match: 'regex' as const, caseless: false, pattern: '^[^\\n]', value: t('skip') }] : []),
          { match: 'regex', caseless: false, pattern: '\\n.', value: t('ok') },
        ],
        default: t('bad'),
        purpose: `basic-auth ${use.label}: skip, ok or bad`,
      }),
    );
    const anon = resolveAnonymous(use, ctx);
    const fail = anon ? anonymousActions(use, ctx, anon) : [{ kind: 'answer' as const, target: ctx.kongError(401, 'Unauthorized', [['WWW-Authenticate', `Basic realm="${c.realm}"`]]) }];
    const headers = consumerHeaders(ctx);
    if (c.hide_credentials) {
      // Kong clears Proxy-Authorization, and Authorization unless Proxy-Authorization held the credential.
      const auth = once(ctx, 'basic-auth-hide', () =>
        ctx.map({ variable: 'kongc_ba_hidden', source: v(table.proxyCred), entries: [{ match: 'exact', key: '', value: [] }], default: v('http_authorization'), purpose: 'Authorization upstream with hide_credentials' }),
      );
      headers.push({ name: 'Proxy-Authorization', value: [] }, { name: 'Authorization', value: v(auth) });
    }
    return {
      steps: [when(status, 'bad', fail), when(status, 'ok', setConsumer(ctx, v(table.consumer), v(table.credential)))],
      requestHeaders: headers,
    };
  },
};
