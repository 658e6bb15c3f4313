// Which plugin instance runs on a route: Kong's precedence (plugins_iterator lookup_cfg), the
// disabled and stream-only instances, and the instances kongc refuses or leaves out.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildState } from '../../src/model/build.js';
import { parseDeclarative } from '../../src/load/document.js';
import { selectForRoute } from '../../src/plan/plugins/scope.js';
import { InputError } from '../../src/diagnostics.js';
import { compileYaml } from '../support/compile.js';

function state(yaml: string) {
  const built = buildState([parseDeclarative('kong.yaml', yaml)]);
  assert.deepEqual(built.diagnostics.filter((d) => d.severity === 'error'), []);
  return built.state;
}

const ENTITIES = `_format_version: "3.0"
services:
  - name: s
    host: a.test
    routes:
      - { name: r, paths: [/r] }
      - { name: other, paths: [/o] }
  - name: t
    host: b.test
consumers:
  - username: alice
  - username: bob
`;

describe('plugin precedence (Kong lookup_cfg)', () => {
  it('ranks route+service+consumer over route+consumer over service+consumer over route+service over consumer over route over service over global', () => {
    const levels = [
      ['global', ''],
      ['service', 'service: s'],
      ['route', 'route: r'],
      ['consumer', 'consumer: alice'],
      ['route+service', 'route: r, service: s'],
      ['service+consumer', 'service: s, consumer: alice'],
      ['route+consumer', 'route: r, consumer: alice'],
      ['route+service+consumer', 'route: r, service: s, consumer: alice'],
    ];
    // Add the levels from least to most specific: each one must take over.
    for (let n = 1; n <= levels.length; n++) {
      const plugins = levels.slice(0, n).map(([tag, refs]) => `  - { name: cors, tags: [${tag}]${refs ? `, ${refs}` : ''} }`).join('\n');
      const st = state(`${ENTITIES}plugins:\n${plugins}\n`);
      const route = st.routes.find((r) => r.name === 'r')!;
      const sel = selectForRoute(st.plugins, route).get('cors')!;
      const consumerLevel = [...sel.byConsumer.keys()][0];
      const chosenForAlice = consumerLevel ?? sel.fallback;
      assert.equal(chosenForAlice?.tags?.[0], levels[n - 1]![0], `with ${n} levels`);
      // bob has no instance of his own: the most specific non-consumer level.
      const nonConsumer = levels.slice(0, n).filter(([tag]) => !tag!.includes('consumer')).pop()![0];
      assert.equal(sel.fallback?.tags?.[0], nonConsumer);
      assert.deepEqual(sel.byConsumer.get(consumerLevel!)?.map((c) => c.username) ?? [], consumerLevel ? ['alice'] : []);
    }
  });

  it('does not apply an instance bound to another route or service', () => {
    const st = state(`${ENTITIES}plugins:\n  - { name: cors, route: other }\n  - { name: cors, service: t }\n`);
    const route = st.routes.find((r) => r.name === 'r')!;
    assert.equal(selectForRoute(st.plugins, route).size, 0);
  });
});

describe('plugin instances kongc leaves out or refuses', () => {
  const base = `_format_version: "3.0"
services:
  - name: s
    url: http://127.0.0.1:9
    routes:
      - { name: r, paths: [/r] }
`;
  const fail = (yaml: string, options = {}) => {
    try {
      compileYaml(yaml, options);
    } catch (e) {
      if (e instanceof InputError) return e.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity}: ${d.message}`);
      throw e;
    }
    assert.fail('expected errors');
  };

  it('names an unknown plugin with its position, and says a gate cannot be left out', () => {
    const errors = fail(`${base}    plugins:\n      - name: oauth2\n`);
    assert.deepEqual(errors, ["8:15 error: plugin oauth2 (service 's') is not compiled by kongc"]);
  });

  it('says jwt needs the njs tier', () => {
    const errors = fail(`${base}plugins:\n  - name: jwt\n`);
    assert.match(errors[0]!, /^8:11 error: plugin jwt \(global\) needs JavaScript at request time \(njs\)/);
  });

  it('--skip-unsupported: a skipped gate fails closed (500, named in a comment); a transform is dropped with a warning', () => {
    const res = compileYaml(`${base}plugins:\n  - name: pre-function\n  - name: response-transformer-advanced\n`, { skipUnsupported: true });
    assert.match(res.text, /# kongc: plugin pre-function \(global\): not compiled \(--skip-unsupported\); it decides who gets in, so this route answers 500\n\s+set \$kongc_target @kongc_plugin_failed;\n\s+return 418;/);
    assert.doesNotMatch(res.text, /response-transformer-advanced \(global\):/);
    assert.deepEqual(res.diagnostics.map((d) => `${d.line} ${d.severity} ${d.code}`), ['8 warning unsupported', '9 warning unsupported']);
  });

  it('ignores disabled instances: a disabled route instance does not shadow an enabled service instance', () => {
    const st = state(`${ENTITIES}plugins:\n  - { name: cors, service: s, tags: [svc] }\n  - { name: cors, route: r, enabled: false }\n`);
    const res = compileYaml(`${ENTITIES.replace('host: a.test', 'url: http://127.0.0.1:9').replace('host: b.test', 'url: http://127.0.0.1:9')}plugins:\n  - { name: prometheus, route: r, enabled: false }\n`);
    assert.deepEqual(res.diagnostics, []);
    assert.equal(st.plugins.filter((p) => p.enabled).length, 1);
  });

  it('warns once per observer instance, naming what nginx offers instead', () => {
    const res = compileYaml(`${base}plugins:\n  - name: prometheus\n  - name: http-log\n    config: { http_endpoint: "http://127.0.0.1:1/x" }\n`);
    assert.deepEqual(res.diagnostics.map((d) => `${d.line} ${d.code}`), ['8 plugin-observe', '9 plugin-observe']);
    assert.match(res.diagnostics[0]!.message, /prometheus \(global\) changes no response and is left out; instead use nginx's stub_status/);
  });

  it('leaves out a stream-only instance with a warning', () => {
    const res = compileYaml(`${base}plugins:\n  - { name: oauth2, protocols: [tcp] }\n`);
    assert.deepEqual(res.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`), ["8:32 plugin oauth2 (global) runs on stream traffic only (protocols tcp); the HTTP include leaves it out, as Kong's HTTP subsystem does"]);
  });

  it('refuses a plugin bound to a consumer that does not exist, and one in Kong Enterprise form', () => {
    const errors = fail(`${base}plugins:\n  - { name: prometheus, consumer: nobody }\n  - { name: prometheus, ordering: {} }\n`);
    assert.deepEqual(errors, ["9:25 error: 'ordering' is not allowed in plugins[1]"]);
    assert.deepEqual(fail(`${base}plugins:\n  - { name: prometheus, consumer: nobody }\n`), ["8:35 error: consumer 'nobody' does not exist"]);
  });
});
