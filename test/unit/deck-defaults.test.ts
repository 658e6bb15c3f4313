// decK's `_info.defaults`: filled into services, routes, upstreams and targets that leave a field
// unset, before the model is built; explicit fields win; what kongc does not act on is reported.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { modelDocuments } from '../../src/compile.js';
import { InputError, type Diagnostic } from '../../src/diagnostics.js';
import { parseDeclarative } from '../../src/load/document.js';

const model = (...files: string[]) => modelDocuments(files.map((text, i) => parseDeclarative(`kong${i}.yaml`, text)));

function errorsOf(...files: string[]): Diagnostic[] {
  try {
    model(...files);
  } catch (e) {
    if (e instanceof InputError) return e.diagnostics;
    throw e;
  }
  assert.fail('expected an InputError');
}

const ENTITIES = `
services:
  - name: plain
    host: a.internal
    routes:
      - name: nested
        paths: [/n]
      - name: explicit
        paths: [/e]
        strip_path: true
        preserve_host: false
  - name: with-url
    url: http://b.internal:8080
    connect_timeout: 5
routes:
  - name: top
    service: plain
    paths: [/t]
upstreams:
  - name: up
    slots: 100
    targets:
      - target: 127.0.0.1:1
      - target: 127.0.0.1:2
        weight: 50
targets:
  - target: 127.0.0.1:3
    upstream: up
`;

describe('_info.defaults', () => {
  const { state, diagnostics } = model(`_format_version: "3.0"
_info:
  defaults:
    service:
      connect_timeout: 1000
      port: 9000
      path: /base
      protocol: https
    route:
      strip_path: false
      preserve_host: true
      methods: [GET]
    upstream:
      slots: 64
      algorithm: least-connections
      healthchecks: {passive: {unhealthy: {tcp_failures: 3}}}
    target:
      weight: 7
${ENTITIES}`);
  const svc = (n: string) => state.services.find((s) => s.name === n)!;
  const route = (n: string) => state.routes.find((r) => r.name === n)!;

  it('applies to services, explicit fields and the url winning', () => {
    assert.equal(diagnostics.filter((d) => d.severity === 'error').length, 0);
    assert.deepEqual([svc('plain').connect_timeout, svc('plain').port, svc('plain').path, svc('plain').protocol], [1000, 9000, '/base', 'https']);
    // url sets protocol, host and port (not path: it has none); connect_timeout is explicit.
    assert.deepEqual([svc('with-url').connect_timeout, svc('with-url').port, svc('with-url').path, svc('with-url').protocol], [5, 8080, '/base', 'http']);
  });

  it('applies to nested and top-level routes; explicit true/false win', () => {
    for (const n of ['nested', 'top']) {
      assert.equal(route(n).strip_path, false, n);
      assert.equal(route(n).preserve_host, true, n);
      assert.deepEqual(route(n).methods, ['GET'], n);
    }
    assert.equal(route('explicit').strip_path, true);
    assert.equal(route('explicit').preserve_host, false);
  });

  it('applies to upstreams, merging records field by field', () => {
    const up = state.upstreams[0]!;
    assert.equal(up.slots, 100);
    assert.equal(up.algorithm, 'least-connections');
    assert.equal(up.healthchecks.passive.unhealthy.tcp_failures, 3);
    assert.deepEqual(up.healthchecks.passive.unhealthy.http_statuses, [429, 500, 503]);
  });

  it('applies to nested and top-level targets', () => {
    assert.deepEqual(state.upstreams[0]!.targets.map((t) => [t.target, t.weight]), [
      ['127.0.0.1:1', 7],
      ['127.0.0.1:2', 50],
      ['127.0.0.1:3', 7],
    ]);
  });

  it('treats null and an empty list as unset, as decK does', () => {
    const { state } = model(`_format_version: "3.0"
_info: {defaults: {route: {methods: [GET], hosts: [d.test]}}}
services: [{name: s, host: x.internal, routes: [{name: r, paths: [/a], methods: null, hosts: []}]}]
`);
    assert.deepEqual(state.routes[0]!.methods, ['GET']);
    assert.deepEqual(state.routes[0]!.hosts, ['d.test']);
  });

  it('reports a problem of a defaulted value where the default is written', () => {
    const errors = errorsOf(`_format_version: "3.0"
_info:
  defaults:
    route:
      paths: ["/x//y"]
services: [{name: s, host: x.internal, routes: [{name: r}]}]
`);
    assert.deepEqual(errors.map((d) => [d.line, d.column, d.message]), [[5, 15, "invalid path '/x//y': must not contain '//'"]]);
  });

  it('refuses what decK refuses, and unknown fields, at their position', () => {
    const errors = errorsOf(`_format_version: "3.0"
_info:
  defaults:
    service: {name: n, url: "http://x"}
    route: {id: 4b8f6c1e-7f7e-4a55-9d43-5f4c7cfd8a11, strip_pth: false}
    upstream: {name: u, slots: 1}
    target: {target: "x:1"}
    consumer: {}
`);
    const shown = errors.map((d) => `${d.line}:${d.column} ${d.message}`).sort();
    assert.deepEqual(shown, [
      "4:15 'name' is not allowed in _info.defaults.service",
      "4:24 'url' is not allowed in _info.defaults.service",
      "5:13 'id' is not allowed in _info.defaults.route",
      "5:55 unknown field 'strip_pth' in _info.defaults.route",
      "6:16 'name' is not allowed in _info.defaults.upstream",
      '6:32 _info.defaults.upstream.slots: must be >= 10, got 1',
      "7:14 'target' is not allowed in _info.defaults.target",
      "8:5 unknown field 'consumer' in _info.defaults",
    ]);
    assert.ok(errors.filter((d) => /not allowed|unknown field/.test(d.message)).every((d) => d.hint), 'every refusal says what to do');
  });

  it('merges several files as decK does: the first file to set a field wins', () => {
    const { state } = model(
      `_format_version: "3.0"\n_info: {defaults: {route: {strip_path: false}}}\nservices: [{name: s, host: x.internal}]\n`,
      `_format_version: "3.0"\n_info: {defaults: {route: {strip_path: true, preserve_host: true}}}\nroutes: [{name: r, service: s, paths: [/a]}]\n`,
    );
    assert.equal(state.routes[0]!.strip_path, false);
    assert.equal(state.routes[0]!.preserve_host, true);
  });

  it('leaves tags alone when select_tags applies (decK merges those first)', () => {
    const { state } = model(`_format_version: "3.0"
_info: {select_tags: [team-a], defaults: {service: {tags: [dflt]}}}
services: [{name: s, host: x.internal}]
`);
    assert.deepEqual(state.services[0]!.tags, ['team-a']);
  });

  it('warns about default_lookup_tags, which kongc does not act on', () => {
    const { diagnostics } = model(`_format_version: "3.0"
_info:
  default_lookup_tags: {services: [shared]}
services: [{name: s, host: x.internal, routes: [{name: r, paths: [/a]}]}]
`);
    const w = diagnostics.filter((d) => d.code === 'deck-info');
    assert.equal(w.length, 1);
    assert.equal(w[0]!.severity, 'warning');
    assert.equal(w[0]!.line, 3);
    assert.match(w[0]!.message, /default_lookup_tags is ignored/);
  });
});
