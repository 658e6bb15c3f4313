// The line diff is minimal and its unified output is what `patch` accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { diffLines, diffStats, unifiedDiff } from '../../src/deliver/diff.js';
import { tempDir } from '../support/temp.js';

function lcs(a: string[], b: string[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) dp[i][j] = a[i - 1] === b[j - 1] ? dp[i - 1][j - 1] + 1 : Math.max(dp[i - 1][j], dp[i][j - 1]);
  return dp[a.length][b.length];
}

const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd', '}', ''), { maxLength: 30 });

test('diffLines reproduces both sides and is minimal', () => {
  fc.assert(
    fc.property(lines, lines, (a, b) => {
      const ops = diffLines(a, b);
      assert.deepEqual(ops.filter((o) => o.kind !== 'insert').map((o) => o.line), a);
      assert.deepEqual(ops.filter((o) => o.kind !== 'delete').map((o) => o.line), b);
      const { added, removed } = diffStats(ops);
      assert.equal(added + removed, a.length + b.length - 2 * lcs(a, b));
    }),
    { numRuns: 500 },
  );
});

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

test('large files with a few changes: minimal, and no call-stack limit (a 10,000-route config is 170,000 lines)', () => {
  const a = Array.from({ length: 400_000 }, (_, i) => `l${i}`);
  const b = [...a];
  for (const k of [10, 200_000, 399_990]) b[k] = `changed ${k}`;
  const { added, removed } = diffStats(diffLines(a, b));
  assert.deepEqual([added, removed], [3, 3]);
  // One hunk per change: 3 lines of context on each side, numbered from 1.
  const hunks = unifiedDiff(a.join('\n') + '\n', b.join('\n') + '\n', 'old', 'new')
    .split('\n')
    .filter((l) => l.startsWith('@@'));
  assert.deepEqual(hunks, ['@@ -8,7 +8,7 @@', '@@ -199998,7 +199998,7 @@', '@@ -399988,7 +399988,7 @@']);
});
