// jwt (njs tier): the token from the query, a cookie or a header, decoded and checked at request
// time by kongc's JavaScript (templates/njs/jwt.js) as Kong's handler.lua and jwt_parser.lua do:
// Kong's 401s with their JSON bodies and WWW-Authenticate, the consumer's headers upstream,
// anonymous and run_on_preflight. It decides in the rewrite phase, as key-auth does, so instances
// chosen per consumer and limits by consumer after it see the consumer.
import { createPublicKey } from 'node:crypto';
import type { JwtSecret } from '../../model/types.js';
import type { PluginStep } from '../ir.js';
import type { LowerContext, PluginDefinition, PluginUse } from './definition.js';
import { anonymousActions, checkRealmAndAnonymous, child, consumerHeaders, consumerId, once, resolveAnonymous, setConsumer, variableValue as v, when } from './auth-common.js';

interface JwtConfig {
  uri_param_names: string[];
  cookie_names: string[];
  header_names: string[];
  key_claim_name: string;
  secret_is_base64: boolean;
  claims_to_verify?: string[];
  anonymous?: string;
  run_on_preflight: boolean;
  maximum_expiration: number;
  realm?: string;
}

/** The variable naming the instance to the module; `$kongc_jwt_<name>_js` call the module's handlers (js_set). */
const USE = 'kongc_jwt_use';
const HANDLERS = { begin: 'jwtBegin', status: 'jwtStatus', consumer: 'jwtConsumer', credential: 'jwtCredential', body: 'jwtBody', challenge: 'jwtChallenge' } as const;
const jsVariable = (name: keyof typeof HANDLERS) => `kongc_jwt_${name}_js`;

/** The curve an ES algorithm's key is on (node's name, WebCrypto's name). */
const CURVES: Record<string, [string, string]> = { ES256: ['prime256v1', 'P-256'], ES384: ['secp384r1', 'P-384'], ES512: ['secp521r1', 'P-521'] };

/** Kong's sets of strings (an empty string is not one Kong accepts); repeats are kept once. */
const STRINGS = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 256 } } as const;

/** One credential as the module reads it (DATA["jwt-credentials"]["k:<key>"]). */
interface CredentialData {
  consumer: string;
  algorithm: string;
  secret?: string;
  spki?: string | null;
  curve?: string;
}

/** A jwt_secret's entry, or null after an error (reported at its position; no secret is ever printed). */
function credentialData(j: JwtSecret, ctx: LowerContext): CredentialData | null {
  const base = { consumer: consumerId(j.consumer), algorithm: j.algorithm };
  if (j.algorithm.startsWith('HS')) {
    if (j.secret === null) {
      ctx.error(child(j.src), `a jwt_secret with algorithm ${j.algorithm} and no secret: Kong generates a random one, which kongc cannot know`, 'give the jwt_secret its secret');
      return null;
    }
    return { ...base, secret: j.secret };
  }
  if (j.algorithm === 'EdDSA') {
    ctx.error(child(j.src, 'algorithm'), 'a jwt_secret with algorithm EdDSA: the njs module of Debian 12 (0.7.9) cannot verify Ed25519 signatures', 'use RS256, PS256 or ES256 keys for this consumer');
    return null;
  }
  // ES* without a key: Kong answers "Invalid key/secret" to its tokens, and so does the module.
  if (j.rsa_public_key === null) return { ...base, spki: null };
  let key;
  try {
    key = createPublicKey(j.rsa_public_key);
  } catch {
    return null; // reported by validation (validate/consumers.ts)
  }
  const type = key.asymmetricKeyType;
  const curve = CURVES[j.algorithm];
  const wanted = curve ? `an EC key on ${curve[1]}` : 'an RSA key';
  const fits = curve ? type === 'ec' && key.asymmetricKeyDetails?.namedCurve === curve[0] : type === 'rsa';
  if (!fits) {
    ctx.error(child(j.src, 'rsa_public_key'), `rsa_public_key: algorithm ${j.algorithm} verifies with ${wanted}, and this key is not one: no token of this credential could pass`, `give ${wanted}, or the algorithm of this key`);
    return null;
  }
  if (j.algorithm.startsWith('PS')) {
    ctx.approximate(
      child(j.src, 'algorithm'),
      `a jwt_secret with algorithm ${j.algorithm}: nginx accepts PSS signatures whose salt is as long as the hash (as JWT libraries make them); Kong accepts any salt length`,
      'sign with the salt length of the hash (the default of JWT libraries)',
    );
  }
  return { ...base, spki: key.export({ type: 'spki', format: 'der' }).toString('base64'), ...(curve ? { curve: curve[1] } : {}) };
}

/** Every consumer's jwt_secrets in the module's data (once per plan), and the js_set handlers. */
function jwtModule(ctx: LowerContext, use: PluginUse<JwtConfig>): void {
  once(ctx, 'jwt', () => {
    const njs = ctx.njs!;
    njs.library('jwt', child(use.plugin.src, 'name'));
    const credentials: Record<string, CredentialData> = {};
    let secret = false;
    for (const c of ctx.state.consumers) {
      for (const j of c.jwtSecrets) {
        if (j.key === null) {
          ctx.error(child(j.src), 'a jwt_secret without a key: Kong generates a random one, which no token can name', 'give every jwt_secret its key (the value of the claim key_claim_name names)');
          continue;
        }
        if (/[\x00-\x1f\x7f]/.test(j.key)) {
          ctx.error(child(j.src, 'key'), 'a jwt key with control characters cannot be sent upstream in X-Credential-Identifier', 'use a key of printable characters');
          continue;
        }
        const data = credentialData(j, ctx);
        if (!data) continue;
        if (data.secret !== undefined) secret = true;
        credentials[`k:${j.key}`] = data;
      }
    }
    njs.data('jwt-credentials', credentials, secret);
    njs.data('jwt-credential-variable', ctx.consumerVariables().credential);
    for (const [name, fn] of Object.entries(HANDLERS) as [keyof typeof HANDLERS, string][]) {
      ctx.httpDirective(`jwt:${name}`, { name: 'js_set', args: [{ value: v(jsVariable(name)) }, { word: njs.handler(fn) }] });
    }
  });
}

export const JWT: PluginDefinition<JwtConfig> = {
  name: 'jwt',
  priority: 1450,
  tier: 'njs',
  role: 'gate',
  phase: 'rewrite',
  noConsumer: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      uri_param_names: { ...STRINGS, default: ['jwt'] },
      cookie_names: { ...STRINGS, default: [] },
      header_names: { ...STRINGS, default: ['authorization'] },
      key_claim_name: { type: 'string', minLength: 1, maxLength: 256, default: 'iss' },
      secret_is_base64: { type: 'boolean', default: false },
      claims_to_verify: { type: 'array', items: { enum: ['exp', 'nbf'] } },
      anonymous: { type: 'string', maxLength: 256 },
      run_on_preflight: { type: 'boolean', default: true },
      maximum_expiration: { type: 'number', minimum: 0, maximum: 31536000, default: 0 },
      realm: { type: 'string', maxLength: 256 },
    },
  },
  check(config, ctx) {
    if (config.maximum_expiration > 0 && !(config.claims_to_verify ?? []).includes('exp')) {
      ctx.error(ctx.at('maximum_expiration'), 'maximum_expiration needs "exp" in claims_to_verify (Kong refuses the config)', 'add exp to claims_to_verify, or set maximum_expiration: 0');
    }
    checkRealmAndAnonymous(config, ctx);
  },
  lower(use, ctx) {
    const c = use.config;
    jwtModule(ctx, use);
    const njs = ctx.njs!;
    // Kong's sets keep the first of repeated elements.
    const set = (xs: string[]) => [...new Set(xs)];
    njs.data(`jwt-instance-${use.key}`, {
      uri_param_names: set(c.uri_param_names),
      cookie_names: set(c.cookie_names),
      header_names: set(c.header_names),
      key_claim_name: c.key_claim_name,
      secret_is_base64: c.secret_is_base64,
      claims_to_verify: set(c.claims_to_verify ?? []),
      anonymous: Boolean(c.anonymous),
      run_on_preflight: c.run_on_preflight,
      maximum_expiration: c.maximum_expiration,
      realm: c.realm ?? null,
    });
    const status = 'kongc_jwt_status';
    const anon = resolveAnonymous(use, ctx);
    const refusal = ctx.response({
      name: '@kongc_jwt_401',
      status: 401,
      contentType: 'application/json; charset=utf-8',
      body: v('kongc_jwt_body'),
      headers: [{ name: 'WWW-Authenticate', value: v('kongc_jwt_challenge') }],
      purpose: "jwt: Kong's 401, its JSON body and WWW-Authenticate as the module decided",
    });
    const steps: PluginStep[] = [
      { kind: 'set', variable: USE, value: [{ text: use.key }] },
      { kind: 'set', variable: 'kongc_jwt_begin', value: v(jsVariable('begin')) },
      { kind: 'set', variable: status, value: v(jsVariable('status')) },
      // A Lua error in Kong's handler (a token Kong cannot index, a key of the wrong type): 500, anonymous or not.
      when(status, 'error', [{ kind: 'answer', target: ctx.kongError(500, 'An unexpected error occurred') }]),
      // The answer is a named location, where the module's handlers start afresh: its values are copied first.
      when(
        status,
        'fail',
        anon
          ? anonymousActions(use, ctx, anon)
          : [
              { kind: 'set', variable: 'kongc_jwt_body', value: v(jsVariable('body')) },
              { kind: 'set', variable: 'kongc_jwt_challenge', value: v(jsVariable('challenge')) },
              { kind: 'answer', target: refusal },
            ],
      ),
      when(status, 'ok', setConsumer(ctx, v(jsVariable('consumer')), v(jsVariable('credential')))),
    ];
    return { steps, requestHeaders: consumerHeaders(ctx) };
  },
};
