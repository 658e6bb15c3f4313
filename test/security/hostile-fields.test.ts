// Hostile strings in every string field of every entity, and of the admin-call log: each case is
// either refused with positioned diagnostics, or compiles to configuration that (1) has exactly
// the blocks the plan describes and only directives kongc generates, (2) passes nginx -t, and
// (3) served by a real nginx on 127.0.0.1 answers GET /kongc-injected without anything injected.
//
// Cases compile in process. Accepted cases are tested by nginx in batches: each case's text is
// re-rendered from its own plan with a listen port of its own and every upstream server pointed at
// a local backend (so nginx never resolves or connects to an input host), and its generated names
// (`kongc_…`) renamed per case so cases cannot collide; the hash-size directives move to the batch
// header. Every accepted case goes through nginx -t and is served.
//
// KONGC_SEED=<n> replays a run; KONGC_SECURITY_CASES=<n> changes the number of cases (default 10000).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { compileDocuments } from '../../src/compile.js';
import { InputError, type Diagnostic } from '../../src/diagnostics.js';
import { assertNoCodeLoadingDirectives } from '../../src/deliver/nginx-check.js';
import { parseDeclarative } from '../../src/load/document.js';
import { replayLogText } from '../../src/load/admin-log/replay.js';
import type { NginxPlan } from '../../src/plan/ir.js';
import { TEMPLATES_DIR } from '../../src/paths.js';
import { address as encodeAddress } from '../../src/render/encoders.js';
import { renderPlan, renderStreamPlan } from '../../src/render/render.js';
import { request } from '../support/http.js';
import { kongc } from '../support/kongc.js';
import { nginxTest, startNginx } from '../support/nginx.js';
import { lexNginx } from './nginx-lexer.js';
import { ALL_PAYLOADS, INJECTED_HEADER, INJECTED_PATH, hostileString, seed } from './payloads.js';
import { tempDir } from '../support/temp.js';
import { defaultCertificateSource } from '../../src/commands/default-certificate.js';
import { writeGeneratedFiles } from '../../src/commands/build.js';

const SEED = seed();
const CASES = Number(process.env.KONGC_SECURITY_CASES ?? 10_000);
const BATCH = 300;

type Doc = Record<string, any>;

/** A small configuration that uses every entity kind; each field setter puts the payload in one place. */
function baseDoc(): Doc {
  return {
    _format_version: '3.0',
    services: [
      {
        name: 'svc',
        host: 'up.test',
        path: '/base',
        routes: [{ name: 'r0', paths: ['/r0'], hosts: ['h0.test'], methods: ['GET'], headers: { 'x-a': ['v'] } }],
      },
      { name: 'svc2', host: '127.0.0.1', port: 9, routes: [{ name: 'r1', paths: ['~/rx/\\d+$'] }] },
    ],
    upstreams: [{ name: 'up.test', targets: [{ target: '127.0.0.1:9' }] }],
  };
}

const s0 = (d: Doc) => d.services[0];
const r0 = (d: Doc) => d.services[0].routes[0];
const u0 = (d: Doc) => d.upstreams[0];
const hashOn = (d: Doc, on: string, field: string, p: string) => Object.assign(u0(d), { hash_on: on, [field]: p });

/** Every string field of every entity kongc reads (and those it must refuse or ignore safely). */
const FIELDS: Record<string, (d: Doc, p: string) => void> = {
  'service.name': (d, p) => (s0(d).name = p),
  'service.host': (d, p) => (d.services[1].host = p),
  'service.path': (d, p) => (s0(d).path = p),
  'service.url': (d, p) => {
    const s = d.services[1];
    delete s.host;
    delete s.port;
    s.url = p;
  },
  'service.url (path)': (d, p) => {
    const s = d.services[1];
    delete s.host;
    delete s.port;
    s.url = 'http://127.0.0.1:9/' + p;
  },
  'service.protocol': (d, p) => (s0(d).protocol = p),
  'service.tags': (d, p) => (s0(d).tags = [p]),
  'service.id': (d, p) => (s0(d).id = p),
  'route.name': (d, p) => (r0(d).name = p),
  'route.hosts': (d, p) => (r0(d).hosts = [p]),
  'route.paths': (d, p) => (r0(d).paths = [p]),
  'route.paths (regex)': (d, p) => (r0(d).paths = ['~/' + p]),
  'route.headers (name)': (d, p) => (r0(d).headers = { [p]: ['v'] }),
  'route.headers (value)': (d, p) => (r0(d).headers = { 'x-a': [p] }),
  'route.headers (values)': (d, p) => (r0(d).headers = { 'x-a': ['v', p] }),
  'route.headers (regex)': (d, p) => (r0(d).headers = { 'x-a': ['~*' + p] }),
  'route.methods': (d, p) => (r0(d).methods = [p]),
  'route.snis': (d, p) => Object.assign(r0(d), { protocols: ['https'], snis: [p] }),
  'route.tags': (d, p) => (r0(d).tags = [p]),
  'route.protocols': (d, p) => (r0(d).protocols = [p]),
  'route.service (reference)': (d, p) => (d.routes = [{ name: 'top', paths: ['/top'], service: p }]),
  'upstream.name': (d, p) => {
    u0(d).name = p;
    s0(d).host = p;
  },
  'upstream.host_header': (d, p) => (u0(d).host_header = p),
  'upstream.hash_on_header': (d, p) => hashOn(d, 'header', 'hash_on_header', p),
  'upstream.hash_fallback_header': (d, p) => Object.assign(u0(d), { hash_on: 'ip', hash_fallback: 'header', hash_fallback_header: p }),
  'upstream.hash_on_cookie': (d, p) => hashOn(d, 'cookie', 'hash_on_cookie', p),
  'upstream.hash_on_cookie_path': (d, p) => Object.assign(u0(d), { hash_on: 'cookie', hash_on_cookie: 'c', hash_on_cookie_path: p }),
  'upstream.hash_on_query_arg': (d, p) => hashOn(d, 'query_arg', 'hash_on_query_arg', p),
  'upstream.hash_fallback_query_arg': (d, p) => Object.assign(u0(d), { hash_on: 'ip', hash_fallback: 'query_arg', hash_fallback_query_arg: p }),
  'upstream.hash_on_uri_capture': (d, p) => hashOn(d, 'uri_capture', 'hash_on_uri_capture', p),
  'upstream.hash_fallback_uri_capture': (d, p) => Object.assign(u0(d), { hash_on: 'ip', hash_fallback: 'uri_capture', hash_fallback_uri_capture: p }),
  'upstream.algorithm': (d, p) => (u0(d).algorithm = p),
  'upstream.tags': (d, p) => (u0(d).tags = [p]),
  'upstream.healthchecks.active.http_path': (d, p) => (u0(d).healthchecks = { active: { http_path: p } }),
  'upstream.healthchecks.active.https_sni': (d, p) => (u0(d).healthchecks = { active: { https_sni: p } }),
  'upstream.healthchecks.active.headers': (d, p) => (u0(d).healthchecks = { active: { headers: { [p]: [p] } } }),
  'target.target': (d, p) => (u0(d).targets[0].target = p),
  'target.tags': (d, p) => (u0(d).targets[0].tags = [p]),
  'target.upstream (reference)': (d, p) => (d.targets = [{ target: '127.0.0.2:9', upstream: p }]),
  'plugin.name': (d, p) => (r0(d).plugins = [{ name: p }]),
  'plugin.instance_name': (d, p) => (d.plugins = [{ name: 'cors', instance_name: p }]),
  'plugin.config': (d, p) => (d.plugins = [{ name: 'request-transformer', config: { add: { headers: [`${p}:${p}`] } } }]),
  'plugin.cors.origins': (d, p) => (d.plugins = [{ name: 'cors', config: { origins: [p, 'https://a.test'] } }]),
  'plugin.request-termination.message': (d, p) => (r0(d).plugins = [{ name: 'request-termination', config: { status_code: 403, message: p } }]),
  'consumer.keyauth.key': (d, p) => {
    d.consumers = [{ username: 'c', keyauth_credentials: [{ key: p }] }];
    d.plugins = [{ name: 'key-auth' }];
  },
  'consumer.username': (d, p) => (d.consumers = [{ username: p }]),
  'consumer.custom_id': (d, p) => (d.consumers = [{ custom_id: p, tags: [p] }]),
  'certificate.cert': (d, p) => (d.certificates = [{ cert: p, key: p, snis: [{ name: p }] }]),
  'key (any map)': (d, p) => (s0(d)[p] = 'x'),
  '_comment': (d, p) => (d._comment = p),
  '_info.select_tags': (d, p) => (d._info = { select_tags: [p] }),
};

/** Shell single-quoting, as a log author would write it. */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const ADMIN = 'http://localhost:8001';

/** Admin-call log fields: the payload in a JSON body, a form body, a URL segment, and raw on the line. */
const LOG_FIELDS: Record<string, (p: string) => string> = {
  'log: service name (json)': (p) => `curl -X POST ${ADMIN}/services -H 'Content-Type: application/json' -d ${sq(JSON.stringify({ name: p, url: 'http://127.0.0.1:9' }))}\n`,
  'log: service url (form)': (p) => `curl -X POST ${ADMIN}/services --data-urlencode ${sq('url=' + p)} -d name=s\n`,
  'log: service host (form)': (p) => `curl -X POST ${ADMIN}/services -d name=s --data-urlencode ${sq('host=' + p)}\n`,
  'log: service path (json)': (p) => `curl -X POST ${ADMIN}/services -H 'Content-Type: application/json' -d ${sq(JSON.stringify({ name: 's', host: '127.0.0.1', path: p }))}\n`,
  'log: route path (form)': (p) => `curl -X POST ${ADMIN}/services -d name=s -d url=http://127.0.0.1:9\ncurl -X POST ${ADMIN}/services/s/routes --data-urlencode ${sq('paths[]=' + p)}\n`,
  'log: route host (json)': (p) => `curl -X POST ${ADMIN}/services -d name=s -d url=http://127.0.0.1:9\ncurl -X POST ${ADMIN}/services/s/routes -H 'Content-Type: application/json' -d ${sq(JSON.stringify({ hosts: [p], paths: ['/x'] }))}\n`,
  'log: route header (json)': (p) => `curl -X POST ${ADMIN}/services -d name=s -d url=http://127.0.0.1:9\ncurl -X POST ${ADMIN}/services/s/routes -H 'Content-Type: application/json' -d ${sq(JSON.stringify({ paths: ['/x'], headers: { 'x-a': [p], [p]: ['v'] } }))}\n`,
  'log: route name in URL': (p) => `curl -X POST ${ADMIN}/services -d name=s -d url=http://127.0.0.1:9\ncurl -X PUT ${sq(`${ADMIN}/services/s/routes/${encodeURIComponent(p)}`)} -d paths[]=/x\n`,
  'log: upstream + target (httpie)': (p) => `http POST :8001/upstreams name=up.test host_header=${sq(p)}\nhttp POST :8001/upstreams/up.test/targets target=${sq(p)}\n`,
  'log: raw line': (p) => `curl -X POST ${ADMIN}/services -d name=${p} -d url=http://127.0.0.1:9\n`,
  'log: plugin + consumer (json)': (p) => `curl -X POST ${ADMIN}/consumers -H 'Content-Type: application/json' -d ${sq(JSON.stringify({ username: p }))}\ncurl -X POST ${ADMIN}/plugins -d name=${sq(p)}\n`,
};

interface Case {
  index: number;
  field: string;
  payload: string;
  /** The declarative YAML or the admin-call log the case compiles. */
  input: string;
  kind: 'yaml' | 'log';
}

interface Accepted extends Case {
  plan: NginxPlan;
  text: string;
}

function describeCase(c: Case): string {
  return `case #${c.index} field ${c.field} payload ${JSON.stringify(c.payload.length > 200 ? c.payload.slice(0, 200) + '…' : c.payload)} (seed ${SEED}; replay with KONGC_SEED=${SEED})`;
}

function makeCases(): Case[] {
  const rng = fc.sample(fc.tuple(fc.nat(), hostileString()), { seed: SEED, numRuns: CASES });
  const fields = Object.keys(FIELDS);
  const logFields = Object.keys(LOG_FIELDS);
  const all = [...fields, ...logFields];
  const cases: Case[] = [];
  // Every field gets the whole payload matrix once; the rest is random.
  const fixed: [string, string][] = [];
  for (const f of all) for (const p of ALL_PAYLOADS) fixed.push([f, p]);
  const pairs: [string, string][] = [...fixed];
  for (const [n, p] of rng) pairs.push([all[n % all.length]!, p]);
  // The matrix for every field, then random cases up to CASES (at least 2000 of them).
  pairs.slice(0, Math.max(CASES, fixed.length + 2000)).forEach(([field, payload], index) => {
    if (field in FIELDS) {
      const doc = baseDoc();
      FIELDS[field]!(doc, payload);
      cases.push({ index, field, payload, input: stringify(doc), kind: 'yaml' });
    } else {
      const log = `# admin calls\ncurl -X POST ${ADMIN}/upstreams -d name=base.test\n` + LOG_FIELDS[field]!(payload);
      cases.push({ index, field, payload, input: log, kind: 'log' });
    }
  });
  return cases;
}

function compileCase(c: Case): { ok: true; plan: NginxPlan; text: string } | { ok: false; diagnostics: Diagnostic[] } {
  try {
    const docs = c.kind === 'yaml' ? [parseDeclarative('kong.yaml', c.input)] : [replayLogText('admin.log', c.input).document];
    const r = compileDocuments(docs, { allowDegraded: true });
    return { ok: true, plan: r.plan, text: r.text };
  } catch (e) {
    if (e instanceof InputError) return { ok: false, diagnostics: e.diagnostics };
    throw new Error(`${describeCase(c)}: not an InputError but ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
}

/**
 * Directives kongc can generate: the first word of every directive line of the templates (so the
 * list follows the templates). Anything else in the output is an injection.
 */
const TEMPLATE_DIRECTIVES: Set<string> = new Set(
  readdirSync(TEMPLATES_DIR)
    .filter((f) => f.endsWith('.hbs'))
    .flatMap((f) => readFileSync(join(TEMPLATES_DIR, f), 'utf8').split('\n'))
    .map((l) => /^\s*([a-z_][a-z0-9_]*)(?=[\s;{])/.exec(l.replace(/\{\{[^}]*\}\}/g, ' '))?.[1])
    .filter((w): w is string => w !== undefined),
);
/** Blocks and where they may appear. */
const BLOCK_CONTEXT: Record<string, string> = { upstream: '', map: '', geo: '', server: '', location: 'server', if: 'server>location' };

/** Maps main.hbs writes whatever the input ($kongc_forwarded_path, …). */
const STATIC_MAPS = (readFileSync(join(TEMPLATES_DIR, 'main.hbs'), 'utf8').match(/^map /gm) ?? []).length;

/**
 * What kongc writes inside `if`: a guard's 404, a jump to a generated location, a regex capture,
 * a plugin setting one of kongc's variables, an https-only route's redirect, or (--with-njs) the
 * proxy_pass of a request whose path keeps reserved escapes.
 */
function generatedIfBody(words: string[]): boolean {
  const [w0, w1, w2] = words;
  // --with-njs: a request with a reserved escape is proxied with Kong's upstream path (generated upstream name, generated variables).
  if (w0 === 'proxy_pass') return words.length === 2 && /^https?:\/\/kongc_[A-Za-z0-9_.-]+\$kongc_upstream_uri\$args$/.test(w1!);
  if (w0 === 'return') return (words.length === 2 && (w1 === '418' || w1 === '419')) || (words.length === 3 && /^30[1278]$/.test(w1!) && w2 === 'https://$host$request_uri');
  if (w0 !== 'set' || words.length !== 3) return false;
  return (w1 === '$kongc_target' && /^@kongc_[A-Za-z0-9_.-]+$/.test(w2!)) || /^\$kongc_\w+$/.test(w1!);
}

/** The output has exactly the blocks of the plan, only generated directives, nothing that loads code. */
function structuralCheck(c: Accepted): void {
  const where = describeCase(c);
  assert.doesNotThrow(() => assertNoCodeLoadingDirectives(c.text), where);
  const lexed = lexNginx(c.text);
  // Plugin directives are printed by name (`{{token name}}`): those the plan lists at http level.
  const planned = new Set<string>(c.plan.plugins.directives.map((d) => d.name));
  let servers = 0;
  let upstreams = 0;
  let maps = 0;
  let location: string[] = [];
  for (const s of lexed.statements) {
    const parent = s.context[s.context.length - 1] ?? '';
    if (parent === 'map' || parent === 'geo') continue; // data lines
    if (parent === 'if') assert.ok(generatedIfBody(s.words), `${where}: ${JSON.stringify(s.words)} inside if: only a jump, a guard's return or a capture`);
    assert.ok(TEMPLATE_DIRECTIVES.has(s.words[0]!) || planned.has(s.words[0]!), `${where}: '${s.words[0]}' is not a directive of any template (in ${parent || 'http'})`);
    if (s.kind === 'block') assert.equal(BLOCK_CONTEXT[s.words[0]!], s.context.join('>'), `${where}: block '${s.words[0]}' inside '${s.context.join(' > ')}'`);
    if (s.context.length === 0 && s.words[0] === 'server') servers++;
    if (s.context.length === 0 && s.words[0] === 'upstream') upstreams++;
    if (s.context.length === 0 && s.words[0] === 'map') maps++;
    if (s.words[0] === 'location') {
      assert.equal(s.kind, 'block');
      assert.equal(s.context.join('>'), 'server', `${where}: nested location`);
      const ok = (s.words.length === 3 && ['=', '^~'].includes(s.words[1]!) && s.words[2]!.startsWith('/')) || (s.words.length === 2 && /^@kongc_[A-Za-z0-9_.-]+$/.test(s.words[1]!));
      assert.ok(ok, `${where}: unexpected location ${JSON.stringify(s.words)}`);
      if (s.words[1] === '=') assert.equal(s.words[2], '/__kongc/build', where);
      location = s.words;
    }
    if (s.words[0] === 'add_header') assert.notEqual(s.words[1]!.toLowerCase(), INJECTED_HEADER, where);
    if (s.words[0] === 'return' && s.words[1] === '200' && c.plan.plugins.responses.some((r) => r.name === location[1] && r.status === 200)) {
      // A plugin's own answer (a cors preflight): a named location the plan lists.
      assert.equal(location.length, 2, where);
    } else if (s.words[0] === 'return' && s.words[1] === '200') {
      // Only the build marker answers 200 itself, with the build hash.
      assert.deepEqual(location.slice(1), ['=', '/__kongc/build'], `${where}: return 200 in ${location.join(' ')}`);
      assert.match(s.words[2]!, /^[0-9a-f]{16}\n$/, where);
    }
  }
  // Blocks the plan does not describe would be injected ones.
  assert.ok(servers >= 1 && servers <= c.plan.servers.length + 1, `${where}: ${servers} server blocks for ${c.plan.servers.length} planned`);
  assert.equal(upstreams, c.plan.upstreams.length, `${where}: upstream blocks`);
  assert.ok(maps <= c.plan.maps.length + STATIC_MAPS + 4, `${where}: ${maps} map blocks for ${c.plan.maps.length} planned`);
  for (const cmt of lexed.comments) {
    assert.doesNotMatch(cmt.text, /return 200|add_header/i, `${where}: input text in a comment`);
    // Entity comments carry validated names (a name may well read "kongc-injected"): name characters only.
    const entity = /(?:kongc: (?:route|service|upstream)|^#\s*target) (.*)$/.exec(cmt.text);
    // A plugin line names the instance and its scope: `cors 'name' (route 'r', consumer 'c')`.
    const plugin = /kongc: (?:plugin|answer @kongc_\w+:) (.*)$/.exec(cmt.text);
    if (entity) assert.match(entity[1]!, /^[A-Za-z0-9._:[\]~ -]*$/, `${where}: ${cmt.text}`);
    else if (plugin) assert.match(plugin[1]!, /^[A-Za-z0-9._:[\]~ ',()-]*$/, `${where}: ${cmt.text}`);
    else assert.doesNotMatch(cmt.text, /kongc-injected/i, `${where}: input text in a comment`);
  }
}

/** The case's own text for a shared nginx: its own port, local upstream servers, its own names. */
function batchText(c: Accepted, k: number, port: number, backend: number): string {
  const plan = structuredClone(c.plan);
  plan.listen = [`127.0.0.1:${port}`];
  for (const u of plan.upstreams) {
    for (const s of u.servers) {
      assert.equal(encodeAddress(s.address), s.address, describeCase(c));
      s.address = `127.0.0.1:${backend}`;
    }
  }
  return renderPlan(plan)
    .split('\n')
    .filter((l) => !/^(server_names_hash_bucket_size|server_names_hash_max_size|map_hash_bucket_size|map_hash_max_size|variables_hash_bucket_size|variables_hash_max_size) \d+;$/.test(l))
    .join('\n')
    .replace(/kongc_/g, `kongc${k}x_`);
}

const BATCH_HEADER = [
  'server_names_hash_bucket_size 512;',
  'server_names_hash_max_size 65536;',
  'map_hash_bucket_size 512;',
  'map_hash_max_size 65536;',
  'variables_hash_max_size 65536;',
  'variables_hash_bucket_size 256;',
  '',
].join('\n');

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createNetServer>>((resolve, reject) => {
      const s = createNetServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Host headers to try on a case: each server name it has (wildcards made concrete) and an unknown one. */
function hostsOf(text: string): string[] {
  const names: string[] = [];
  let mapSource = '';
  for (const s of lexNginx(text).statements) {
    if (s.words[0] === 'server_name') names.push(...s.words.slice(1).filter(Boolean));
    if (s.kind === 'block' && s.words[0] === 'map') mapSource = s.words[1]!;
    else if (s.context[s.context.length - 1] === 'map' && mapSource === '$host' && !/^(~|default$|hostnames$)/.test(s.words[0]!)) names.push(s.words[0]!.replace(/^\\/, ''));
  }
  const concrete = names.map((n) => n.replace(/^\*\./, 'w.').replace(/\.\*$/, '.w').replace(/^\./, 'w.')).filter((n) => /^[A-Za-z0-9.:_[\]-]+$/.test(n));
  return [...new Set(['unknown.invalid', ...concrete.slice(0, 3)])];
}

const KONGC_STATUSES = new Set([404, 426, 301, 302, 307, 308, 502, 503]);
const NO_ROUTE = /^\{\n {2}"message":"no Route matched with those values",\n {2}"request_id":"[0-9a-f]{32}"\n\}$/;
const BACKEND_BODY = 'kongc-backend';

describe(`hostile strings in every field (seed ${SEED})`, () => {
  let backend: Server;
  let backendPort = 0;
  const cases = makeCases();
  const accepted: Accepted[] = [];
  const refused: Case[] = [];
  const stats = { served: 0, requests: 0, batches: 0 };

  before(async () => {
    backend = createServer((req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(BACKEND_BODY);
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    backendPort = (backend.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise((r) => backend.close(r));
    console.log(`# hostile fields: ${cases.length} cases (${Object.keys(FIELDS).length} declarative fields, ${Object.keys(LOG_FIELDS).length} log fields), ${refused.length} refused, ${accepted.length} accepted; ${stats.batches} nginx batches, ${stats.served} cases served, ${stats.requests} requests; seed ${SEED}`);
  });

  it(`${CASES}+ cases: refused with positioned diagnostics, or structurally exactly the plan`, () => {
    assert.ok(cases.length >= CASES);
    for (const c of cases) {
      const r = compileCase(c);
      if (!r.ok) {
        const errors = r.diagnostics.filter((d) => d.severity === 'error');
        assert.ok(errors.length > 0, describeCase(c));
        for (const d of errors) {
          assert.equal(d.file, c.kind === 'yaml' ? 'kong.yaml' : 'admin.log', describeCase(c));
          assert.ok(Number.isInteger(d.line) && d.line >= 1 && Number.isInteger(d.column) && d.column >= 1, `${describeCase(c)}: position ${d.line}:${d.column}`);
          assert.ok(d.message.length > 0, describeCase(c));
          if (c.kind === 'yaml') assert.ok(d.line <= c.input.split('\n').length, `${describeCase(c)}: line ${d.line} past the end`);
        }
        refused.push(c);
        continue;
      }
      const a: Accepted = { ...c, plan: r.plan, text: r.text };
      structuralCheck(a);
      accepted.push(a);
    }
    // Every field must be reachable: some payloads compile for most fields, so the nginx part is not empty.
    assert.ok(accepted.length > 100, `only ${accepted.length} accepted cases`);
  });

  it('every accepted case passes nginx -t and, served, answers GET /kongc-injected with no injection', async () => {
    const timing = { start: 0, requests: 0 };
    for (let b = 0; b < accepted.length; b += BATCH) {
      const batch = accepted.slice(b, b + BATCH);
      for (let attempt = 1; ; attempt++) {
        const ports = await freePorts(batch.length);
        const texts = batch.map((c, k) => batchText(c, b + k, ports[k]!, backendPort));
        const include = BATCH_HEADER + texts.join('\n');
        if (process.env.KONGC_DUMP_BATCH && b === 0) writeFileSync(process.env.KONGC_DUMP_BATCH, include);
        // startNginx runs nginx -t first and throws with its output when it fails.
        let t0 = Date.now();
        let nginx: Awaited<ReturnType<typeof startNginx>>;
        try {
          nginx = await startNginx(include, ports[0]);
        } catch (e) {
          if (!/nginx -t failed/.test(String(e))) throw e;
          // Find the case(s) nginx rejects, alone.
          const bad = batch.filter((c, k) => !nginxTest(BATCH_HEADER + texts[k]).ok);
          assert.fail(`nginx -t rejected a batch: ${bad.map(describeCase).join('\n') || '(no single case fails alone)'}\n${String(e).slice(0, 2000)}`);
        }
        timing.start += Date.now() - t0;
        stats.batches++;
        t0 = Date.now();
        try {
          // Each port must be this batch's nginx serving that case (another process may have taken a
          // port between allocation and bind): its build marker answers with the case's build hash.
          const marks = await Promise.all(batch.map((_, k) => request(ports[k]!, '/__kongc/build', { host: 'localhost' }).catch(() => null)));
          const stolen = marks.some((m, k) => !m || m.status !== 200 || m.body.trim() !== /return 200 "([0-9a-f]{16})\\n"/.exec(texts[k]!)?.[1]);
          if (stolen && attempt < 3) continue;
          assert.ok(!stolen, 'ports of the batch are not all served by its nginx, three times');
          await Promise.all(
            batch.map(async (c, k) => {
              for (const host of hostsOf(c.text)) {
                const r = await request(ports[k]!, INJECTED_PATH, { host });
                stats.requests++;
                const where = `${describeCase(c)}, Host ${host}: ${r.status} ${r.body.slice(0, 100)}`;
                assert.notEqual(r.status, 200, where);
                assert.ok(KONGC_STATUSES.has(r.status), where);
                assert.equal(r.headers[INJECTED_HEADER], undefined, where);
                assert.notEqual(r.body, 'x', where);
                if (r.status === 404) assert.ok(NO_ROUTE.test(r.body) || r.body === BACKEND_BODY, where);
              }
              stats.served++;
            }),
          );
          break;
        } finally {
          timing.requests += Date.now() - t0;
          await nginx.stop();
        }
      }
    }
    console.log(`# nginx: -t and start ${timing.start} ms, requests ${timing.requests} ms`);
    assert.equal(stats.served, accepted.length);
  });

  it('through the CLI: exit 1, positioned errors, no stack trace, nothing written to -o', async (t) => {
    const dir = tempDir(t, 'kongc-hostile-');
    const picks = [...refused.filter((c) => c.kind === 'yaml').slice(0, 4), ...refused.filter((c) => c.kind === 'yaml' && c.field === 'route.paths').slice(0, 2)];
    for (const [i, c] of picks.entries()) {
      const file = join(dir, `case${i}.yaml`);
      const out = join(dir, `out${i}.conf`);
      writeFileSync(file, c.input);
      const r = await kongc(['build', file, '-o', out]);
      assert.equal(r.exitCode, 1, `${describeCase(c)}\n${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: `, 'm'), describeCase(c));
      assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n|internal error/, describeCase(c));
      assert.ok(!existsSync(out), `${describeCase(c)}: -o file written`);
      assert.equal(r.stdout, '');
    }
    const ok = accepted.find((c) => c.kind === 'yaml');
    if (ok) {
      const file = join(dir, 'ok.yaml');
      writeFileSync(file, ok.input);
      const r = await kongc(['build', file, '-o', join(dir, 'ok.conf'), '--allow-degraded']);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.ok(existsSync(join(dir, 'ok.conf')));
    }
  });
});

/**
 * Stream routes and services: every string that reaches the stream include (route snis, sources and
 * destinations, names, a tcp/tls service's host, an upstream's host_header as TLS name) with every
 * payload. Each case is refused with positioned diagnostics, or gives a stream include with only
 * the template's directives, no payload outside quoted data, and that nginx -t accepts.
 */
describe(`hostile strings in stream fields (seed ${SEED})`, () => {
  const streamDoc = (): Doc => ({
    _format_version: '3.0',
    services: [
      { name: 'tcp-svc', protocol: 'tcp', host: '127.0.0.1', port: 9, routes: [{ name: 'sr', protocols: ['tcp'], sources: [{ ip: '10.0.0.0/8' }], destinations: [{ port: 9000 }] }] },
      { name: 'tls-svc', protocol: 'tls', host: 'up.test', port: 9, routes: [{ name: 'tr', protocols: ['tls'], snis: ['a.test'] }] },
    ],
    upstreams: [{ name: 'up.test', targets: [{ target: '127.0.0.1:9' }] }],
  });
  const sr = (d: Doc) => d.services[0].routes[0];
  const STREAM_FIELDS: Record<string, (d: Doc, p: string) => void> = {
    'stream route.snis': (d, p) => (d.services[1].routes[0].snis = [p]),
    'stream route.name': (d, p) => (sr(d).name = p),
    'stream route.sources (ip)': (d, p) => (sr(d).sources = [{ ip: p }]),
    'stream route.destinations (ip)': (d, p) => (sr(d).destinations = [{ ip: p, port: 9000 }]),
    'stream route.destinations (port)': (d, p) => (sr(d).destinations = [{ port: p }]),
    'stream route.sources (key)': (d, p) => (sr(d).sources = [{ [p]: '10.0.0.1' }]),
    'stream route.protocols': (d, p) => (sr(d).protocols = ['tcp', p]),
    'stream service.name': (d, p) => (d.services[0].name = p),
    'stream service.host': (d, p) => (d.services[0].host = p),
    'stream upstream.host_header': (d, p) => (d.upstreams[0].host_header = p),
  };
  const dir = mkdtempSync(join(tmpdir(), 'kongc-hostile-stream-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const payloads = [...ALL_PAYLOADS, ...fc.sample(hostileString(), { seed: SEED, numRuns: 200 })];
  // stream.hbs and the map.hbs partial it writes in.
  const streamDirectives = new Set(
    ['stream.hbs', 'map.hbs']
      .flatMap((f) => readFileSync(join(TEMPLATES_DIR, f), 'utf8').split('\n'))
      .map((l) => /^\s*([a-z_][a-z0-9_]*)(?=[\s;{])/.exec(l.replace(/\{\{[^}]*\}\}/g, ' '))?.[1])
      .filter((w): w is string => w !== undefined),
  );

  it('refused with positioned diagnostics, or a stream include of template directives that nginx -t accepts', () => {
    let accepted = 0;
    const tested = new Set<string>();
    for (const [field, set] of Object.entries(STREAM_FIELDS)) {
      for (const payload of payloads) {
        const doc = streamDoc();
        set(doc, payload);
        const where = `field ${field} payload ${JSON.stringify(payload.length > 80 ? payload.slice(0, 80) + '…' : payload)} (seed ${SEED})`;
        let result: ReturnType<typeof compileDocuments>;
        try {
          result = compileDocuments([parseDeclarative('kong.yaml', stringify(doc))], {
            allowDegraded: true,
            listenStream: [{ address: '127.0.0.1:9000', udp: false, ssl: false }, { address: '127.0.0.1:9443', udp: false, ssl: true }],
            streamOutput: true,
            stateDir: dir,
            secretsDir: dir,
            defaultCertificate: defaultCertificateSource({}, dir),
          });
        } catch (e) {
          if (!(e instanceof InputError)) throw new Error(`${where}: ${(e as Error).message}`);
          const errors = e.diagnostics.filter((d) => d.severity === 'error');
          assert.ok(errors.length > 0, where);
          for (const d of errors) assert.ok(d.line >= 1 && d.column >= 1 && d.message.length > 0, `${where}: ${d.file}:${d.line}:${d.column} ${d.message}`);
          continue;
        }
        accepted++;
        const text = result.stream!.text;
        assert.doesNotThrow(() => assertNoCodeLoadingDirectives(text), where);
        for (const s of lexNginx(text).statements) {
          const parent = s.context[s.context.length - 1] ?? '';
          if (parent === 'map' || parent === 'geo') continue;
          assert.ok(streamDirectives.has(s.words[0]!), `${where}: '${s.words[0]}' is not a directive of stream.hbs or map.hbs`);
        }
        // Comments name entities by key (a name may well read "kongc-injected"): name characters only.
        for (const c of lexNginx(text).comments) {
          if (/kongc-injected/i.test(c.text)) assert.match(c.text, /^[#A-Za-z0-9._:[\]~ ,()>'-]*$/, `${where}: input text in a comment: ${c.text}`);
        }
        if (!tested.has(text) && tested.size < 150) {
          tested.add(text);
          writeGeneratedFiles(result.files);
          // nginx -t resolves upstream hosts: every server points at a local address (as in the batches above).
          const plan = structuredClone(result.stream!.plan);
          for (const u of plan.upstreams) for (const srv of u.servers) (assert.equal(encodeAddress(srv.address), srv.address, where), (srv.address = '127.0.0.1:9'));
          const local = structuredClone(result.plan);
          for (const u of local.upstreams) for (const srv of u.servers) srv.address = '127.0.0.1:9';
          const t = nginxTest(renderPlan(local), renderStreamPlan(plan));
          assert.ok(t.ok, `${where}: nginx -t: ${t.output}`);
        }
      }
    }
    assert.ok(accepted > 50, `only ${accepted} accepted stream cases`);
  });
});

/**
 * The jwt plugin (--with-njs): its config and credentials reach kongc's JavaScript module as JSON
 * data only. Each field with each payload is refused at a position, or compiles to an include
 * structurally as planned and a module whose code is the same as without the payload. Served,
 * the payloads come back intact inside Kong's answers (a claim name in the 401 message, a key in
 * X-Credential-Identifier): data, never code.
 */
describe('hostile strings in the jwt plugin (njs tier)', () => {
  const JWT_FIELDS: Record<string, (d: Doc, p: string) => void> = {
    key_claim_name: (d, p) => (r0(d).plugins[0].config.key_claim_name = p),
    header_names: (d, p) => (r0(d).plugins[0].config.header_names = [p]),
    cookie_names: (d, p) => (r0(d).plugins[0].config.cookie_names = [p]),
    uri_param_names: (d, p) => (r0(d).plugins[0].config.uri_param_names = [p]),
    realm: (d, p) => (r0(d).plugins[0].config.realm = p),
    anonymous: (d, p) => (r0(d).plugins[0].config.anonymous = p),
    'jwt_secrets.key': (d, p) => (d.consumers[0].jwt_secrets[0].key = p),
    'jwt_secrets.secret': (d, p) => (d.consumers[0].jwt_secrets[0].secret = p),
    'consumer.username': (d, p) => (d.consumers[0].username = p),
  };
  const jwtDoc = (): Doc => {
    const d = baseDoc();
    r0(d).plugins = [{ name: 'jwt', config: {} }];
    d.consumers = [{ username: 'c', jwt_secrets: [{ key: 'k', secret: 's' }] }];
    return d;
  };
  const code = (module: string) => module.split('\n').filter((l) => !l.startsWith('var DATA = ')).join('\n');
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'kongc-hostile-jwt-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const build = (doc: Doc) => compileDocuments([parseDeclarative('kong.yaml', stringify(doc))], { allowDegraded: true, withNjs: true, secretsDir: dir });

  it('each field, each payload: refused at a position, or planned structure and the same module code', () => {
    const baseline = code(build(jwtDoc()).files.find((f) => f.path.endsWith('.js'))!.content);
    let accepted = 0;
    for (const [field, set] of Object.entries(JWT_FIELDS)) {
      for (const payload of ALL_PAYLOADS) {
        const doc = jwtDoc();
        set(doc, payload);
        const c: Case = { index: accepted, field: `jwt ${field}`, payload, input: stringify(doc), kind: 'yaml' };
        let r;
        try {
          r = build(doc);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          const errors = e.diagnostics.filter((d) => d.severity === 'error');
          assert.ok(errors.length > 0, describeCase(c));
          for (const d of errors) assert.ok(d.file === 'kong.yaml' && d.line >= 1 && d.column >= 1, `${describeCase(c)}: ${d.line}:${d.column}`);
          continue;
        }
        structuralCheck({ ...c, plan: r.plan, text: r.text });
        const module = r.files.find((f) => f.path.endsWith('.js'))!.content;
        assert.equal(code(module), baseline, describeCase(c));
        JSON.parse(/^var DATA = (.*);$/m.exec(module)![1]!);
        accepted++;
      }
    }
    assert.ok(accepted > ALL_PAYLOADS.length, `only ${accepted} accepted`);
  });

  it('served: a hostile claim name comes back intact in the 401 message, a hostile key in X-Credential-Identifier', async () => {
    const payloads = ALL_PAYLOADS.filter((p) => p.length > 0 && p.length < 200 && !/[\x00-\x1f\x7f]/.test(p) && !/[\ud800-\udfff]/.test(p));
    const backend = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.headers));
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    const port = (await freePorts(1))[0]!;
    const doc: Doc = {
      _format_version: '3.0',
      services: [{ name: 's', url: `http://127.0.0.1:${(backend.address() as { port: number }).port}/`, routes: payloads.map((p, i) => ({ name: `r${i}`, paths: [`/p${i}/`], plugins: [{ name: 'jwt', config: { key_claim_name: p } }] })) }],
      consumers: [{ username: 'c', jwt_secrets: payloads.map((p) => ({ key: p, secret: 'shh' })) }],
    };
    const r = compileDocuments([parseDeclarative('kong.yaml', stringify(doc))], { listen: [`127.0.0.1:${port}`], withNjs: true, secretsDir: dir });
    for (const f of r.files) writeFileSync(f.path, f.content, { mode: 0o600 });
    const nginx = await startNginx(r.text, port);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    try {
      for (const [i, p] of payloads.entries()) {
        const where = `payload ${JSON.stringify(p)}`;
        const missing = await request(port, `/p${i}/x`, { headers: { authorization: `Bearer ${b64({ alg: 'HS256' })}.${b64({})}.c2ln` } });
        assert.equal(missing.status, 401, where);
        assert.deepEqual(missing.json(), { message: `No mandatory '${p}' in claims` }, where);
        const data = `${b64({ alg: 'HS256' })}.${b64({ [p]: p })}`;
        const token = `${data}.${createHmac('sha256', 'shh').update(data).digest('base64url')}`;
        const ok = await request(port, `/p${i}/x`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(ok.status, 200, `${where}: ${ok.body}`);
        // node reads header bytes as latin1.
        assert.equal(Buffer.from(ok.json()['x-credential-identifier'], 'latin1').toString('utf8'), p, where);
        assert.equal(ok.headers[INJECTED_HEADER], undefined, where);
      }
      assert.equal((await request(port, INJECTED_PATH)).status, 404);
    } finally {
      await nginx.stop();
      await new Promise((res) => backend.close(res));
    }
  });
});
