// jwt through a real nginx with the njs module (--with-njs): tokens signed here with every
// algorithm Kong verifies, each of Kong's refusals with its status, JSON body and
// WWW-Authenticate, the token sources (query, cookie, header), kid as the key claim, exp, nbf and
// maximum_expiration, secret_is_base64, anonymous, and an instance chosen per consumer after jwt.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { compileYaml } from '../../support/compile.js';
import { startEcho, type EchoBackend } from '../../support/echo.js';
import { kongError, request, type Reply } from '../../support/http.js';
import { freePort, startNginx, type RunningNginx } from '../../support/nginx.js';
import { consumerIdFor } from '../../../src/model/consumers.js';

const b64u = (b: Buffer | string) => Buffer.from(b).toString('base64url');

type Alg = 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512' | 'PS256';

/** A JWT as JWT libraries make them: base64url header and claims, signed with `key`. */
function jwt(alg: Alg, claims: unknown, key: string | Buffer | KeyObject, header: Record<string, unknown> = {}): string {
  const data = `${b64u(JSON.stringify({ typ: 'JWT', alg, ...header }))}.${b64u(JSON.stringify(claims))}`;
  const hash = `sha${alg.slice(2)}`;
  let sig: Buffer;
  if (alg.startsWith('HS')) sig = createHmac(hash, key as string | Buffer).update(data).digest();
  else if (alg.startsWith('RS')) sig = sign(hash, Buffer.from(data), key as KeyObject);
  else if (alg.startsWith('PS')) sig = sign(hash, Buffer.from(data), { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
  else sig = sign(hash, Buffer.from(data), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  return `${data}.${b64u(sig)}`;
}

/** A token with the given parts as they are (for malformed tokens). */
const raw = (header: string, claims: string, sig = 'c2ln') => `${b64u(header)}.${b64u(claims)}.${sig}`;

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaOther = generateKeyPairSync('rsa', { modulusLength: 2048 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
const pem = (k: { publicKey: KeyObject }) => JSON.stringify(k.publicKey.export({ type: 'spki', format: 'pem' }));

const SECRET = 'hs-secret-of-alice';
const RAW_B64_SECRET = Buffer.from([0xfb, 0xff, 0x00, 0x41, 0x7e, 0x10]);

const YAML = (echoPort: number) => `_format_version: "3.0"
services:
  - name: s
    url: http://127.0.0.1:${echoPort}/
    routes:
      - name: plain
        paths: [/j]
        plugins:
          - name: jwt
      - name: claims
        paths: [/claims]
        plugins:
          - name: jwt
            config: { claims_to_verify: [exp, nbf], maximum_expiration: 3600, realm: shop }
      - name: sources
        paths: [/sources]
        plugins:
          - name: jwt
            config: { uri_param_names: [token], cookie_names: [jwt_cookie], header_names: [x_jwt] }
      - name: kid
        paths: [/kid]
        plugins:
          - name: jwt
            config: { key_claim_name: kid }
      - name: b64
        paths: [/b64]
        plugins:
          - name: jwt
            config: { secret_is_base64: true }
      - name: anon
        paths: [/anon]
        plugins:
          - name: jwt
            config: { anonymous: anon }
      - name: preflight
        paths: [/preflight]
        plugins:
          - name: jwt
            config: { run_on_preflight: false }
consumers:
  - username: alice
    custom_id: A-1
    jwt_secrets:
      - { key: alice-hs256, secret: ${SECRET} }
      - { key: alice-hs384, secret: ${SECRET}, algorithm: HS384 }
      - { key: alice-hs512, secret: ${SECRET}, algorithm: HS512 }
  - username: bob
    jwt_secrets:
      - { key: bob-rs256, algorithm: RS256, rsa_public_key: ${pem(rsa)} }
      - { key: bob-rs384, algorithm: RS384, rsa_public_key: ${pem(rsa)} }
      - { key: bob-rs512, algorithm: RS512, rsa_public_key: ${pem(rsa)} }
      - { key: bob-ps256, algorithm: PS256, rsa_public_key: ${pem(rsa)} }
    plugins:
      - name: rate-limiting
        config: { minute: 1, hide_client_headers: true }
        route: claims
  - username: carol
    jwt_secrets:
      - { key: carol-es256, algorithm: ES256, rsa_public_key: ${pem(p256)} }
      - { key: carol-es384, algorithm: ES384, rsa_public_key: ${pem(p384)} }
      - { key: carol-es512, algorithm: ES512, rsa_public_key: ${pem(p521)} }
      - { key: carol-es-nokey, algorithm: ES256 }
  - username: dave
    jwt_secrets:
      - { key: dave-b64, secret: "${RAW_B64_SECRET.toString('base64url')}" }
      - { key: dave-b64-std, secret: "${RAW_B64_SECRET.toString('base64')}" }
  - username: anon
`;

describe('jwt through nginx with njs', () => {
  let echo: EchoBackend;
  let nginx: RunningNginx;
  let port: number;
  let dir: string;
  let text: string;
  let njsFile: { path: string; content: string; secret?: boolean } | undefined;
  const alice = consumerIdFor('alice');
  const now = () => Math.floor(Date.now() / 1000);

  before(async () => {
    echo = await startEcho('a');
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'kongc-jwt-'));
    const compiled = compileYaml(YAML(echo.port), { listen: [`127.0.0.1:${port}`], secretsDir: dir, withNjs: true });
    const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, []);
    for (const f of compiled.files) writeFileSync(f.path, f.content, { mode: 0o600 });
    njsFile = compiled.files.find((f) => f.path.endsWith('.js'));
    text = compiled.text;
    nginx = await startNginx(text, port);
  });

  after(async () => {
    await nginx?.stop();
    await echo?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string | string[]> = {}, method = 'GET'): Promise<Reply> => request(port, path, { headers, method });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const upstream = (r: Reply) => {
    assert.equal(r.status, 200, r.body);
    return r.json() as { url: string; headers: Record<string, string | undefined> };
  };
  /** Kong's jwt refusals: kong.response.exit with a table, so JSON whatever the Accept header, no request id. */
  const refused = (r: Reply, status: number, body: unknown, challenge = 'Bearer error="invalid_token"') => {
    assert.equal(r.status, status, r.body);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(r.json(), body);
    assert.equal(r.headers['www-authenticate'], challenge);
  };

  it('the secrets live in the 0600 module only, never in the include', () => {
    assert.ok(njsFile, 'a module was generated');
    assert.equal(njsFile!.secret, true);
    assert.ok(njsFile!.content.includes(SECRET));
    assert.ok(!text.includes(SECRET));
    assert.match(text, /^js_import kongc from "[^"]+\.js";$/m);
  });

  it('HS256, HS384 and HS512 tokens: 200 with the consumer headers, client copies replaced', async () => {
    for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
      const token = jwt(alg, { iss: `alice-${alg.toLowerCase()}` }, SECRET);
      const u = upstream(await get('/j/x', { ...bearer(token), 'X-Consumer-ID': 'forged', 'X-Anonymous-Consumer': 'true' }));
      assert.equal(u.headers['x-consumer-id'], alice, alg);
      assert.equal(u.headers['x-consumer-username'], 'alice');
      assert.equal(u.headers['x-consumer-custom-id'], 'A-1');
      assert.equal(u.headers['x-credential-identifier'], `alice-${alg.toLowerCase()}`, 'Kong sends the jwt key');
      assert.equal(u.headers['x-anonymous-consumer'], undefined);
      assert.equal(u.headers.authorization, `Bearer ${token}`, 'the token goes upstream (jwt has no hide_credentials)');
    }
  });

  it('RS256, RS384, RS512, PS256, ES256, ES384 and ES512 tokens: 200 for the key holder', async () => {
    const cases: [Alg, string, KeyObject, string][] = [
      ['RS256', 'bob-rs256', rsa.privateKey, 'bob'],
      ['RS384', 'bob-rs384', rsa.privateKey, 'bob'],
      ['RS512', 'bob-rs512', rsa.privateKey, 'bob'],
      ['PS256', 'bob-ps256', rsa.privateKey, 'bob'],
      ['ES256', 'carol-es256', p256.privateKey, 'carol'],
      ['ES384', 'carol-es384', p384.privateKey, 'carol'],
      ['ES512', 'carol-es512', p521.privateKey, 'carol'],
    ];
    for (const [alg, iss, key, who] of cases) {
      const u = upstream(await get('/j/x', bearer(jwt(alg, { iss }, key))));
      assert.equal(u.headers['x-consumer-username'], who, alg);
      assert.equal(u.headers['x-credential-identifier'], iss);
    }
  });

  it('a signature by another key or secret: 401 "Invalid signature"', async () => {
    refused(await get('/j/x', bearer(jwt('HS256', { iss: 'alice-hs256' }, 'wrong'))), 401, { message: 'Invalid signature' });
    refused(await get('/j/x', bearer(jwt('RS256', { iss: 'bob-rs256' }, rsaOther.privateKey))), 401, { message: 'Invalid signature' });
    refused(await get('/j/x', bearer(jwt('ES256', { iss: 'carol-es256' }, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey))), 401, { message: 'Invalid signature' });
    const good = jwt('HS256', { iss: 'alice-hs256', admin: false }, SECRET).split('.');
    const forged = `${good[0]}.${b64u(JSON.stringify({ iss: 'alice-hs256', admin: true }))}.${good[2]}`;
    refused(await get('/j/x', bearer(forged)), 401, { message: 'Invalid signature' });
  });

  it('no token: 401 "Unauthorized" with WWW-Authenticate: Bearer; the Bearer prefix as Kong reads it', async () => {
    refused(await get('/j/x'), 401, { message: 'Unauthorized' }, 'Bearer');
    refused(await get('/j/x', { accept: 'text/html' }), 401, { message: 'Unauthorized' }, 'Bearer');
    const token = jwt('HS256', { iss: 'alice-hs256' }, SECRET);
    for (const value of [`Token ${token}`, `BEARER ${token}`, `Bearer${token}`, token]) refused(await get('/j/x', { authorization: value }), 401, { message: 'Unauthorized' }, 'Bearer');
    // Kong's regex is not anchored and takes what follows "Bearer " (either case of its B).
    for (const value of [`bearer ${token}`, `Bearer \t ${token}`, `x Bearer ${token}`]) upstream(await get('/j/x', { authorization: value }));
    assert.equal(echo.hits > 0, true);
  });

  it('several distinct tokens: 401 "Multiple tokens provided"; the same token twice is one', async () => {
    const a = jwt('HS256', { iss: 'alice-hs256' }, SECRET);
    const b = jwt('HS384', { iss: 'alice-hs384' }, SECRET);
    refused(await get(`/j/x?jwt=${a}`, bearer(b)), 401, { message: 'Multiple tokens provided' });
    refused(await get(`/j/x?jwt=${a}&jwt=${b}`), 401, { message: 'Multiple tokens provided' });
    upstream(await get(`/j/x?jwt=${a}`, bearer(a)));
    upstream(await get(`/j/x?jwt=${a}&jwt=${a}&jwt=`));
    refused(await get('/j/x?jwt'), 401, { message: 'Unrecognizable token' });
  });

  it('malformed tokens: 401 "Bad token; <reason>" as jwt_parser.lua words it', async () => {
    const cases: [string, string][] = [
      ['abc', 'invalid JSON'],
      ['a.b', 'invalid JSON'],
      [raw('{"alg":"HS256"', '{}'), 'invalid JSON'],
      [raw('{"alg":"none"}', '{"iss":"alice-hs256"}'), 'invalid alg'],
      [raw('{"alg":["HS256"]}', '{}'), 'invalid alg'],
      [raw('"HS256"', '{}'), 'invalid alg'],
      [raw('{"alg":"HS256"}', 'false'), 'invalid claims'],
      [raw('{"alg":"HS256"}', '{"iss":"alice-hs256"}', 'a!b'), 'invalid signature'],
      [raw('{"alg":"HS256"}', '{"iss":"alice-hs256"}', 'abcde'), 'invalid signature'],
    ];
    for (const [token, reason] of cases) refused(await get('/j/x', bearer(token)), 401, { message: `Bad token; ${reason}` });
  });

  it("the key claim: missing, empty, unknown, or naming another algorithm's credential", async () => {
    refused(await get('/j/x', bearer(jwt('HS256', { sub: 'x' }, SECRET))), 401, { message: "No mandatory 'iss' in claims" });
    refused(await get('/j/x', bearer(jwt('HS256', { iss: '' }, SECRET))), 401, { message: "Invalid 'iss' in claims" });
    refused(await get('/j/x', bearer(jwt('HS256', { iss: 'nobody' }, SECRET))), 401, { message: "No credentials found for given 'iss'" });
    refused(await get('/j/x', bearer(jwt('HS384', { iss: 'alice-hs256' }, SECRET))), 401, { message: 'Invalid algorithm' });
    refused(await get('/j/x', bearer(jwt('ES256', { iss: 'carol-es-nokey' }, p256.privateKey))), 401, { message: 'Invalid key/secret' });
    // The claim, else the header's field of that name.
    upstream(await get('/j/x', bearer(jwt('HS256', {}, SECRET, { iss: 'alice-hs256' }))));
  });

  it("what Kong's Lua cannot handle answers 500: a key that is not a string, an ES signature of the wrong size", async () => {
    for (const token of [jwt('HS256', { iss: 42 }, SECRET), raw('{"alg":"HS256"}', 'null'), raw('7', '{}'), raw('{"alg":"ES256"}', '{"iss":"carol-es256"}', b64u(Buffer.alloc(63)))]) {
      const r = await get('/j/x', bearer(token));
      assert.equal(r.status, 500, token);
      assert.deepEqual(kongError(r), { message: 'An unexpected error occurred' });
    }
  });

  it('key_claim_name kid: read from the claims, else the header', async () => {
    upstream(await get('/kid/x', bearer(jwt('HS256', {}, SECRET, { kid: 'alice-hs256' }))));
    upstream(await get('/kid/x', bearer(jwt('RS256', { kid: 'bob-rs256' }, rsa.privateKey))));
    refused(await get('/kid/x', bearer(jwt('HS256', { iss: 'alice-hs256' }, SECRET))), 401, { message: "No mandatory 'kid' in claims" });
  });

  it('exp, nbf and maximum_expiration: Kong\'s claim errors as the body, the realm in WWW-Authenticate', async () => {
    const challenge = 'Bearer realm="shop", error="invalid_token"';
    const tok = (claims: Record<string, unknown>) => bearer(jwt('HS256', { iss: 'alice-hs256', ...claims }, SECRET));
    upstream(await get('/claims/x', tok({ exp: now() + 600, nbf: now() - 10 })));
    refused(await get('/claims/x', tok({ exp: now() - 1, nbf: now() - 10 })), 401, { exp: 'token expired' }, challenge);
    refused(await get('/claims/x', tok({ exp: now() + 600, nbf: now() + 600 })), 401, { nbf: 'token not valid yet' }, challenge);
    refused(await get('/claims/x', tok({ nbf: now() })), 401, { exp: 'must be a number' }, challenge);
    refused(await get('/claims/x', tok({ exp: String(now() + 600), nbf: 'soon' })), 401, { exp: 'must be a number', nbf: 'must be a number' }, challenge);
    refused(await get('/claims/x', tok({ exp: now() + 7200, nbf: now() })), 401, { exp: 'exceeds maximum allowed expiration' }, challenge);
    refused(await get('/claims/x'), 401, { message: 'Unauthorized' }, 'Bearer realm="shop"');
    // Without claims_to_verify an expired token passes, as in Kong.
    upstream(await get('/j/x', tok({ exp: now() - 100 })));
  });

  it('a plugin bound to the consumer runs after jwt identified it (rate-limiting for bob only)', async () => {
    const bob = () => bearer(jwt('RS256', { iss: 'bob-rs256', exp: now() + 60, nbf: now() }, rsa.privateKey));
    // A forged bob token is refused by jwt first, and counts for nobody.
    refused(await get('/claims/x', bearer(jwt('RS256', { iss: 'bob-rs256', exp: now() + 60, nbf: now() }, rsaOther.privateKey))), 401, { message: 'Invalid signature' }, 'Bearer realm="shop", error="invalid_token"');
    upstream(await get('/claims/x', bob()));
    const limited = await get('/claims/x', bob());
    assert.equal(limited.status, 429, limited.body);
    assert.deepEqual(kongError(limited), { message: 'API rate limit exceeded' });
    for (let i = 0; i < 3; i++) upstream(await get('/claims/x', bearer(jwt('HS256', { iss: 'alice-hs256', exp: now() + 60, nbf: now() }, SECRET))));
  });

  it('the query argument, the cookie and the header the instance names', async () => {
    const token = jwt('HS256', { iss: 'alice-hs256' }, SECRET);
    upstream(await get(`/sources/x?a=1&token=${token}`));
    upstream(await get('/sources/x', { cookie: `other=1; jwt_cookie=${token}` }));
    upstream(await get('/sources/x', { 'x-jwt': `Bearer ${token}` }));
    // A repeated header: Kong reads its first line (nginx itself refuses a repeated Authorization, as under Kong).
    upstream(await get('/sources/x', { 'x-jwt': [`Bearer ${token}`, 'Bearer other'] }));
    refused(await get('/sources/x', { 'x-jwt': ['Basic eDp5', `Bearer ${token}`] }), 401, { message: 'Unauthorized' }, 'Bearer');
    refused(await get(`/sources/x?jwt=${token}`, bearer(token)), 401, { message: 'Unauthorized' }, 'Bearer');
    refused(await get(`/sources/x?token=${token}`, { cookie: `jwt_cookie=${jwt('HS384', { iss: 'alice-hs384' }, SECRET)}` }), 401, { message: 'Multiple tokens provided' });
  });

  it('secret_is_base64: the secret is decoded (base64url, as Kong decodes it) before signing checks', async () => {
    upstream(await get('/b64/x', bearer(jwt('HS256', { iss: 'dave-b64' }, RAW_B64_SECRET))));
    refused(await get('/b64/x', bearer(jwt('HS256', { iss: 'dave-b64' }, RAW_B64_SECRET.toString('base64url')))), 401, { message: 'Invalid signature' });
    // Kong's decoder refuses '+' and '/': the secret cannot be decoded.
    refused(await get('/b64/x', bearer(jwt('HS256', { iss: 'dave-b64-std' }, RAW_B64_SECRET))), 401, { message: 'Invalid key/secret' });
    upstream(await get('/j/x', bearer(jwt('HS256', { iss: 'dave-b64' }, RAW_B64_SECRET.toString('base64url')))));
  });

  it('anonymous: a failed authentication continues as the anonymous consumer', async () => {
    for (const headers of [{}, bearer('abc'), bearer(jwt('HS256', { iss: 'alice-hs256' }, 'wrong'))]) {
      const u = upstream(await get('/anon/x', headers));
      assert.equal(u.headers['x-consumer-username'], 'anon');
      assert.equal(u.headers['x-anonymous-consumer'], 'true');
      assert.equal(u.headers['x-credential-identifier'], undefined);
    }
    const u = upstream(await get('/anon/x', bearer(jwt('HS256', { iss: 'alice-hs256' }, SECRET))));
    assert.equal(u.headers['x-consumer-username'], 'alice');
    // A Lua error is not a failed authentication: still 500.
    assert.equal((await get('/anon/x', bearer(jwt('HS256', { iss: 7 }, SECRET)))).status, 500);
  });

  it('run_on_preflight false: OPTIONS passes without a token', async () => {
    assert.equal((await get('/preflight/x', {}, 'OPTIONS')).status, 200);
    assert.equal((await get('/preflight/x')).status, 401);
    assert.equal((await get('/j/x', {}, 'OPTIONS')).status, 401);
  });

  it("njs logs what Kong's Lua would raise, and nothing else", () => {
    const errors = nginx.errorLog().split('\n').filter((line) => /\[(?:error|crit|alert|emerg)\]/.test(line) && !/limiting requests/.test(line));
    assert.ok(errors.length > 0);
    for (const line of errors) assert.match(line, /js: jwt: (?:key of a wrong type|not a table|signature of 63 bytes for ES256)$/);
  });
});
