// Kong's host typedefs (normalize_ip's split of host and port, IP-or-hostname, the route-host
// wildcard): one implementation for the Admin API schema that replay checks calls against and for
// the semantic checks of a declarative file. Each caller words a problem its own way (replay in
// Kong's words, the compiler with a position and a hint) and may add what kongc cannot compile.
import { isHostname, isIPv4, isIPv6 } from './target-address.js';

export interface HostPort {
  /** Without the brackets of `[v6]`. */
  host: string;
  port: string | null;
  bracketed: boolean;
}

/** normalize_ip's split: `[v6]` and `[v6]:port`, a bare IPv6 address (several colons), `name:port`. */
export function splitHostPort(value: string): HostPort {
  const b = /^\[([^\]]*)\](?::(.*))?$/.exec(value);
  if (b) return { host: b[1]!, port: b[2] ?? null, bracketed: true };
  const colon = value.indexOf(':');
  if (colon >= 0 && colon === value.lastIndexOf(':')) return { host: value.slice(0, colon), port: value.slice(colon + 1), bracketed: false };
  return { host: value, port: null, bracketed: false };
}

/** Why a host (without its port) is neither an IP address nor a hostname. */
export function addressProblem({ host, bracketed }: HostPort): string | null {
  if (bracketed) return isIPv6(host) ? null : 'invalid IPv6 address';
  if (isIPv4(host) || isIPv6(host)) return null;
  if (/^[\d.]+$/.test(host)) return 'invalid IPv4 address';
  return isHostname(host) ? null : 'not a valid hostname';
}

/** A port as a host carries it: digits, at most 65535 (`min`: kongc's own lower bound where 0 cannot serve). */
export function portProblem(port: string, min = 0): string | null {
  return /^\d{1,5}$/.test(port) && Number(port) >= min && Number(port) <= 65535 ? null : 'port out of range';
}

/** The route-host wildcard: at most one `*`, as the whole leftmost or rightmost label. */
export function wildcardProblem(host: string): 'several' | 'placement' | null {
  const stars = host.split('*').length - 1;
  if (stars > 1) return 'several';
  if (stars === 1 && !host.startsWith('*.') && !host.endsWith('.*')) return 'placement';
  return null;
}

/** A wildcard host with its `*` label replaced by a plain one, for the address check. */
export function withoutWildcard(host: string): string {
  return host.replace('*', 'x');
}
