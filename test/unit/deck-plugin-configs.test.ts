// decK's `_plugin_configs`: a plugin naming one in `_config` takes each of its top-level fields
// that the plugin's own config does not set (the plugin's fields win), wherever the plugin is
// declared; a name that is not defined is an error at `_config`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileDocuments, modelDocuments } from '../../src/compile.js';
import { InputError, type Diagnostic } from '../../src/diagnostics.js';
import { parseDeclarative } from '../../src/load/document.js';

const docs = (...files: string[]) => files.map((text, i) => parseDeclarative(`kong${i}.yaml`, text));

function errorsOf(...files: string[]): Diagnostic[] {
  try {
    compileDocuments(docs(...files), { secretsDir: '/etc/nginx' });
  } catch (e) {
    if (e instanceof InputError) return e.diagnostics.filter((d) => d.severity === 'error');
    throw e;
  }
  assert.fail('expected an InputError');
}

const CONFIG = `_format_version: "3.0"
_plugin_configs:
  tight:
    minute: 5
    hour: 100
    limit_by: ip
services:
  - name: api
    url: http://127.0.0.1:9
    plugins:
      - { name: rate-limiting, _config: tight, config: { hour: 200 } }
    routes:
      - name: orders
        paths: [/orders]
        plugins:
          - { name: rate-limiting, _config: tight }
consumers:
  - username: alice
    plugins:
      - { name: rate-limiting, _config: tight, config: { minute: 50 } }
`;

describe('_plugin_configs', () => {
  it('fills in what each plugin does not set, wherever it is declared; what the plugin sets wins', () => {
    const { state } = modelDocuments(docs(CONFIG));
    const configs = state.plugins.map((p) => ({ on: p.route ? 'route' : p.consumer ? 'consumer' : 'service', ...(p.config as object) }));
    assert.deepEqual(configs.sort((a, b) => (a.on < b.on ? -1 : 1)), [
      { on: 'consumer', minute: 50, hour: 100, limit_by: 'ip' },
      { on: 'route', minute: 5, hour: 100, limit_by: 'ip' },
      { on: 'service', minute: 5, hour: 200, limit_by: 'ip' },
    ]);
  });

  it('compiles: the limits reach nginx', () => {
    const text = compileDocuments(docs(CONFIG), {}).text;
    assert.match(text, /zone=\S+-minute:\S+ rate=5r\/m;/);
    assert.match(text, /zone=\S+-minute:\S+ rate=50r\/m;/);
  });

  it('a name that is not defined is an error at _config, naming those that are', () => {
    const errors = errorsOf(CONFIG.replace('_config: tight, config: { hour: 200 }', '_config: tigth, config: { hour: 200 }'));
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.path, '/services/0/plugins/0/_config');
    assert.match(errors[0]!.message, /_plugin_config 'tigth' not found/);
    assert.match(errors[0]!.hint!, /tight/);
    assert.deepEqual([errors[0]!.file, errors[0]!.line], ['kong0.yaml', 11]);
  });

  it('a bad value from a named config is reported where the named config writes it', () => {
    const errors = errorsOf(CONFIG.replace('limit_by: ip', 'limit_by: nowhere'));
    assert.ok(errors.length >= 1, JSON.stringify(errors));
    assert.ok(errors.every((e) => e.line === 6), errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  });

  it('named configs from several files: the same name twice must say the same', () => {
    const other = `_format_version: "3.0"\n_plugin_configs:\n  tight: { minute: 7 }\n`;
    const errors = errorsOf(CONFIG, other);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /_plugin_configs 'tight' is also defined, differently, in kong0\.yaml/);
  });

  it('a named config that is not an object is refused by the schema', () => {
    const errors = errorsOf(CONFIG.replace('  tight:\n    minute: 5\n    hour: 100\n    limit_by: ip\n', '  tight: 5\n'));
    assert.ok(errors.some((e) => e.code === 'schema' && e.path === '/_plugin_configs/tight'), JSON.stringify(errors));
  });
});
