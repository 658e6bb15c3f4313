// "Did you mean …?": the closest known word by edit distance (Levenshtein), when it is close.

/** Edit distance between two strings, stopping early once it exceeds `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]!);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The one candidate nearest to `word` within `max` edits (by default a third of the word's
 * length, at least 1, at most 3); null when none is that close or two are equally close.
 */
export function closest(word: string, candidates: Iterable<string>, max = Math.min(3, Math.max(1, Math.floor(word.length / 3)))): string | null {
  let best: string | null = null;
  let bestDistance = max + 1;
  let tie = false;
  for (const c of candidates) {
    if (c === word) continue;
    const d = editDistance(word, c, max);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance && c !== best) tie = true;
  }
  return best && !tie ? best : null;
}
