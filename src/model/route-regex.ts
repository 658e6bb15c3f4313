// Route regexes: Kong 3.x validates them with Rust's `regex` crate, nginx runs them with PCRE.
// Accept the syntax both read the same way; reject the rest with a reason. Also rewrites every
// group to non-capturing (nginx must not create variables from input, and kongc numbers its own
// captures) and finds the literal prefix used to place the regex among prefix locations.
import { LIMITS } from '../load/limits.js';

export interface RouteRegex {
  /** The pattern with every group made non-capturing; safe to embed as `(?>…)`. */
  pattern: string;
  /** Literal text every match starts with ('' when unknown). */
  literalPrefix: string;
  /** Case-insensitive somewhere: the literal prefix cannot prune locations. */
  caseless: boolean;
  /** With `keepGroup`: whether that named group exists (it is then the pattern's only capture, $1). */
  keptGroup: boolean;
}

const QUANT_START = new Set(['*', '+', '?', '{']);

/**
 * `keepGroup` (upstream hash_on uri_capture): the first group with this name stays capturing, so a
 * map can read it as $1; every other group is still non-capturing.
 */
export function analyzeRouteRegex(source: string, options: { keepGroup?: string } = {}): RouteRegex | { error: string; hint?: string } {
  if (options.keepGroup !== undefined) return analyze(source, options.keepGroup);
  // Validation, the nginx checks and the router each analyze every route regex: once is enough.
  let result = analyzed.get(source);
  if (!result) {
    if (analyzed.size >= 10_000) analyzed.clear();
    analyzed.set(source, (result = Object.freeze(analyze(source, undefined))));
  }
  return result;
}

const analyzed = new Map<string, Readonly<RouteRegex | { error: string; hint?: string }>>();

function analyze(source: string, keepGroup: string | undefined): RouteRegex | { error: string; hint?: string } {
  if (source.length > LIMITS.regexLength) return { error: `regex longer than ${LIMITS.regexLength} characters` };
  if (/[\x00-\x1f\x7f]/.test(source)) return { error: 'regex contains a control character' };
  let out = '';
  let i = 0;
  let inClass = false;
  let classStart = 0;
  let caseless = false;
  let multiline = false;
  // Stack of groups: does the group contain an unbounded quantifier (for the ReDoS check)?
  const groups: { unbounded: boolean; alternation: boolean }[] = [];
  let topAlternation = false;
  let keptGroup = false;
  const unboundedAt = (j: number): boolean => {
    const c = source[j];
    if (c === '*' || c === '+') return true;
    if (c === '{') return /^\{\d*,\}/.test(source.slice(j));
    return false;
  };
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1];
      if (n === undefined) return { error: 'regex ends with a lone backslash' };
      if (/[1-9]/.test(n) && !inClass) return { error: `backreference \\${n} is not supported by Kong 3.x (Rust regex)` };
      if (n === 'p' || n === 'P') return { error: 'Unicode classes (\\p{…}) behave differently: nginx runs PCRE without Unicode mode' };
      if (n === 'x') {
        if (!/^\\x[0-9A-Fa-f]{2}/.test(source.slice(i))) return { error: 'use \\xHH escapes with exactly two hex digits' };
        if (!/^\\x[0-7]/.test(source.slice(i))) return { error: '\\x80–\\xFF is a Unicode character in Rust regex (Kong) but a single byte in PCRE (nginx)', hint: 'write the character itself' };
      } else if (/[A-Za-z0-9]/.test(n)) {
        // Letter escapes both engines read the same way (outside classes \b is a word boundary in both).
        if (!'dDwWsSbBAzntrfa'.includes(n) || (inClass && 'bBAz'.includes(n))) {
          return { error: `escape \\${n} ${inClass ? 'in a character class ' : ''}reads differently in PCRE (nginx) and Rust regex (Kong), or is rejected by one of them` };
        }
      } else if (n.charCodeAt(0) > 0x7e || n === ' ') {
        return { error: `escaping '${n}' is rejected by Rust regex (Kong)` };
      }
      out += c + n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && source[i + 1] === ':') {
        const end = source.indexOf(':]', i + 2);
        if (end < 0) return { error: 'unterminated POSIX class' };
        out += source.slice(i, end + 2);
        i = end + 2;
        continue;
      }
      if (c === '[') return { error: 'nested character classes ([a-z[…]]) exist only in Rust regex; escape the [' };
      if ((c === '&' && source[i + 1] === '&') || (c === '-' && source[i + 1] === '-') || (c === '~' && source[i + 1] === '~')) {
        return { error: `class operator '${c}${c}' exists only in Rust regex` };
      }
      if (c === ']' && i > classStart) inClass = false;
      out += c;
      i++;
      continue;
    }
    switch (c) {
      case '[':
        inClass = true;
        out += c;
        i++;
        if (source[i] === '^') out += source[i++];
        classStart = i;
        if (source[i] === ']') out += source[i++];
        continue;
      case '(': {
        if (source[i + 1] === '?') {
          const rest = source.slice(i + 2);
          const named = /^(?:P?<([A-Za-z_][A-Za-z0-9_]*)>)/.exec(rest);
          if (named) {
            const keep = !keptGroup && keepGroup !== undefined && named[1] === keepGroup;
            if (keep) keptGroup = true;
            out += keep ? '(' : '(?:';
            i += 2 + named[0].length;
          } else if (rest.startsWith(':')) {
            out += '(?:';
            i += 3;
          } else {
            if (/^[imsU-]*x/.test(rest)) return { error: "the x (extended) flag treats spaces and '#' differently in PCRE (nginx) and Rust regex (Kong)" };
            const flags = /^([imsU-]+)(:|\))/.exec(rest);
            if (!flags) {
              const what = rest.startsWith('=') || rest.startsWith('!') || rest.startsWith('<=') || rest.startsWith('<!') ? 'lookaround' : rest.startsWith('>') ? 'atomic groups' : rest.startsWith("'") ? "(?'name') groups" : 'this group syntax';
              return { error: `${what} ((?${rest.slice(0, 2)}…) is not supported by Kong 3.x (Rust regex)` };
            }
            if (flags[1]!.replace(/-.*/, '').includes('i')) caseless = true;
            if (flags[1]!.replace(/-.*/, '').includes('m')) multiline = true;
            out += '(?' + flags[0];
            i += 2 + flags[0].length;
            if (flags[2] === ')') continue;
          }
        } else if (source[i + 1] === '*') {
          return { error: 'PCRE verbs ((*…)) are not supported by Kong 3.x (Rust regex)' };
        } else {
          out += '(?:';
          i++;
        }
        groups.push({ unbounded: false, alternation: false });
        continue;
      }
      case ')': {
        const g = groups.pop();
        if (!g) return { error: 'unbalanced parenthesis' };
        out += c;
        i++;
        // ReDoS heuristic: an unbounded quantifier applied to a group that itself repeats without bound.
        if (g.unbounded && unboundedAt(i)) {
          return { error: 'nested unbounded quantifiers (like (a+)+) can take exponential time', hint: 'rewrite without repeating a group that already repeats' };
        }
        if (groups.length) groups[groups.length - 1]!.unbounded ||= g.unbounded || unboundedAt(i);
        continue;
      }
      case '|':
        if (groups.length) groups[groups.length - 1]!.alternation = true;
        else topAlternation = true;
        out += c;
        i++;
        continue;
      case '*':
      case '+':
      case '?':
      case '{': {
        if (c === '{' && !/^\{\d+(,\d*)?\}/.test(source.slice(i))) {
          return { error: "a literal '{' must be escaped (\\{): Rust regex rejects it" };
        }
        const q = c === '{' ? source.slice(i, source.indexOf('}', i) + 1) : c;
        out += q;
        i += q.length;
        if (source[i] === '+') return { error: 'possessive quantifiers exist only in PCRE' };
        if (source[i] === '?') out += source[i++];
        if (groups.length && (c === '*' || c === '+' || /,\}$/.test(q))) groups[groups.length - 1]!.unbounded = true;
        continue;
      }
      case '$':
        // Rust's $ is the end of the text; PCRE's also matches before a final newline (%0A).
        out += multiline ? c : '\\z';
        i++;
        continue;
      case '%':
        if (/^%[0-9A-Fa-f]{2}/.test(source.slice(i))) {
          return {
            error: 'percent-escapes in a route regex: Kong matches them against the path with reserved characters still encoded, nginx against the decoded path',
            hint: 'match the decoded character instead (for %2F write /), knowing Kong then matches only a literal one',
          };
        }
        out += c;
        i++;
        continue;
      default:
        out += c;
        i++;
    }
  }
  if (inClass) return { error: 'unterminated character class' };
  if (groups.length) return { error: 'unbalanced parenthesis' };
  return { pattern: out, literalPrefix: caseless || topAlternation ? '' : literalPrefixOf(source), caseless, keptGroup };
}

/** The literal text at the start of the pattern (before any metacharacter). */
function literalPrefixOf(source: string): string {
  let prefix = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    let lit: string | null = null;
    let len = 1;
    if (c === '\\') {
      const n = source[i + 1] ?? '';
      if (/[^A-Za-z0-9]/.test(n)) {
        lit = n;
        len = 2;
      }
    } else if (!'.^$*+?()[]{}|'.includes(c)) lit = c;
    if (lit === null) break;
    if (QUANT_START.has(source[i + len] ?? '')) break;
    prefix += lit;
    i += len;
  }
  return prefix;
}
