// Reserved percent-escapes: where Kong's view of a path and nginx's differ.
//
// Kong compares a prefix path with the normalized request path, in which reserved characters the
// client percent-encoded stay encoded (`/a%2Fb` is not `/a/b`); nginx's $uri has them all decoded.
// The two views agree on every request without a reserved escape, so the escape-aware work happens
// once, in a shared map over the raw path (see lower.ts ESCAPE_MAP); a route then compares its
// result with a few strings, no regex.
import { escapeRegex } from '../pcre.js';

/** RFC 3986 reserved characters (and '%'): Kong's normalization keeps them percent-encoded. */
const RESERVED = new Set("!*'();:@&=+$,/?%#[]".split(''));

/** A percent-escape of a reserved character in the raw request path. */
export const RESERVED_ESCAPE = '%(?:2[1346-9A-Ca-cFf]|3[ABDFabdf]|40|5[BDbd])';

/** An absolute-form request target's scheme and authority, before the path. */
export const ABSOLUTE_FORM = '(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?]*)?';

/** How the raw request path must look for a prefix route to match as it does in Kong. */
export type RawPathRule =
  /**
   * The location already matched the decoded prefix, so a reserved escape inside it stands for one
   * of the route path's own reserved characters, which Kong would not have matched: the raw path
   * before the request's first reserved escape must not be one of `stops`, the route path's
   * prefixes that end right before one of its reserved characters (`/api/v1` → `/api`).
   */
  | { kind: 'no-escape-at'; stops: string[] }
  /** The route path has escapes of its own: the raw path must spell them (regex on $request_uri). */
  | { kind: 'exact'; pattern: string };

/** The rule for a prefix path, or null when nginx's decoded view is always Kong's. */
export function rawPathRule(kongPath: string, decodedPrefix: string): RawPathRule | null {
  let reserved = false;
  for (let i = 1; i < kongPath.length && !reserved; i++) reserved = RESERVED.has(kongPath[i]!);
  if (!reserved) return null;
  if (!/%[0-9A-Fa-f]{2}/.test(kongPath)) {
    const stops: string[] = [];
    // Position 0 is the request's own leading '/', which an escape cannot stand for.
    for (let i = 1; i < decodedPrefix.length; i++) if (RESERVED.has(decodedPrefix[i]!)) stops.push(decodedPrefix.slice(0, i));
    return { kind: 'no-escape-at', stops };
  }
  return { kind: 'exact', pattern: `^${ABSOLUTE_FORM}${spelled(kongPath)}` };
}

/** Each reserved character and escape as the path has it, any other character literally or escaped. */
function spelled(kongPath: string): string {
  const rx: string[] = [];
  for (let i = 0; i < kongPath.length; ) {
    if (kongPath.charCodeAt(i) === 37 /* % */ && /^[0-9A-Fa-f]{2}$/.test(kongPath.slice(i + 1, i + 3))) {
      rx.push('%', hexCaseless(kongPath.slice(i + 1, i + 3)));
      i += 3;
      continue;
    }
    const unit = kongPath.charCodeAt(i);
    if (unit < 0x80) {
      rx.push(ASCII_IN_RAW_PATH[unit]!);
      i++;
      continue;
    }
    const ch = String.fromCodePoint(kongPath.codePointAt(i)!);
    i += ch.length;
    for (const b of Buffer.from(ch, 'utf8')) {
      const hex = b.toString(16).toUpperCase().padStart(2, '0');
      rx.push(`(?:\\x${hex}|%${hexCaseless(hex)})`);
    }
  }
  return rx.join('');
}

/** `2f` → `2[Ff]`: hex digits of a percent-escape in either case. */
function hexCaseless(hex: string): string {
  return [...hex.toUpperCase()].map((d) => (/[A-F]/.test(d) ? `[${d}${d.toLowerCase()}]` : d)).join('');
}

/** How each ASCII character of a route path may appear in the raw path: a reserved character as itself, any other also as its escape. */
const ASCII_IN_RAW_PATH: string[] = Array.from({ length: 128 }, (_, cp) => {
  const ch = String.fromCharCode(cp);
  if (RESERVED.has(ch)) return escapeRegex(ch);
  const hex = cp.toString(16).toUpperCase().padStart(2, '0');
  const lit = /[A-Za-z0-9]/.test(ch) ? ch : '\\' + ch;
  return `(?:${lit}|%${hexCaseless(hex)})`;
});
