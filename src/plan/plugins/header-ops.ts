// Header edits shared by request-transformer and response-transformer: Kong's `name:value` entries,
// its five operations in Kong's order, evaluated at compile time for every combination of the
// original headers being present or absent, then written as nginx lines (a `map` where the outcome
// depends on which headers the request or response carried).
import type { KongState, Plugin, Route } from '../../model/types.js';
import type { MapBlock, MapValue } from '../ir.js';
import { shortHash } from '../names.js';
import type { CheckContext, LowerContext, PluginUse } from './definition.js';
import { selectForRoute } from './scope.js';

export type HeaderOpKind = 'remove' | 'rename' | 'replace' | 'add' | 'append';
export const HEADER_OP_ORDER: readonly HeaderOpKind[] = ['remove', 'rename', 'replace', 'add', 'append'];

/** Every entry but a removal's is `name:value` (request- and response-transformer). */
export function checkHeaderEntries(config: Record<HeaderOpKind, { headers: string[] }>, ctx: CheckContext): void {
  for (const op of HEADER_OP_ORDER) {
    if (op === 'remove') continue;
    config[op].headers.forEach((e, i) => {
      if (!/^[^:]+:[\s\S]*$/.test(e)) ctx.error(ctx.at(op, 'headers', i), `'${e}' is not of the form name:value`, 'write name:value');
    });
  }
}

/** One configured entry: `name:value` split as Kong splits it (`^([^:]+):*(.-)$`). */
export interface HeaderOp {
  kind: HeaderOpKind;
  /** The name as written (its case is kept on the lines kongc sends). */
  name: string;
  /** rename: the new name; others: the value ("" when the entry has none). */
  value: string;
  /** Where the entry is in the config (`['add', 'headers', 0]`). */
  at: (string | number)[];
}

/** Kong's split of an entry: the name is up to the first ':', further leading colons are dropped. */
export function splitEntry(entry: string): { name: string; value: string } | null {
  const m = /^([^:]+):*([\s\S]*)$/.exec(entry);
  return m ? { name: m[1]!, value: m[2]! } : null;
}

/** A header name nginx can write as one token (RFC 7230 token characters kongc emits). */
export const HEADER_NAME = /^[A-Za-z0-9!%&*+.^_`|~-]+$/;
/** Longer names are refused: they would become nginx variable names and map keys. */
const MAX_HEADER_NAME = 256;
/** Kong's validate_header_name: what request-transformer accepts as a header name. */
export const KONG_HEADER_NAME = /^[a-zA-Z0-9_-]+$/;
/** A header value kongc writes: no control characters (a newline would split the message; nginx's config holds no tab). */
export const HEADER_VALUE = /^[^\x00-\x1f\x7f]*$/;

/**
 * An instance's part of generated variable names, short enough that the longest name stays in one
 * 64-byte bucket of nginx's variables hash (a long instance_name is hashed).
 */
export function instanceToken(use: PluginUse<unknown>): string {
  return use.key.length > 12 ? shortHash(use.key, 10) : use.key;
}

/** The `$http_…` / `$upstream_http_…` suffix nginx derives from a header name. */
export function headerVariable(prefix: 'http_' | 'upstream_http_', name: string): string | null {
  const v = prefix + name.toLowerCase().replace(/-/g, '_');
  return /^[a-z0-9_]+$/.test(v) ? v : null;
}

/** A line of a header after the edits: an original header's value, or configured text. */
export type Line = { orig: string } | { text: string };

/**
 * How the edits decide: `request` (request-transformer) checks each operation against the headers
 * as edited so far; `response` (response-transformer) against the response as the upstream sent it.
 */
export type Semantics = 'request' | 'response';

/** The lines of each edited header (lowercase name → lines) when exactly `present` were sent. */
export function simulate(ops: HeaderOp[], present: ReadonlySet<string>, semantics: Semantics): Map<string, Line[]> {
  const state = new Map<string, Line[]>();
  for (const n of present) state.set(n, [{ orig: n }]);
  const has = (n: string) => (semantics === 'request' ? (state.get(n)?.length ?? 0) > 0 : present.has(n));
  for (const op of ops) {
    const n = op.name.toLowerCase();
    switch (op.kind) {
      case 'remove':
        state.set(n, []);
        break;
      case 'rename': {
        const to = op.value.toLowerCase();
        if (!has(n)) break;
        if (semantics === 'request') {
          if (n === to) break;
          state.set(to, state.get(n)!);
          state.set(n, []);
        } else {
          // Kong sets the new header to the old one's value, then clears the old one.
          state.set(to, [{ orig: n }]);
          state.set(n, []);
        }
        break;
      }
      case 'replace':
        if (has(n)) state.set(n, [{ text: op.value }]);
        break;
      case 'add':
        if (!has(n)) state.set(n, [{ text: op.value }]);
        break;
      case 'append':
        state.set(n, [...(state.get(n) ?? []), { text: op.value }]);
        break;
    }
  }
  return state;
}

/** One header as nginx sends it: its name, and one value per line (an empty value sends no line). */
export interface HeaderResult {
  /** Lowercase name. */
  key: string;
  /** The name as first written in the config. */
  name: string;
  /** null: the header passes as sent (nothing to write). */
  lines: MapValue[] | null;
  /** The lines with no original header present (Kong's own answers). */
  alone: string[];
}

/**
 * The edited headers as nginx values. Headers tied by renames are evaluated together, for every
 * combination of their presence; a line whose value depends on it is a map on the originals.
 */
export function lowerHeaderOps(
  ops: HeaderOp[],
  semantics: Semantics,
  variablePrefix: 'http_' | 'upstream_http_',
  mapPrefix: string,
  ctx: Pick<LowerContext, 'map'>,
): HeaderResult[] {
  const names = new Map<string, string>();
  for (const op of ops) {
    if (!names.has(op.name.toLowerCase())) names.set(op.name.toLowerCase(), op.name);
    if (op.kind === 'rename' && !names.has(op.value.toLowerCase())) names.set(op.value.toLowerCase(), op.value);
  }
  // Components: names joined by a rename decide together.
  const parent = new Map<string, string>();
  const find = (n: string): string => {
    let p = parent.get(n) ?? n;
    while (p !== (parent.get(p) ?? p)) p = parent.get(p)!;
    return p;
  };
  for (const op of ops) if (op.kind === 'rename') parent.set(find(op.value.toLowerCase()), find(op.name.toLowerCase()));
  const groups = new Map<string, string[]>();
  for (const n of names.keys()) {
    const root = find(n);
    if (!groups.has(root)) groups.set(root, []);
    groups.get(root)!.push(n);
  }
  const results: HeaderResult[] = [];
  for (const group of groups.values()) {
    group.sort();
    const mine = ops.filter((o) => group.includes(o.name.toLowerCase()));
    const patterns: { present: Set<string>; state: Map<string, Line[]> }[] = [];
    for (let bits = 0; bits < 1 << group.length; bits++) {
      const present = new Set(group.filter((_, i) => bits & (1 << i)));
      patterns.push({ present, state: simulate(mine, present, semantics) });
    }
    for (const key of group) {
      const outcomes = patterns.map((p) => ({ present: p.present, lines: p.state.get(key) ?? (p.present.has(key) ? [{ orig: key }] : []) }));
      const passes = outcomes.every((o) => (o.present.has(key) ? o.lines.length === 1 && 'orig' in o.lines[0]! && o.lines[0].orig === key : o.lines.length === 0));
      const alone = outcomes[0]!.lines.map((l) => ('text' in l ? l.text : ''));
      if (passes) {
        results.push({ key, name: names.get(key)!, lines: null, alone });
        continue;
      }
      const count = Math.max(1, ...outcomes.map((o) => o.lines.length));
      const lines: MapValue[] = [];
      for (let i = 0; i < count; i++) {
        const values = outcomes.map((o) => lineValue(o.lines[i], variablePrefix));
        const first = JSON.stringify(values[0]);
        if (values.every((v) => JSON.stringify(v) === first)) {
          lines.push(values[0]!);
          continue;
        }
        const variable = `${mapPrefix}_${shortHash(JSON.stringify([key, i]), 6)}`;
        lines.push([{ variable: ctx.map(presenceMap(variable, group, outcomes.map((o) => o.present), values, variablePrefix, key)) }]);
      }
      results.push({ key, name: names.get(key)!, lines, alone });
    }
  }
  return results.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function lineValue(line: Line | undefined, prefix: 'http_' | 'upstream_http_'): MapValue {
  if (!line) return [];
  if ('text' in line) return line.text === '' ? [] : [{ text: line.text }];
  return [{ variable: headerVariable(prefix, line.orig)! }];
}

/** A map choosing a line's value by which of the group's originals are non-empty. */
function presenceMap(variable: string, group: string[], present: Set<string>[], values: MapValue[], prefix: 'http_' | 'upstream_http_', key: string): MapBlock {
  const purpose = `header ${key}: its value depends on which headers were sent`;
  if (group.length === 1) {
    const absent = present.findIndex((p) => p.size === 0);
    return { variable, source: [{ variable: headerVariable(prefix, group[0]!)! }], entries: [{ match: 'exact', key: '', value: values[absent]! }], default: values[1 - absent]!, purpose };
  }
  const source: MapValue = [];
  group.forEach((n, i) => {
    if (i) source.push({ separator: true });
    source.push({ variable: headerVariable(prefix, n)! });
  });
  const entries = present.slice(0, -1).map((p, i) => ({
    match: 'regex' as const,
    caseless: false,
    pattern: '^' + group.map((n) => (p.has(n) ? '[^\\n]+' : '')).join('\\n') + '\\z',
    value: values[i]!,
  }));
  return { variable, source, entries, default: values[values.length - 1]!, purpose };
}

/**
 * Reads the entries of one config array as operations, refusing what nginx cannot write: a name
 * that is not a token, a value with a control character, a template (`$(…)`).
 */
export function readOps(
  use: PluginUse<unknown>,
  ctx: Pick<LowerContext, 'at' | 'error'>,
  kind: HeaderOpKind,
  entries: string[],
  path: (string | number)[],
  opts: { kongNames: boolean; what: string },
): HeaderOp[] {
  const out: HeaderOp[] = [];
  entries.forEach((entry, i) => {
    const ref = ctx.at(use, ...path, i);
    const split = splitEntry(entry);
    if (!split) {
      ctx.error(ref, `${use.label}: ${kind} entry '${entry}' has no name`, 'write name:value');
      return;
    }
    let { name, value } = split;
    if (kind === 'remove') value = '';
    if (name.length > MAX_HEADER_NAME || (kind === 'rename' && value.length > MAX_HEADER_NAME)) {
      ctx.error(ref, `${use.label}: a header name longer than ${MAX_HEADER_NAME} characters`, 'nginx reads header names of reasonable length only');
      return;
    }
    if (!HEADER_NAME.test(name) || (opts.kongNames && !KONG_HEADER_NAME.test(name))) {
      ctx.error(ref, `${use.label}: '${name}' is not a valid header`, 'header names are letters, digits, - and _');
      return;
    }
    if (kind === 'rename' && (!HEADER_NAME.test(value) || (opts.kongNames && !KONG_HEADER_NAME.test(value)))) {
      ctx.error(ref, `${use.label}: '${value}' is not a valid header`, 'rename entries are old:new, both header names');
      return;
    }
    if (kind !== 'remove' && kind !== 'rename') {
      if (!HEADER_VALUE.test(value)) {
        ctx.error(ref, `${use.label}: the value of ${opts.what} '${name}' has a control character`, 'a header value is one line of text');
        return;
      }
      if (/\$\(/.test(value)) {
        ctx.error(ref, `${use.label}: '${value}' is a template ($(…)), which Kong renders in Lua at request time; kongc does not compile templates`, 'write the value as plain text');
        return;
      }
      if (value === '') {
        ctx.error(ref, `${use.label}: ${kind} entry '${entry}' has no value`, 'write name:value');
        return;
      }
    }
    out.push({ kind, name, value, at: [...path, i] });
  });
  return out;
}

const candidatesOf = new WeakMap<KongState, Plugin[]>();

/**
 * Headers another plugin kongc compiles sets on the same route's requests or responses, by
 * lowercase name: Kong's later plugin would see and edit them, but nginx writes each plugin's
 * lines side by side.
 */
export function headersOfOtherPlugins(state: KongState, route: Route, side: 'request' | 'response'): Map<string, string> {
  const out = new Map<string, string>();
  let all = candidatesOf.get(state);
  if (!all) candidatesOf.set(state, (all = state.plugins.filter((p) => p.enabled && (p.name === 'correlation-id' || p.name === 'cors'))));
  const candidates = side === 'response' ? all : all.filter((p) => p.name === 'correlation-id');
  if (!candidates.length) return out;
  for (const [name, sel] of selectForRoute(candidates, route)) {
    for (const p of [sel.fallback, ...sel.byConsumer.keys()]) {
      if (!p) continue;
      if (name === 'correlation-id') {
        const header = typeof p.config?.header_name === 'string' ? p.config.header_name : 'Kong-Request-ID';
        if (side === 'request' || p.config?.echo_downstream === true) out.set(header.toLowerCase(), 'correlation-id');
      } else {
        for (const h of ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-expose-headers', 'vary']) out.set(h, 'cors');
      }
    }
  }
  return out;
}

const reported = new WeakMap<object, Set<string>>();

/** ctx.error once per instance, position and message (an instance is lowered once per route). */
export function errorOnce(use: PluginUse<unknown>, ctx: Pick<LowerContext, 'error'>): LowerContext['error'] {
  return (ref, message, hint) => {
    let seen = reported.get(use.plugin);
    if (!seen) reported.set(use.plugin, (seen = new Set()));
    const key = `${ref.pointer}\n${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    ctx.error(ref, message, hint);
  };
}

const loweredOf = new WeakMap<object, HeaderResult[]>();

/** An instance's header edits, lowered once (its maps are added the first time; they are the same for every route). */
export function lowered(plugin: Plugin, lower: () => HeaderResult[]): HeaderResult[] {
  let r = loweredOf.get(plugin);
  if (!r) loweredOf.set(plugin, (r = lower()));
  return r;
}
