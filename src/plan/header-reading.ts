// How the router reads a request header a route names. Kong tests every line of a repeated header
// (`X-Version: v0` then `X-Version: v1` matches a route for v1); stock nginx 1.22 has only the
// first line ($http_<name>). Under --with-njs a js_set variable holds every line, joined by "\r"
// (no header line can contain one), and each pattern is confined to one line.
import { escapeRegex } from '../pcre.js';
import { headerVariable } from './upstreams.js';

export interface HeaderReading {
  /** The variable holding the header (registers it when it is generated). */
  variable(name: string): string;
  /** The regex (tested case-insensitively) for "the header is one of `values`" (lower-cased). */
  values(values: readonly string[]): string;
  /** The regex for a `~*` value: Kong's pattern, already in PCRE form. */
  regex(pattern: string): string;
  /** The same two as one field of the `$kongc_sig` signature, which sits between newlines. */
  valuesField(values: readonly string[]): string;
  regexField(pattern: string): string;
}

/** Stock nginx: the first line of the header. */
export const FIRST_LINE: HeaderReading = {
  variable: headerVariable,
  values: (values) => `^(?:${values.map(escapeRegex).join('|')})\\z`,
  regex: (pattern) => pattern,
  valuesField: (values) => `(?i:${values.map(escapeRegex).join('|')})`,
  // Multiline: the pattern's own ^ and $ then mean the field's start and end.
  regexField: (pattern) => `(?mi:[^\\n]*?(?:${pattern}))[^\\n]*`,
};

/** A line's start and end: the text's ends, or next to the "\r" between lines or the signature's "\n". */
const LINE_START = '(?<![^\\r\\n])';
const LINE_END = '(?![^\\r\\n])';

/** Every line of the header, from `variable(name)` (a js_set variable). */
export function everyLine(variable: (name: string) => string): HeaderReading {
  const oneOf = (values: readonly string[]) => `${LINE_START}(?:${values.map(escapeRegex).join('|')})${LINE_END}`;
  return {
    variable,
    values: oneOf,
    regex: lineConfined,
    valuesField: (values) => `[^\\n]*?(?i:${oneOf(values)})[^\\n]*`,
    regexField: (pattern) => `(?i:[^\\n]*?(?:${lineConfined(pattern)}))[^\\n]*`,
  };
}

const ANY_CHARACTER = new Set(['s', 'W', 'D', 'r', 'n']);

/**
 * A route regex (PCRE, as route-regex.ts writes it) that matches where the original matches
 * within one line: anchors mean the line's ends, and nothing that could match "\r" or "\n"
 * (a class, `.`, `\s`, `\W`, `\D`) is allowed to.
 */
export function lineConfined(pattern: string): string {
  const one = (atom: string) => `(?:(?![\\r\\n])${atom})`;
  let out = '';
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[i + 1]!;
      const escape = n === 'x' ? pattern.slice(i, i + 4) : pattern.slice(i, i + 2);
      i += escape.length;
      if (n === 'A') out += LINE_START;
      else if (n === 'z') out += LINE_END;
      else if (ANY_CHARACTER.has(n) || /^\\x0[AaDd]$/.test(escape)) out += one(escape);
      else out += escape;
    } else if (c === '[') {
      const end = classEnd(pattern, i);
      out += one(pattern.slice(i, end));
      i = end;
    } else if (c === '.') {
      out += one('.');
      i++;
    } else if (c === '^') {
      out += LINE_START;
      i++;
    } else if (c === '$') {
      out += LINE_END;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The index after the character class starting at `start` (`[^]a]`, `[[:alpha:]x]`, escapes). */
function classEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  while (i < pattern.length && pattern[i] !== ']') {
    if (pattern[i] === '\\') i += pattern[i + 1] === 'x' ? 4 : 2;
    else if (pattern[i] === '[' && pattern[i + 1] === ':') i = pattern.indexOf(':]', i + 2) + 2;
    else i++;
  }
  return i + 1;
}
