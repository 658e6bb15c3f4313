// The README and BENCHMARKS stand alone: no references to files outside the repository, and every
// relative link points at a file that exists.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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

describe('every text file in the repository', () => {
  // The product's own words: code comments, templates, tests and docs speak about kongc, not about
  // notes that are not in the repository. (Tests that read the corpus of public configs beside a
  // clone name its folder in code; that is a path they read, not a citation.)
  it('cites no design note outside the repository', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: PACKAGE_ROOT, encoding: 'utf8' }).split('\0').filter((f) => /\.(ts|js|hbs|md|json|yaml|yml)$|^\.ci\//.test(f));
    assert.ok(files.length > 100, 'the repository is a git checkout');
    const citing = files.filter((f) => /(?:KONG|KONG-PLUGINS|NGINX|DESIGN|PLUGIN-CENSUS)\.md/.test(readFileSync(join(PACKAGE_ROOT, f), 'utf8')) && f !== 'test/unit/readme.test.ts');
    assert.deepEqual(citing, []);
  });
});

describe('README', () => {
  it('keeps performance figures in BENCHMARKS.md', () => {
    const text = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
    assert.match(text, /\[BENCHMARKS\.md\]\(BENCHMARKS\.md\)/);
    assert.doesNotMatch(text, /session \d/);
  });
});
