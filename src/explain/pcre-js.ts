// PCRE as nginx runs it, evaluated in JavaScript for `kongc explain`.
//
// nginx compiles regexes without PCRE's UTF mode, so a pattern and the subject are byte strings:
// here both are "binary" strings (one char per byte). The few PCRE spellings JavaScript reads
// differently are translated; anything else this cannot be sure of makes the pattern
// unevaluable (null), and explain says so instead of guessing.
import { tokenize, type EscapeToken } from '../pcre.js';

/** A UTF-8 string as a binary string: one char per byte. */
export function bytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** A binary string back to text (invalid UTF-8 shows as U+FFFD). */
export function text(binary: string): string {
  return Buffer.from(binary, 'latin1').toString('utf8');
}

export interface ByteRegex {
  /** Runs the regex; `groups[n]` is PCRE's capture n (undefined when it did not take part). */
  exec(subject: string): { index: number; length: number; groups: (string | undefined)[] } | null;
}

const POSIX: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  xdigit: '0-9A-Fa-f',
  punct: '!-\\/:-@\\[-`{-~',
  word: 'A-Za-z0-9_',
};

/**
 * Compiles a PCRE pattern (as text) for byte subjects; null when it uses syntax this cannot
 * translate faithfully. `caseless`: nginx's `~*`.
 */
export function byteRegex(pattern: string, caseless = false): ByteRegex | null {
  const tokens = tokenize(bytes(pattern));
  let out = '';
  let flags = caseless ? 'i' : '';
  /** PCRE capture number → JS group number (atomic groups add JS groups of their own). */
  const groupMap: number[] = [0];
  let jsGroups = 0;
  /** Open groups: whether each is an atomic group (closed with a back-reference), and the caseless mode outside it. */
  const open: { atomic: number | null; outer: boolean }[] = [];
  /** PCRE's (?i) from here on: letters are spelled in both cases (JavaScript has no inline flags). */
  let fold = false;
  let k = 0;
  // A leading (?i) applies to the whole pattern, which a JS flag expresses.
  const lead = tokens[0];
  if (lead?.kind === 'flags' && /^[a-z]+$/.test(lead.flags)) {
    for (const f of lead.flags) {
      if (f === 'i') flags = 'i';
      else if (f === 's') flags += 's';
      else return null;
    }
    k = 1;
  }
  for (; k < tokens.length; k++) {
    const t = tokens[k]!;
    switch (t.kind) {
      case 'error':
        return null;
      case 'escape': {
        const e = escape(t);
        if (e === null) return null;
        out += e;
        continue;
      }
      case 'class': {
        // Copied with POSIX names translated; ']' first and '[' are literal in PCRE.
        if (t.error) return null;
        let cls = t.negated ? '[^' : '[';
        for (const item of t.items) {
          if (item.kind === 'posix') {
            if (!(item.name in POSIX)) return null;
            cls += POSIX[item.name];
          } else if (item.kind === 'escape') {
            if (item.letter !== 'x') cls += item.text;
            else if (item.code !== undefined && item.code <= 0xff) cls += hexEscape(item.code);
            else return null;
          } else cls += item.text === ']' || item.text === '[' ? '\\' + item.text : item.text;
        }
        out += (fold ? foldClass(cls) : cls) + ']';
        continue;
      }
      case 'flags':
        // (?i) and (?-i) from here on; other flags inside the pattern are not translated.
        if (t.flags !== 'i' && t.flags !== '-i') return null;
        fold = t.flags === 'i';
        continue;
      case 'open':
        switch (t.group) {
          case 'noncapture':
          case 'lookaround':
            if (t.flags !== undefined && t.flags !== 'i' && t.flags !== '-i') return null;
            open.push({ atomic: null, outer: fold });
            if (t.flags !== undefined) fold = t.flags === 'i';
            out += t.flags !== undefined ? '(?:' : t.text;
            continue;
          case 'atomic':
            // Atomic: a lookahead captures what it matched, a back-reference consumes exactly that.
            jsGroups++;
            open.push({ atomic: jsGroups, outer: fold });
            out += '(?=(';
            continue;
          case 'capture':
          case 'named':
            jsGroups++;
            groupMap.push(jsGroups);
            open.push({ atomic: null, outer: fold });
            out += '(';
            continue;
          default:
            return null; // (*UTF8), conditionals, recursion, comments
        }
      case 'close': {
        const group = open.pop();
        if (!group) return null;
        out += group.atomic === null ? ')' : `))\\${group.atomic}`;
        fold = group.outer;
        continue;
      }
      case 'anchor':
        // PCRE's `$` also matches before a final newline.
        out += t.text === '$' ? '(?=\\n?$)' : t.text;
        continue;
      case 'quantifier':
        if (t.possessive) return null;
        out += t.text;
        continue;
      case 'char':
        out += fold && /[A-Za-z]/.test(t.text) ? `[${t.text.toLowerCase()}${t.text.toUpperCase()}]` : t.text;
        continue;
      case 'dot':
      case 'alternation':
        out += t.text;
        continue;
    }
  }
  if (open.length) return null;
  let rx: RegExp;
  try {
    rx = new RegExp(out, flags);
  } catch {
    return null;
  }
  return {
    exec(subject) {
      const m = rx.exec(subject);
      if (!m) return null;
      return { index: m.index, length: m[0].length, groups: groupMap.map((g) => m[g]) };
    },
  };
}

/** An escape in JavaScript's spelling; null for those JavaScript reads differently or lacks. */
function escape(e: EscapeToken & { text: string }): string | null {
  const n = e.letter;
  if (n === 'z') return '$';
  if (n === 'Z') return '(?=\\n?$)';
  if (n === 'A') return '^';
  if (n === 'x') return e.code !== undefined && e.code <= 0xff ? hexEscape(e.code) : null;
  if ('QEhHRKXCGgk'.includes(n) || /[1-9]/.test(n)) return null;
  return e.text;
}

function hexEscape(code: number): string {
  return '\\x' + code.toString(16).padStart(2, '0');
}

/** A class body (`[a-z_`) with the other case of its letters and letter ranges added. */
function foldClass(cls: string): string {
  let extra = '';
  const body = cls.slice(cls.startsWith('[^') ? 2 : 1);
  for (const m of body.matchAll(/\\.|([A-Za-z])-([A-Za-z])|[A-Za-z]/g)) {
    if (m[0].startsWith('\\')) continue;
    if (m[1] && m[2]) extra += swapCase(m[1]) + '-' + swapCase(m[2]);
    else extra += swapCase(m[0]);
  }
  return cls + extra;
}

function swapCase(c: string): string {
  return c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
}
