// The simulated Admin API, rule by rule, through whole replays of small logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/diagnostics.js';
import { replayLogText } from '../../src/load/admin-log/replay.js';

const A = 'curl -s localhost:8001';
const replay = (lines: string[], opts: { strict?: boolean; keepIds?: boolean } = {}) => replayLogText('log.sh', lines.join('\n'), opts);
const data = (lines: string[], opts: { keepIds?: boolean } = {}) => replay(lines, opts).document.data as Record<string, any>;
/** Kong's status and message for each reported call (what the output lacks is tested in refused.test.ts). */
const messages = (lines: string[]) => replay(lines).diagnostics.map((d) => `${d.line}: ${d.message.replace(/; (not in the output|nothing is lost):.*$/, '')}`);

test('POST creates (201) with Kong defaults applied; the YAML keeps only non-default fields', () => {
  const d = data([`${A}/services -d name=s -d host=a.internal -d port=80 -d retries=5 -d connect_timeout=1000`]);
  assert.deepEqual(d, { _format_version: '3.0', services: [{ name: 's', host: 'a.internal', connect_timeout: 1000 }] });
});

test('url shorthand expands as Kong does', () => {
  const d = data([`${A}/services -d name=s -d url=https://api.test:8443/v1`, `${A}/services -d name=t -d url=http://b.test`]);
  assert.deepEqual(d.services, [{ name: 's', protocol: 'https', host: 'api.test', port: 8443, path: '/v1' }, { name: 't', host: 'b.test' }]);
});

test('PUT upserts: creates under the URL name (200), later replaces the whole entity, keeps its id and place', () => {
  const lines = [
    `${A}/services -d name=first -d host=f`,
    `curl -X PUT localhost:8001/services/s -d host=a -d retries=1`,
    `curl -X PUT localhost:8001/services/s -d host=b -d name=ignored`,
  ];
  const r = replay(lines, { keepIds: true });
  assert.deepEqual(r.diagnostics, []);
  const services = (r.document.data as any).services;
  assert.deepEqual(services.map((s: any) => [s.name, s.host, s.retries]), [['first', 'f', undefined], ['s', 'b', undefined]]);
  assert.equal(services[1].id, '00000000-0000-4000-8000-000000000002');
});

test('PUT on a nested URL sets the parent; PUT by UUID creates with that id', () => {
  const d = data([
    `curl -X PUT localhost:8001/services/s --data url=http://x.test`,
    `curl -X PUT localhost:8001/services/s/routes/r --data paths=/r`,
    `curl -X PUT localhost:8001/upstreams/5b93eda7-7ba5-4acc-a536-cf12f58a1144 -d name=u`,
  ], { keepIds: true });
  assert.equal(d.services[0].routes[0].name, 'r');
  assert.deepEqual(d.services[0].routes[0].paths, ['/r']);
  assert.equal(d.upstreams[0].id, '5b93eda7-7ba5-4acc-a536-cf12f58a1144');
});

test('PATCH changes only the given fields; records (plugin config) merge', () => {
  const d = data([
    `${A}/services -d name=s -d host=a -d port=8080`,
    `curl -X PATCH localhost:8001/services/s -d retries=6`,
    `${A}/services/s/plugins -d name=rate-limiting -d config.minute=5 -d config.policy=local -d instance_name=rl`,
    `curl -X PATCH localhost:8001/plugins/rl -d config.minute=10`,
  ]);
  assert.deepEqual(d.services[0], { name: 's', host: 'a', port: 8080, retries: 6, plugins: [{ name: 'rate-limiting', instance_name: 'rl', config: { minute: 10, policy: 'local' } }] });
});

test('DELETE: 204, cascades to plugins and targets; a missing entity is a 204 note; a service with routes is a 400', () => {
  const lines = [
    `${A}/services -d name=s -d host=a`,
    `${A}/services/s/routes -d name=r -d paths[]=/r`,
    `${A}/routes/r/plugins -d name=cors`,
    `curl -X DELETE localhost:8001/services/s`,
    `curl -X DELETE localhost:8001/routes/r`,
    `curl -X DELETE localhost:8001/services/s`,
    `curl -X DELETE localhost:8001/services/nope`,
    `${A}/upstreams -d name=u`,
    `${A}/upstreams/u/targets -d target=10.0.0.1`,
    `curl -X DELETE localhost:8001/upstreams/u`,
  ];
  const r = replay(lines);
  assert.deepEqual(r.document.data, { _format_version: '3.0' });
  assert.deepEqual(r.diagnostics.map((x) => [x.line, x.code, x.message]), [
    [4, 'admin-api', "DELETE /services/s → 400 an existing 'routes' entity references this 'services' entity"],
    [7, 'admin-log', "DELETE /services/nope → 204, nothing deleted: no service 'nope'"],
  ]);
});

test('404: unknown entity, nested POST under a missing parent, unknown endpoint', () => {
  assert.deepEqual(messages([
    `curl -X PATCH localhost:8001/services/nope -d retries=1`,
    `${A}/services/nope/routes -d paths=/x`,
    `${A}/upstreams/{upstream}/targets -d target=a:1`,
    `${A}/targets -d target=a:1`,
  ]), [
    '1: PATCH /services/nope → 404 Not found',
    '2: POST /services/nope/routes → 404 Not found',
    '3: POST /upstreams/{upstream}/targets → 404 Not found',
    '4: POST /targets → 404 Not found',
  ]);
});

test('405: methods an endpoint does not have', () => {
  assert.deepEqual(messages([`curl -X DELETE localhost:8001/routes`, `curl -X PUT localhost:8001/services`]), [
    '1: DELETE /routes → 405 Method not allowed',
    '2: PUT /services → 405 Method not allowed',
  ]);
});

test('POST on an entity URL (405 in Kong) is replayed as an upsert, with a warning saying so', () => {
  const r = replay([`curl -X POST localhost:8001/services/svc -d host=a`]);
  assert.deepEqual((r.document.data as any).services, [{ name: 'svc', host: 'a' }]);
  assert.match(r.diagnostics[0]!.message, /^POST \/services\/svc → 405 Method not allowed; replayed as PUT \/services\/svc/);
});

test('409: unique names, one row per target, one plugin per (name, route, service, consumer)', () => {
  assert.deepEqual(messages([
    `${A}/services -d name=s -d host=a`,
    `${A}/services -d name=s -d host=b`,
    `${A}/upstreams -d name=u`,
    `${A}/upstreams/u/targets -d target=10.0.0.1`,
    `${A}/upstreams/u/targets -d target=10.0.0.1:8000 -d weight=5`,
    `${A}/plugins -d name=cors`,
    `${A}/plugins -d name=cors`,
    `${A}/consumers -d username=bob`,
    `${A}/consumers -d username=bob`,
  ]), [
    `2: POST /services → 409 UNIQUE violation detected on '{name="s"}'`,
    `5: POST /upstreams/u/targets → 409 UNIQUE violation detected on '{target="10.0.0.1:8000"}'`,
    `7: POST /plugins → 409 UNIQUE violation detected on '{consumer=null,name="cors",route=null,service=null}'`,
    `9: POST /consumers → 409 UNIQUE violation detected on '{username="bob"}'`,
  ]);
});

test('400 schema violations with Kong messages', () => {
  assert.deepEqual(messages([
    `${A}/services -d name=s -d host=a -d protocol=ftp`,
    `${A}/services -d name=t -d host=a:80`,
    `${A}/services -d name=u`,
    `${A}/routes -d name=r`,
    `${A}/routes -d hosts=a.com,b.com`,
    `${A}/routes -d paths=api -d foo=1`,
    `${A}/upstreams -d name=10.0.0.1`,
    `${A}/consumers -d tags=x`,
    `${A}/services -H 'Content-Type: application/json' -d '{"name": "v", "host": "a", "port": "80"}'`,
    `${A}/routes -H 'Content-Type: application/json' -d '{"paths": "/x"}'`,
    `${A}/routes -H 'Content-Type: application/json' -d '{"paths": [}'`,
    `${A}/routes -d paths=/x -d headers.Host=a`,
  ]), [
    '1: POST /services → 400 schema violation (protocol: expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp)',
    '2: POST /services → 400 schema violation (host: must not have a port)',
    '3: POST /services → 400 schema violation (host: required field missing)',
    "4: POST /routes → 400 schema violation (must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https')",
    '5: POST /routes → 400 schema violation (hosts.1: invalid value: a.com,b.com)',
    '6: POST /routes → 400 2 schema violations (foo: unknown field; paths.1: should start with: / (fixed path) or ~/ (regex path))',
    "7: POST /upstreams → 400 schema violation (name: Invalid name ('10.0.0.1'); no ip addresses allowed)",
    "8: POST /consumers → 400 schema violation (at least one of these fields must be non-empty: 'custom_id', 'username')",
    '9: POST /services → 400 schema violation (port: expected an integer)',
    '10: POST /routes → 400 schema violation (paths: expected an array)',
    '11: POST /routes → 400 Cannot parse JSON body',
    "12: POST /routes → 400 schema violation (cannot contain 'host' header, which must be specified in the 'hosts' attribute)",
  ]);
});

test('foreign keys: by learned id, by name; unresolved id (400 code 4) and name (400 code 13)', () => {
  const lines = [
    `${A}/services -d name=s -d host=a`,
    '{"id": "5b93eda7-7ba5-4acc-a536-cf12f58a1144", "name": "s"}',
    `${A}/routes -d paths=/a -d service.id=5b93eda7-7ba5-4acc-a536-cf12f58a1144`,
    `${A}/routes -d paths=/b -d service.name=s`,
    `${A}/routes -d paths=/c -d service.id=6e7f5274-62da-469e-bdd5-03c4a212c15b`,
    `${A}/routes -d paths=/d -d service.name=nope`,
  ];
  const r = replay(lines);
  assert.deepEqual((r.document.data as any).services[0].routes.map((x: any) => x.paths[0]), ['/a', '/b']);
  assert.deepEqual(r.diagnostics.map((d) => d.message), [
    `POST /routes → 400 the foreign key '{id="6e7f5274-62da-469e-bdd5-03c4a212c15b"}' does not reference an existing 'services' entity.; not in the output: the route this call would write (paths=/c, service.id=6e7f5274-62da-469e-bdd5-03c4a212c15b)`,
    `POST /routes → 400 foreign key unresolved (service.name: the foreign key cannot be resolved with '{name="nope"}' for an existing 'services' entity); not in the output: the route this call would write (paths=/d, service.name=nope)`,
  ]);
});

test('a recorded response about another entity does not give its id', () => {
  const r = replay([`${A}/services -d name=s -d host=a`, '{"id": "5b93eda7-7ba5-4acc-a536-cf12f58a1144", "name": "other"}'], { keepIds: true });
  assert.equal((r.document.data as any).services[0].id, '00000000-0000-4000-8000-000000000001');
});

test('targets: default port 8000, weight kept only when not 100', () => {
  const d = data([`${A}/upstreams -d name=u`, `${A}/upstreams/u/targets -d target=a.internal`, `${A}/upstreams/u/targets -d target=[::1]:81 -d weight=0`]);
  assert.deepEqual(d.upstreams[0].targets, [{ target: 'a.internal:8000' }, { target: '[::1]:81', weight: 0 }]);
});

test('upstream healthchecks: only the non-default leaves are written', () => {
  const d = data([`${A}/upstreams -d name=u -d healthchecks.passive.unhealthy.http_failures=3 -d hash_on=ip`]);
  assert.deepEqual(d.upstreams[0], { name: 'u', algorithm: 'consistent-hashing', hash_on: 'ip', healthchecks: { passive: { unhealthy: { http_failures: 3 } } } });
});

test('consumers with credentials and plugins; certificates with snis; top-level plugins with two owners', () => {
  const d = data([
    `${A}/consumers -d username=web`,
    `${A}/consumers/web/key-auth -d key=k1`,
    `${A}/consumers/web/plugins -d name=rate-limiting -d config.minute=5`,
    `${A}/certificates -F cert=C -F key=K -F snis[]=a.example.com`,
    `${A}/services -d host=nameless`,
    '{"id": "11111111-2222-4333-8444-555555555555"}',
    `${A}/plugins -d name=acl -d service.id=11111111-2222-4333-8444-555555555555 -d consumer.username=web`,
  ]);
  assert.deepEqual(d.consumers, [{ username: 'web', plugins: [{ name: 'rate-limiting', config: { minute: 5 } }], keyauth_credentials: [{ key: 'k1' }] }]);
  assert.deepEqual(d.certificates, [{ cert: 'C', key: 'K', snis: [{ name: 'a.example.com' }] }]);
  // The plugin names the nameless service by id, so that service keeps its id: the file stays self-consistent.
  assert.deepEqual(d.services, [{ id: '11111111-2222-4333-8444-555555555555', host: 'nameless' }]);
  assert.deepEqual(d.plugins, [{ name: 'acl', service: '11111111-2222-4333-8444-555555555555', consumer: 'web' }]);
});

test('client_certificate (mutual TLS) of services and upstreams names the certificate by id, which keeps it', () => {
  const d = data([
    `${A}/certificates -F cert=C -F key=K`,
    '{"id": "11111111-2222-4333-8444-555555555555"}',
    `${A}/services -d name=s -d url=https://a.test -d client_certificate.id=11111111-2222-4333-8444-555555555555`,
    `${A}/upstreams -d name=u -d client_certificate.id=11111111-2222-4333-8444-555555555555`,
  ]);
  assert.deepEqual(d.certificates, [{ id: '11111111-2222-4333-8444-555555555555', cert: 'C', key: 'K' }]);
  assert.equal(d.services[0].client_certificate, '11111111-2222-4333-8444-555555555555');
  assert.equal(d.upstreams[0].client_certificate, '11111111-2222-4333-8444-555555555555');
});

test('Kong 0.x /apis calls are reported as a removed endpoint, never dropped silently', () => {
  const r = replay([`curl -X POST http://kong:8001/apis/ -d name=a -d uris=/a -d upstream_url=http://a`]);
  assert.match(r.diagnostics[0]!.message, /^POST \/apis\/ → 404 Not found; not in the output: /);
  assert.match(r.diagnostics[0]!.hint!, /0\.x '\/apis' endpoint/);
});

test('proxy requests and third-party calls are skipped with a note; GETs change nothing', () => {
  const r = replay([
    `curl -i http://localhost:8000/mock -H 'Host: a'`,
    `curl -X POST https://login.example.com/oauth2/token -d grant_type=x`,
    `curl -X GET http://localhost:8001/services`,
    `http :8001`,
  ]);
  assert.deepEqual(r.diagnostics.map((d) => [d.line, d.code]), [[1, 'admin-log'], [2, 'admin-log']]);
  assert.match(r.diagnostics[0]!.message, /port 8000 is a proxy port/);
});

test('any admin host or port, and an admin URL held in an unset variable', () => {
  const d = data([
    `curl -X POST http://10.67.20.32:30001/services -d name=a -d host=a`,
    `curl -X POST "$KONG_ADMIN_URL/services" -d name=b -d host=b`,
    `curl -X POST \${ADMIN}/services -d name=c -d host=c`,
  ]);
  assert.deepEqual(d.services.map((s: any) => s.name), ['a', 'b', 'c']);
});

test('--strict: calls Kong would reject become errors (InputError); notes stay warnings', () => {
  assert.throws(
    () => replay([`curl http://localhost:8000/`, `${A}/services -d name=s`], { strict: true }),
    (e: unknown) => e instanceof InputError && e.diagnostics.map((d) => `${d.line}:${d.severity}`).join(' ') === '1:warning 2:error',
  );
  assert.doesNotThrow(() => replay([`curl http://localhost:8000/`], { strict: true }));
});

test('the SourceMap points at the log line of the call that last set each entity and field', () => {
  const r = replay(['# setup', `${A}/services -d name=s -d host=a`, `${A}/services/s/routes \\`, '  -d paths[]=/a', `curl -X PATCH localhost:8001/services/s -d port=81`]);
  const map = r.document.map;
  assert.equal(map.locate('/services/0/host').line, 2);
  assert.equal(map.locate('/services/0/port').line, 5);
  assert.equal(map.locate('/services/0/routes/0').line, 3);
  assert.equal(map.locate('/services/0/routes/0/paths/0').line, 3);
  assert.equal(map.locate('/services/0/routes/0/paths/0').column, 1);
});
