// Kong's v0 upstream path (KONG.md §5) as an nginx map over $uri.
//
// The map's value is the new $uri; the route location applies it with `rewrite ^ $var break;`,
// after which nginx percent-encodes it and appends the original query string, as Kong does.
// `matcher` is the regex for the matched prefix: `[\s\S]{N}` for a prefix path of N bytes
// (the location already guarantees it matches), `(?>R)` for a route regex R (atomic, so PCRE
// keeps the first match, as Kong's "whole match" is).
import type { MapEntry, MapValue } from './ir.js';

export interface UriRule {
  /** Decoded service path (nginx works on the decoded $uri), '/' when the service has none. */
  base: string;
  strip: boolean;
  /** null when the route matched without a path. */
  matcher: string | null;
}

const SANITIZE = '(?:\\.\\.?/|\\.\\.?\\z)?';

export function upstreamUriEntries(rule: UriRule): { entries: MapEntry[]; fallback: MapValue } {
  const b = rule.base;
  const endsSlash = b.endsWith('/');
  const bNoSlash = endsSlash ? b.slice(0, -1) : b;
  const lit = (text: string): MapValue => (text ? [{ text }] : []);
  const uri: MapValue = [{ variable: 'uri' }];
  if (!rule.strip || rule.matcher === null) {
    // base ends with '/': base .. req[2:]; else req == '/' → base, otherwise base .. req.
    if (endsSlash) return { entries: [], fallback: [...lit(bNoSlash), ...uri] };
    return { entries: [{ match: 'exact', key: '/', value: lit(b) }], fallback: [...lit(b), ...uri] };
  }
  const m = rule.matcher;
  const capture: MapValue = [{ variable: '1' }];
  const regex = (pattern: string, value: MapValue): MapEntry => ({ match: 'regex', caseless: false, pattern, value });
  const entries: MapEntry[] = endsSlash
    ? [
        // postfix empty, request ends with '/': base ('/' stays '/')
        regex(`^(?=[\\s\\S]*/\\z)${m}${SANITIZE}\\z`, lit(b)),
        // postfix empty otherwise: base without its trailing '/', but '/' stays '/'
        regex(`^${m}${SANITIZE}\\z`, lit(b === '/' ? '/' : bNoSlash)),
        regex(`^${m}${SANITIZE}(/[\\s\\S]*)\\z`, [...lit(bNoSlash), ...capture]),
        regex(`^${m}${SANITIZE}([\\s\\S]+)\\z`, [...lit(b), ...capture]),
      ]
    : [
        // postfix empty and the request (longer than '/') ends with '/': base .. '/'
        regex(`^(?=[\\s\\S]+/\\z)${m}${SANITIZE}\\z`, lit(b + '/')),
        regex(`^${m}${SANITIZE}\\z`, lit(b)),
        regex(`^${m}${SANITIZE}(/[\\s\\S]*)\\z`, [...lit(b), ...capture]),
        regex(`^${m}${SANITIZE}([\\s\\S]+)\\z`, [...lit(b + '/'), ...capture]),
      ];
  return { entries, fallback: lit(b) };
}

/** Matcher for a decoded prefix path of `bytes` bytes. */
export function prefixMatcher(decodedPrefix: string): string {
  return `[\\s\\S]{${Buffer.byteLength(decodedPrefix, 'utf8')}}`;
}

/** Matcher for a route regex (already made non-capturing). */
export function regexMatcher(pattern: string): string {
  return `(?>${pattern})`;
}
