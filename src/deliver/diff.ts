// Line diff of two nginx texts, printed as `diff -u` prints it. The diff itself comes from
// jsdiff (npm `diff`); this module only fixes the output format and counts changed lines.
import { diffArrays, structuredPatch } from 'diff';

export interface DiffStats {
  added: number;
  removed: number;
}

// Apply's one-line summary must not wait on a huge rewrite (jsdiff is O(N·D)); `kongc diff`,
// where a reader wants the minimal diff, has no such limit.
const STATS_TIMEOUT_MS = 2000;

/** Counts lines by content: a lower bound of a diff's changes, for when the diff takes too long. */
function multisetStats(oldLines: string[], newLines: string[]): DiffStats {
  const count = new Map<string, number>();
  for (const l of oldLines) count.set(l, (count.get(l) ?? 0) + 1);
  let added = 0;
  for (const l of newLines) {
    const n = count.get(l) ?? 0;
    if (n > 0) count.set(l, n - 1);
    else added++;
  }
  let removed = 0;
  for (const n of count.values()) removed += n;
  return { added, removed };
}

/** Lines added and removed between two texts. */
export function lineStats(oldText: string, newText: string): DiffStats {
  // A config change usually touches a few blocks of a long file: the common head and tail are
  // counted off first, which spares jsdiff most of a 170,000-line config.
  const a = oldText.split('\n');
  const b = newText.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const parts = diffArrays(midA, midB, { timeout: STATS_TIMEOUT_MS });
  if (!parts) return multisetStats(midA, midB);
  let added = 0;
  let removed = 0;
  for (const part of parts) {
    if (part.added) added += part.count;
    else if (part.removed) removed += part.count;
  }
  return { added, removed };
}

/** Unified diff with `context` lines around each change; '' when the texts are equal. */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  if (oldText === newText) return '';
  const patch = structuredPatch(oldName, newName, oldText, newText, undefined, undefined, { context });
  // diff -u writes a one-line range as its start alone, and an empty one as `line before,0`
  // (jsdiff's hunks count an empty range from the line after, as its own formatPatch corrects).
  const range = (start: number, count: number) => (count === 0 ? `${start - 1},0` : count === 1 ? `${start}` : `${start},${count}`);
  const out = [`--- ${oldName}`, `+++ ${newName}`];
  for (const h of patch.hunks) {
    out.push(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`);
    for (const line of h.lines) out.push(line);
  }
  return out.join('\n') + '\n';
}
