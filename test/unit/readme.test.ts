// The README and BENCHMARKS stand alone: no references to files outside the repository, and every
// relative link points at a file that exists.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';

for (const doc of ['README.md', 'BENCHMARKS.md']) {
  describe(doc, () => {
    const text = readFileSync(join(PACKAGE_ROOT, doc), 'utf8');
    it('cites nothing outside the repository', () => {
      assert.doesNotMatch(text, /KONG\.md|KONG-PLUGINS\.md|NGINX\.md|DESIGN\.md|\.\.\/shared|§/);
    });
    it('has no dead relative links', () => {
      for (const [, target] of text.matchAll(/\]\((?!https?:|#)([^)#\s]+)/g)) assert.ok(existsSync(join(PACKAGE_ROOT, target!)), `${doc} links to missing ${target}`);
    });
  });
}

describe('README', () => {
  it('keeps performance figures in BENCHMARKS.md', () => {
    const text = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
    assert.match(text, /\[BENCHMARKS\.md\]\(BENCHMARKS\.md\)/);
    assert.doesNotMatch(text, /session \d/);
  });
});
