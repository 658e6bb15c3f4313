// Route regexes: Kong 3.x validates them with Rust's `regex` crate, nginx runs them with PCRE.
// Accept the syntax both read the same way; reject the rest with a reason. Also rewrites every
// group to non-capturing (nginx must not create variables from input, and kongc numbers its own
// captures) and finds the literal prefix used to place the regex among prefix locations.
import { LIMITS } from '../load/limits.js';
import { flagsOn, tokenize, type EscapeToken, type Token } from '../pcre.js';

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
  const tokens = tokenize(source);
  let out = '';
  let caseless = false;
  let multiline = false;
  // Stack of groups: does the group contain an unbounded quantifier (for the ReDoS check)?
  const groups: { unbounded: boolean }[] = [];
  let topAlternation = false;
  let keptGroup = false;
  const unboundedAt = (k: number): boolean => {
    const t = tokens[k];
    return t?.kind === 'quantifier' && t.max === Infinity;
  };
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    switch (t.kind) {
      case 'error':
        return { error: t.message };
      case 'escape': {
        const problem = escapeProblem(t, false);
        if (problem) return problem;
        out += t.text;
        continue;
      }
      case 'class': {
        for (let j = 0; j < t.items.length; j++) {
          const item = t.items[j]!;
          if (item.kind === 'escape') {
            const problem = escapeProblem(item, true);
            if (problem) return problem;
          } else if (item.kind === 'char') {
            if (item.text === '[') return { error: 'nested character classes ([a-z[…]]) exist only in Rust regex; escape the [' };
            const next = t.items[j + 1];
            if ('&-~'.includes(item.text) && next?.kind === 'char' && next.text === item.text) return { error: `class operator '${item.text}${item.text}' exists only in Rust regex` };
          }
        }
        if (t.error) return { error: t.error };
        out += t.text;
        continue;
      }
      case 'open': {
        const rest = source.slice(t.at + 2);
        if (t.group === 'verb') return { error: 'PCRE verbs ((*…)) are not supported by Kong 3.x (Rust regex)' };
        if (t.group === 'named' && t.text.startsWith("(?'")) return unsupportedGroup("(?'name') groups", rest);
        if (t.group === 'atomic') return unsupportedGroup('atomic groups', rest);
        if (t.group === 'lookaround') return unsupportedGroup('lookaround', rest);
        if (t.group === 'other') return unsupportedGroup('this group syntax', rest);
        if (t.group === 'named') {
          const keep = !keptGroup && keepGroup !== undefined && t.name === keepGroup;
          if (keep) keptGroup = true;
          out += keep ? '(' : '(?:';
        } else if (t.flags !== undefined) {
          const problem = flagsProblem(t.flags, rest);
          if (problem) return problem;
          ({ caseless, multiline } = withFlags(t.flags, caseless, multiline));
          out += t.text;
        } else out += '(?:';
        groups.push({ unbounded: false });
        continue;
      }
      case 'flags': {
        const problem = flagsProblem(t.flags, source.slice(t.at + 2));
        if (problem) return problem;
        ({ caseless, multiline } = withFlags(t.flags, caseless, multiline));
        out += t.text;
        continue;
      }
      case 'close': {
        const g = groups.pop();
        if (!g) return { error: 'unbalanced parenthesis' };
        out += t.text;
        // ReDoS heuristic: an unbounded quantifier applied to a group that itself repeats without bound.
        if (g.unbounded && unboundedAt(k + 1)) {
          return { error: 'nested unbounded quantifiers (like (a+)+) can take exponential time', hint: 'rewrite without repeating a group that already repeats' };
        }
        if (groups.length) groups[groups.length - 1]!.unbounded ||= g.unbounded || unboundedAt(k + 1);
        continue;
      }
      case 'alternation':
        if (!groups.length) topAlternation = true;
        out += t.text;
        continue;
      case 'quantifier':
        if (t.possessive) return { error: 'possessive quantifiers exist only in PCRE' };
        out += t.text;
        if (groups.length && t.max === Infinity) groups[groups.length - 1]!.unbounded = true;
        continue;
      case 'anchor':
        // Rust's $ is the end of the text; PCRE's also matches before a final newline (%0A).
        out += t.text === '$' && !multiline ? '\\z' : t.text;
        continue;
      case 'char':
        if (t.text === '{') return { error: "a literal '{' must be escaped (\\{): Rust regex rejects it" };
        if (t.text === '%' && /^%[0-9A-Fa-f]{2}/.test(source.slice(t.at))) {
          return {
            error: 'percent-escapes in a route regex: Kong matches them against the path with reserved characters still encoded, nginx against the decoded path',
            hint: 'match the decoded character instead (for %2F write /), knowing Kong then matches only a literal one',
          };
        }
        out += t.text;
        continue;
      case 'dot':
        out += t.text;
        continue;
    }
  }
  if (groups.length) return { error: 'unbalanced parenthesis' };
  return { pattern: out, literalPrefix: caseless || topAlternation ? '' : literalPrefixOf(tokens), caseless, keptGroup };
}

/** Escapes both engines read the same way (outside classes \b is a word boundary in both). */
function escapeProblem(e: EscapeToken & { text: string }, inClass: boolean): { error: string; hint?: string } | null {
  const n = e.letter;
  if (/[1-9]/.test(n) && !inClass) return { error: `backreference \\${n} is not supported by Kong 3.x (Rust regex)` };
  if (n === 'p' || n === 'P') return { error: 'Unicode classes (\\p{…}) behave differently: nginx runs PCRE without Unicode mode' };
  if (n === 'x') {
    if (!/^\\x[0-9A-Fa-f]{2}$/.test(e.text)) return { error: 'use \\xHH escapes with exactly two hex digits' };
    if (e.code! > 0x7f) return { error: '\\x80–\\xFF is a Unicode character in Rust regex (Kong) but a single byte in PCRE (nginx)', hint: 'write the character itself' };
  } else if (/[A-Za-z0-9]/.test(n)) {
    if (!'dDwWsSbBAzntrfa'.includes(n) || (inClass && 'bBAz'.includes(n))) {
      return { error: `escape \\${n} ${inClass ? 'in a character class ' : ''}reads differently in PCRE (nginx) and Rust regex (Kong), or is rejected by one of them` };
    }
  } else if (n.codePointAt(0)! > 0x7e || n === ' ') {
    return { error: `escaping '${n}' is rejected by Rust regex (Kong)` };
  }
  return null;
}

function unsupportedGroup(what: string, rest: string): { error: string } {
  return { error: `${what} ((?${rest.slice(0, 2)}…) is not supported by Kong 3.x (Rust regex)` };
}

function flagsProblem(flags: string, rest: string): { error: string } | null {
  if (/^[imsU-]*x/.test(flags)) return { error: "the x (extended) flag treats spaces and '#' differently in PCRE (nginx) and Rust regex (Kong)" };
  if (!/^[imsU-]+$/.test(flags)) return unsupportedGroup('this group syntax', rest);
  return null;
}

function withFlags(flags: string, caseless: boolean, multiline: boolean): { caseless: boolean; multiline: boolean } {
  const on = flagsOn(flags);
  return { caseless: caseless || on.includes('i'), multiline: multiline || on.includes('m') };
}

/** The literal text at the start of the pattern (before any metacharacter). */
function literalPrefixOf(tokens: readonly Token[]): string {
  let prefix = '';
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    let lit: string | null = null;
    if (t.kind === 'escape' && /[^A-Za-z0-9]/.test(t.letter)) lit = t.letter;
    else if (t.kind === 'char' && !'{}]'.includes(t.text)) lit = t.text;
    if (lit === null) break;
    const next = tokens[k + 1];
    if (next?.kind === 'quantifier' || (next?.kind === 'char' && next.text === '{')) break;
    prefix += lit;
  }
  return prefix;
}
