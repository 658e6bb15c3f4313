// A stream route's `sources` / `destinations` element: an IP or CIDR, a port, or
// both. Kong's schema: `{ ip = ip_or_cidr, port = port }`, at least one of the two.
import { isIPv4, isIPv6 } from '../kong/target-address.js';

export interface StreamEndpoint {
  /** The address as written (`10.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`), or null for any. */
  ip: string | null;
  port: number | null;
}

export interface IpNet {
  family: 4 | 6;
  /** The address bits as a bigint (32 or 128 bits), masked to the prefix. */
  bits: bigint;
  prefix: number;
}

/** The element as Kong accepts it, or why not. */
export function parseStreamEndpoint(raw: unknown): StreamEndpoint | { problem: string } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { problem: 'must be an object with ip and/or port' };
  const o = raw as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== 'ip' && k !== 'port');
  if (extra.length) return { problem: `unknown field '${extra[0]}' (only 'ip' and 'port')` };
  const ip = o.ip ?? null;
  const port = o.port ?? null;
  if (ip === null && port === null) return { problem: "at least one of these fields must be non-empty: 'ip', 'port'" };
  if (ip !== null && (typeof ip !== 'string' || !parseIpNet(ip))) return { problem: `invalid ip or cidr range: '${String(ip)}'` };
  if (port !== null && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)) return { problem: `port ${JSON.stringify(port)} is not an integer from 0 to 65535` };
  return { ip: ip as string | null, port: port as number | null };
}

/** An IP (a /32 or /128) or CIDR as bits and prefix; null when it is neither. */
export function parseIpNet(text: string): IpNet | null {
  const [addr, len, ...rest] = text.split('/');
  if (rest.length || addr === undefined) return null;
  const family = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : null;
  if (!family) return null;
  const width = family === 4 ? 32 : 128;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return null;
  const prefix = len === undefined ? width : Number(len);
  if (prefix > width) return null;
  const bits = family === 4 ? ipv4Bits(addr) : ipv6Bits(addr);
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(width - prefix);
  return { family, bits: bits & mask, prefix };
}

/** `a` contains `b` (same family, a shorter or equal prefix covering b's network). */
export function netContains(a: IpNet, b: IpNet): boolean {
  if (a.family !== b.family || a.prefix > b.prefix) return false;
  const width = a.family === 4 ? 32 : 128;
  const mask = a.prefix === 0 ? 0n : ((1n << BigInt(a.prefix)) - 1n) << BigInt(width - a.prefix);
  return (b.bits & mask) === a.bits;
}

/** The network in nginx's geo spelling (address masked to its prefix, prefix always written). */
export function netText(n: IpNet): string {
  if (n.family === 4) return `${[24n, 16n, 8n, 0n].map((s) => String((n.bits >> s) & 255n)).join('.')}/${n.prefix}`;
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n.bits >> BigInt(i * 16)) & 0xffffn).toString(16));
  return `${groups.join(':')}/${n.prefix}`;
}

function ipv4Bits(addr: string): bigint {
  return addr.split('.').reduce((acc, b) => (acc << 8n) | BigInt(Number(b)), 0n);
}

function ipv6Bits(addr: string): bigint {
  let text = addr.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = ipv4Bits(v4[1]!);
    text = text.slice(0, -v4[1]!.length) + ((b >> 16n) & 0xffffn).toString(16) + ':' + (b & 0xffffn).toString(16);
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array(tail === null ? 0 : 8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
