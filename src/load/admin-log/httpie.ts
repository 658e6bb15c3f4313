// HTTPie's command line (`http [flags] [METHOD] URL [ITEM...]`) → the request it sends.
// Items: `Header:value`, `field=string`, `field:=json`, `param==value`, `field@file`, `field=@file`, `field:=@file`.
import type { HttpCall } from './request.js';

const FLAGS_WITH_ARG = new Set([
  '--auth', '-a', '--auth-type', '-A', '--print', '-p', '--output', '-o', '--session', '--session-read-only', '--verify',
  '--cert', '--cert-key', '--timeout', '--proxy', '--pretty', '--style', '-s', '--format-options', '--boundary',
  '--max-redirects', '--default-scheme', '--raw', '--ssl', '--ciphers', '--response-charset', '--response-mime',
]);

/** Separators, longest first so that at one position `:=@` wins over `:=` and `:`. */
const SEPARATORS = [':=@', '=@', '==', ':=', '=', '@', ':'] as const;
type Sep = (typeof SEPARATORS)[number];

export function httpieOptionTakesArg(word: string): boolean {
  return FLAGS_WITH_ARG.has(word.split('=')[0]!) && !word.includes('=');
}

/** `words[0]` is `http` or `https`. */
export function parseHttpie(words: string[]): HttpCall | string {
  let form = false;
  const rest: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith('-') && rest.length === 0) {
      if (w === '--form' || w === '-f' || w === '--multipart') form = true;
      if (httpieOptionTakesArg(w)) i++;
      continue;
    }
    rest.push(w);
  }
  let method: string | undefined;
  if (rest.length >= 2 && /^[A-Za-z]+$/.test(rest[0]!) && rest[0] === rest[0]!.toUpperCase()) method = rest.shift();
  const target = rest.shift();
  if (!target) return 'HTTPie command without a URL';
  const url = expandUrl(target, words[0] === 'https' ? 'https' : 'http');

  const notes: string[] = [];
  const fields: Record<string, unknown> = {};
  const pairs: [string, string][] = [];
  const query: string[] = [];
  for (const item of rest) {
    const parsed = splitItem(item);
    if (!parsed) {
      notes.push(`HTTPie item '${item}' has no separator and is ignored`);
      continue;
    }
    const { key, sep, value } = parsed;
    switch (sep) {
      case ':':
        break; // a request header: does not change what Kong stores
      case '==':
        query.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
        break;
      case '=':
        if (form) pairs.push([key, value]);
        else setField(fields, key, value);
        break;
      case ':=':
        try {
          const v: unknown = JSON.parse(value);
          if (form) pairs.push([key, typeof v === 'string' ? v : JSON.stringify(v)]);
          else setField(fields, key, v);
        } catch {
          return `HTTPie item '${key}:=' is not valid JSON`;
        }
        break;
      default:
        notes.push(`HTTPie item '${item}' reads a file kongc does not open; '${key}' is left out`);
    }
  }
  const hasData = form ? pairs.length > 0 : Object.keys(fields).length > 0;
  const full = query.length ? url + (url.includes('?') ? '&' : '?') + query.join('&') : url;
  return {
    method: (method ?? (hasData ? 'POST' : 'GET')).toUpperCase(),
    url: full,
    body: !hasData ? { kind: 'none' } : form ? { kind: 'form', pairs } : { kind: 'object', value: fields },
    notes,
  };
}

function setField(fields: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(fields, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `:8001/x` → `http://localhost:8001/x`; `:/x` → `http://localhost/x`; no scheme → the command's. */
function expandUrl(u: string, scheme: string): string {
  if (u.startsWith(':')) {
    const m = /^:(\d*)(.*)$/.exec(u)!;
    return `${scheme}://localhost${m[1] ? ':' + m[1] : ''}${m[2] || '/'}`;
  }
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(u) || u.startsWith('$') ? u : `${scheme}://${u}`;
}

/** The earliest unescaped separator; at one position the longest one. Backslash escapes a separator char. */
function splitItem(item: string): { key: string; sep: Sep; value: string } | null {
  let key = '';
  for (let i = 0; i < item.length; i++) {
    const c = item[i]!;
    if (c === '\\' && i + 1 < item.length) {
      key += item[i + 1];
      i++;
      continue;
    }
    for (const sep of SEPARATORS) {
      if (item.startsWith(sep, i)) return { key, sep, value: item.slice(i + sep.length) };
    }
    key += c;
  }
  return null;
}
