// Every file of the shared admin-log corpus replays without a crash, with the outcome checked by
// reading each file (state as a short summary; each reported call as `line status`, or `line note`
// for calls kongc skipped or could not replay exactly). CI has the corpus beside the clone; without
// it, the first test below is the one line that says the corpus tests (here, in roundtrip.test.ts
// and yaml-positions.test.ts) were skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { replayLogFile } from '../../src/load/admin-log/replay.js';
import { CORPUS_REQUIRED, CORPUS_ROOT, corpusDir } from '../support/corpus.js';
import { outcomes, summarize } from './summary.js';

const CORPUS = corpusDir('admin-logs');

/**
 * Why each outcome is right, in brief:
 * - AlbertoSimioni, micro-commerce: only Kong 0.x /apis calls → a 404 each (removed endpoint), empty state.
 * - AppointmentGuru: /apis + /apis/…/plugins → 404; the consumer literally named "..." and its basic-auth credential are created.
 * - JeffyLo94, Kong 1.1 configuring-a-service: service + host route; the proxy test on :8000 is skipped.
 * - Kong 1.1 loadbalancing: re-POSTing an existing target is a 409 in Kong 3.x (4 of them); PATCH moves the service to v2.
 * - route-by-header: the route's service.id was never shown for serviceA → 400; the plugin PATCH by recorded id merges.
 * - services-and-routes: PATCH retries=6 and the route tag apply; GETs change nothing; the :8000 request is skipped.
 * - routing-traffic: `uris[]` is unknown in 3.x, comma-separated snis/hosts are single invalid values (no comma
 *   splitting) → 400s; cert/key read from files are notes; the JSON and form routes without service are created.
 * - azure-oidc: PUT upserts (service url https → 443, nested route), repeated config.scopes → array; Azure calls skipped.
 * - Voronenko: cert/key files are notes; snis[] and tags[] kept.
 * - deirdre-anderson: the seed-style --data lines join; {route_id} is a placeholder → 404.
 * - gergopap: weight lines without backslash and the split `-X\n POST` join; consumers, key-auth and plugins replay.
 * - up1 02: `<route-id>`/`<service-id>` placeholders delete nothing (204 notes); `$curl 127.0.0.1` is skipped.
 * - up1 05: demo_service was made in another chapter → PATCH 404; GET on :80 is a proxy request.
 */
const EXPECTED: Record<string, { state: string[]; calls: string[] }> = {
  'AlbertoSimioni__SmartEnterprise__SimulationMicroservices_EntityMicroservices_gatewayconf.sh': {
    state: [],
    calls: ["1 404","3 404","5 404","7 404","9 404","11 404","13 404","15 404","17 404","19 404","21 404","23 404","25 404","27 404","29 404","31 404","33 404"],
  },
  'AppointmentGuru__School__swarm_kong-setup.sh': {
    state: ["consumer ... basicauth_credentials=1"],
    calls: ["1 404","8 404"],
  },
  'JeffyLo94__CPSC449-Proj1-Tracks-Microservices-REST__kong_config_scripts_example.sh': {
    state: ["service example-service http://mockbin.org:80","  route example-service-route {\"hosts\":[\"example.com\"]}"],
    calls: ["12 note"],
  },
  'Kong__docs.konghq.com__app_1.1.x_getting-started_configuring-a-service.md': {
    state: ["service example-service http://mockbin.org:80","  route - {\"hosts\":[\"example.com\"]}"],
    calls: ["112 note"],
  },
  'Kong__docs.konghq.com__app_1.1.x_loadbalancing.md': {
    state: ["service address-service http://address.v2.service:80/address","  route - {\"hosts\":[\"address.mydomain.com\"]}","upstream address.v1.service 192.168.34.15:80w100 192.168.34.16:80w50","upstream address.v2.service 192.168.34.17:80w100 192.168.34.18:80w100"],
    calls: ["339 409","344 409","354 409","359 409"],
  },
  'Kong__docs.konghq.com__app__hub_kong-inc_route-by-header_overview__index.md': {
    state: ["service serviceA http://default.domain.com:80 plugins=route-by-header","upstream default.domain.com default.host.com:9000w100","upstream east.domain.com east.host.com:9001w100","upstream west.domain.com west.host.com:9002w100"],
    calls: ["69 400"],
  },
  'Kong__docs.konghq.com__app__src_gateway_get-started_services-and-routes.md': {
    state: ["service example_service http://httpbin.org:80","  route example_route {\"paths\":[\"/mock\"],\"tags\":[\"tutorial\"]}"],
    calls: ["418 note"],
  },
  'Kong__docs.konghq.com__app__src_gateway_how-kong-works_routing-traffic.md': {
    state: ["service foo-service http://foo-service.com:80","  route - {\"hosts\":[\"example.com\"],\"paths\":[\"/foo\"]}","route - {\"hosts\":[\"example.com\",\"foo-service.com\"]}","route - {\"hosts\":[\"example.com\",\"foo-service.com\"]}","route - {\"headers\":{\"region\":[\"north\"]}}","certificate snis=*"],
    calls: ["601 400","1063 note","1063 note","1063 400","1093 note","1093 note","1117 400","1131 note"],
  },
  'Kong__docs.konghq.com__app__src_gateway_kong-enterprise_dev-portal_authentication_azure-oidc-config.md': {
    state: ["service httpbin-service-azure https://httpbin.org:443/anything plugins=openid-connect,application-registration","  route httpbin-route-azure {\"paths\":[\"/httpbin-azure\"]}"],
    calls: ["80 note","124 note","134 note"],
  },
  'Voronenko__kong-compose-template__docs_load_certs.sh': {
    state: ["certificate snis=*.lvh.voronenko.net"],
    calls: ["8 note","8 note"],
  },
  'bookpanda__2110521-SOFTWARE-ARCH__api-gateway_scipt.sh': {
    state: ["service exampleservice1 http://mockbin.org:80","  route - {\"paths\":[\"/mock\"]}","service restaurant-client http://restaurants-client:3000","  route - {\"paths\":[\"/client\"]}","service restaurant-server http://restaurants-server:30043","  route - {\"paths\":[\"/server\"]}","service mongo-express http://mongo-express:8081","  route - {\"paths\":[\"/mongo\"]}"],
    calls: [],
  },
  'deirdre-anderson__kong__README.md': {
    state: [],
    calls: ["10 404"],
  },
  'eagle840__killercoda-labs__workInProgress_kong_apim_step4.md': {
    state: ["service example_service http://mockbin.org:80","service my-service http://localhost:8080","  route - {\"paths\":[\"/my-service\"]}","service my-api http://localhost:8088","  route - {\"paths\":[\"/my-api\"]}"],
    calls: [],
  },
  'gergopap__taxi-api__kongconfig.sh': {
    state: ["service taxiapi http://ec2-18-191-110-235.us-east-2.compute.amazonaws.com:80","  route - {\"hosts\":[\"ec2-18-191-110-235.us-east-2.compute.amazonaws.com\"]}","upstream taxiapi taxi-api-1:8000w50 taxi-api-2:8000w50","consumer mobile plugins=rate-limiting keyauth_credentials=1","consumer web plugins=rate-limiting keyauth_credentials=1","plugin rate-limiting"],
    calls: [],
  },
  'guolin302__kong-upstream-by-header__README.md': {
    state: ["service default http://default_cluster:80 plugins=upstream-by-header","  route - {\"paths\":[\"/local\"]}","upstream default_cluster mockbin.org:80w100","upstream europe_cluster mockbin.org:80w100","upstream italy_cluster mockbin.org:80w100","upstream rome_cluster mockbin.org:80w100"],
    calls: [],
  },
  'malhotraamit236__kong-plugin__README.md': {
    state: ["service example_service http://europe_cluster:80 plugins=usher","  route localroute {\"paths\":[\"/local\"]}","upstream europe_cluster mockbin.org:80w100","upstream italy_cluster httpbin.org:80w100","upstream milan_cluster requestbin.com:80w100","upstream venice_cluster postb.in:80w100"],
    calls: ["213 note","239 note","264 note","295 note","325 note"],
  },
  'maxtpham__kong-healthcheck__bin_khc-services.sh': {
    state: ["service khc-master http://khc-master:80","  route khc-master {\"paths\":[\"/khc-master\"]}","service khc-worker http://khc-worker:80","  route khc-worker {\"paths\":[\"/khc-worker\"]}","upstream khc-master khc_master:80w100","upstream khc-worker khc_worker:80w100"],
    calls: [],
  },
  'micro-commerce__micro-commerce__docker_configure_api_gateway.sh': {
    state: [],
    calls: ["1 404","9 404"],
  },
  'up1__course-imc-devops-5-days__api-gateway-with-kong_workshop_02-create-service-and-route.md': {
    state: ["service httpbin http://httpbin.org:80","  route - {\"paths\":[\"/\"]}","service httpbin2 http://httpbin.org:80"],
    calls: ["53 note","61 note","66 note"],
  },
  'up1__course-imc-devops-5-days__api-gateway-with-kong_workshop_05-load-balancing.md': {
    state: ["upstream upstream jsonplaceholder.cypress.io:80w100 jsonplaceholder.typicode.com:80w100"],
    calls: ["11 404","26 note"],
  },
};

test('the corpus is where the tests expect it, and every file has a recorded outcome', (t) => {
  if (!CORPUS) {
    assert.ok(!CORPUS_REQUIRED, `KONGC_REQUIRE_CORPUS=1 but there is no corpus at ${CORPUS_ROOT}`);
    t.skip(`no corpus at ${CORPUS_ROOT}: the tests that read it are skipped`);
    return;
  }
  assert.ok(existsSync(CORPUS), `missing ${CORPUS}`);
  const files = readdirSync(CORPUS).filter((f) => f !== 'SOURCES.md').sort();
  assert.deepEqual(files, Object.keys(EXPECTED).sort());
});

if (CORPUS) {
  for (const [file, expected] of Object.entries(EXPECTED)) {
    test(`corpus: ${file}`, () => {
      const r = replayLogFile(join(CORPUS, file));
      assert.deepEqual(summarize(r.document.data), expected.state);
      assert.deepEqual(outcomes(r.diagnostics), expected.calls);
      for (const d of r.diagnostics) assert.ok(d.line >= 1 && d.column >= 1 && d.severity === 'warning');
    });
  }
}
