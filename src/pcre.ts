// Text inside PCRE patterns kongc writes (route conditions, host wildcards, raw-path rules).

/** Escapes text so a PCRE pattern matches it literally. */
export function escapeRegex(s: string): string {
  return s.replace(/[.\\+*?^$()[\]{}|/-]/g, (c) => '\\' + c);
}
