// The user's seed document, verbatim: replay gives upstream.api with both targets, service.api and
// route.api; the alternative route call is a 409 as Kong would answer; the nginx build names log lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { compileDocuments } from '../../src/compile.js';
import { replayLogFile } from '../../src/load/admin-log/replay.js';

const SEED = join(PACKAGE_ROOT, 'fixtures', 'seed', 'kong-load-balancing.md');
const GOLDEN = join(PACKAGE_ROOT, 'fixtures', 'replay', 'kong-load-balancing.yaml');

test('seed: upstream.api with both targets, service.api on it, route.api with its hosts and paths', () => {
  const r = replayLogFile(SEED);
  assert.deepEqual(r.document.data, {
    _format_version: '3.0',
    services: [
      {
        name: 'service.api',
        host: 'upstream.api',
        routes: [{ name: 'route.api', hosts: ['api.service.com', 'service.com'], paths: ['/api/v1', '/api/v2', '/api/v3'] }],
      },
    ],
    upstreams: [{ name: 'upstream.api', targets: [{ target: '192.168.20.6:8888' }, { target: '192.168.20.6:9999' }] }],
  });
  assert.equal(r.yaml, readFileSync(GOLDEN, 'utf8'));
});

test("seed: Kong's answers to the calls it would reject, at the log's lines", () => {
  const r = replayLogFile(SEED);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.line, d.code, d.message]),
    [
      [42, 'admin-log', 'the recorded response gives id 3386af25-8643-4c9c-aff5-bd30451ae24b, which the target created at line 24 already has; this target keeps a generated id'],
      [63, 'admin-api', "POST /services/service.api → 405 Method not allowed; replayed as PUT /services/service.api (an upsert of 'service.api')"],
      [
        109,
        'admin-api',
        `POST /services/service.api/routes → 409 UNIQUE violation detected on '{name="route.api"}'; not in the output: this call's hosts localhost (the route 'route.api' from line 98 is kept without it)`,
      ],
    ],
  );
  // How to keep what the refused call would have added: a change that is itself accepted.
  assert.equal(r.diagnostics[2]!.hint, 'to keep it, add it to the call at line 98, or give this route another name to keep both');
});

test('seed: the route found its service through the id learned from the recorded response', () => {
  const r = replayLogFile(SEED, { keepIds: true });
  const svc = (r.document.data as any).services[0];
  assert.equal(svc.id, '5b93eda7-7ba5-4acc-a536-cf12f58a1144');
  assert.equal((r.document.data as any).upstreams[0].id, '04c9c36c-eea8-4d58-8668-3bfa117c34fd');
  assert.equal(svc.routes[0].name, 'route.api');
});

test('seed: compiles to nginx with both targets, and diagnostics of later stages point into the log', () => {
  const r = replayLogFile(SEED);
  const built = compileDocuments([r.document], { allowDegraded: true });
  assert.match(built.text, /server 192\.168\.20\.6:8888 weight=100/);
  assert.match(built.text, /server 192\.168\.20\.6:9999 weight=100/);
  for (const d of built.diagnostics) assert.equal(d.file, SEED);
  assert.equal(r.document.map.locate('/upstreams/0').line, 11);
  assert.equal(r.document.map.locate('/upstreams/0/targets/1/target').line, 38);
  assert.equal(r.document.map.locate('/services/0/routes/0/paths/2').line, 98);
});
