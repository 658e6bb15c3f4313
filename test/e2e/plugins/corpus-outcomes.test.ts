// Every file of the shared declarative corpus, and what `kongc build` makes of it today: it
// compiles and nginx -t accepts the result, or these errors stop it (position, code, the start of
// the message). When a plugin or an entity kind starts compiling, its entries here change: the
// table says exactly which files it unblocks. Without the corpus (../shared beside the clone) the
// first test says in one line that the rest are skipped; KONGC_REQUIRE_CORPUS=1 makes that a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInputs } from '../../../src/commands/inputs.js';
import { compileDocuments } from '../../../src/compile.js';
import { InputError } from '../../../src/diagnostics.js';
import { CORPUS_REQUIRED, CORPUS_ROOT, corpusDir } from '../../support/corpus.js';
import { nginxTest } from '../../support/nginx.js';

const CORPUS = corpusDir('declarative');

/** `nginx -t`: compiles, and nginx accepts it. Else every error, in order: `line:column code message-start`. */
const EXPECTED: Record<string, 'nginx -t' | string[]> = {
  '0x0pointer__seraph__kong_kong.yml': [
    "51:15 unsupported plugin pre-function (service 'llm-provider') is not compiled",
    "66:15 unsupported plugin post-function (service 'llm-provider') is not compiled",
    "81:15 unsupported plugin rate-limiting (service 'llm-provider') is not compiled",
  ],
  '4klabs__kong-blue-green-deployment__kong_kong.yml': 'nginx -t',
  'AhnMaph__KONG-Api-Management__kong.yml': [
    "23:9 unsupported plugin cors (global) is not compiled",
    "119:13 unsupported plugin ip-restriction (route 'auth-admin') is not compiled",
    "138:13 unsupported plugin key-auth (route 'auth-admin') is not compiled",
    "223:13 unsupported plugin rate-limiting (route 'auth-login') is not compiled",
    "259:13 unsupported plugin jwt (route 'auth-logout') needs JavaScript",
    "295:13 unsupported plugin jwt (route 'auth-refresh') needs JavaScript",
    "337:13 unsupported plugin rate-limiting (route 'auth-refresh') is not compiled",
    "422:13 unsupported plugin rate-limiting (route 'auth-register') is not compiled",
    "459:13 unsupported plugin bot-detection (route 'manga-route') is not compiled",
    "529:13 unsupported plugin rate-limiting (route 'manga-route') is not compiled",
    "560:13 unsupported plugin acl (route 'novel-route') is not compiled",
    "570:13 unsupported plugin bot-detection (route 'novel-route') is not compiled",
    "602:13 unsupported plugin jwt (route 'novel-route') needs JavaScript",
    "672:13 unsupported plugin rate-limiting (route 'novel-route') is not compiled",
    "709:13 unsupported plugin jwt (route 'user-comment') needs JavaScript",
    "751:13 unsupported plugin rate-limiting (route 'user-comment') is not compiled",
    "788:13 unsupported plugin jwt (route 'user-favorite') needs JavaScript",
    "830:13 unsupported plugin rate-limiting (route 'user-favorite') is not compiled",
    "867:13 unsupported plugin jwt (route 'user-like') needs JavaScript",
    "909:13 unsupported plugin rate-limiting (route 'user-like') is not compiled",
    "945:13 unsupported plugin jwt (route 'user-profile') needs JavaScript",
    "987:13 unsupported plugin rate-limiting (route 'user-profile') is not compiled",
    "1024:13 unsupported plugin jwt (route 'user-profile-update') needs JavaScript",
    "1066:13 unsupported plugin rate-limiting (route 'user-profile-update') is not compiled",
    "1139:19 degraded upstream 'comic-web_upstream': active health checks (healthchecks.acti",
  ],
  'BackendWorks__nestjs-microservices__kong_config.yml': [
    "42:11 unsupported plugin rate-limiting (route 'auth-routes') is not compiled",
    "52:11 unsupported plugin rate-limiting (route 'post-routes') is not compiled",
    "62:11 unsupported plugin rate-limiting (global) is not compiled",
  ],
  'ChakshuGautam__digit-2.9lts-core-storm__kong_kong.yml': [
    "15:9 unsupported plugin cors (global) is not compiled",
    "39:9 unsupported plugin request-size-limiting (global) is not compiled",
    "54:11 unsupported plugin rate-limiting (service 'mdms-service') is not compiled",
    "69:11 unsupported plugin rate-limiting (service 'user-service') is not compiled",
    "87:11 unsupported plugin rate-limiting (service 'user-auth-public') is not compiled",
    "102:11 unsupported plugin rate-limiting (service 'enc-service') is not compiled",
    "116:11 unsupported plugin rate-limiting (service 'idgen-service') is not compiled",
    "130:11 unsupported plugin rate-limiting (service 'workflow-service') is not compiled",
    "144:11 unsupported plugin rate-limiting (service 'localization-service') is not compiled",
    "158:11 unsupported plugin rate-limiting (service 'location-service') is not compiled",
    "172:11 unsupported plugin rate-limiting (service 'boundary-service') is not compiled",
    "187:11 unsupported plugin rate-limiting (service 'accesscontrol-service') is not compiled",
    "202:11 unsupported plugin rate-limiting (service 'persister-service') is not compiled",
    "214:11 unsupported plugin request-transformer (service 'health-mdms') is not compiled",
    "226:11 unsupported plugin request-transformer (service 'health-user') is not compiled",
    "238:11 unsupported plugin request-transformer (service 'health-workflow') is not compiled",
    "250:11 unsupported plugin request-transformer (service 'health-boundary') is not compiled",
    "265:11 unsupported plugin rate-limiting (service 'pgr-service') is not compiled",
    "277:11 unsupported plugin request-transformer (service 'health-pgr') is not compiled",
  ],
  'CraazzzyyFoxx__anak-tournaments__kong_kong.yml': 'nginx -t',
  'Envoii-Technologies__proxy__kong.yml': [
    "4:11 unsupported plugin acme (global) is not compiled",
  ],
  'FIWARE__tutorials.PEP-Proxy__kong_kong.yaml': [
    "15:15 unsupported plugin pep-plugin (service 'orion-oidc') is not compiled",
  ],
  'GSA-TTS__identity-idva-api-gateway__ingress_kong-config.yaml': [
    "9:13 schema services[0].routes[0].hosts[0]: invalid value \"idva-api-${ENVIRONMENT_",
    "17:13 schema services[1].routes[0].hosts[0]: invalid value \"idva-portal-${ENVIRONME",
    "25:13 schema services[2].routes[0].hosts[0]: invalid value \"idva-sdk-${ENVIRONMENT_",
    "33:13 schema services[3].routes[0].hosts[0]: invalid value \"identity-idva-token-ser",
    "44:13 schema services[4].routes[0].hosts[0]: invalid value \"idva-${ENVIRONMENT_NAME",
    "52:13 schema services[5].routes[0].hosts[0]: invalid value \"idva-marmot-${ENVIRONME",
  ],
  'ISIS2503__ISIS2503-Microservices-AppDjango__kong.yaml': [
    "26:17 target target '<VARIABLES_HOST>:8080': invalid hostname",
    "31:17 target target '<MEASUREMENTS_HOST>:8080': invalid hostname",
  ],
  'Jose-cyber__kong-tracing-grafana-tempo__kong_kong.yaml': 'nginx -t',
  'Kong__KongAir__PRD_kong_kong.yaml': [
    "172:5 schema unknown field '_config' in services[2].plugins[0]",
    "230:5 schema unknown field '_config' in services[3].plugins[0]",
    "274:5 schema unknown field '_config' in services[4].plugins[0]",
  ],
  'Kong__deck__kong2kic_testdata_ca-certificate-input.yaml': [
    "17:9 ca-certificate invalid CA certificate: expired certificate",
    "33:9 ca-certificate invalid CA certificate: expired certificate",
  ],
  'Kong__deck__kong2kic_testdata_route-input.yaml': [
    "10:15 schema services[0].routes[1].name: invalid value \"_route_thisISAveryvery_long",
  ],
  'Kong__deck__kong2kic_testdata_upstream-input.yaml': 'nginx -t',
  'Kong__deck__tests_integration_testdata_sync_008-create-simple-entities_kong.yaml': [
    "17:9 unsupported plugin basic-auth (global) is not compiled",
  ],
  'Kong__go-database-reconciler__tests_integration_testdata_render_deterministic-sort_004-complex-state_input.yaml': [
    "57:9 unsupported plugin rate-limiting (global) is not compiled",
    "60:9 unsupported plugin key-auth (global) is not compiled",
    "64:9 unsupported plugin basic-auth (global) is not compiled",
  ],
  'Kong__go-database-reconciler__tests_integration_testdata_sync_012-vaults_kong3x.yaml': [
    "3:3 unsupported vault is not compiled by kongc",
    "20:3 unsupported certificate is not compiled by kongc",
  ],
  'Kong__kubernetes-ingress-controller__internal_dataplane_testdata_golden_httproute-example_expression-routes-on_golden.yaml': [
    "12:5 route-matcher route must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' w",
    "40:5 route-matcher route must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' w",
    "54:5 route-matcher route must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' w",
    "83:5 route-matcher route must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' w",
  ],
  'Kong__kubernetes-ingress-controller__internal_dataplane_testdata_golden_kongupstreampolicy-httproute_default_golden.yaml': [
    "66:18 degraded upstream 'httproute.default.httpbin.1': hashing on the consumer needs ",
    "80:19 degraded upstream 'httproute.default.httpbin.1': active health checks (healthch",
    "109:18 degraded upstream 'httproute.default.httpbin.0': hashing on the consumer needs ",
    "123:19 degraded upstream 'httproute.default.httpbin.0': active health checks (healthch",
  ],
  'Kong__kubernetes-ingress-controller__internal_dataplane_testdata_golden_tcproute-example_default_golden.yaml': [
    "7:13 unsupported service protocol 'tcp' is not compiled by kongc (HTTP and HTTPS only)",
    "12:5 unsupported sources/destinations (stream routes) are not compiled by kongc",
    "18:5 unsupported route protocols tcp are not compiled by kongc (HTTP and HTTPS only)",
  ],
  'MohamedRagabAnas__deck-ci-cd__kong.yaml': [
    "82:11 unsupported plugin rate-limiting (service 'docker_service') is not compiled",
  ],
  'NoCloud-today__Supabase-SelfHosted__docker_volumes_api_kong.yml': [
    "39:15 unsupported plugin cors (service 'auth-v1-open') is not compiled",
    "48:15 unsupported plugin cors (service 'auth-v1-open-callback') is not compiled",
    "57:15 unsupported plugin cors (service 'auth-v1-open-authorize') is not compiled",
    "69:15 unsupported plugin cors (service 'auth-v1') is not compiled",
    "70:15 unsupported plugin key-auth (service 'auth-v1') is not compiled",
    "73:15 unsupported plugin acl (service 'auth-v1') is not compiled",
    "90:15 unsupported plugin cors (service 'rest-v1') is not compiled",
    "91:15 unsupported plugin key-auth (service 'rest-v1') is not compiled",
    "94:15 unsupported plugin acl (service 'rest-v1') is not compiled",
    "111:15 unsupported plugin cors (service 'graphql-v1') is not compiled",
    "112:15 unsupported plugin key-auth (service 'graphql-v1') is not compiled",
    "115:15 unsupported plugin request-transformer (service 'graphql-v1') is not compiled",
    "120:15 unsupported plugin acl (service 'graphql-v1') is not compiled",
    "137:15 unsupported plugin cors (service 'realtime-v1') is not compiled",
    "138:15 unsupported plugin key-auth (service 'realtime-v1') is not compiled",
    "141:15 unsupported plugin acl (service 'realtime-v1') is not compiled",
    "158:15 unsupported plugin cors (service 'storage-v1') is not compiled",
    "170:15 unsupported plugin cors (service 'functions-v1') is not compiled",
    "192:15 unsupported plugin key-auth (service 'meta') is not compiled",
    "195:15 unsupported plugin acl (service 'meta') is not compiled",
  ],
  'QwerTech__kong-play__kong_config_kong.yaml': [
    "37:18 degraded upstream 'a-upstream': healthchecks.threshold (answer 503 when the hea",
    "41:21 degraded upstream 'a-upstream': active health checks (healthchecks.active.healt",
    "107:11 unsupported plugin rate-limiting (global) is not compiled",
    "115:11 unsupported plugin bot-detection (global) is not compiled",
  ],
  'amey-admane__kong-deck-configuration__kong_kong.yaml': 'nginx -t',
  'bcgov__healthgateway__Tools_Kong_config-dev.yaml': [
    "6:15 unsupported plugin cors (service 'encounter-hg-dev') is not compiled",
    "14:15 unsupported plugin rate-limiting_902 (service 'encounter-hg-dev') is not compiled",
    "38:19 unsupported plugin jwt-keycloak (route 'encounter-hg-dev-get-post-put-delete') is not compiled",
    "63:19 unsupported plugin rate-limiting (route 'encounter-hg-dev-get-post-put-delete') is not compiled",
    "105:15 unsupported plugin cors (service 'gatewayapi-hg-dev') is not compiled",
    "113:15 unsupported plugin rate-limiting_902 (service 'gatewayapi-hg-dev') is not compiled",
    "137:19 unsupported plugin jwt-keycloak (route 'gatewayapi-hg-dev-get-post-put-delete') is not compiled",
    "162:19 unsupported plugin rate-limiting (route 'gatewayapi-hg-dev-get-post-put-delete') is not compiled",
    "216:15 unsupported plugin cors (service 'immunization-hg-dev') is not compiled",
    "224:15 unsupported plugin rate-limiting_902 (service 'immunization-hg-dev') is not compiled",
    "248:19 unsupported plugin jwt-keycloak (route 'immunization-hg-dev-get-post-put-delete') is not compiled",
    "273:19 unsupported plugin rate-limiting (route 'immunization-hg-dev-get-post-put-delete') is not compiled",
    "329:15 unsupported plugin cors (service 'laboratory-hg-dev') is not compiled",
    "337:15 unsupported plugin rate-limiting_902 (service 'laboratory-hg-dev') is not compiled",
    "361:19 unsupported plugin jwt-keycloak (route 'laboratory-hg-dev-get-post-put-delete') is not compiled",
    "386:19 unsupported plugin rate-limiting (route 'laboratory-hg-dev-get-post-put-delete') is not compiled",
    "442:15 unsupported plugin cors (service 'medication-hg-dev') is not compiled",
    "450:15 unsupported plugin rate-limiting_902 (service 'medication-hg-dev') is not compiled",
    "474:19 unsupported plugin jwt-keycloak (route 'medication-hg-dev-get-post-put-delete') is not compiled",
    "499:19 unsupported plugin rate-limiting (route 'medication-hg-dev-get-post-put-delete') is not compiled",
    "552:15 unsupported plugin cors (service 'patient-hg-dev') is not compiled",
    "560:15 unsupported plugin rate-limiting_902 (service 'patient-hg-dev') is not compiled",
    "584:19 unsupported plugin jwt-keycloak (route 'patient-hg-dev-get-post-put-delete') is not compiled",
    "609:19 unsupported plugin rate-limiting (route 'patient-hg-dev-get-post-put-delete') is not compiled",
  ],
  'bcgov__healthgateway__Tools_Kong_hg-dev.yaml': [
    "14:7 parse invalid YAML: Map keys must be unique",
  ],
  'carnei-ro__my-crud-grpc__kong_kong.yaml': [
    "5:15 unsupported service protocol 'grpc' is not compiled by kongc (HTTP and HTTPS only)",
  ],
  'erichsend__api.erichsen.dev__deck_kong.yaml': [
    "325:5 schema unknown field 'hmacauth_credentials' in consumers[0]",
  ],
  'gjpin__supabase-selfhosted__docker_volumes_api_kong.yml': [
    "156:15 schema services[6].protocol: expected one of: grpc, grpcs, http, https, tcp, ",
  ],
  'gjuljo__saml-oidc-example__kong_kong.yaml': [
    "13:11 unsupported plugin jwt (service 'goapi-service') needs JavaScript",
  ],
  'jesperancinha__buy-odd-yucca-concert__kong_kong.yaml': 'nginx -t',
  'shanaka-versent__Kong-Konnect-Cloud-Gateway-on-EKS__deck_kong.yaml': [
    "83:15 unsupported plugin jwt (service 'users-api') needs JavaScript",
    "88:15 unsupported plugin rate-limiting (service 'users-api') is not compiled",
    "94:15 unsupported plugin request-transformer (service 'users-api') is not compiled",
    "100:15 unsupported plugin cors (service 'users-api') is not compiled",
  ],

};

/**
 * nginx -t resolves upstream server names; the corpus names hosts of its authors' networks
 * (docker service names, example domains). The check puts a loopback address in their place, so
 * that it tests the config and not this machine's DNS.
 */
function withoutDns(text: string): string {
  return text.replace(/^(\s*server )(?!\d+\.\d+\.\d+\.\d+:|\[)[^\s:]+:(\d+) /gm, '$1127.0.0.1:$2 ');
}

test('the declarative corpus is where the tests expect it, and every file has a recorded outcome', (t) => {
  if (!CORPUS) {
    assert.ok(!CORPUS_REQUIRED, `KONGC_REQUIRE_CORPUS=1 but there is no corpus at ${CORPUS_ROOT}`);
    t.skip(`no corpus at ${CORPUS_ROOT}: the declarative corpus outcomes are skipped`);
    return;
  }
  assert.deepEqual(readdirSync(CORPUS).sort(), Object.keys(EXPECTED).sort());
});

if (CORPUS) {
  const dir = mkdtempSync(join(tmpdir(), 'kongc-corpus-'));
  test.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [file, expected] of Object.entries(EXPECTED)) {
    test(`corpus outcome: ${file}`, async () => {
      let text: string | null = null;
      let errors: string[] = [];
      try {
        // As `kongc build FILE -o DIR/kong.conf`: side files and the cache folder go to DIR.
        const { docs } = await loadInputs([join(CORPUS!, file)], undefined, false);
        text = compileDocuments(docs, { caDir: dir, stateDir: dir }).text;
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        errors = e.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`);
      }
      if (expected === 'nginx -t') {
        assert.deepEqual(errors, []);
        const check = nginxTest(withoutDns(text!));
        assert.ok(check.ok, check.output);
        return;
      }
      assert.equal(text, null, 'compiled, but errors were expected');
      assert.equal(errors.length, expected.length, errors.join('\n'));
      expected.forEach((start, i) => assert.ok(errors[i]!.startsWith(start), `${errors[i]}\n  does not start with\n${start}`));
    });
  }
}
