// Target address parsing as Kong's normalize_ip: ipv4[:port], [ipv6][:port], ipv6, name[:port].
export interface TargetAddress {
  host: string;
  port: number;
  /** 'ipv4' | 'ipv6' | 'name' */
  type: 'ipv4' | 'ipv6' | 'name';
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

export function isIPv6(s: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || !s.includes(':')) return false;
  const dbl = s.split('::');
  if (dbl.length > 2) return false;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const all = dbl.flatMap(groups);
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i]!;
    if (i === all.length - 1 && g.includes('.')) {
      if (!IPV4.test(g)) return false;
      count += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) count += 1;
    else return false;
  }
  return dbl.length === 2 ? count < 8 : count === 8;
}

export function isHostname(s: string): boolean {
  return HOSTNAME.test(s) && !s.split('.').some((l) => l.endsWith('-') || l.startsWith('-'));
}

export function parseTarget(text: string, defaultPort: number): TargetAddress | { error: string } {
  let host: string;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracket) {
    host = bracket[1]!;
    portText = bracket[2];
    if (!isIPv6(host)) return { error: 'invalid IPv6 address' };
  } else if ((text.match(/:/g) ?? []).length >= 2) {
    host = text;
    if (!isIPv6(host)) return { error: 'invalid IPv6 address' };
  } else {
    const i = text.indexOf(':');
    host = i < 0 ? text : text.slice(0, i);
    portText = i < 0 ? undefined : text.slice(i + 1);
  }
  let port = defaultPort;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return { error: `invalid port '${portText}' (1-65535)` };
    port = Number(portText);
  }
  if (bracket || host.includes(':')) return { host: host.toLowerCase(), port, type: 'ipv6' };
  if (isIPv4(host)) return { host, port, type: 'ipv4' };
  if (/^[\d.]+$/.test(host)) return { error: 'invalid IPv4 address' };
  if (!isHostname(host)) return { error: 'invalid hostname' };
  return { host: host.toLowerCase(), port, type: 'name' };
}
