// jwt: config and jwt_secrets checks in Kong's words, at their positions; secrets never in the
// include or a diagnostic; what njs 0.7.9 cannot verify refused; the module's data only JSON.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { InputError, type Diagnostic } from '../../src/diagnostics.js';
import { compileYaml } from '../support/compile.js';

const SECRETS = '/tmp/kongc-unit-secrets';
const SECRET = 'very-secret-hs-value';

function build(yaml: string, options = {}): { errors: string[]; warnings: string[]; text: string | null; all: Diagnostic[]; files: { path: string; content: string }[] } {
  const show = (d: Diagnostic) => `${d.line}:${d.column} ${d.severity}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`;
  try {
    const r = compileYaml(yaml, { secretsDir: SECRETS, withNjs: true, ...options });
    return { errors: [], warnings: r.diagnostics.map(show), text: r.text, all: r.diagnostics, files: r.files };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { errors: e.diagnostics.filter((d) => d.severity === 'error').map(show), warnings: e.diagnostics.filter((d) => d.severity !== 'error').map(show), text: null, all: e.diagnostics, files: [] };
  }
}

const pem = (type: 'rsa' | 'ec', curve?: string) =>
  JSON.stringify((type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 1024 }) : generateKeyPairSync('ec', { namedCurve: curve! })).publicKey.export({ type: 'spki', format: 'pem' }));

const config = (jwtConfig: string, secrets: string) => `_format_version: "3.0"
services:
  - name: s
    host: 127.0.0.1
    routes:
      - name: r
        paths: [/r]
        plugins:
          - name: jwt
            config: ${jwtConfig}
consumers:
  - username: alice
    jwt_secrets:
${secrets}
`;
const HS = `      - { key: alice, secret: ${SECRET} }`;

describe('jwt config', () => {
  it('maximum_expiration needs exp in claims_to_verify (Kong refuses the config)', () => {
    const r = build(config('{ maximum_expiration: 60 }', HS));
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!, /^10:43 error: plugin 'jwt': maximum_expiration needs "exp" in claims_to_verify/);
    assert.equal(build(config('{ maximum_expiration: 60, claims_to_verify: [exp] }', HS)).errors.length, 0);
  });

  it('claims_to_verify takes exp and nbf only; maximum_expiration at most 365 days', () => {
    const r = build(config('{ claims_to_verify: [exp, iat], maximum_expiration: 31536001 }', HS));
    assert.equal(r.errors.length, 2, r.errors.join('\n'));
    assert.ok(r.errors.some((e) => /^10:\d+ error: .*claims_to_verify/.test(e)), r.errors.join('\n'));
    assert.ok(r.errors.some((e) => /maximum_expiration/.test(e)), r.errors.join('\n'));
  });

  it('realm: a quote would break WWW-Authenticate as Kong writes it', () => {
    const r = build(config('{ realm: "a\\"b" }', HS));
    assert.match(r.errors[0]!, /^10:\d+ error: plugin 'jwt': realm: control characters, quotes/);
  });

  it('without --with-njs: refused with a hint naming the flag and the package', () => {
    const r = build(config('{}', HS), { withNjs: false });
    assert.match(r.errors[0]!, /^9:19 error: plugin jwt \(route 'r'\) needs JavaScript at request time \(njs\) \(build with --with-njs .*libnginx-mod-http-js\)/);
  });

  it('the module is a side file: without a folder for it, a positioned error', () => {
    const r = build(config('{}', HS), { secretsDir: undefined });
    assert.equal(r.errors.length, 1, r.errors.join('\n'));
    assert.match(r.errors[0]!, /nowhere to write it \(build with -o FILE/);
  });
});

describe('jwt_secrets', () => {
  it('an HS secret Kong would generate cannot be known; a key Kong would generate cannot be named', () => {
    const r = build(config('{}', '      - { key: alice }\n      - { secret: s }'));
    assert.equal(r.errors.length, 2, r.errors.join('\n'));
    assert.match(r.errors[0]!, /^14:9 error: a jwt_secret with algorithm HS256 and no secret: Kong generates a random one/);
    assert.match(r.errors[1]!, /^15:9 error: a jwt_secret without a key: Kong generates a random one/);
  });

  it('RS and PS need rsa_public_key, which must be a key (Kong refuses the config); ES without one answers "Invalid key/secret"', () => {
    const r = build(config('{}', '      - { key: a, algorithm: RS256 }\n      - { key: b, algorithm: ES256, rsa_public_key: "-----BEGIN PUBLIC KEY-----\\nnope\\n-----END PUBLIC KEY-----" }\n      - { key: c, algorithm: ES384 }'));
    assert.equal(r.errors.length, 2, r.errors.join('\n'));
    assert.match(r.errors[0]!, /^14:30 error: a jwt_secret with algorithm RS256 needs rsa_public_key \(Kong refuses the config\)/);
    assert.match(r.errors[1]!, /^15:53 error: rsa_public_key: invalid key \(Kong answers 500 to every token of this credential\)/);
  });

  it("a key that is not the algorithm's kind or curve is refused at its position", () => {
    const r = build(config('{}', `      - { key: a, algorithm: RS256, rsa_public_key: ${pem('ec', 'P-256')} }\n      - { key: b, algorithm: ES384, rsa_public_key: ${pem('ec', 'P-256')} }\n      - { key: c, algorithm: ES256, rsa_public_key: ${pem('rsa')} }`));
    assert.equal(r.errors.length, 3, r.errors.join('\n'));
    assert.match(r.errors[0]!, /^14:53 error: rsa_public_key: algorithm RS256 verifies with an RSA key, and this key is not one/);
    assert.match(r.errors[1]!, /^15:53 error: rsa_public_key: algorithm ES384 verifies with an EC key on P-384/);
    assert.match(r.errors[2]!, /^16:53 error: rsa_public_key: algorithm ES256 verifies with an EC key on P-256/);
  });

  it('EdDSA: njs 0.7.9 cannot verify it; PS: an approximation (salt length), an error with --strict', () => {
    const ed = build(config('{}', `      - { key: a, algorithm: EdDSA, rsa_public_key: ${JSON.stringify(generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }))} }`));
    assert.match(ed.errors[0]!, /^14:30 error: a jwt_secret with algorithm EdDSA: the njs module of Debian 12 \(0\.7\.9\) cannot verify Ed25519/);
    const ps = `      - { key: a, algorithm: PS256, rsa_public_key: ${pem('rsa')} }`;
    assert.ok(build(config('{}', ps)).warnings.some((w) => /^14:30 warning: a jwt_secret with algorithm PS256: nginx accepts PSS signatures whose salt is as long as the hash/.test(w)));
    assert.equal(build(config('{}', ps), { strict: true }).errors.length, 1);
  });

  it('duplicate keys are refused by position (Kong refuses the config)', () => {
    const r = build(config('{}', `${HS}\n      - { key: alice, secret: other }`));
    assert.equal(r.errors.length, 1, r.errors.join('\n'));
    assert.match(r.errors[0]!, /^15:16 error: jwt key is not unique: the jwt_secret at kong\.yaml:14:16 has the same key/);
  });

  it('a key with control characters cannot go upstream (X-Credential-Identifier)', () => {
    const r = build(config('{}', '      - { key: "a\\nb", secret: x }'));
    assert.equal(r.errors.length, 1, r.errors.join('\n'));
    assert.match(r.errors[0]!, /^14:16 error: a jwt key with control characters cannot be sent upstream/);
  });

  it('secrets are in the 0600 module only: never in the include or a diagnostic', () => {
    const ok = build(config('{}', HS));
    assert.ok(ok.text && !ok.text.includes(SECRET));
    const module = ok.files.find((f) => f.path.endsWith('.js'))!;
    assert.equal((module as { secret?: boolean }).secret, true);
    assert.ok(module.content.includes(JSON.stringify(SECRET)));
    const bad = build(config('{ maximum_expiration: 5 }', `${HS}\n      - { key: alice, secret: ${SECRET} }\n      - { key: x, secret: ${SECRET}, algorithm: RS256 }`));
    assert.ok(bad.errors.length >= 2);
    for (const d of bad.all) assert.ok(!`${d.message} ${d.hint ?? ''}`.includes(SECRET), d.message);
  });

  it('config values reach the module as JSON data, never as code', () => {
    const r = build(config(`{ key_claim_name: "x'\\"); r.return(200); //\\n", header_names: ["a\\"b"], cookie_names: ["c\\u2028d"] }`, HS));
    const module = r.files.find((f) => f.path.endsWith('.js'))!.content;
    const data = /^var DATA = (.*);$/m.exec(module)![1]!;
    const parsed = JSON.parse(data);
    const instance = Object.entries(parsed).find(([k]) => k.startsWith('jwt-instance-'))![1] as Record<string, unknown>;
    assert.equal(instance.key_claim_name, `x'"); r.return(200); //\n`);
    assert.deepEqual(instance.header_names, ['a"b']);
    assert.ok(!data.includes('\u2028'));
    assert.ok(!r.text!.includes('r.return'));
  });
});
