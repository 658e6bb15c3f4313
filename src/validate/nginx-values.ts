// Hostile-input checks on the values that reach nginx text (SECURITY.md): each must fit in one
// nginx token once encoded, and every regex nginx runs on each request must not backtrack
// catastrophically. The grammar of each field is checked elsewhere (schema, semantic.ts,
// upstreams.ts); this adds what is about nginx itself, with a positioned error, so an encoder
// never has to refuse a value the validator let through.
import type { Diagnostic } from '../diagnostics.js';
import { LIMITS } from '../load/limits.js';
import { child, diag, type SourceRef } from '../load/source-map.js';
import { decodeAllPercent } from '../model/kong-path.js';
import type { KongState } from '../model/types.js';
import { analyzeRouteRegex } from '../model/route-regex.js';
import { quoteContent, spellDollar } from '../nginx-quoting.js';

const HINTS = {
  syntax: 'nginx compiles route regexes with PCRE, which refuses this; rewrite it in the syntax PCRE and Rust regex share',
  backtracking: 'nginx runs route and header regexes on every request: rewrite it so no part can match the same text in many ways',
};

export function checkNginxValues(state: KongState): Diagnostic[] {
  const out: Diagnostic[] = [];
  const err = (ref: SourceRef, code: string, message: string, hint?: string) => out.push(diag(ref, 'error', code, message, hint));
  const size = (ref: SourceRef, what: string, value: string, encodedBytes: (v: string) => number) => {
    if (surelyFits(value)) return;
    const bytes = encodedBytes(value);
    if (bytes > LIMITS.valueBytes) {
      err(ref, 'limit', `${what} is too long for nginx: ${bytes} bytes once quoted (at most ${LIMITS.valueBytes})`, "nginx reads at most 4096 bytes per token, and kongc combines some values with others");
    }
  };

  // nginx reads `unix:` at the start of an upstream server address as a Unix socket path, so a Kong
  // host named `unix` (valid for Kong: target unix:80, service host unix) cannot be written.
  const unixHost = (ref: SourceRef, what: string) =>
    err(ref, 'host', `${what} 'unix' cannot be compiled: nginx reads 'unix:' as a Unix socket path`, 'use another name for this host (an /etc/hosts alias, or its IP address)');
  for (const s of state.services) {
    if (typeof s.host === 'string' && s.host.toLowerCase() === 'unix') unixHost(child(s.src, 'host'), 'service host');
  }
  for (const u of state.upstreams) {
    for (const t of u.targets) if (typeof t.host === 'string' && t.host.toLowerCase() === 'unix') unixHost(child(t.src, 'target'), 'target host');
  }

  for (const s of state.services) {
    if (typeof s.path === 'string') size(child(s.src, 'path'), 'service path', decodeAllPercent(s.path) ?? s.path, textValue);
  }
  for (const r of state.routes) {
    // (Positions are looked up only for a value with a problem: 10,000 routes have few.)
    (r.paths ?? []).forEach((p, i) => {
      if (typeof p !== 'string') return;
      if (p.startsWith('~')) {
        const problem = regexProblem(p.slice(1));
        if (problem) err(child(r.src, 'paths', i), 'regex', `path regex: ${problem.message}`, HINTS[problem.kind]);
      } else if (!surelyFits(p)) {
        // The decoded path is a location; the path as written is X-Forwarded-Prefix.
        size(child(r.src, 'paths', i), 'path', p, pathBytes);
      }
    });
    for (const [name, values] of Object.entries(r.headers ?? {})) {
      if (!Array.isArray(values)) continue;
      values.forEach((v, i) => {
        if (typeof v !== 'string') return;
        if (v.startsWith('~*') && values.length === 1) {
          const problem = regexProblem(v.slice(2));
          if (problem) err(child(r.src, 'headers', name, i), 'regex', `header regex for '${name}': ${problem.message}`, HINTS[problem.kind]);
        } else if (!surelyFits(v)) size(child(r.src, 'headers', name, i), `header value for '${name}'`, v.toLowerCase(), literal);
      });
    }
  }
  for (const u of state.upstreams) {
    if (typeof u.host_header === 'string') size(child(u.src, 'host_header'), 'host_header', u.host_header, textValue);
    // The generated hash cookie carries the path: Set-Cookie "name=…; Path=<path>".
    if (typeof u.hash_on_cookie_path === 'string') size(child(u.src, 'hash_on_cookie_path'), 'hash_on_cookie_path', `${u.hash_on_cookie ?? ''}=; Path=${u.hash_on_cookie_path}`, textValue);
    if (typeof u.hash_on_cookie === 'string') size(child(u.src, 'hash_on_cookie'), 'hash_on_cookie', u.hash_on_cookie, textValue);
  }
  return out;
}

/** A character takes at most 15 bytes once encoded (`$` is written `${kongc_dollar}`). */
function surelyFits(value: string): boolean {
  return value.length * 15 + 2 <= LIMITS.valueBytes;
}

/** A prefix path's longest token: decoded as a location, as written for X-Forwarded-Prefix. */
function pathBytes(path: string): number {
  return Math.max(literal(decodeAllPercent(path) ?? path), textValue(path));
}

/** Bytes of the token the `literal` encoder writes (quoted, `\` and `"` escaped). */
function literal(value: string): number {
  return Buffer.byteLength(quoteContent(value)) + 2;
}

/** Bytes of the token the `text` encoder writes (also `$` as `${kongc_dollar}`). */
function textValue(value: string): number {
  return Buffer.byteLength(spellDollar(quoteContent(value))) + 2;
}

// ---------------------------------------------------------------------------------------------
// Catastrophic backtracking. analyzeRouteRegex (router fidelity) already rejects an unbounded
// quantifier applied to a group that repeats without bound, like (a+)+. This adds the other two
// classic exponential shapes, for regexes it accepts:
//   - a group with an unbounded inner repeat, repeated a bounded but large number of times: (a+){20}
//   - a repeated alternation whose branches can start with the same character, or be empty:
//     (a|ab)*, (\w|\d)+, (a|)+
// Polynomial cases (.*.*x) remain; PCRE's match limit bounds them per request (SECURITY.md).

/**
 * A set of characters: 128 ASCII bits (four 32-bit words; BigInt arithmetic allocates on every
 * operation) plus "some non-ASCII character".
 */
interface CharSet {
  words: readonly [number, number, number, number];
  other: boolean;
}
const NONE: CharSet = { words: [0, 0, 0, 0], other: false };
const ALL: CharSet = { words: [-1, -1, -1, -1], other: true };
const union = (a: CharSet, b: CharSet): CharSet => ({
  words: [a.words[0] | b.words[0], a.words[1] | b.words[1], a.words[2] | b.words[2], a.words[3] | b.words[3]],
  other: a.other || b.other,
});
const intersects = (a: CharSet, b: CharSet): boolean =>
  (a.words[0] & b.words[0]) !== 0 || (a.words[1] & b.words[1]) !== 0 || (a.words[2] & b.words[2]) !== 0 || (a.words[3] & b.words[3]) !== 0 || (a.other && b.other);
const complement = (a: CharSet): CharSet => ({ words: [~a.words[0], ~a.words[1], ~a.words[2], ~a.words[3]], other: true });

function range(from: number, to: number): CharSet {
  const words: [number, number, number, number] = [0, 0, 0, 0];
  for (let c = Math.max(0, from); c <= Math.min(127, to); c++) words[c >> 5] |= 1 << (c & 31);
  return { words, other: to > 127 };
}
/** Sets of one ASCII character (and its other case), made once. */
const CHARS: CharSet[][] = [[], []];

function char(c: string, caseless: boolean): CharSet {
  const code = c.codePointAt(0)!;
  if (code > 127) return { words: NONE.words, other: true };
  return (CHARS[caseless ? 1 : 0]![code] ??= asciiChar(c, code, caseless));
}

function asciiChar(c: string, code: number, caseless: boolean): CharSet {
  let s = range(code, code);
  if (caseless && /[A-Za-z]/.test(c)) {
    s = union(s, range(c.toLowerCase().charCodeAt(0), c.toLowerCase().charCodeAt(0)));
    s = union(s, range(c.toUpperCase().charCodeAt(0), c.toUpperCase().charCodeAt(0)));
  }
  return s;
}
const DIGIT = range(48, 57);
const WORD = union(union(union(DIGIT, range(65, 90)), range(97, 122)), range(95, 95));
const SPACE = union(range(9, 13), range(32, 32));

interface Node {
  /** Characters the node's first matched character can be (ALL when unsure). */
  first: CharSet;
  /** Can match the empty string. */
  empty: boolean;
  /** Contains an unbounded (or large) repeat. */
  repeats: boolean;
}

class Risk extends Error {}
/** Syntax PCRE (nginx) refuses although analyzeRouteRegex accepts it: nginx -t would fail. */
class Invalid extends Error {}

/**
 * Why nginx cannot run this regex safely: syntax PCRE refuses (nginx -t would fail), or a shape
 * that backtracks catastrophically. Null when fine, and for regexes analyzeRouteRegex rejects
 * (reported there).
 */
export function regexProblem(source: string): { kind: 'syntax' | 'backtracking'; message: string } | null {
  if ('error' in analyzeRouteRegex(source)) return null;
  const p = new Parser(source);
  try {
    p.alternation();
    if (p.rest()) throw new Invalid(`unbalanced parenthesis at '${p.rest().slice(0, 10)}'`);
    return null;
  } catch (e) {
    if (e instanceof Risk) return { kind: 'backtracking', message: e.message };
    if (e instanceof Invalid) return { kind: 'syntax', message: e.message };
    return null; // a syntax this checker does not model: analyzeRouteRegex accepted it
  }
}

const POSIX_CLASSES = new Set(['alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'word', 'xdigit']);
/** Letter escapes PCRE2 and Rust regex both know (the rest analyzeRouteRegex rejects, or PCRE refuses: `\y`). */
const LETTER_ESCAPES = new Set(['a', 'b', 'B', 'd', 'D', 'f', 'n', 'r', 's', 'S', 't', 'w', 'W', 'z', 'A', 'x', 'v']);

const LARGE = 10;

class Parser {
  private i = 0;
  private caseless = false;

  constructor(private readonly s: string) {
    this.caseless = /\(\?[a-zA-Z]*i/.test(s);
  }

  rest(): string {
    return this.s.slice(this.i);
  }

  /** alternation := sequence ('|' sequence)* ; returns the node and its branches. */
  alternation(): Node & { branches: Node[] } {
    const branches = [this.sequence()];
    while (this.s[this.i] === '|') {
      this.i++;
      branches.push(this.sequence());
    }
    return {
      first: branches.reduce((a, b) => union(a, b.first), NONE),
      empty: branches.some((b) => b.empty),
      repeats: branches.some((b) => b.repeats),
      branches,
    };
  }

  private sequence(): Node {
    let first = NONE;
    let empty = true;
    let repeats = false;
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      const n = this.quantified();
      if (empty) first = union(first, n.first);
      empty &&= n.empty;
      repeats ||= n.repeats;
    }
    return { first, empty, repeats };
  }

  private quantified(): Node {
    if (this.quantifierAhead()) throw new Invalid(`'${this.s[this.i]}' at offset ${this.i} has nothing to repeat`);
    const atom = this.atom();
    const q = this.quantifier();
    if (!q) return atom.node;
    if (!atom.repeatable) throw new Invalid(`a quantifier at offset ${this.i - 1} follows something that cannot be repeated`);
    if (this.quantifierAhead()) throw new Invalid(`two quantifiers in a row at offset ${this.i}`);
    const repeated = q.max === Infinity || q.max >= LARGE;
    if (atom.group && q.max > 1) {
      if (atom.node.repeats && repeated) throw new Risk(`a group that repeats inside is itself repeated ${q.max === Infinity ? 'without bound' : `up to ${q.max} times`}: the engine can split the same text in exponentially many ways`);
      if (repeated && atom.branches && atom.branches.length > 1) {
        const bs = atom.branches;
        if (bs.some((b) => b.empty)) throw new Risk('a repeated alternation has an empty branch');
        for (let a = 0; a < bs.length; a++) {
          for (let b = a + 1; b < bs.length; b++) {
            if (intersects(bs[a]!.first, bs[b]!.first)) throw new Risk('a repeated alternation has branches that can start with the same character, so the engine may try every way to combine them');
          }
        }
      }
    }
    return { first: atom.node.first, empty: atom.node.empty || q.min === 0, repeats: atom.node.repeats || repeated };
  }

  private quantifierAhead(): boolean {
    const c = this.s[this.i];
    return c === '*' || c === '+' || c === '?' || (c === '{' && /^\{\d+(,\d*)?\}/.test(this.s.slice(this.i)));
  }

  private quantifier(): { min: number; max: number } | null {
    const c = this.s[this.i];
    let q: { min: number; max: number } | null = null;
    if (c === '*') q = { min: 0, max: Infinity };
    else if (c === '+') q = { min: 1, max: Infinity };
    else if (c === '?') q = { min: 0, max: 1 };
    if (q) this.i++;
    else if (c === '{') {
      const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.s.slice(this.i));
      if (!m) return null;
      this.i += m[0].length;
      const min = Number(m[1]);
      q = { min, max: m[2] ? (m[3] ? Number(m[3]) : Infinity) : min };
      if (min > 65535 || (q.max !== Infinity && q.max > 65535)) throw new Invalid(`repeat count in ${m[0]} is larger than 65535`);
      if (q.max < q.min) throw new Invalid(`repeat counts in ${m[0]} are out of order`);
    }
    if (q && this.s[this.i] === '?') this.i++; // lazy: same backtracking
    return q;
  }

  private atom(): { node: Node; group: boolean; branches?: Node[]; repeatable: boolean } {
    const a = this.atomInner();
    if (a.repeatable === undefined) a.repeatable = true;
    return a as { node: Node; group: boolean; branches?: Node[]; repeatable: boolean };
  }

  private atomInner(): { node: Node; group: boolean; branches?: Node[]; repeatable?: boolean } {
    const c = this.s[this.i]!;
    if (c === '(') {
      const rest = this.s.slice(this.i + 1);
      const flags = /^\?[a-zA-Z-]*\)/.exec(rest);
      if (flags) {
        this.i += 1 + flags[0].length;
        return { node: { first: NONE, empty: true, repeats: false }, group: false, repeatable: false };
      }
      const prefix = /^\?(?:P?<[A-Za-z_][A-Za-z0-9_]*>|[a-zA-Z-]*:)/.exec(rest);
      this.i += 1 + (prefix ? prefix[0].length : 0);
      const inner = this.alternation();
      if (this.s[this.i] !== ')') throw new Error('unbalanced');
      this.i++;
      return { node: inner, group: true, branches: inner.branches };
    }
    if (c === '[') return { node: { first: this.charClass(), empty: false, repeats: false }, group: false };
    if (c === '.') {
      this.i++;
      return { node: { first: ALL, empty: false, repeats: false }, group: false };
    }
    if (c === '^' || c === '$') {
      this.i++;
      return { node: { first: NONE, empty: true, repeats: false }, group: false, repeatable: false };
    }
    if (c === '\\') {
      const e = this.escape(false);
      return { node: { first: e ?? NONE, empty: e === null, repeats: false }, group: false, repeatable: e !== null };
    }
    const cp = this.s.codePointAt(this.i)!;
    this.i += cp > 0xffff ? 2 : 1;
    return { node: { first: char(String.fromCodePoint(cp), this.caseless), empty: false, repeats: false }, group: false };
  }

  /** An escape at this.i; null for zero-width assertions (\b, \A, \z). */
  private escape(inClass: boolean): CharSet | null {
    const n = this.s[this.i + 1] ?? '';
    this.i += 2;
    switch (n) {
      case 'd':
        return DIGIT;
      case 'D':
        return complement(DIGIT);
      case 'w':
        return WORD;
      case 'W':
        return complement(WORD);
      case 's':
        return SPACE;
      case 'S':
        return complement(SPACE);
      case 'b':
      case 'B':
      case 'A':
      case 'z':
        return inClass ? ALL : null;
      case 'x': {
        const hex = /^[0-9A-Fa-f]{2}/.exec(this.s.slice(this.i));
        if (!hex) return ALL;
        this.i += 2;
        return char(String.fromCharCode(parseInt(hex[0], 16)), this.caseless);
      }
      case 'n':
        return char('\n', false);
      case 't':
        return char('\t', false);
      case 'r':
        return char('\r', false);
      case 'f':
        return char('\f', false);
      default:
        if (/[A-Za-z]/.test(n) && !LETTER_ESCAPES.has(n)) throw new Invalid(`unknown escape \\${n}`);
        return /[A-Za-z0-9]/.test(n) ? ALL : char(n, this.caseless);
    }
  }

  private charClass(): CharSet {
    this.i++;
    let negate = false;
    if (this.s[this.i] === '^') {
      negate = true;
      this.i++;
    }
    let set = NONE;
    let firstItem = true;
    while (this.i < this.s.length && (this.s[this.i] !== ']' || firstItem)) {
      firstItem = false;
      if (this.s.startsWith('[:', this.i)) {
        const end = this.s.indexOf(':]', this.i + 2);
        const name = end < 0 ? '' : this.s.slice(this.i + 2, end).replace(/^\^/, '');
        if (end >= 0 && !POSIX_CLASSES.has(name)) throw new Invalid(`unknown POSIX class [:${name}:]`);
        this.i = end < 0 ? this.s.length : end + 2;
        set = ALL;
        continue;
      }
      let lo: CharSet;
      let loCode: number | null = null;
      if (this.s[this.i] === '\\') {
        const e = this.escape(true);
        lo = e ?? ALL;
      } else {
        const cp = this.s.codePointAt(this.i)!;
        this.i += cp > 0xffff ? 2 : 1;
        loCode = cp;
        lo = char(String.fromCodePoint(cp), this.caseless);
      }
      if (loCode !== null && this.s[this.i] === '-' && this.s[this.i + 1] !== ']' && this.s[this.i + 1] !== undefined && this.s[this.i + 1] !== '\\') {
        const hi = this.s.codePointAt(this.i + 1)!;
        if (hi < loCode) throw new Invalid(`character range ${String.fromCodePoint(loCode)}-${String.fromCodePoint(hi)} is out of order`);
        this.i += hi > 0xffff ? 3 : 2;
        lo = range(loCode, hi);
        if (this.caseless) lo = union(lo, union(range(65, 90), range(97, 122)));
      }
      set = union(set, lo);
    }
    this.i++;
    return negate ? complement(set) : set;
  }
}
