// PCRE patterns: the one tokenizer every reader of a regex uses (the route-regex checker, the
// backtracking check, explain's translation to JavaScript), and the escaping of literal text
// inside patterns kongc writes. The tokenizer only splits a pattern as PCRE reads it; what each
// reader accepts (and the reasons it gives) stays with that reader.

/** Escapes text so a PCRE pattern matches it literally. */
export function escapeRegex(s: string): string {
  return s.replace(/[.\\+*?^$()[\]{}|/-]/g, (c) => '\\' + c);
}

/** `\` and what follows: `letter` is the character after the backslash; `code` the value of \xHH and \x{…}. */
export interface EscapeToken {
  kind: 'escape';
  letter: string;
  code?: number;
}

/** One item of a character class, in order; ranges (`a-z`) are three items: char, '-', char. */
export type ClassItem = { at: number; text: string } & (
  | { kind: 'char' }
  | EscapeToken
  /** `[:alpha:]` (`name` keeps a leading `^` of a negated one). */
  | { kind: 'posix'; name: string }
);

/** How a group opens. */
export type GroupKind = 'capture' | 'named' | 'noncapture' | 'atomic' | 'lookaround' | 'verb' | 'other';

export type Token = { at: number; text: string } & (
  /** A literal character (one code point), including `{`, `}` and `]` where PCRE reads them literally. */
  | { kind: 'char' }
  | EscapeToken
  | { kind: 'dot' }
  | { kind: 'anchor' }
  | { kind: 'alternation' }
  /** `[…]`; `error` when it does not end (after the items read so far). */
  | { kind: 'class'; negated: boolean; items: ClassItem[]; error?: string }
  /** `(`, `(?:`, `(?i:` (`flags`), `(?P<n>` (`name`), `(?>`, `(?=`, `(*VERB`, or `(?` not understood. */
  | { kind: 'open'; group: GroupKind; name?: string; flags?: string }
  | { kind: 'close' }
  /** `(?i)`, `(?-i)`, `(?sU)`: flags from here to the end of the enclosing group. */
  | { kind: 'flags'; flags: string }
  | { kind: 'quantifier'; min: number; max: number; lazy: boolean; possessive: boolean }
  /** The pattern cannot be read on from here; nothing follows this token. */
  | { kind: 'error'; message: string }
);

const QUANTIFIER = /\{(\d+)(?:(,)(\d*))?\}/y;
const NAMED = /^\?(?:P?<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')/;
const FLAGS = /^\?([A-Za-z-]+)(:|\))/;

/** Splits a PCRE pattern into tokens, left to right; a pattern that cannot be read ends with an error token. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const at = i;
    const c = source[i]!;
    const token = (t: Token) => {
      tokens.push(t);
      i = at + t.text.length;
    };
    switch (c) {
      case '\\': {
        const e = escapeAt(source, i);
        if (!e) {
          tokens.push({ kind: 'error', at, text: c, message: 'regex ends with a lone backslash' });
          return tokens;
        }
        token(e);
        continue;
      }
      case '[':
        token(classAt(source, i));
        continue;
      case '(':
        token(groupAt(source, i));
        continue;
      case ')':
        token({ kind: 'close', at, text: c });
        continue;
      case '|':
        token({ kind: 'alternation', at, text: c });
        continue;
      case '.':
        token({ kind: 'dot', at, text: c });
        continue;
      case '^':
      case '$':
        token({ kind: 'anchor', at, text: c });
        continue;
      case '*':
      case '+':
      case '?':
      case '{': {
        let min = c === '+' ? 1 : 0;
        let max = c === '?' ? 1 : Infinity;
        let end = i + 1;
        if (c === '{') {
          QUANTIFIER.lastIndex = i;
          const m = QUANTIFIER.exec(source);
          if (!m) {
            token({ kind: 'char', at, text: c });
            continue;
          }
          min = Number(m[1]);
          max = m[2] ? (m[3] ? Number(m[3]) : Infinity) : min;
          end = i + m[0].length;
        }
        const lazy = source[end] === '?';
        const possessive = source[end] === '+';
        token({ kind: 'quantifier', at, text: source.slice(i, end + (lazy || possessive ? 1 : 0)), min, max, lazy, possessive });
        continue;
      }
      default:
        token({ kind: 'char', at, text: String.fromCodePoint(source.codePointAt(i)!) });
    }
  }
  return tokens;
}

/** The escape at `i` (a backslash), or null when the pattern ends after the backslash. */
function escapeAt(source: string, i: number): (EscapeToken & { at: number; text: string }) | null {
  const n = source.codePointAt(i + 1);
  if (n === undefined) return null;
  const letter = String.fromCodePoint(n);
  if (letter === 'x') {
    const hex = /^\{([0-9A-Fa-f]+)\}|^[0-9A-Fa-f]{1,2}/.exec(source.slice(i + 2, i + 2 + 64));
    if (hex) return { kind: 'escape', at: i, text: source.slice(i, i + 2 + hex[0].length), letter, code: parseInt(hex[1] ?? hex[0], 16) };
  }
  return { kind: 'escape', at: i, text: '\\' + letter, letter };
}

/** The class at `i` (a `[`): `]` first (after an optional `^`) is literal, `[:name:]` is a POSIX class. */
function classAt(source: string, start: number): Token & { kind: 'class' } {
  const items: ClassItem[] = [];
  let i = start + 1;
  const negated = source[i] === '^';
  if (negated) i++;
  const done = (error?: string): Token & { kind: 'class' } => ({ kind: 'class', at: start, text: source.slice(start, i), negated, items, ...(error ? { error } : {}) });
  if (source[i] === ']') items.push({ kind: 'char', at: i, text: source[i++]! });
  while (i < source.length && source[i] !== ']') {
    if (source[i] === '\\') {
      const e = escapeAt(source, i);
      if (!e) return done('regex ends with a lone backslash');
      items.push(e);
      i += e.text.length;
    } else if (source.startsWith('[:', i)) {
      const end = source.indexOf(':]', i + 2);
      if (end < 0) return done('unterminated POSIX class');
      items.push({ kind: 'posix', at: i, text: source.slice(i, end + 2), name: source.slice(i + 2, end) });
      i = end + 2;
    } else {
      const text = String.fromCodePoint(source.codePointAt(i)!);
      items.push({ kind: 'char', at: i, text });
      i += text.length;
    }
  }
  if (i >= source.length) return done('unterminated character class');
  i++;
  return done();
}

/** The group opening (or flag setting) at `i` (a `(`). */
function groupAt(source: string, i: number): Token {
  const at = i;
  if (source[i + 1] === '*') return { kind: 'open', at, text: '(*', group: 'verb' };
  if (source[i + 1] !== '?') return { kind: 'open', at, text: '(', group: 'capture' };
  const rest = source.slice(i + 1, i + 1 + 300);
  const named = NAMED.exec(rest);
  if (named) return { kind: 'open', at, text: '(' + named[0], group: 'named', name: named[1] ?? named[2]! };
  if (rest.startsWith('?:')) return { kind: 'open', at, text: '(?:', group: 'noncapture' };
  if (rest.startsWith('?>')) return { kind: 'open', at, text: '(?>', group: 'atomic' };
  const look = /^\?(?:=|!|<=|<!)/.exec(rest);
  if (look) return { kind: 'open', at, text: '(' + look[0], group: 'lookaround' };
  const flags = FLAGS.exec(rest);
  if (flags) {
    if (flags[2] === ')') return { kind: 'flags', at, text: '(' + flags[0], flags: flags[1]! };
    return { kind: 'open', at, text: '(' + flags[0], group: 'noncapture', flags: flags[1]! };
  }
  return { kind: 'open', at, text: '(?', group: 'other' };
}

/** Flags a `(?…)` turns on (the part before `-`). */
export function flagsOn(flags: string): string {
  return flags.replace(/-.*/, '');
}
