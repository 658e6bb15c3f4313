// Where a quoted YAML scalar that starts on a line ends on that line: for the nesting check that
// looks at YAML text before the full parser runs.

/** Index of the quote closing the one at `i` on this line, or -1 when it does not close here. */
export function closingQuote(line: string, i: number): number {
  const q = line[i]!;
  for (let j = i + 1; j < line.length; j++) {
    if (q === '"' && line[j] === '\\') j++;
    else if (line[j] === q) {
      if (q === "'" && line[j + 1] === "'") j++;
      else return j;
    }
  }
  return -1;
}
