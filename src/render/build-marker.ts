// Every rendered include starts with `# kongc build <hash> …` (templates/main.hbs, stream.hbs): the
// hash of its own text, which `kongc apply` and `diff` read back to name what is installed.

/** The build hash from line 1 of rendered text; null when the text is not a kongc build. */
export function buildHash(text: string): string | null {
  return /^# kongc build ([0-9a-f]{16}) /.exec(text)?.[1] ?? null;
}
