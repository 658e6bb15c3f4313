// ip-restriction: the client address against deny, then allow lists (Kong checks deny first, so an
// address in both is refused). nginx: two `geo` blocks on $remote_addr, each a flag, read in the
// route's rewrite-phase chain. kongc configures no realip, so $remote_addr is the connection's
// address: what Kong uses without trusted_ips.
import { onlyForChosenConsumers } from './consumer-gate.js';
import { isIPv4, isIPv6 } from 'node:net';
import type { MapValue } from '../ir.js';
import { shortHash } from '../names.js';
import { checkText } from './answers.js';
import type { PluginDefinition } from './definition.js';

interface Config {
  allow?: string[];
  deny?: string[];
  status?: number;
  message?: string;
}

/** Kong's ip_or_cidr check (kong/tools/ip.lua): an address, or an address and a prefix 0–32 / 0–128. */
export function validIpOrCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return isIPv4(value) || isIPv6(value);
  const ip = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  if (!/^(?:0|[1-9]\d{0,2})$/.test(prefix)) return false;
  if (isIPv4(ip)) return Number(prefix) <= 32;
  if (isIPv6(ip)) return Number(prefix) <= 128;
  return false;
}

/** The network of a CIDR (host bits cleared, as nginx would otherwise warn), in nginx's spelling. */
export function networkOf(value: string): string {
  const [ip, prefixText] = value.split('/') as [string, string | undefined];
  if (isIPv4(ip)) {
    const bits = prefixText === undefined ? 32 : Number(prefixText);
    const n = ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    const net = (n & mask) >>> 0;
    const text = [24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.');
    return bits === 32 ? text : `${text}/${bits}`;
  }
  const bits = prefixText === undefined ? 128 : Number(prefixText);
  const words = ipv6Words(ip);
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    words[i] = keep === 0 ? 0 : words[i]! & ((0xffff << (16 - keep)) & 0xffff);
  }
  const text = words.map((w) => w.toString(16)).join(':');
  return bits === 128 ? text : `${text}/${bits}`;
}

function ipv6Words(ip: string): number[] {
  let text = ip;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two words.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const o = v4[1]!.split('.').map(Number);
    text = text.slice(0, -v4[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === null ? [] : new Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((x) => parseInt(x, 16));
}

const IP_LIST = { type: 'array', items: { type: 'string', maxLength: 64 }, maxItems: 100000 };

export const ipRestriction: PluginDefinition<Config> = {
  name: 'ip-restriction',
  priority: 990,
  tier: 'stock',
  role: 'gate',
  phase: 'rewrite',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      allow: IP_LIST,
      deny: IP_LIST,
      status: { type: 'number' },
      message: { type: 'string' },
    },
  },
  check(config, ctx) {
    if (!config.allow?.length && !config.deny?.length) {
      ctx.error(ctx.at(), 'at least one of these fields must be non-empty: \'config.allow\', \'config.deny\'', 'list the addresses to allow or to deny');
    }
    for (const list of ['allow', 'deny'] as const) {
      (config[list] ?? []).forEach((v, i) => {
        if (!validIpOrCidr(v)) ctx.error(ctx.at(list, i), `${list}[${i}]: invalid ip or cidr range: '${v}'`, 'write an IPv4 or IPv6 address, or ADDRESS/PREFIX (prefix 0-32 for IPv4, 0-128 for IPv6)');
      });
    }
    if (config.status !== undefined) {
      // Kong answers with kong.response.error, which only takes 400–599 (any other fails with 500).
      const s = config.status;
      if (!Number.isInteger(s) || s < 400 || s > 599) ctx.error(ctx.at('status'), `status ${s}: Kong's error answer takes a status from 400 to 599 (Kong fails with 500 on any other)`, 'use 403 (the default) or another 4xx/5xx status');
      else if (s === 444 || (s >= 494 && s <= 499)) ctx.error(ctx.at('status'), `status ${s}: nginx gives this status a meaning of its own`, 'choose another status');
    }
    if (config.message !== undefined) checkText(ctx, ctx.at('message'), 'message', config.message);
  },
  lower(use, ctx) {
    const c = use.config;
    const message: MapValue = c.message !== undefined ? [{ text: c.message }] : [{ text: 'IP address not allowed: ' }, { variable: 'remote_addr' }];
    const target = ctx.kongError(c.status ?? 403, message);
    const steps = [];
    const lists = { deny: [...new Set((c.deny ?? []).map(networkOf))].sort(), allow: [...new Set((c.allow ?? []).map(networkOf))].sort() };
    if (lists.deny.length) {
      const variable = ctx.geo({
        variable: `kongc_ipr_deny_${shortHash(JSON.stringify(lists.deny), 10)}`,
        source: 'remote_addr',
        entries: lists.deny.map((cidr) => ({ cidr, value: '1' })),
        default: '',
        purpose: `ip-restriction deny list (${lists.deny.length} entries)`,
      });
      steps.push({ kind: 'if' as const, check: { variable, op: '=' as const, operand: '1' }, then: [{ kind: 'answer' as const, target }] });
    }
    if (lists.allow.length) {
      const variable = ctx.geo({
        variable: `kongc_ipr_allow_${shortHash(JSON.stringify(lists.allow), 10)}`,
        source: 'remote_addr',
        entries: lists.allow.map((cidr) => ({ cidr, value: '1' })),
        default: '',
        purpose: `ip-restriction allow list (${lists.allow.length} entries)`,
      });
      steps.push({ kind: 'if' as const, check: { variable, op: '!=' as const, operand: '1' }, then: [{ kind: 'answer' as const, target }] });
    }
    return { steps: onlyForChosenConsumers(use, ctx, steps) };
  },
};
