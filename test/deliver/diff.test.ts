// The unified output of the nginx text diff: diff -u's format, what `patch` accepts, usable on large configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { lineStats, unifiedDiff } from '../../src/deliver/diff.js';
import { tempDir } from '../support/temp.js';

test('equal texts give an empty diff', () => {
  assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y'), '');
});

test('unified diff has diff -u headers and hunk ranges', () => {
  const old = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
  const next = old.replace('line 10\n', 'line ten\n');
  assert.equal(
    unifiedDiff(old, next, 'a.conf', 'b.conf'),
    ['--- a.conf', '+++ b.conf', '@@ -7,7 +7,7 @@', ' line 7', ' line 8', ' line 9', '-line 10', '+line ten', ' line 11', ' line 12', ' line 13', ''].join('\n'),
  );
});

test('patch(1) turns the old text into the new one', (t) => {
  const dir = tempDir(t, 'kongc-diff-');
  const text = fc.array(fc.constantFrom('a', 'b', 'c', 'server {', '}', ''), { maxLength: 40 }).map((ls) => ls.join('\n'));
  fc.assert(
    fc.property(text, text, fc.boolean(), fc.boolean(), (a, b, nlA, nlB) => {
      const oldText = a + (nlA && a ? '\n' : '');
      const newText = b + (nlB && b ? '\n' : '');
      const diff = unifiedDiff(oldText, newText, 'old', 'new', 2);
      if (oldText === newText) return assert.equal(diff, '');
      writeFileSync(join(dir, 'old'), oldText);
      const r = spawnSync('patch', ['-s', '-o', join(dir, 'out'), join(dir, 'old')], { input: diff, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr + r.stdout + '\n' + diff);
      assert.equal(readFileSync(join(dir, 'out'), 'utf8'), newText);
    }),
    { numRuns: 150 },
  );
});

test('large files with a few changes: only the changed lines, one hunk each (a 10,000-route config is 170,000 lines)', () => {
  const a = Array.from({ length: 200_000 }, (_, i) => `l${i}`);
  const b = [...a];
  for (const k of [10, 100_000, 199_990]) b[k] = `changed ${k}`;
  const oldText = a.join('\n') + '\n';
  const newText = b.join('\n') + '\n';
  assert.deepEqual(lineStats(oldText, newText), { added: 3, removed: 3 });
  const hunks = unifiedDiff(oldText, newText, 'old', 'new')
    .split('\n')
    .filter((l) => l.startsWith('@@'));
  assert.deepEqual(hunks, ['@@ -8,7 +8,7 @@', '@@ -99998,7 +99998,7 @@', '@@ -199988,7 +199988,7 @@']);
});

test('a large rewrite is still minimal: every line of a shifted block is matched, not replaced', () => {
  // Moving a block of 2,500 lines to the end is 2,500 deletions and 2,500 insertions (5,000
  // edits); a diff that gives up after a few thousand edits reports far more.
  const a = Array.from({ length: 10_000 }, (_, i) => `l${i}`);
  const b = [...a.slice(2_500), ...a.slice(0, 2_500)];
  const diff = unifiedDiff(a.join('\n') + '\n', b.join('\n') + '\n', 'old', 'new').split('\n');
  assert.equal(diff.filter((l) => l.startsWith('-') && !l.startsWith('---')).length, 2_500);
  assert.equal(diff.filter((l) => l.startsWith('+') && !l.startsWith('+++')).length, 2_500);
});
