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
import { comparePriority, priorityNumber, routePriority } from '../../src/plan/priority.js';
import type { Route } from '../../src/model/types.js';

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
    const byRoute = new Map(p.site.routeLocations.map((l) => [l.name, l.prefix]));
    assert.equal(byRoute.get('@kongc_route_a'), null, 'route a: reached from two locations');
    assert.equal(byRoute.get('@kongc_route_x'), null, 'route x: reached through a location that picks');
    assert.deepEqual(p.site.locations.map((l) => l.path), ['/', '/a', '/a/x']);
  });
});

describe('shadowed routes', () => {
  const warnings = (routes: object[]) =>
    compileObject({ _format_version: '3.0', services: [{ name: 's', host: 'backend.test', routes }] }).diagnostics.filter((d) => d.code === 'route-shadowed').map((d) => d.message);

  it('are reported, not silently left out', () => {
    // hosts: [] sets Kong's plain-host bit, so 'a' outranks 'b' (methods + path) and always matches first.
    assert.deepEqual(warnings([{ name: 'a', hosts: [], paths: ['/a'] }, { name: 'b', methods: ['GET'], paths: ['/a'] }]), [
      "route 'b' can never match: wherever it could, a route Kong tries first matches without further conditions (Kong would not use it either)",
    ]);
    assert.deepEqual(warnings([{ name: 'a', paths: ['/a'] }, { name: 'b', paths: ['/a', '/b'], methods: ['GET'], hosts: ['x.test'] }]), []);
    assert.match(warnings([{ name: 'a', paths: ['/'] }, { name: 'b', paths: ['/x', '/'] }])[0]!, /^path '\/' of route 'b' can never match/);
  });
});

describe('upstream paths, computed in place', () => {
  const rewrites = (service: object) =>
    compileObject({ _format_version: '3.0', services: [{ name: 's', host: 'backend.test', ...service }] }).plan.site.routeLocations.map((l) => (l.body.kind === 'proxy' ? JSON.stringify(l.body.proxy.rewrites) : 'respond'));

  it('are the same for routes of one service path that do not strip, whatever their paths', () => {
    const all = rewrites({ path: '/base', routes: [{ paths: ['/a', '/longer/path'], strip_path: false }, { paths: ['~/x/\\d+$'], strip_path: false }, { strip_path: true, hosts: ['h.test'] }] });
    assert.equal(all.length, 4);
    assert.equal(new Set(all).size, 1);
    assert.match(all[0]!, /"\$uri"|"variable":"uri"/);
  });

  it('differ where stripping makes the path length matter, and define no variable', () => {
    const all = rewrites({ path: '/base', routes: [{ paths: ['/a', '/longer/path'], strip_path: true }, { paths: ['/b'], strip_path: true }] });
    assert.equal(new Set(all).size, 2);
    assert.ok(all.every((r) => !/kongc_/.test(r)));
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

describe('Kong route priority', () => {
  const route = (fields: Partial<Route>): Route =>
    ({ sources: null, destinations: null, snis: null, methods: null, hosts: null, headers: null, paths: null, regex_priority: 0, ...fields, hostsListed: Array.isArray(fields.hosts) }) as Route;
  const priority = (fields: Partial<Route>) => routePriority(route(fields), fields.paths?.[0] ?? null);

  it("is the number Kong's get_priority gives, 32-bit shifts included", () => {
    // Each value is what Kong's transform.lua get_priority returned for the route when run in
    // LuaJIT 2.1 (its lshift_uint64 shifts plain Lua numbers as 32-bit integers).
    const kong: [Partial<Route>, string][] = [
      [{ methods: ['GET'], paths: ['/users'] }, '1073741830'],
      [{ paths: ['~/x'] }, '2251800350556160'],
      [{ paths: ['~/x'], regex_priority: 1024 }, '2251800350556160'],
      [{ hosts: ['a.b'], paths: ['/'] }, '1152921505680588801'],
      [{ hosts: ['a.b'] }, '1152921505143717888'],
      [{ methods: ['GET'], hosts: ['a.b'], paths: ['/'] }, '1152921506217459713'],
      [{ methods: ['GET'], hosts: ['*.x'], paths: ['/q'] }, '1610612738'],
      [{ headers: { a: ['1'], b: ['2'] }, paths: ['/h'] }, '1075838978'],
      // An empty hosts list is no field, but Kong's plain-host test (`type(hosts) == "table"`) holds.
      [{ hosts: [], paths: ['/a'] }, '1152921505143717890'],
    ];
    for (const [fields, number] of kong) assert.equal(priorityNumber(priority(fields)), number, JSON.stringify(fields));
  });

  it('puts the plain-host and regex bits above the field count, as Kong does', () => {
    const before = (a: Partial<Route>, b: Partial<Route>) => assert.ok(comparePriority(priority(a), priority(b)) < 0, `${JSON.stringify(a)} before ${JSON.stringify(b)}`);
    before({ paths: ['~/users/\\d+'] }, { methods: ['GET'], paths: ['/users'] });
    before({ hosts: ['api.x'] }, { hosts: ['*.x'], methods: ['GET'], paths: ['/special'] });
    before({ methods: ['GET'], paths: ['/a'] }, { paths: ['/abcdef'] });
    // Four fields make the 32-bit part negative: at least 2^63, before every route with fewer.
    const four = priority({ methods: ['GET'], hosts: ['*.x'], headers: { a: ['1'] }, paths: ['/'] });
    assert.ok(BigInt(priorityNumber(four)) >= 1n << 63n);
    before({ methods: ['GET'], hosts: ['*.x'], headers: { a: ['1'] }, paths: ['/'] }, { methods: ['GET'], hosts: ['a.b'], paths: ['~/x'] });
  });
});
