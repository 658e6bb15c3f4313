// The Kong state kept beside the target and the entity diff computed from it (pure parts), and
// the last line of `kongc apply` when nginx could not be asked which build it serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summaryLine } from '../../src/commands/apply.js';
import { diffStates, formatChange } from '../../src/deliver/entity-diff.js';
import { parseState, serializeState, stateOf } from '../../src/deliver/kong-state.js';
import type { KongState } from '../../src/model/types.js';
import { compileYaml } from '../support/compile.js';

const base = `_format_version: "3.0"
upstreams:
  - name: up
    targets:
      - target: 10.0.0.1:80
      - target: 10.0.0.2:80
services:
  - name: orders
    host: up
    routes:
      - name: list
        paths: ["/orders"]
  - name: billing
    url: http://10.0.0.3:8080
    routes:
      - paths: ["/billing"]
`;

function state(yaml: string) {
  const r = compileYaml(yaml);
  return stateOf(r.state, null);
}

test('the kept state is canonical: the same configuration in another order gives the same bytes', () => {
  const reordered = `_format_version: "3.0"
services:
  - name: billing
    url: http://10.0.0.3:8080
    routes:
      - paths: ["/billing"]
  - routes:
      - paths: ["/orders"]
        name: list
    host: up
    name: orders
upstreams:
  - targets:
      - target: 10.0.0.2:80
      - target: 10.0.0.1:80
    name: up
`;
  const a = serializeState(state(base));
  assert.equal(serializeState(state(reordered)), a);
  assert.deepEqual(parseState(a), JSON.parse(a));
  assert.equal(parseState('{"format":"other"}'), null);
  assert.equal(parseState('not json'), null);
});

test('entities are matched by name; a nameless route by its content; a target by upstream and address', () => {
  const s = state(base);
  const keys = s.entities.map((e) => `${e.kind}:${e.key}`);
  assert.deepEqual(keys.filter((k) => !k.startsWith('route:#')), ['service:billing', 'service:orders', 'route:list', 'upstream:up', 'target:up/10.0.0.1:80', 'target:up/10.0.0.2:80']);
  assert.equal(keys.filter((k) => k.startsWith('route:#')).length, 1);
  // Renaming nothing, changing the nameless route: it shows as removed and added.
  const changed = diffStates(s, state(base.replace('"/billing"', '"/bills"'))).map(formatChange);
  assert.equal(changed.length, 2);
  assert.match(changed[0]!, /^\+ route \(unnamed #[0-9a-f]{8}\) \(service billing\)$/);
  assert.match(changed[1]!, /^- route \(unnamed #[0-9a-f]{8}\) \(service billing\)$/);
});

test('a route moved to another service, and nested fields, are shown as field changes', () => {
  const next = base.replace('    routes:\n      - name: list\n        paths: ["/orders"]\n', '').replace('      - paths: ["/billing"]\n', '      - paths: ["/billing"]\n      - name: list\n        paths: ["/orders"]\n');
  const lines = diffStates(state(base), state(next)).map(formatChange);
  assert.deepEqual(lines, ['~ route list (service billing): service orders → billing']);
  const hc = base.replace('  - name: up\n', '  - name: up\n    healthchecks:\n      active:\n        timeout: 5\n');
  assert.deepEqual(diffStates(state(base), state(hc)).map(formatChange), ['~ upstream up: healthchecks.active.timeout 1 → 5']);
});

test('secrets are masked in the kept state and in the diff, whatever entity carries them', () => {
  const s = compileYaml(base).state;
  // The model has no credential fields yet (consumers, plugins); masking goes by field name.
  const withSecret = (password: string): KongState => ({ ...s, services: s.services.map((x) => ({ ...x, password, client_secret: `${password}-2` })) });
  const a = stateOf(withSecret('hunter2'), null);
  const b = stateOf(withSecret('correct horse'), null);
  const text = serializeState(a) + serializeState(b);
  assert.doesNotMatch(text, /hunter2|correct horse/);
  const lines = diffStates(a, b).map(formatChange);
  assert.deepEqual(lines, ['~ service billing: client_secret changed (secret), password changed (secret)', '~ service orders: client_secret changed (secret), password changed (secret)']);
  assert.deepEqual(diffStates(a, stateOf(withSecret('hunter2'), null)), []);
});

test('the last line of apply says when the change was not verified', () => {
  const stats = { added: 3, removed: 1 };
  const verified = summaryLine({ kind: 'applied', target: '/t/kong.conf', hash: '0123456789abcdef', stats, unverified: null, started: false }, '1 service', '0.20s');
  assert.equal(verified, 'applied build 0123456789abcdef to /t/kong.conf: 1 service, +3 -1 lines, 0.20s');
  const unverified = summaryLine({ kind: 'applied', target: '/t/kong.conf', hash: '0123456789abcdef', stats, unverified: 'no listen address is reachable on loopback', started: false }, '1 service', '0.20s');
  assert.equal(unverified, 'applied but NOT verified (no listen address is reachable on loopback): build 0123456789abcdef to /t/kong.conf: 1 service, +3 -1 lines, 0.20s');
});
