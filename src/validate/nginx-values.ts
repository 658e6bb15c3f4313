// Hostile-input checks on the values that reach nginx text (SECURITY.md): each must fit in one
// nginx token once encoded, and every regex nginx runs on each request must not backtrack
// catastrophically. The grammar of each field is checked elsewhere (schema, semantic.ts,
// upstreams.ts); this adds what is about nginx itself, with a positioned error, so an encoder
// never has to refuse a value the validator let through.
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js';
import { LIMITS } from '../load/limits.js';
import { child, diag, type SourceRef } from '../load/source-map.js';
import { decodeAllPercent } from '../kong/kong-path.js';
import type { KongState } from '../model/types.js';
import { analyzeRouteRegex } from '../model/route-regex.js';
import { quoteContent, spellDollar } from '../nginx-quoting.js';
import { flagsOn, tokenize, type ClassItem, type EscapeToken, type Token } from '../pcre.js';

const HINTS = {
  syntax: 'nginx compiles route regexes with PCRE, which refuses this; rewrite it in the syntax PCRE and Rust regex share',
  backtracking: 'nginx runs route and header regexes on every request: rewrite it so no part can match the same text in many ways',
};

export function checkNginxValues(state: KongState): Diagnostic[] {
  const out: Diagnostic[] = [];
  const err = (ref: SourceRef, code: DiagnosticCode, message: string, hint?: string) => out.push(diag(ref, 'error', code, message, hint));
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
  const p = new Parser(source, tokenize(source));
  try {
    p.alternation();
    const rest = p.rest();
    if (rest) throw new Invalid(`unbalanced parenthesis at '${rest.slice(0, 10)}'`);
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

type Quantifier = Token & { kind: 'quantifier' };

/** Recursive descent over the tokens of a pattern analyzeRouteRegex accepted. */
class Parser {
  private k = 0;
  private readonly caseless: boolean;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {
    this.caseless = tokens.some((t) => (t.kind === 'flags' || t.kind === 'open') && t.flags !== undefined && flagsOn(t.flags).includes('i'));
  }

  /** The pattern from the first token not read yet. */
  rest(): string {
    const t = this.tokens[this.k];
    return t ? this.source.slice(t.at) : '';
  }

  private peek(): Token | undefined {
    return this.tokens[this.k];
  }

  /** alternation := sequence ('|' sequence)* ; returns the node and its branches. */
  alternation(): Node & { branches: Node[] } {
    const branches = [this.sequence()];
    while (this.peek()?.kind === 'alternation') {
      this.k++;
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
    for (let t = this.peek(); t && t.kind !== 'alternation' && t.kind !== 'close'; t = this.peek()) {
      const n = this.quantified();
      if (empty) first = union(first, n.first);
      empty &&= n.empty;
      repeats ||= n.repeats;
    }
    return { first, empty, repeats };
  }

  private quantified(): Node {
    const ahead = this.peek()!;
    if (ahead.kind === 'quantifier') throw new Invalid(`'${ahead.text[0]}' at offset ${ahead.at} has nothing to repeat`);
    const atom = this.atom();
    const q = this.quantifier();
    if (!q) return atom.node;
    if (!atom.repeatable) throw new Invalid(`a quantifier at offset ${q.at + q.text.length - 1} follows something that cannot be repeated`);
    const next = this.peek();
    if (next?.kind === 'quantifier') throw new Invalid(`two quantifiers in a row at offset ${next.at}`);
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

  private quantifier(): Quantifier | null {
    const q = this.peek();
    if (q?.kind !== 'quantifier') return null;
    this.k++;
    if (q.text.startsWith('{')) {
      const counts = q.text.replace(/[?+]$/, '');
      if (q.min > 65535 || (q.max !== Infinity && q.max > 65535)) throw new Invalid(`repeat count in ${counts} is larger than 65535`);
      if (q.max < q.min) throw new Invalid(`repeat counts in ${counts} are out of order`);
    }
    return q; // a lazy one backtracks the same way
  }

  private atom(): { node: Node; group: boolean; branches?: Node[]; repeatable: boolean } {
    const t = this.tokens[this.k++]!;
    const zeroWidth = { node: { first: NONE, empty: true, repeats: false }, group: false, repeatable: false };
    const one = (first: CharSet) => ({ node: { first, empty: false, repeats: false }, group: false, repeatable: true });
    switch (t.kind) {
      case 'flags':
      case 'anchor':
        return zeroWidth;
      case 'open': {
        if (t.group !== 'capture' && t.group !== 'named' && t.group !== 'noncapture') throw new Error('not modelled');
        const inner = this.alternation();
        if (this.peek()?.kind !== 'close') throw new Error('unbalanced');
        this.k++;
        return { node: inner, group: true, branches: inner.branches, repeatable: true };
      }
      case 'class':
        return one(this.charClass(t.items, t.negated));
      case 'dot':
        return one(ALL);
      case 'escape': {
        const e = this.escape(t, false);
        return e ? one(e) : zeroWidth;
      }
      case 'char':
        return one(char(t.text, this.caseless));
      default:
        throw new Error('not modelled');
    }
  }

  /** The characters an escape matches; null for zero-width assertions (\b, \A, \z). */
  private escape(e: EscapeToken, inClass: boolean): CharSet | null {
    const n = e.letter;
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
      case 'x':
        return e.code === undefined ? ALL : char(String.fromCharCode(e.code), this.caseless);
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

  private charClass(items: readonly ClassItem[], negate: boolean): CharSet {
    let set = NONE;
    for (let j = 0; j < items.length; j++) {
      const item = items[j]!;
      if (item.kind === 'posix') {
        if (!POSIX_CLASSES.has(item.name.replace(/^\^/, ''))) throw new Invalid(`unknown POSIX class [:${item.name}:]`);
        set = ALL;
        continue;
      }
      if (item.kind === 'escape') {
        set = union(set, this.escape(item, true) ?? ALL);
        continue;
      }
      const lo = item.text.codePointAt(0)!;
      const dash = items[j + 1];
      const hiItem = items[j + 2];
      // a-z; '-' before an escape or at the end is literal. (A POSIX class after '-' starts with '['.)
      if (dash?.kind === 'char' && dash.text === '-' && hiItem && hiItem.kind !== 'escape') {
        const hi = hiItem.text.codePointAt(0)!;
        if (hi < lo) throw new Invalid(`character range ${item.text}-${String.fromCodePoint(hi)} is out of order`);
        j += 2;
        let r = range(lo, hi);
        if (this.caseless) r = union(r, union(range(65, 90), range(97, 122)));
        set = union(set, r);
        continue;
      }
      set = union(set, char(item.text, this.caseless));
    }
    return negate ? complement(set) : set;
  }
}
