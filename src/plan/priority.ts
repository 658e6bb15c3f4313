// Kong 3.x traditional_compatible route priority as Kong's code computes it (get_priority in
// kong/router/transform.lua), not the 64-bit layout it intends. Its lshift_uint64 rebinds its
// uint64 cdata to the plain Lua number it is given, so LuaJIT shifts the field count, the header
// count and regex_priority as 32-bit integers (shift count mod 32): the field count lands in bits
// 29-31, the header count in bits 20-27 and regex_priority from bit 19 up, OR'd into the same
// bits (1024 sets the bit of one field), while the plain-hosts bit (60) and the regex bit (51) are
// real 64-bit constants and so outrank the field count: a host-less regex route is tried before
// a methods + prefix route, a plain-host route before a wildcard route with more fields
// (test/unit/plan.test.ts holds values Kong's function gave when run in LuaJIT 2.1). A negative
// 32-bit part (4 or more fields, regex_priority >= 4096 or < 0) becomes a uint64 of at least
// 2^63, so such routes are tried first. kongc sign-extends it; LuaJIT 2.1.0-beta3 turns any
// negative number into exactly 2^63 and later builds changed that conversion, so the order among
// such routes can depend on Kong's build. The router tries routes in descending priority.
import type { Route } from '../model/types.js';

/** Kong's 64-bit route priority, as its high and low 32 bits (unsigned): compared, and shown in review output. */
export interface Priority {
  high: number;
  low: number;
}

/** LuaJIT's bit.lshift on a Lua number: to a 32-bit integer, shift count mod 32, signed result. */
function lshift32(value: number, count: number): number {
  return (value | 0) << (count & 31);
}

export function routePriority(route: Route, path: string | null): Priority {
  const headerCount = route.headers ? Object.keys(route.headers).length : 0;
  const present = (f: unknown[] | null | undefined) => (f && f.length > 0 ? 1 : 0);
  const fields =
    present(route.sources) + present(route.destinations) + present(route.methods) + present(route.hosts) + (headerCount > 0 ? 1 : 0) + present(route.snis) + present(route.paths);
  const regex = path !== null && path.startsWith('~');
  // Kong tests `type(hosts) == "table"`: an empty hosts list counts as plain hosts (no field).
  const plainHosts = route.hostsListed && (route.hosts ?? []).every((h) => !h.includes('*'));
  const regexPriority = regex ? route.regex_priority : 0;
  // Kong counts bytes (Lua's #path).
  const prefixLength = path !== null && !regex ? Buffer.byteLength(path, 'utf8') : 0;
  const low32 = lshift32(fields, 61) | lshift32(Math.min(255, headerCount), 52) | lshift32(regexPriority, 19) | (prefixLength & 0x7ffff);
  const high = ((low32 < 0 ? 0xffffffff : 0) | (plainHosts ? 1 << 28 : 0) | (regex ? 1 << 19 : 0)) >>> 0;
  return { high, low: low32 >>> 0 };
}

/** Negative when `a` is tried before `b` (Kong: descending priority). */
export function comparePriority(a: Priority, b: Priority): number {
  return b.high - a.high || b.low - a.low;
}

/** The 64-bit number Kong computes, for display (`--format json`). */
export function priorityNumber(p: Priority): string {
  return ((BigInt(p.high) << 32n) | BigInt(p.low)).toString();
}
