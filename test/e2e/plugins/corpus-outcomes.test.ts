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
import { writeGeneratedFiles } from '../../../src/commands/build.js';
import { InputError } from '../../../src/diagnostics.js';
import { CORPUS_REQUIRED, CORPUS_ROOT, corpusDir } from '../../support/corpus.js';
import { nginxTest } from '../../support/nginx.js';

const CORPUS = corpusDir('declarative');

/** `nginx -t`: compiles, and nginx accepts it. Else every error, in order: `line:column code message-start`. */
const EXPECTED: Record<string, 'nginx -t' | string[]> = {
  '0x0pointer__seraph__kong_kong.yml': [
    "51:15 unsupported plugin pre-function (service 'llm-provider') is not compiled b",
    "66:15 unsupported plugin post-function (service 'llm-provider') is not compiled ",
  ],
  '4klabs__kong-blue-green-deployment__kong_kong.yml': 'nginx -t',
  'AhnMaph__KONG-Api-Management__kong.yml': [
    "259:13 unsupported plugin jwt (route 'auth-logout') needs JavaScript at request ",
    "295:13 unsupported plugin jwt (route 'auth-refresh') needs JavaScript at request",
    "602:13 unsupported plugin jwt (route 'novel-route') needs JavaScript at request ",
    "709:13 unsupported plugin jwt (route 'user-comment') needs JavaScript at request",
    "788:13 unsupported plugin jwt (route 'user-favorite') needs JavaScript at reques",
    "867:13 unsupported plugin jwt (route 'user-like') needs JavaScript at request ti",
    "945:13 unsupported plugin jwt (route 'user-profile') needs JavaScript at request",
    "1024:13 unsupported plugin jwt (route 'user-profile-update') needs JavaScript at",
    "1139:19 degraded upstream 'comic-web_upstream': active health checks (healthchec",
  ],
  'BackendWorks__nestjs-microservices__kong_config.yml': 'nginx -t',
  'ChakshuGautam__digit-2.9lts-core-storm__kong_kong.yml': 'nginx -t',
  'CraazzzyyFoxx__anak-tournaments__kong_kong.yml': 'nginx -t',
  'Envoii-Technologies__proxy__kong.yml': [
    "4:11 unsupported plugin acme (global) is not compiled by kongc",
  ],
  'FIWARE__tutorials.PEP-Proxy__kong_kong.yaml': [
    "15:15 unsupported plugin pep-plugin (service 'orion-oidc') is not compiled by ko",
  ],
  'GSA-TTS__identity-idva-api-gateway__ingress_kong-config.yaml': [
    "9:13 schema services[0].routes[0].hosts[0]: invalid value \"idva-api-${ENVIRONMEN",
    "17:13 schema services[1].routes[0].hosts[0]: invalid value \"idva-portal-${ENVIRO",
    "25:13 schema services[2].routes[0].hosts[0]: invalid value \"idva-sdk-${ENVIRONME",
    "33:13 schema services[3].routes[0].hosts[0]: invalid value \"identity-idva-token-",
    "44:13 schema services[4].routes[0].hosts[0]: invalid value \"idva-${ENVIRONMENT_N",
    "52:13 schema services[5].routes[0].hosts[0]: invalid value \"idva-marmot-${ENVIRO",
  ],
  'ISIS2503__ISIS2503-Microservices-AppDjango__kong.yaml': [
    "26:17 target target '<VARIABLES_HOST>:8080': invalid hostname",
    "31:17 target target '<MEASUREMENTS_HOST>:8080': invalid hostname",
  ],
  'Jose-cyber__kong-tracing-grafana-tempo__kong_kong.yaml': 'nginx -t',
  'Kong__KongAir__PRD_kong_kong.yaml': [
    // Its _plugin_configs apply; consumer groups (Kong Enterprise) stop it.
    "7:3 unsupported consumer group is not compiled by kongc",
    "10:3 unsupported consumer group is not compiled by kongc",
    "13:3 unsupported consumer group is not compiled by kongc",
    "16:3 unsupported consumer group is not compiled by kongc",
    "21:3 unsupported consumer groups (Kong Enterprise) is not compiled by kongc",
    "26:3 unsupported consumer groups (Kong Enterprise) is not compiled by kongc",
    "31:3 unsupported consumer groups (Kong Enterprise) is not compiled by kongc",
  ],
  'Kong__deck__kong2kic_testdata_ca-certificate-input.yaml': [
    "17:9 ca-certificate invalid CA certificate: expired certificate",
    "33:9 ca-certificate invalid CA certificate: expired certificate",
  ],
  'Kong__deck__kong2kic_testdata_route-input.yaml': [
    "10:15 schema services[0].routes[1].name: invalid value \"_route_thisISAveryvery_l",
  ],
  'Kong__deck__kong2kic_testdata_upstream-input.yaml': 'nginx -t',
  'Kong__deck__tests_integration_testdata_sync_008-create-simple-entities_kong.yaml': 'nginx -t',
  'Kong__go-database-reconciler__tests_integration_testdata_render_deterministic-sort_004-complex-state_input.yaml': 'nginx -t',
  'Kong__go-database-reconciler__tests_integration_testdata_sync_012-vaults_kong3x.yaml': [
    "3:3 unsupported vault is not compiled by kongc",
    "21:9 tls only env vault references ({vault://env/NAME}) are resolved by kongc",
    "22:8 tls only env vault references ({vault://env/NAME}) are resolved by kongc",
  ],
  'Kong__kubernetes-ingress-controller__internal_dataplane_testdata_golden_httproute-example_expression-routes-on_golden.yaml': [
    "12:5 route-matcher route must set one of 'methods', 'hosts', 'headers', 'paths',",
    "40:5 route-matcher route must set one of 'methods', 'hosts', 'headers', 'paths',",
    "54:5 route-matcher route must set one of 'methods', 'hosts', 'headers', 'paths',",
    "83:5 route-matcher route must set one of 'methods', 'hosts', 'headers', 'paths',",
  ],
  'Kong__kubernetes-ingress-controller__internal_dataplane_testdata_golden_kongupstreampolicy-httproute_default_golden.yaml': [
    "66:18 degraded upstream 'httproute.default.httpbin.1': hashing on the consumer n",
    "80:19 degraded upstream 'httproute.default.httpbin.1': active health checks (hea",
    "109:18 degraded upstream 'httproute.default.httpbin.0': hashing on the consumer ",
    "123:19 degraded upstream 'httproute.default.httpbin.0': active health checks (he",
  ],
  'Kong__kubernetes-ingress-controller__internal_dataplane_testdata_golden_tcproute-example_default_golden.yaml': [
    // Compiles with --listen-stream and --stream-output (Kong's stream_listen is off by default).
    "11:5 stream route 'tcproute.tcp-namespace.echo-plaintext.0.0' is a stream route,",
    "11:5 stream route 'tcproute.tcp-namespace.echo-plaintext.0.0' is a stream route:",
  ],
  'MohamedRagabAnas__deck-ci-cd__kong.yaml': 'nginx -t',
  'NoCloud-today__Supabase-SelfHosted__docker_volumes_api_kong.yml': 'nginx -t',
  'QwerTech__kong-play__kong_config_kong.yaml': [
    "37:18 degraded upstream 'a-upstream': healthchecks.threshold (answer 503 when th",
    "41:21 degraded upstream 'a-upstream': active health checks (healthchecks.active.",
  ],
  'amey-admane__kong-deck-configuration__kong_kong.yaml': 'nginx -t',
  'bcgov__healthgateway__Tools_Kong_config-dev.yaml': [
    "14:15 unsupported plugin rate-limiting_902 (service 'encounter-hg-dev') is not c",
    "38:19 unsupported plugin jwt-keycloak (route 'encounter-hg-dev-get-post-put-dele",
    "113:15 unsupported plugin rate-limiting_902 (service 'gatewayapi-hg-dev') is not",
    "137:19 unsupported plugin jwt-keycloak (route 'gatewayapi-hg-dev-get-post-put-de",
    "224:15 unsupported plugin rate-limiting_902 (service 'immunization-hg-dev') is n",
    "248:19 unsupported plugin jwt-keycloak (route 'immunization-hg-dev-get-post-put-",
    "337:15 unsupported plugin rate-limiting_902 (service 'laboratory-hg-dev') is not",
    "361:19 unsupported plugin jwt-keycloak (route 'laboratory-hg-dev-get-post-put-de",
    "450:15 unsupported plugin rate-limiting_902 (service 'medication-hg-dev') is not",
    "474:19 unsupported plugin jwt-keycloak (route 'medication-hg-dev-get-post-put-de",
    "560:15 unsupported plugin rate-limiting_902 (service 'patient-hg-dev') is not co",
    "584:19 unsupported plugin jwt-keycloak (route 'patient-hg-dev-get-post-put-delet",
  ],
  'bcgov__healthgateway__Tools_Kong_hg-dev.yaml': [
    "14:7 parse invalid YAML: Map keys must be unique",
  ],
  'carnei-ro__my-crud-grpc__kong_kong.yaml': [
    "5:15 unsupported service protocol 'grpc' is not compiled by kongc (http, https, ",
  ],
  'erichsend__api.erichsen.dev__deck_kong.yaml': [
    "325:5 schema unknown field 'hmacauth_credentials' in consumers[0]",
  ],
  'gjpin__supabase-selfhosted__docker_volumes_api_kong.yml': [
    "156:15 schema services[6].protocol: expected one of: grpc, grpcs, http, https, t",
  ],
  'gjuljo__saml-oidc-example__kong_kong.yaml': 'nginx -t',
  'jesperancinha__buy-odd-yucca-concert__kong_kong.yaml': 'nginx -t',
  'shanaka-versent__Kong-Konnect-Cloud-Gateway-on-EKS__deck_kong.yaml': 'nginx -t',
};

/** Files built as `kongc build --with-njs` (their plugins need the njs tier); the others without it. */
const WITH_NJS = new Set(['gjuljo__saml-oidc-example__kong_kong.yaml', 'shanaka-versent__Kong-Konnect-Cloud-Gateway-on-EKS__deck_kong.yaml']);

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
        const result = compileDocuments(docs, { caDir: dir, stateDir: dir, withNjs: WITH_NJS.has(file) });
        writeGeneratedFiles(result.files);
        text = result.text;
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
