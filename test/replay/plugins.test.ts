// Admin API calls that create consumers, credentials and plugins replay into the YAML a user would
// write, with plugin config typed as Kong's schema types it (form values are strings on the wire).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { replayLogText } from '../../src/load/admin-log/replay.js';
import { compileDocuments } from '../../src/compile.js';

const replay = (text: string) => replayLogText('log.sh', text);
const data = (text: string) => replay(text).document.data as Record<string, any>;

test('seed-style curl lines: form fields typed per plugin schema (numbers, booleans, one-string arrays, strings that look like numbers)', () => {
  const d = data(`
curl -X POST localhost:8001/services \\
-d "name=api" \\
-d "url=http://10.0.0.1:8080"
curl -X POST localhost:8001/services/api/routes \\
-d "name=r" \\
-d "paths[]=/api"
curl -X POST localhost:8001/services/api/plugins \\
-d "name=rate-limiting" \\
-d "config.minute=5" \\
-d "config.policy=local" \\
-d "config.hide_client_headers=true" \\
-d "config.error_message=429"
curl -X POST localhost:8001/routes/r/plugins -d "name=key-auth" -d "config.key_names[]=apikey" -d "config.hide_credentials=true"
curl -X POST localhost:8001/plugins -d "name=cors" -d "config.origins=*" -d "config.methods=GET" -d "config.methods=POST" -d "config.max_age=3600" -d "config.credentials=false"
curl -X POST localhost:8001/plugins -d name=ip-restriction -d config.allow=10.0.0.0/8 -d config.status=403 -d config.message=1
curl -X POST localhost:8001/plugins -d name=request-termination -d config.status_code=503 -d config.message=404 -d config.body=42
curl -X POST localhost:8001/plugins -d name=request-size-limiting -d config.allowed_payload_size=8 -d config.require_content_length=false
curl -X POST localhost:8001/plugins -d name=correlation-id -d config.header_name=X-Request-ID -d config.echo_downstream=true
curl -X POST localhost:8001/plugins -d name=bot-detection -d config.deny=curl
curl -X POST localhost:8001/plugins -d name=acl -d config.allow=admins -d consumer.username=x
`);
  assert.deepEqual(d.services[0].plugins, [{ name: 'rate-limiting', config: { minute: 5, policy: 'local', hide_client_headers: true, error_message: '429' } }]);
  assert.deepEqual(d.services[0].routes[0].plugins, [{ name: 'key-auth', config: { key_names: ['apikey'], hide_credentials: true } }]);
  assert.deepEqual(
    d.plugins.map((p: any) => [p.name, p.config]),
    [
      ['cors', { origins: ['*'], methods: ['GET', 'POST'], max_age: 3600, credentials: false }],
      ['ip-restriction', { allow: ['10.0.0.0/8'], status: 403, message: '1' }],
      ['request-termination', { status_code: 503, message: '404', body: '42' }],
      ['request-size-limiting', { allowed_payload_size: 8, require_content_length: false }],
      ['correlation-id', { header_name: 'X-Request-ID', echo_downstream: true }],
      ['bot-detection', { deny: ['curl'] }],
    ],
  );
});

test('transformers, proxy-cache, file-log and observers: nested records of arrays, --data-urlencode, JSON bodies', () => {
  const d = data(`
curl -X POST http://localhost:8001/plugins --data "name=request-transformer" --data-urlencode "config.add.headers=x-a:1 2" --data "config.add.querystring[]=a:b" --data "config.remove.headers=x-b" --data "config.replace.uri=/v2"
curl -X POST http://localhost:8001/plugins --data "name=response-transformer" --data "config.add.json=k:v" --data "config.add.json_types=string" --data "config.remove.headers=server"
curl -X POST http://localhost:8001/plugins --data "name=proxy-cache" --data "config.strategy=memory" --data "config.cache_ttl=30" --data "config.response_code=200" --data "config.content_type=application/json" --data "config.vary_headers=X-Lang" --data "config.response_headers.X-Cache-Key=false"
curl -X POST http://localhost:8001/plugins --data "name=file-log" --data "config.path=/tmp/file.log" --data "config.reopen=true"
curl -X POST http://localhost:8001/plugins -H 'Content-Type: application/json' -d '{"name":"prometheus","config":{"per_consumer":true}}'
curl -X POST http://localhost:8001/plugins --data "name=http-log" --data "config.http_endpoint=http://127.0.0.1:9/x" --data "config.timeout=1000"
`);
  assert.deepEqual(
    d.plugins.map((p: any) => [p.name, p.config]),
    [
      ['request-transformer', { add: { headers: ['x-a:1 2'], querystring: ['a:b'] }, remove: { headers: ['x-b'] }, replace: { uri: '/v2' } }],
      ['response-transformer', { add: { json: ['k:v'], json_types: ['string'] }, remove: { headers: ['server'] } }],
      ['proxy-cache', { strategy: 'memory', cache_ttl: 30, response_code: [200], content_type: ['application/json'], vary_headers: ['X-Lang'], response_headers: { 'X-Cache-Key': false } }],
      ['file-log', { path: '/tmp/file.log', reopen: true }],
      ['prometheus', { per_consumer: true }],
      ['http-log', { http_endpoint: 'http://127.0.0.1:9/x', timeout: 1000 }],
    ],
  );
});

test('PATCH of a plugin by instance name types its fields by the stored plugin; unknown plugins are read loosely', () => {
  const d = data(`
curl -X POST localhost:8001/plugins -d name=cors -d instance_name=c -d config.origins=http://a.test
curl -X PATCH localhost:8001/plugins/c -d config.origins=http://b.test -d config.max_age=10
curl -X POST localhost:8001/plugins -d name=my-plugin -d config.n=5 -d config.s=x
`);
  assert.deepEqual(d.plugins, [
    { name: 'cors', instance_name: 'c', config: { origins: ['http://b.test'], max_age: 10 } },
    { name: 'my-plugin', config: { n: 5, s: 'x' } },
  ]);
});

test('consumers and credentials: key-auth, basic-auth, acls, jwt', () => {
  const r = replay(`
curl -X POST localhost:8001/consumers -d username=alice -d custom_id=a1
curl -X POST localhost:8001/consumers/alice/key-auth -d key=k1
curl -X POST localhost:8001/consumers/alice/basic-auth -d username=alice -d password=pw
curl -X POST localhost:8001/consumers/alice/acls -d group=admins
curl -X POST localhost:8001/consumers/alice/jwt -d key=iss -d secret=s3
curl -X POST localhost:8001/consumers/alice/plugins -d name=rate-limiting -d config.second=2
`);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual((r.document.data as any).consumers, [
    {
      username: 'alice',
      custom_id: 'a1',
      plugins: [{ name: 'rate-limiting', config: { second: 2 } }],
      keyauth_credentials: [{ key: 'k1' }],
      basicauth_credentials: [{ username: 'alice', password: 'pw' }],
      acls: [{ group: 'admins' }],
      jwt_secrets: [{ key: 'iss', secret: 's3' }],
    },
  ]);
});

test('a key Kong generated: taken from the recorded response, else reported at the call', () => {
  const shown = replay(`
curl -X POST localhost:8001/consumers -d username=bob
curl -X POST localhost:8001/consumers/bob/key-auth
// response
{
    "consumer": { "id": "8a3b…" },
    "created_at": 1553663185,
    "id": "b1b5e3a5-65a5-4c1c-8a5c-0d7a3e9a1d11",
    "key": "Vq7mV3lPcg0WlkDmDp7c4lYbq1xD8bmM"
}
`);
  assert.deepEqual(shown.diagnostics, []);
  assert.deepEqual((shown.document.data as any).consumers[0].keyauth_credentials, [{ key: 'Vq7mV3lPcg0WlkDmDp7c4lYbq1xD8bmM' }]);

  const hidden = replay(`curl -X POST localhost:8001/consumers -d username=bob\ncurl -X POST localhost:8001/consumers/bob/key-auth\ncurl -X POST localhost:8001/consumers/bob/jwt -d secret=s`);
  assert.deepEqual(
    hidden.diagnostics.map((d) => [d.line, d.message.replace(/:.*/, '')]),
    [
      [2, 'POST /consumers/bob/key-auth'],
      [3, 'POST /consumers/bob/jwt'],
    ],
  );
  assert.match(hidden.diagnostics[0]!.message, /Kong generated a random key for this key-auth credential, and the log does not record it: the replay cannot know it/);
  assert.match(hidden.diagnostics[1]!.message, /random key for this JWT secret/);
  assert.deepEqual((hidden.document.data as any).consumers[0].keyauth_credentials, [{}]);
});

test('the replayed YAML is the declarative file written by hand, and compiles the same', () => {
  const yaml = `_format_version: "3.0"
services:
  - name: api
    host: 127.0.0.1
    port: 8080
    routes:
      - name: r
        paths:
          - /api
        plugins:
          - name: proxy-cache
            config:
              strategy: memory
              cache_ttl: 30
              request_method:
                - GET
              response_headers:
                X-Cache-Key: false
                age: false
              vary_query_params:
                - page
plugins:
  - name: file-log
    config:
      path: /var/log/kong.json
`;
  const log = `
curl -X POST localhost:8001/services -d name=api -d host=127.0.0.1 -d port=8080
curl -X POST localhost:8001/services/api/routes -d name=r -d 'paths[]=/api'
curl -X POST localhost:8001/routes/r/plugins -d name=proxy-cache -d config.strategy=memory -d config.cache_ttl=30 -d 'config.request_method[]=GET' -d config.response_headers.X-Cache-Key=false -d config.response_headers.age=false -d config.vary_query_params=page
curl -X POST localhost:8001/plugins -d name=file-log -d config.path=/var/log/kong.json
`;
  const r = replay(log);
  assert.deepEqual(r.document.data, parse(yaml));
  const built = compileDocuments([r.document], { stateDir: '/var/cache/kongc' });
  assert.match(built.text, /proxy_cache_valid 200 301 404 30s;/);
  assert.match(built.text, /access_log "\/var\/log\/kong.json" kongc_file_log;/);
});
