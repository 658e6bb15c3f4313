// Load stage: positions, decK env substitution, YAML hazards.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/diagnostics.js';
import { parseDeclarative } from '../../src/load/document.js';

function failure(text: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseDeclarative('kong.yaml', text, env);
  } catch (e) {
    assert.ok(e instanceof InputError);
    return e.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n');
  }
  assert.fail('expected an InputError');
}

describe('positions', () => {
  it('keeps line and column of every value and key', () => {
    const doc = parseDeclarative('kong.yaml', '_format_version: "3.0"\nservices:\n  - name: a\n    host: example.com\n    routes:\n      - paths: [/x, /y]\n');
    assert.deepEqual(doc.map.locate('/services/0/host'), { file: 'kong.yaml', line: 4, column: 11 });
    assert.deepEqual(doc.map.locateKey('/services/0/host'), { file: 'kong.yaml', line: 4, column: 5 });
    assert.deepEqual(doc.map.locate('/services/0/routes/0/paths/1'), { file: 'kong.yaml', line: 6, column: 21 });
    // an unknown pointer falls back to its nearest ancestor
    assert.deepEqual(doc.map.locate('/services/0/nope/deeper'), { file: 'kong.yaml', line: 3, column: 5 });
  });

  it('reads JSON too', () => {
    const doc = parseDeclarative('kong.json', '{"_format_version": "3.0",\n "services": [{"name": "a", "host": "x.test"}]}');
    assert.deepEqual(doc.data, { _format_version: '3.0', services: [{ name: 'a', host: 'x.test' }] });
    assert.equal(doc.map.locate('/services/0/host').line, 2);
  });
});

describe('decK env substitution', () => {
  it('substitutes DECK_ variables', () => {
    const doc = parseDeclarative('kong.yaml', 'x: ${{ env "DECK_HOST" }}\n', { DECK_HOST: 'api.test' });
    assert.deepEqual(doc.data, { x: 'api.test' });
  });
  it('rejects unset and non-DECK_ variables with a position', () => {
    assert.match(failure('a: 1\nx: ${{ env "DECK_MISSING" }}\n'), /^2:4 environment variable DECK_MISSING is not set/);
    assert.match(failure('x: ${{ env "HOME" }}\n'), /must start with DECK_/);
  });
});

describe('YAML hazards', () => {
  it('rejects duplicate keys', () => assert.match(failure('a: 1\na: 2\n'), /^2:1 invalid YAML/));
  it('rejects __proto__ keys', () => assert.match(failure('services:\n  - __proto__: {}\n'), /key "__proto__" is not allowed/));
  it('rejects merge keys', () => assert.match(failure('a: &x {b: 1}\nc:\n  <<: *x\n'), /merge keys/));
  it('limits alias expansion (billion laughs)', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    assert.match(failure(lines.join('\n') + '\n'), /more than 100 YAML aliases|expands to more than/);
  });
});
