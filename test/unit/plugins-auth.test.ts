// key-auth, basic-auth and acl: config checks in Kong's words, positioned; uniqueness of consumers
// and credentials; secrets never in the config or a diagnostic; injection in every field refused
// or quoted; consumer hashing; the directive guard's include rule; the cost at 3000 routes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError, type Diagnostic } from '../../src/diagnostics.js';
import { assertNoCodeLoadingDirectives } from '../../src/deliver/nginx-directives.js';
import { compileYaml } from '../support/compile.js';
import { nginxTest } from '../support/nginx.js';
import { basicToken } from '../../src/plan/plugins/basic-auth.js';

const SECRETS = '/tmp/kongc-unit-secrets';

function diagnostics(yaml: string, options = {}): { errors: Diagnostic[]; warnings: Diagnostic[]; text: string | null; files: { path: string; content: string }[] } {
  try {
    const r = compileYaml(yaml, { secretsDir: SECRETS, ...options });
    return { errors: [], warnings: r.diagnostics, text: r.text, files: r.files };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { errors: e.diagnostics.filter((d) => d.severity === 'error'), warnings: e.diagnostics.filter((d) => d.severity !== 'error'), text: null, files: [] };
  }
}

const config = (plugins: string, consumers = '') => `_format_version: "3.0"
services:
  - name: s
    host: 127.0.0.1
    routes:
      - name: r
        paths: [/r]
        plugins:
${plugins}
consumers:
  - username: alice
    keyauth_credentials: [{ id: 6f1c2b1e-0000-4000-8000-000000000001, key: "K3y!alice" }]
    basicauth_credentials: [{ username: alice, password: "pw-alice" }]
    acls: [{ group: admins }]
${consumers}`;

describe('key-auth config', () => {
  it('refuses key_in_body at its position', () => {
    const d = diagnostics(config('          - name: key-auth\n            config: { key_in_body: true }'));
    assert.equal(d.errors.length, 1);
    assert.match(d.errors[0]!.message, /key_in_body/);
    assert.equal(d.errors[0]!.path, '/services/0/routes/0/plugins/0/config/key_in_body');
    assert.ok(d.errors[0]!.hint);
  });

  it("refuses key names outside Kong's header_name pattern (injection)", () => {
    for (const name of ['a b', 'a;b', 'a$b', 'a"b', "a'b", 'a{b', 'a#b', 'a\\nb']) {
      const d = diagnostics(config(`          - name: key-auth\n            config: { key_names: [${JSON.stringify(name)}] }`));
      assert.equal(d.errors.length, 1, name);
      assert.match(d.errors[0]!.path, /key_names\/0$/);
    }
  });

  it('refuses a realm with a quote, backslash or control character; quotes the rest', () => {
    for (const realm of ['a"b', 'a\\b', 'a\nb']) {
      const d = diagnostics(config(`          - name: key-auth\n            config: { realm: ${JSON.stringify(realm)} }`));
      assert.equal(d.errors.length, 1, realm);
      assert.match(d.errors[0]!.path, /config\/realm$/);
    }
    const ok = diagnostics(config(`          - name: key-auth\n            config: { realm: "x;} y \${z} #'" }`));
    assert.deepEqual(ok.errors, []);
    assert.ok(ok.text!.includes(`Key realm=\\"x;} y \${kongc_dollar}{z} #'\\"`), 'the realm is quoted, its $ spelled');
    assert.ok(nginxTest(ok.text!.replace(/include "[^"]*";/g, '')).ok);
  });

  it('quotes hostile anonymous names and credential values (nginx -t passes)', () => {
    const hostile = `x";} #$y'\\`;
    const d = diagnostics(
      config(
        `          - name: key-auth\n            config: { anonymous: ${JSON.stringify(hostile)} }\n          - name: acl\n            config: { allow: [${JSON.stringify(hostile)}] }`,
        `  - username: ${JSON.stringify(hostile)}\n    custom_id: ${JSON.stringify(hostile)}\n    keyauth_credentials: [{ key: ${JSON.stringify(hostile)} }]\n    acls: [{ group: ${JSON.stringify(hostile)} }]\n`,
      ),
    );
    assert.deepEqual(d.errors, []);
    assert.ok(!d.text!.includes(hostile));
    const check = nginxTest(d.text!.replace(/include "([^"]*)";/g, (_m, p: string) => d.files.find((f) => f.path === p)!.content.replace(/^#.*\n/, '')));
    assert.ok(check.ok, check.output);
  });

  it('an unknown anonymous consumer compiles to Kong\'s 500 with a warning', () => {
    const d = diagnostics(config('          - name: key-auth\n            config: { anonymous: ghost }'));
    assert.deepEqual(d.errors, []);
    assert.ok(d.warnings.some((w) => /anonymous consumer 'ghost' does not exist/.test(w.message) && /config\/anonymous$/.test(w.path)));
    assert.ok(d.text!.includes("anonymous consumer ghost is configured but doesn't exist"));
  });

  it('a credential ttl is an approximation: a warning, an error with --strict', () => {
    const cons = '  - username: bob\n    keyauth_credentials: [{ key: bobkey, ttl: 60 }]\n';
    const d = diagnostics(config('          - name: key-auth', cons));
    assert.ok(d.warnings.some((w) => w.code === 'plugin-approximated' && /ttl$/.test(w.path)));
    assert.ok(diagnostics(config('          - name: key-auth', cons), { strict: true }).errors.some((e) => /ttl$/.test(e.path)));
  });

  it('a consumer with only a custom_id gets a fixed derived id, with a warning (Kong: random per load)', () => {
    const d = diagnostics(config('          - name: key-auth', '  - custom_id: only-custom\n    keyauth_credentials: [{ key: k2 }]\n'));
    assert.deepEqual(d.errors, []);
    assert.ok(d.warnings.some((w) => /neither id nor username/.test(w.message) && w.path === '/consumers/1/custom_id'));
  });

  it('needs somewhere to write the keys', () => {
    try {
      compileYaml(config('          - name: key-auth'), {});
      assert.fail('compiled');
    } catch (e) {
      assert.ok(e instanceof InputError);
      assert.ok(e.diagnostics.some((d) => d.code === 'credential' && /--secrets-dir/.test(d.hint ?? '')));
    }
  });
});

describe('secrets stay out of the config and the diagnostics', () => {
  it('keys and passwords appear only in the side files', () => {
    const d = diagnostics(config('          - name: key-auth\n          - name: basic-auth'));
    assert.deepEqual(d.errors, []);
    for (const secret of ['K3y!alice', 'pw-alice', basicToken('alice', 'pw-alice')]) {
      assert.ok(!d.text!.includes(secret), secret);
      assert.ok(!JSON.stringify(d.warnings).includes(secret), secret);
    }
    const all = d.files.map((f) => f.content).join('\n');
    assert.ok(all.includes('K3y!alice') && all.includes(basicToken('alice', 'pw-alice')));
    assert.ok(!all.includes('pw-alice'), 'the password is kept in its base64 form only');
    for (const f of d.files) assert.match(f.path, /^\/tmp\/kongc-unit-secrets\/kongc-(key|basic)-auth-(lookup|canon)-[0-9a-f]{16}$/);
  });

  it('a duplicate key is an error positioned at the second credential, without the key', () => {
    const d = diagnostics(config('          - name: key-auth', '  - username: bob\n    keyauth_credentials: [{ key: "K3y!alice" }]\n'));
    const dup = d.errors.find((e) => /key-auth key is not unique/.test(e.message));
    assert.ok(dup);
    assert.equal(dup.path, '/consumers/1/keyauth_credentials/0/key');
    assert.ok(!JSON.stringify(d.errors).includes('K3y!alice'));
  });

  it('duplicate consumer usernames, custom_ids and basic-auth usernames are errors', () => {
    const d = diagnostics(config('          - name: key-auth', '  - username: alice\n    custom_id: c\n  - username: carol\n    custom_id: c\n    basicauth_credentials: [{ username: alice, password: x }]\n'));
    assert.ok(d.errors.some((e) => /duplicate consumer username 'alice'/.test(e.message) && e.path === '/consumers/1/username'));
    assert.ok(d.errors.some((e) => /duplicate consumer custom_id 'c'/.test(e.message) && e.path === '/consumers/2/custom_id'));
    assert.ok(d.errors.some((e) => /duplicate basic-auth username 'alice'/.test(e.message)));
  });
});

describe('basic-auth config', () => {
  it("refuses a password given as Kong's hash (_transform: false), at the password, without it", () => {
    const yaml = config('          - name: basic-auth').replace('_format_version: "3.0"', '_format_version: "3.0"\n_transform: false').replace('pw-alice', 'a3f1c0ffee00112233445566778899aabbccddee');
    const d = diagnostics(yaml);
    const e = d.errors.find((x) => /Kong's hash/.test(x.message));
    assert.ok(e, JSON.stringify(d.errors));
    assert.equal(e.path, '/consumers/0/basicauth_credentials/0/password');
    assert.match(e.hint!, /_transform: true/);
    assert.ok(!JSON.stringify(d.errors).includes('a3f1c0ffee'));
  });

  it('hashed passwords are fine while no basic-auth instance uses them', () => {
    const yaml = config('          - name: key-auth').replace('_format_version: "3.0"', '_format_version: "3.0"\n_transform: false');
    assert.deepEqual(diagnostics(yaml).errors, []);
  });
});

describe('acl config', () => {
  it("needs exactly one of allow and deny, in Kong's words", () => {
    const both = diagnostics(config('          - name: acl\n            config: { allow: [a], deny: [b] }'));
    assert.match(both.errors[0]!.message, /only one of these fields must be non-empty: 'config.allow', 'config.deny'/);
    const none = diagnostics(config('          - name: acl\n            config: { allow: [] }'));
    assert.match(none.errors[0]!.message, /at least one of these fields must be non-empty/);
  });

  it('cannot be bound to a consumer', () => {
    const d = diagnostics(config('          - name: acl\n            consumer: alice\n            config: { allow: [a] }'));
    assert.ok(d.errors.some((e) => /cannot be bound to a consumer/.test(e.message)));
  });
});

describe('consumers elsewhere in the plan', () => {
  it('upstream hash_on consumer hashes on the consumer key-auth identified', () => {
    const yaml = `_format_version: "3.0"
upstreams:
  - name: up
    hash_on: consumer
    hash_fallback: ip
    targets: [{ target: 10.0.0.1:80 }, { target: 10.0.0.2:80 }]
services:
  - name: s
    host: up
    routes: [{ name: r, paths: [/r], plugins: [{ name: key-auth }] }]
consumers: [{ username: alice, keyauth_credentials: [{ key: k }] }]
`;
    const r = compileYaml(yaml, { secretsDir: SECRETS });
    const map = r.plan.maps.find((m) => m.variable.startsWith('kongc_hash_'))!;
    assert.deepEqual(map.source[0], { variable: 'kongc_consumer' }, 'the consumer first, then the fallback');
    assert.deepEqual(map.source.at(-1), { variable: 'remote_addr' });
    assert.ok(!r.diagnostics.some((d) => /hashing on the consumer/.test(d.message)));
  });

  it('the directive guard lets a map include only a kongc side file', () => {
    const map = (inc: string) => `map $a $b {\n    include ${inc};\n    default "";\n}\n`;
    assert.doesNotThrow(() => assertNoCodeLoadingDirectives(map('"/var/lib/kongc/kongc-key-auth-lookup-0123456789abcdef"')));
    for (const bad of ['/etc/passwd', '"/x/../kongc-key-auth-lookup-0123456789abcdef"', '"/x/kongc-key-auth-lookup-0123456789abcde"', '"/x/kongc-a-0123456789abcdef/../y"']) {
      assert.throws(() => assertNoCodeLoadingDirectives(map(bad)), /include/, bad);
    }
  });
});

describe('cost', () => {
  it('3000 routes and 5000 consumers with key-auth and acl compile in seconds, with a constant number of maps', () => {
    const lines = ['_format_version: "3.0"', 'services:'];
    for (let s = 0; s < 30; s++) {
      lines.push(`  - name: s${s}`, `    url: http://127.0.0.1:${9000 + s}`, `    plugins: [{ name: key-auth }, { name: acl, config: { allow: [g${s % 5}] } }]`, '    routes:');
      for (let r = 0; r < 100; r++) lines.push(`      - { name: r${s}_${r}, paths: [/s${s}/r${r}] }`);
    }
    lines.push('consumers:');
    for (let c = 0; c < 5000; c++) lines.push(`  - { username: u${c}, keyauth_credentials: [{ id: 00000000-0000-4000-8000-${String(c).padStart(12, '0')}, key: key-${c}-abcdef }], acls: [{ group: g${c % 7} }] }`);
    const started = process.hrtime.bigint();
    const r = compileYaml(lines.join('\n') + '\n', { secretsDir: SECRETS });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    assert.ok(seconds < 10, `${seconds} s`);
    // Maps: per instance a constant few, shared ones once; none per route or per consumer.
    const authMaps = r.plan.maps.filter((m) => /^kongc_(ka|acl|consumer|sel)_?/.test(m.variable));
    assert.ok(authMaps.length < 30 * 2 * 12, String(authMaps.length));
    assert.equal(r.files.length, 2);
  });
});
