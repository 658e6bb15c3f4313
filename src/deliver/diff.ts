// Line diff (Myers' O(ND) algorithm) and unified-diff output, as `diff -u` prints it.
// Written here rather than pulled from npm: ~100 lines, no dependency for a security-sensitive tool.

export type Op = { kind: 'equal' | 'delete' | 'insert'; line: string };

/** Splits into lines keeping the information whether the last one ended with a newline. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n\\ No newline at end of file';
  return lines;
}

// Beyond this many edits the O(D²) trace gets large; the middle is then reported as one
// delete + insert block: still a correct diff, just not a minimal one.
const MAX_EDITS = 4000;

export function diffLines(a: string[], b: string[]): Op[] {
  // Common prefix and suffix first: a config change usually touches a few blocks.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  // Appended one by one: push(...list) passes every line as an argument, and a config of 10,000
  // routes (170,000 lines) is past what a call can take ("Maximum call stack size exceeded").
  const ops: Op[] = [];
  for (let i = 0; i < start; i++) ops.push({ kind: 'equal', line: a[i]! });
  for (const op of myers(a.slice(start, endA), b.slice(start, endB))) ops.push(op);
  for (let i = endA; i < a.length; i++) ops.push({ kind: 'equal', line: a[i]! });
  return ops;
}

function myers(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= Math.min(max, MAX_EDITS); d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    if (found >= 0) break;
  }
  if (found < 0) {
    return [...a.map((line): Op => ({ kind: 'delete', line })), ...b.map((line): Op => ({ kind: 'insert', line }))];
  }
  // Walk the trace backwards; trace[d] holds v[-d-1 .. d+1] as it was before step d.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d];
    const at = (k: number) => prev[k + d + 1];
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      y--;
      ops.push({ kind: 'equal', line: a[--x] });
    }
    if (down) ops.push({ kind: 'insert', line: b[--y] });
    else ops.push({ kind: 'delete', line: a[--x] });
  }
  while (x > 0 && y > 0) {
    y--;
    ops.push({ kind: 'equal', line: a[--x] });
  }
  return ops.reverse();
}

export interface DiffStats {
  added: number;
  removed: number;
}

export function diffStats(ops: Op[]): DiffStats {
  let added = 0;
  let removed = 0;
  for (const op of ops) {
    if (op.kind === 'insert') added++;
    else if (op.kind === 'delete') removed++;
  }
  return { added, removed };
}

/** Unified diff with `context` lines around each change; '' when the texts are equal. */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  const ops = diffLines(splitLines(oldText), splitLines(newText));
  const changed = ops.map((op, i) => (op.kind === 'equal' ? -1 : i)).filter((i) => i >= 0);
  if (changed.length === 0) return '';
  const out = [`--- ${oldName}`, `+++ ${newName}`];
  // Line numbers at the start of the next hunk: counted on from the previous hunk, not from the top
  // (a 10,000-route config has 170,000 lines and can have thousands of hunks).
  let counted = 0;
  let oldLine = 1;
  let newLine = 1;
  // Group changes whose context windows touch into one hunk.
  let i = 0;
  while (i < changed.length) {
    let j = i;
    while (j + 1 < changed.length && changed[j + 1] - changed[j] <= 2 * context + 1) j++;
    const from = Math.max(0, changed[i] - context);
    const to = Math.min(ops.length, changed[j] + context + 1);
    for (; counted < from; counted++) {
      if (ops[counted].kind !== 'insert') oldLine++;
      if (ops[counted].kind !== 'delete') newLine++;
    }
    const body: string[] = [];
    let oldCount = 0;
    let newCount = 0;
    for (let p = from; p < to; p++) {
      const op = ops[p];
      if (op.kind === 'equal') {
        body.push(' ' + op.line);
        oldCount++;
        newCount++;
      } else if (op.kind === 'delete') {
        body.push('-' + op.line);
        oldCount++;
      } else {
        body.push('+' + op.line);
        newCount++;
      }
    }
    const range = (start: number, count: number) => (count === 0 ? `${start - 1},0` : count === 1 ? `${start}` : `${start},${count}`);
    out.push(`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@`);
    for (const line of body) out.push(line);
    i = j + 1;
  }
  return out.join('\n') + '\n';
}
