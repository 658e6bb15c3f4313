// Kong route host patterns: exact, `*.suffix`, `prefix.*`, each with an optional `:port`.
import { escapeRegex } from '../pcre.js';

export interface HostPattern {
  kind: 'exact' | 'leading' | 'trailing';
  /** Lower-cased host without port; for wildcards, the fixed part (`example.com` for `*.example.com`). */
  host: string;
  port: number | null;
  /** The nginx server_name this pattern is served under. */
  serverName: string;
}

/** Parses a validated route host value. */
export function parseHostPattern(value: string): HostPattern {
  let host = value.toLowerCase();
  let port: number | null = null;
  const m = /^(.*[^:\]]|\[[^\]]*\]):(\d+)$/.exec(host);
  if (m && !/^[0-9a-f:]+$/.test(host)) {
    host = m[1]!;
    port = Number(m[2]);
  }
  if (host.startsWith('*.')) return { kind: 'leading', host: host.slice(2), port, serverName: host };
  if (host.endsWith('.*')) return { kind: 'trailing', host: host.slice(0, -2), port, serverName: host };
  return { kind: 'exact', host, port, serverName: host };
}

/** Does the pattern match this (lower-case, port-less) host name? */
export function patternMatchesName(p: HostPattern, name: string): boolean {
  switch (p.kind) {
    case 'exact':
      return p.host === name;
    case 'leading':
      return name.length > p.host.length + 1 && name.endsWith('.' + p.host);
    case 'trailing':
      return name.length > p.host.length + 1 && name.startsWith(p.host + '.');
  }
}

/** Every host matched by wildcard `a` is also matched by wildcard `b`. */
export function wildcardWithin(a: HostPattern, b: HostPattern): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'leading') return a.host === b.host || a.host.endsWith('.' + b.host);
  return a.host === b.host || a.host.startsWith(b.host + '.');
}

/** Some host could be matched by both wildcards. */
export function wildcardsOverlap(a: HostPattern, b: HostPattern): boolean {
  if (a.kind !== b.kind) return true;
  return wildcardWithin(a, b) || wildcardWithin(b, a);
}

/** Kong's regex for a wildcard host (without port), matched against nginx's $host. */
export function wildcardRegex(p: HostPattern): string {
  const esc = escapeRegex(p.host);
  return p.kind === 'leading' ? `^.+\\.${esc}\\z` : `^${esc}\\..+\\z`;
}
