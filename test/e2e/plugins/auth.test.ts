// key-auth, basic-auth and acl through a real nginx: Kong's 401/403 answers (status, body,
// WWW-Authenticate), the consumer's headers upstream (client copies removed), hide_credentials,
// anonymous, and an instance chosen per consumer once authentication identified it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { compileYaml } from '../../support/compile.js';
import { startEcho, type EchoBackend } from '../../support/echo.js';
import { kongError, request, type Reply } from '../../support/http.js';
import { freePort, startNginx, type RunningNginx } from '../../support/nginx.js';
import { PLUGINS } from '../../../src/plan/plugins/registry.js';
import type { PluginDefinition } from '../../../src/plan/plugins/definition.js';
import { consumerIdFor } from '../../../src/model/consumers.js';

/** A plugin for this test only: it tells upstream which of its instances ran (X-Scoped), chosen per consumer. */
export const SCOPED_PROBE: PluginDefinition<{ tag: string }> = {
  name: 'kongc-test-scoped',
  priority: 900,
  tier: 'stock',
  role: 'transform',
  schema: { type: 'object', properties: { tag: { type: 'string', pattern: '^[a-z]+$' } }, required: ['tag'] },
  lower(use, ctx) {
    const choice = ctx.consumerChoice(use);
    // Declared empty (a map), as the consumer variables are: set where an instance applies.
    ctx.map({ variable: 'kongc_test_scoped', source: [], entries: [], default: [], purpose: 'test probe' });
    const set = { kind: 'set' as const, variable: 'kongc_test_scoped', value: [{ text: use.config.tag }] };
    return {
      steps: [choice ? { kind: 'if', check: { variable: choice, op: '=', operand: '1' }, then: [set] } : set],
      requestHeaders: [{ name: 'X-Scoped', value: [{ variable: 'kongc_test_scoped' }] }],
    };
  },
};

const basic = (user: string, pw: string) => 'Basic ' + Buffer.from(`${user}:${pw}`).toString('base64');
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

export const AUTH_YAML = (echoPort: number) => `_format_version: "3.0"
services:
  - name: s
    url: http://127.0.0.1:${echoPort}
    routes:
      - name: k
        paths: [/k]
        plugins: [{ name: key-auth }]
      - name: kh
        paths: [/kh]
        plugins:
          - name: key-auth
            config: { hide_credentials: true, key_names: [apikey, x-key], realm: shop }
      - name: ka
        paths: [/ka]
        plugins:
          - name: key-auth
            config: { anonymous: anon }
      - name: kp
        paths: [/kp]
        plugins:
          - name: key-auth
            config: { run_on_preflight: false, key_in_query: false }
      - name: b
        paths: [/b]
        plugins: [{ name: basic-auth }]
      - name: bh
        paths: [/bh]
        plugins:
          - name: basic-auth
            config: { hide_credentials: true, realm: vault }
      - name: ba
        paths: [/ba]
        plugins:
          - name: basic-auth
            config: { anonymous: ${consumerIdFor('anon')} }
      - name: allow
        paths: [/allow]
        plugins:
          - name: key-auth
          - name: acl
            config: { allow: [admins] }
      - name: deny
        paths: [/deny]
        plugins:
          - name: key-auth
          - name: acl
            config: { deny: [admins], hide_groups_header: true }
      - name: aclonly
        paths: [/aclonly]
        plugins:
          - name: acl
            config: { allow: [admins] }
      - name: aclanon
        paths: [/aclanon]
        plugins:
          - name: key-auth
            config: { anonymous: anon }
          - name: acl
            config: { allow: [admins] }
      - name: scoped
        paths: [/scoped]
        plugins:
          - name: key-auth
            config: { anonymous: anon }
          - name: kongc-test-scoped
            config: { tag: route }
      - name: either
        paths: [/either]
        plugins:
          - name: key-auth
            config: { anonymous: anon }
          - name: basic-auth
            config: { anonymous: anon }
      - { name: open, paths: [/open] }
      - name: ct
        paths: [/ct]
        plugins: [{ name: key-auth, config: { anonymous: anon } }]
      - name: cip
        paths: [/cip]
        plugins: [{ name: key-auth, config: { anonymous: anon } }]
plugins:
  - name: request-termination
    consumer: bob
    route: ct
    config: { status_code: 403, message: bob stopped }
  - name: ip-restriction
    consumer: bob
    route: cip
    config: { deny: [127.0.0.1] }
consumers:
  - username: alice
    custom_id: A-1
    keyauth_credentials: [{ id: 6f1c2b1e-0000-4000-8000-000000000001, key: Secret-1 }, { id: 6f1c2b1e-0000-4000-8000-000000000002, key: secret-1x }]
    basicauth_credentials: [{ username: alice, password: "pa:ss word" }]
    acls: [{ group: admins }, { group: ops }]
  - username: bob
    keyauth_credentials: [{ id: 6f1c2b1e-0000-4000-8000-000000000003, key: SECRET-1 }]
    acls: [{ group: users }]
    plugins:
      - name: kongc-test-scoped
        config: { tag: bob }
  - username: anon
`;

describe('key-auth, basic-auth and acl through nginx', () => {
  let echo: EchoBackend;
  let nginx: RunningNginx;
  let port: number;
  let dir: string;
  let text: string;
  let files: { path: string; content: string }[];
  const alice = consumerIdFor('alice');
  const bob = consumerIdFor('bob');
  const anon = consumerIdFor('anon');

  before(async () => {
    (PLUGINS as Map<string, PluginDefinition>).set(SCOPED_PROBE.name, SCOPED_PROBE);
    echo = await startEcho('a');
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'kongc-auth-'));
    const compiled = compileYaml(AUTH_YAML(echo.port), { listen: [`127.0.0.1:${port}`], secretsDir: dir });
    files = compiled.files;
    for (const f of files) writeFileSync(f.path, f.content, { mode: 0o600 });
    text = compiled.text;
    nginx = await startNginx(text, port);
  });

  after(async () => {
    (PLUGINS as Map<string, PluginDefinition>).delete(SCOPED_PROBE.name);
    await nginx?.stop();
    await echo?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> => request(port, path, { headers, method });
  const upstream = (r: Reply) => {
    assert.equal(r.status, 200, r.body);
    return r.json() as { url: string; headers: Record<string, string | undefined> };
  };

  it('no key: 401 "No API key found in request" with WWW-Authenticate: Key', async () => {
    const r = await get('/k/x');
    assert.equal(r.status, 401);
    assert.deepEqual(kongError(r), { message: 'No API key found in request' });
    assert.equal(r.headers['www-authenticate'], 'Key');
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(echo.hits, 0);
  });

  it('unknown key: 401 "Unauthorized"; the realm is in WWW-Authenticate when set', async () => {
    const r = await get('/k/x', { apikey: 'nope' });
    assert.equal(r.status, 401);
    assert.deepEqual(kongError(r), { message: 'Unauthorized' });
    assert.equal(r.headers['www-authenticate'], 'Key');
    const realm = await get('/kh/x');
    assert.equal(realm.headers['www-authenticate'], 'Key realm="shop"');
  });

  it('keys are case-sensitive (nginx map keys are not)', async () => {
    for (const key of ['secret-1', 'SECRET-1X', 'ecret-1', 'Secret-']) {
      const r = await get('/k/x', { apikey: key });
      assert.equal(r.status, 401, key);
    }
    const a = upstream(await get('/k/x', { apikey: 'Secret-1' }));
    assert.equal(a.headers['x-consumer-username'], 'alice');
    const b = upstream(await get('/k/x', { apikey: 'SECRET-1' }));
    assert.equal(b.headers['x-consumer-username'], 'bob');
    const c = upstream(await get('/k/x', { apikey: 'secret-1x' }));
    assert.equal(c.headers['x-credential-identifier'], '6f1c2b1e-0000-4000-8000-000000000002');
  });

  it("right key in a header: the consumer's headers upstream, client copies removed", async () => {
    const u = upstream(
      await get('/k/x', { apikey: 'Secret-1', 'X-Consumer-ID': 'forged', 'X-Consumer-Username': 'forged', 'X-Anonymous-Consumer': 'true', 'X-Credential-Identifier': 'forged' }),
    );
    assert.equal(u.headers['x-consumer-id'], alice);
    assert.equal(u.headers['x-consumer-custom-id'], 'A-1');
    assert.equal(u.headers['x-consumer-username'], 'alice');
    assert.equal(u.headers['x-credential-identifier'], '6f1c2b1e-0000-4000-8000-000000000001');
    assert.equal(u.headers['x-anonymous-consumer'], undefined);
    assert.equal(u.headers.apikey, 'Secret-1', 'kept without hide_credentials');
    const bobs = upstream(await get('/k/x', { apikey: 'SECRET-1', 'X-Consumer-Custom-ID': 'forged' }));
    assert.equal(bobs.headers['x-consumer-custom-id'], undefined, 'bob has no custom_id: the client copy is removed');
  });

  it('right key in the query; the argument name is case-sensitive, as in Kong', async () => {
    const u = upstream(await get('/k/x?a=1&apikey=Secret-1&b=2'));
    assert.equal(u.headers['x-consumer-username'], 'alice');
    assert.equal(u.url, '/x?a=1&apikey=Secret-1&b=2');
    assert.equal((await get('/k/x?APIKEY=Secret-1')).status, 401);
    assert.equal((await get('/k/x?xapikey=Secret-1')).status, 401);
  });

  it('a repeated query argument holding the key: 401 "Duplicate API key found"', async () => {
    for (const q of ['apikey=Secret-1&apikey=Secret-1', 'apikey=x&a=1&apikey', 'apikey&apikey=Secret-1']) {
      const r = await get(`/k/x?${q}`);
      assert.equal(r.status, 401, q);
      assert.deepEqual(kongError(r), { message: 'Duplicate API key found' }, q);
      assert.equal(r.headers['www-authenticate'], 'Key');
    }
    // The header is looked at first: the query is then not read.
    assert.equal((await get('/k/x?apikey=a&apikey=b', { apikey: 'Secret-1' })).status, 200);
    assert.equal((await get('/k/x?apikeys=a&apikey=Secret-1')).status, 200);
  });

  it('two authentication plugins with anonymous: either credential (logical OR)', async () => {
    const byKey = upstream(await get('/either/x', { apikey: 'SECRET-1', authorization: basic('alice', 'pa:ss word') }));
    assert.equal(byKey.headers['x-consumer-username'], 'bob', 'key-auth runs first; basic-auth then does nothing');
    const byPassword = upstream(await get('/either/x', { authorization: basic('alice', 'pa:ss word') }));
    assert.equal(byPassword.headers['x-consumer-username'], 'alice');
    assert.equal(byPassword.headers['x-credential-identifier'], 'alice');
    assert.equal(byPassword.headers['x-anonymous-consumer'], undefined);
    const neither = upstream(await get('/either/x'));
    assert.equal(neither.headers['x-consumer-username'], 'anon');
    assert.equal(neither.headers['x-anonymous-consumer'], 'true');
  });

  it('hide_credentials: the header or query argument that held the key is not sent upstream', async () => {
    const h = upstream(await get('/kh/x', { 'x-key': 'Secret-1', apikey: '' }));
    assert.equal(h.headers['x-key'], undefined);
    assert.equal(h.headers['x-consumer-username'], 'alice');
    const q = upstream(await get('/kh/x?a=1&apikey=SECRET-1&b=2'));
    assert.equal(q.url, '/x?a=1&b=2');
    assert.equal(q.headers['x-consumer-username'], 'bob');
    assert.equal(upstream(await get('/kh/x?apikey=Secret-1')).url, '/x');
    assert.equal(upstream(await get('/kh/x?a=1&apikey=Secret-1')).url, '/x?a=1');
    const first = upstream(await get('/kh/x?x-key=Secret-1&c=3', { apikey2: 'kept' }));
    assert.equal(first.url, '/x?c=3');
    // A key name that did not hold the key is left alone.
    const other = upstream(await get('/kh/x?x-key=other', { apikey: 'Secret-1' }));
    assert.equal(other.url, '/x?x-key=other');
    assert.equal(other.headers.apikey, undefined);
  });

  it('anonymous: a failed key gives the anonymous consumer, marked X-Anonymous-Consumer', async () => {
    for (const headers of [{}, { apikey: "wrong" }] as Record<string, string>[]) {
      const u = upstream(await get('/ka/x', { ...headers, 'X-Credential-Identifier': 'forged' }));
      assert.equal(u.headers['x-consumer-id'], anon);
      assert.equal(u.headers['x-consumer-username'], 'anon');
      assert.equal(u.headers['x-anonymous-consumer'], 'true');
      assert.equal(u.headers['x-credential-identifier'], undefined);
    }
    const ok = upstream(await get('/ka/x', { apikey: 'Secret-1' }));
    assert.equal(ok.headers['x-consumer-username'], 'alice');
    assert.equal(ok.headers['x-anonymous-consumer'], undefined);
  });

  it('run_on_preflight: false lets OPTIONS through; key_in_query: false ignores the query', async () => {
    assert.equal((await get('/kp/x', {}, 'OPTIONS')).status, 200);
    assert.equal((await get('/kp/x')).status, 401);
    assert.equal((await get('/kp/x?apikey=Secret-1')).status, 401);
    assert.equal((await get('/k/x', {}, 'OPTIONS')).status, 401);
  });

  it("basic-auth: no or wrong credentials get 401 Unauthorized with Basic realm", async () => {
    for (const headers of [{}, { authorization: basic('alice', 'pa:ss wor') }, { authorization: basic('alice', 'PA:SS WORD') }, { authorization: basic('ALICE', 'pa:ss word') }, { authorization: 'Basic !!!' }, { authorization: basic("nobody", "x") }] as Record<string, string>[]) {
      const r = await get('/b/x', headers);
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.deepEqual(kongError(r), { message: 'Unauthorized' });
      assert.equal(r.headers['www-authenticate'], 'Basic realm="service"');
    }
    assert.equal((await get('/bh/x')).headers['www-authenticate'], 'Basic realm="vault"');
  });

  it('basic-auth: the right password (containing ":"), in Authorization or Proxy-Authorization, in the forms Kong reads', async () => {
    for (const value of [basic('alice', 'pa:ss word'), basic('alice', 'pa:ss word').replace('Basic ', 'basic   '), basic('alice', 'pa:ss word').replace(/=+$/, '')]) {
      const u = upstream(await get('/b/x', { authorization: value }));
      assert.equal(u.headers['x-consumer-id'], alice, value);
      assert.equal(u.headers['x-credential-identifier'], 'alice');
      assert.equal(u.headers.authorization, value, 'kept without hide_credentials');
    }
    const p = upstream(await get('/b/x', { 'proxy-authorization': basic('alice', 'pa:ss word'), authorization: 'Bearer x' }));
    assert.equal(p.headers['x-consumer-username'], 'alice');
  });

  it('basic-auth hide_credentials and anonymous', async () => {
    const h = upstream(await get('/bh/x', { authorization: basic('alice', 'pa:ss word') }));
    assert.equal(h.headers.authorization, undefined);
    assert.equal(h.headers['x-consumer-username'], 'alice');
    const a = upstream(await get('/ba/x', { authorization: basic('alice', 'wrong') }));
    assert.equal(a.headers['x-consumer-id'], anon);
    assert.equal(a.headers['x-anonymous-consumer'], 'true');
  });

  it('acl allow: a listed group passes with X-Consumer-Groups; others get 403', async () => {
    const u = upstream(await get('/allow/x', { apikey: 'Secret-1', 'X-Consumer-Groups': 'forged' }));
    assert.equal(u.headers['x-consumer-groups'], 'admins, ops');
    const r = await get('/allow/x', { apikey: 'SECRET-1' });
    assert.equal(r.status, 403);
    assert.deepEqual(kongError(r), { message: 'You cannot consume this service' });
    assert.equal((await get('/allow/x')).status, 401, 'key-auth answers first');
  });

  it('acl deny with hide_groups_header; acl without a consumer answers 401', async () => {
    assert.equal((await get('/deny/x', { apikey: 'Secret-1' })).status, 403);
    const u = upstream(await get('/deny/x', { apikey: 'SECRET-1', 'X-Consumer-Groups': 'client' }));
    assert.equal(u.headers['x-consumer-groups'], 'client', 'hide_groups_header leaves the header alone');
    const r = await get('/aclonly/x');
    assert.equal(r.status, 401);
    assert.deepEqual(kongError(r), { message: 'Unauthorized' });
    // The anonymous consumer has no groups and no credential: 401 in allow mode.
    assert.equal((await get('/aclanon/x')).status, 401);
    assert.equal((await get('/aclanon/x', { apikey: 'Secret-1' })).status, 200);
  });

  it('a consumer-scoped instance applies once key-auth identified its consumer', async () => {
    assert.equal(upstream(await get('/scoped/x', { apikey: 'SECRET-1' })).headers['x-scoped'], 'bob');
    assert.equal(upstream(await get('/scoped/x', { apikey: 'Secret-1' })).headers['x-scoped'], 'route');
    assert.equal(upstream(await get('/scoped/x')).headers['x-scoped'], 'route');
  });

  it('routes without authentication pass client copies of the consumer headers as Kong does', async () => {
    const u = upstream(await get('/open/x', { 'X-Consumer-ID': 'client' }));
    assert.equal(u.headers['x-consumer-id'], 'client');
  });

  it('nginx logged no error or uninitialized variable', () => {
    assert.doesNotMatch(nginx.errorLog(), /\[(?:error|crit|alert|emerg)\]|uninitialized/);
  });

  it('no key or password is printed in the config or in the side files other than the secret ones', () => {
    for (const secret of ['Secret-1', 'SECRET-1', 'secret-1x', 'pa:ss word', Buffer.from('alice:pa:ss word').toString('base64').replace(/=+$/, '')]) {
      assert.ok(!text.includes(secret), secret);
    }
    assert.ok(files.length >= 2);
    for (const f of files) {
      assert.match(f.path, /\/kongc-[a-z-]+-[0-9a-f]{16}$/);
      assert.equal(statSync(f.path).mode & 0o777, 0o600);
      assert.ok(text.includes(`include "${f.path}";`));
    }
    assert.ok(files.some((f) => readFileSync(f.path, 'utf8').includes('"~^Secret\\-1$"')), 'keys differing only in case are regex entries');
    void sha1;
  });
  it('request-termination and ip-restriction bound to a consumer stop that consumer only', async () => {
    for (const path of ['/ct/x', '/cip/x']) {
      assert.equal(upstream(await get(path, { apikey: 'Secret-1' })).headers['x-consumer-username'], 'alice', path);
      assert.equal(upstream(await get(path)).headers['x-consumer-username'], 'anon', path);
    }
    const stopped = await get('/ct/x', { apikey: 'SECRET-1' });
    assert.equal(stopped.status, 403);
    assert.deepEqual(JSON.parse(stopped.body), { message: 'bob stopped' });
    const denied = await get('/cip/x', { apikey: 'SECRET-1' });
    assert.equal(denied.status, 403);
    assert.deepEqual(kongError(denied), { message: 'IP address not allowed: 127.0.0.1' });
  });
});
