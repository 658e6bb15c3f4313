// Reporter text and suggestions, without a process: grouping rules and edit distance.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../src/diagnostics.js';
import { renderDiagnostics, useColor } from '../../src/report.js';
import { closest, editDistance } from '../../src/suggest.js';

const d = (line: number, severity: Diagnostic['severity'], code: string, hint?: string): Diagnostic => ({ file: 'k.yaml', line, column: 1, severity, code, path: '', message: `m${line}`, ...(hint ? { hint } : {}) });

describe('renderDiagnostics', () => {
  it('groups warnings by kind (code and hint), never errors', () => {
    const ds = [1, 2, 3, 4, 5].map((l) => d(l, 'warning', 'a')).concat([6, 7, 8, 9].map((l) => d(l, 'error', 'a')), [d(10, 'warning', 'a', 'other advice')]);
    assert.equal(
      renderDiagnostics(ds, {}),
      'k.yaml:1:1: warning: m1\nk.yaml:2:1: warning: m2\nk.yaml:3:1: warning: m3\n... and 2 more warnings like this (a; --reporter json lists them all)\n' +
        'k.yaml:6:1: error: m6\nk.yaml:7:1: error: m7\nk.yaml:8:1: error: m8\nk.yaml:9:1: error: m9\nk.yaml:10:1: warning: m10\n  hint: other advice\n',
    );
  });
  it('says "1 more warning" for one', () => {
    assert.match(renderDiagnostics([1, 2, 3, 4].map((l) => d(l, 'warning', 'a')), {}), /\.\.\. and 1 more warning like this/);
  });
  it('quiet keeps errors only', () => {
    assert.equal(renderDiagnostics([d(1, 'warning', 'a'), d(2, 'error', 'b')], { quiet: true }), 'k.yaml:2:1: error: m2\n');
  });
});

describe('useColor', () => {
  it('a terminal gets colours unless NO_COLOR (any non-empty value) or TERM=dumb', () => {
    assert.equal(useColor({}, true), true);
    assert.equal(useColor({ NO_COLOR: '1' }, true), false);
    assert.equal(useColor({ NO_COLOR: '' }, true), true);
    assert.equal(useColor({ TERM: 'dumb' }, true), false);
    assert.equal(useColor({}, false), false);
    assert.equal(useColor({ FORCE_COLOR: '1' }, false), true);
    assert.equal(useColor({ FORCE_COLOR: '0' }, false), false);
  });
});

describe('suggestions', () => {
  it('edit distance', () => {
    assert.equal(editDistance('path', 'paths'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('abc', 'abcdef', 1), 2, 'stops early past the limit');
  });
  it('closest: one clear winner within the limit', () => {
    assert.equal(closest('path', ['paths', 'hosts', 'methods']), 'paths');
    assert.equal(closest('zzzz', ['paths', 'hosts']), null);
    assert.equal(closest('ab', ['ac', 'ad']), null, 'a tie is no suggestion');
    assert.equal(closest('upstream.apj', ['upstream.api'], 1), 'upstream.api');
    assert.equal(closest('upstream.xyz', ['upstream.api'], 1), null);
  });
});
