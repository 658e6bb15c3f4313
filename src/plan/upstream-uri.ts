// Kong's v0 upstream path as `rewrite … break` lines over $uri, computed in the route's location.
//
// The first rewrite whose pattern matches sets the new $uri, after which nginx percent-encodes it
// and appends the original query string, as Kong does. `matcher` is the regex for the matched
// prefix: `[\s\S]{N}` for a prefix path of N bytes (the location already guarantees it matches),
// `(?>R)` for a route regex R (atomic, so PCRE keeps the first match, as Kong's "whole match" is).
import type { MapValue } from './ir.js';

export interface UriRule {
  /** Decoded service path (nginx works on the decoded $uri), '/' when the service has none. */
  base: string;
  strip: boolean;
  /** null when the route matched without a path. */
  matcher: string | null;
}

/** One `rewrite PATTERN REPLACEMENT break;`. */
export interface Rewrite {
  pattern: string;
  replacement: MapValue;
}

/** Kong drops a `.` or `..` segment right after the stripped prefix. */
const SANITIZE = '(?:\\.\\.?/|\\.\\.?\\z)?';

/**
 * The rewrites giving Kong's upstream path. With `c` the service path without its trailing '/':
 * - not stripping: `c` + the request path, except that '/' alone gives the service path itself
 *   when that has no trailing '/';
 * - stripping, nothing left: `c` + the request's final '/' (a request of just '/' counts only
 *   when the service path ends with '/');
 * - stripping, something left: `c` + '/' + what is left without its first '/'.
 */
export function upstreamRewrites(rule: UriRule): Rewrite[] {
  const b = rule.base;
  const c = b.endsWith('/') ? b.slice(0, -1) : b;
  const lit = (text: string): MapValue => (text ? [{ text }] : []);
  const uri: MapValue = [{ variable: 'uri' }];
  if (!rule.strip || rule.matcher === null) {
    if (b.endsWith('/')) return [{ pattern: '^', replacement: [...lit(c), ...uri] }];
    return [
      { pattern: '^/\\z', replacement: lit(b) },
      { pattern: '^', replacement: [...lit(b), ...uri] },
    ];
  }
  const m = rule.matcher;
  const rest: Rewrite = { pattern: `^${m}${SANITIZE}/?([\\s\\S]*)\\z`, replacement: [{ text: `${c}/` }, { variable: '1' }] };
  // Service path '/': nothing left gives '/' too, so one rewrite covers every case.
  if (c === '') return [rest];
  // The request's final '/' is kept on the service path; a request of just '/' keeps it only
  // when the service path has its own.
  const before = b.endsWith('/') ? '*' : '+';
  return [{ pattern: `^(?=[\\s\\S]${before}?(/?)\\z)${m}${SANITIZE}\\z`, replacement: [{ text: c }, { variable: '1' }] }, rest];
}

/** Matcher for a decoded prefix path of `bytes` bytes. */
export function prefixMatcher(decodedPrefix: string): string {
  return `[\\s\\S]{${Buffer.byteLength(decodedPrefix, 'utf8')}}`;
}

/** Matcher for a route regex (already made non-capturing). */
export function regexMatcher(pattern: string): string {
  return `(?>${pattern})`;
}
