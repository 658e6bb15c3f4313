// Kong 3.x traditional_compatible route priority (KONG.md §4.4), as a comparable tuple.
import type { Route } from '../model/types.js';

export interface Priority {
  /** Number of matching fields present (sources, destinations, methods, hosts, headers, snis, paths). */
  fields: number;
  /** Hosts present and none has a wildcard. */
  plainHosts: boolean;
  headerCount: number;
  regex: boolean;
  regexPriority: number;
  prefixLength: number;
}

export function routePriority(route: Route, path: string | null): Priority {
  const headerCount = route.headers ? Object.keys(route.headers).length : 0;
  const present = (f: unknown[] | null | undefined) => (f && f.length > 0 ? 1 : 0);
  const fields =
    present(route.sources) + present(route.destinations) + present(route.methods) + present(route.hosts) + (headerCount > 0 ? 1 : 0) + present(route.snis) + present(route.paths);
  const regex = path !== null && path.startsWith('~');
  return {
    fields,
    plainHosts: Boolean(route.hosts && route.hosts.length && route.hosts.every((h) => !h.includes('*'))),
    headerCount: Math.min(255, headerCount),
    regex,
    regexPriority: regex ? route.regex_priority : 0,
    // Kong counts bytes (Lua's #path).
    prefixLength: path !== null && !regex ? Buffer.byteLength(path, 'utf8') : 0,
  };
}

/** Negative when `a` is tried before `b`. */
export function comparePriority(a: Priority, b: Priority): number {
  return (
    b.fields - a.fields ||
    Number(b.plainHosts) - Number(a.plainHosts) ||
    b.headerCount - a.headerCount ||
    Number(b.regex) - Number(a.regex) ||
    b.regexPriority - a.regexPriority ||
    b.prefixLength - a.prefixLength
  );
}

/** The 64-bit number Kong computes, for display (`--format json`). */
export function priorityNumber(p: Priority): string {
  const v =
    (BigInt(Math.min(p.fields, 7)) << 61n) |
    (BigInt(p.plainHosts ? 1 : 0) << 60n) |
    (BigInt(p.headerCount & 0xff) << 52n) |
    (BigInt(p.regex ? 1 : 0) << 51n) |
    ((BigInt.asUintN(32, BigInt(p.regexPriority)) & 0xffffffffn) << 19n) |
    BigInt(Math.min(p.prefixLength, 0x7ffff));
  return v.toString();
}

export function samePriority(a: Priority, b: Priority): boolean {
  return comparePriority(a, b) === 0;
}
