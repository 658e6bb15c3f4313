// The plan is a pure function of the state: planning the same state twice gives the same plan
// and the same diagnostics (no memo outlives a plan).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDeclarative } from '../../src/load/document.js';
import { buildState } from '../../src/model/build.js';
import { planConfig } from '../../src/plan/plan.js';
import { compileObject } from '../support/compile.js';
import { computeHashSizes } from '../../src/plan/hash-sizes.js';
import type { MapEntry, NginxPlan } from '../../src/plan/ir.js';

describe('planConfig', () => {
  it('is repeatable on one state', () => {
    const { state } = buildState([parseDeclarative('kong.yaml', readFileSync('fixtures/seed/kong.yaml', 'utf8'))]);
    const first = planConfig(state);
    const second = planConfig(state);
    assert.deepEqual(second.plan, first.plan);
    assert.deepEqual(second.diagnostics, first.diagnostics);
    assert.ok(first.diagnostics.some((d) => d.code === 'host-header'));
  });
});

describe('route locations served in place', () => {
  const plan = (routes: object[]) => compileObject({ _format_version: '3.0', services: [{ name: 's', host: 'backend.test', routes }] }).plan;

  it("serve a path only one route can match in that path's own location, with no named location", () => {
    const p = plan([{ name: 'a', paths: ['/a'] }, { name: 'b', paths: ['/b'], hosts: ['b.test'] }]);
    assert.deepEqual(p.site.routeLocations.map((l) => l.prefix), ['/a', '/b']);
    assert.deepEqual(p.site.locations.map((l) => l.path), ['/']);
  });

  it('keep the named location of a route a selection map can pick', () => {
    // /a/x: route x when the method is POST, else route a; route a is also /a's only route.
    const p = plan([{ name: 'a', paths: ['/a'] }, { name: 'x', paths: ['/a/x'], methods: ['POST'] }]);
    const byRoute = new Map(p.site.routeLocations.map((l) => [l.route, l.prefix]));
    assert.equal(byRoute.get('r0'), null, 'route a: reached from two locations');
    assert.equal(byRoute.get('r1'), null, 'route x: reached through a map');
    assert.deepEqual(p.site.locations.map((l) => l.path), ['/', '/a', '/a/x']);
  });
});

describe('upstream path maps', () => {
  const uriMaps = (service: object) =>
    compileObject({ _format_version: '3.0', services: [{ name: 's', host: 'backend.test', ...service }] }).plan.maps.filter((m) => m.variable.startsWith('kongc_uri_'));

  it('are shared by the routes of one service path that do not strip, whatever their paths', () => {
    const maps = uriMaps({ path: '/base', routes: [{ paths: ['/a', '/longer/path'], strip_path: false }, { paths: ['~/x/\\d+$'], strip_path: false }, { strip_path: true, hosts: ['h.test'] }] });
    assert.equal(maps.length, 1);
    assert.match(maps[0]!.purpose, /joined with the request path/);
  });

  it('differ where stripping makes the path length matter', () => {
    assert.equal(uriMaps({ path: '/base', routes: [{ paths: ['/a', '/longer/path'], strip_path: true }, { paths: ['/b'], strip_path: true }] }).length, 2);
  });
});

describe('nginx hash sizes', () => {
  const plan = (entries: MapEntry[]) => ({ maps: [{ variable: 'kongc_vhost', source: [], entries, default: [], purpose: '' }] }) as unknown as NginxPlan;
  const exact = (key: string): MapEntry => ({ match: 'exact', key, value: [] });

  it('are raised only past what nginx defaults to', () => {
    assert.deepEqual(computeHashSizes(plan([exact('a.example')])), { mapBucket: 0, mapMax: 0, variablesBucket: 0, variablesMax: 0 });
    assert.equal(computeHashSizes(plan([exact('x'.repeat(100))])).mapBucket, 128);
  });

  it('handle maps with more keys than a call takes arguments (200,000 hosts)', () => {
    const sizes = computeHashSizes(plan(Array.from({ length: 200_000 }, (_, i) => exact(`host-${i}.example`))));
    assert.equal(sizes.mapMax, 1_048_576);
  });
});
