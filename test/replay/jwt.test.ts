// Admin API calls for jwt: plugin config typed as Kong's jwt schema types it (form values are
// strings on the wire), jwt credentials under their consumer, and the result compiles --with-njs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replayLogText } from '../../src/load/admin-log/replay.js';
import { compileDocuments } from '../../src/compile.js';

test('jwt: form fields typed per its schema; credentials nested under the consumer; compiles --with-njs', () => {
  const r = replayLogText(
    'log.sh',
    `
curl -X POST localhost:8001/services -d name=api -d url=http://10.0.0.1:8080
curl -X POST localhost:8001/services/api/routes -d name=r -d "paths[]=/api"
curl -X POST localhost:8001/routes/r/plugins -d name=jwt -d config.claims_to_verify=exp -d config.maximum_expiration=60 -d config.key_claim_name=123 -d config.uri_param_names=token -d config.secret_is_base64=false -d config.realm=7
curl -X POST localhost:8001/consumers -d username=alice
curl -X POST localhost:8001/consumers/alice/jwt -d key=alice-iss -d secret=s3cret-of-alice -d algorithm=HS384
`,
  );
  const d = r.document.data as Record<string, any>;
  assert.deepEqual(d.services[0].routes[0].plugins, [
    { name: 'jwt', config: { claims_to_verify: ['exp'], maximum_expiration: 60, key_claim_name: '123', uri_param_names: ['token'], secret_is_base64: false, realm: '7' } },
  ]);
  assert.deepEqual(d.consumers[0].jwt_secrets, [{ key: 'alice-iss', secret: 's3cret-of-alice', algorithm: 'HS384' }]);
  const built = compileDocuments([r.document], { withNjs: true, secretsDir: '/tmp/kongc-replay-jwt' });
  const module = built.files.find((f) => f.path.endsWith('.js'))!;
  assert.match(module.content, /"k:alice-iss":\{"consumer":"[0-9a-f-]{36}","algorithm":"HS384","secret":"s3cret-of-alice"\}/);
  assert.ok(!built.text.includes('s3cret-of-alice'));
});
