// Input limits: a config compiler must fail cleanly, never hang or exhaust memory, on hostile input.
export const LIMITS = {
  fileBytes: 16 * 1024 * 1024,
  depth: 64,
  /** nginx rejects a single token longer than 4096 bytes (NGX_CONF_BUFFER). */
  stringLength: 4096,
  entities: 100_000,
  logLineBytes: 64 * 1024,
  regexLength: 1024,
  yamlAliases: 100,
  yamlNodes: 1_000_000,
} as const;
