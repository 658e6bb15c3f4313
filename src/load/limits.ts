// Input limits: a config compiler must fail cleanly, never hang or exhaust memory, on hostile input.
// Every limit is reported as a positioned diagnostic (file:line:col) and exit code 1. SECURITY.md
// lists them with the reasoning; change both together.
export const LIMITS = {
  /** Bytes per input file (declarative file or admin-call log). The YAML parser needs ~100 bytes of memory and ~5 µs per input byte. */
  fileBytes: 8 * 1024 * 1024,
  /** Nesting of YAML/JSON collections (the yaml parser recurses; far beyond any Kong file). */
  depth: 64,
  /** Bytes of any one string in a declarative file (PEM certificates are the longest legitimate values). */
  stringBytes: 64 * 1024,
  /**
   * Bytes a value that reaches nginx may take once encoded as a quoted nginx token. nginx rejects a
   * token longer than 4096 bytes (NGX_CONF_BUFFER, "too long parameter"); the rest is room for
   * what kongc composes around a value (a service path joined with a capture, a regex wrapped in
   * anchors).
   */
  valueBytes: 3072,
  /** Items of one YAML/JSON list (entities per collection, paths per route, …). */
  entities: 100_000,
  /** Bytes of one line of an admin-call log (a curl call with a JSON body). */
  logLineBytes: 64 * 1024,
  /** Characters of one regex (route path `~…`, header `~*…`). */
  regexLength: 1024,
  /** YAML aliases (`*a`) per document: billion-laughs documents expand exponentially. */
  yamlAliases: 100,
  /** Values per document after alias expansion. */
  yamlNodes: 1_000_000,
} as const;
