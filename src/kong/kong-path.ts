// Kong's URI normalization (kong.tools.uri.normalize) and the 1.1/2.1 → 3.0 route-path migration.

/** Characters Kong keeps percent-encoded when normalizing (RFC 3986 reserved, plus '%'). */
const RESERVED = new Set("!*'();:@&=+$,/?%#[]".split(''));

/** Decode `%XX` of non-reserved characters, uppercase the hex of reserved ones. */
export function normalizePercent(path: string): string {
  if (path.indexOf('%') < 0) return path;
  // Kong works on bytes: a run of escapes like %C3%A9 decodes to the UTF-8 bytes of é.
  return path.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    let out = '';
    let bytes: number[] = [];
    const flush = () => {
      if (!bytes.length) return;
      try {
        out += new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(bytes));
      } catch {
        // Not UTF-8: kongc keeps such bytes escaped (a JS string cannot hold them raw).
        out += bytes.map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
      }
      bytes = [];
    };
    for (let i = 0; i < run.length; i += 3) {
      const hex = run.slice(i + 1, i + 3);
      const b = parseInt(hex, 16);
      const ch = String.fromCharCode(b);
      if (b < 0x80 && RESERVED.has(ch)) {
        flush();
        out += '%' + hex.toUpperCase();
      } else bytes.push(b);
    }
    flush();
    return out;
  });
}

/** RFC 3986 §5.2.4 remove_dot_segments. */
export function removeDotSegments(path: string): string {
  // A dot segment starts the path or follows a '/'.
  if (path.indexOf('/.') < 0 && path[0] !== '.') return path;
  const input = path.split('/');
  const out: string[] = [];
  for (let i = 0; i < input.length; i++) {
    const seg = input[i]!;
    if (seg === '.') {
      if (i === input.length - 1) out.push('');
      continue;
    }
    if (seg === '..') {
      if (out.length > 1) out.pop();
      if (i === input.length - 1) out.push('');
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  return joined.startsWith('/') || !path.startsWith('/') ? joined : '/' + joined;
}

/** kong.tools.uri.normalize(path, true): percent normalization, dot segments, merged slashes. */
export function normalizeKongPath(path: string): string {
  const p = removeDotSegments(normalizePercent(path));
  return p.indexOf('//') < 0 ? p : p.replace(/\/{2,}/g, '/');
}

/** True when every `%` starts a valid `%XX` escape. */
export function validPercentEncoding(path: string): boolean {
  return !/%(?![0-9A-Fa-f]{2})/.test(path);
}

/**
 * Kong's path typedef (a service path, an upstream's hash_on_cookie_path): why `path` is not one.
 * `escape`: the malformed `%` escape.
 */
export function pathSyntaxProblem(path: string): { kind: 'start' | 'empty-segment' | 'characters' } | { kind: 'percent'; escape: string } | null {
  if (!path.startsWith('/')) return { kind: 'start' };
  if (path.includes('//')) return { kind: 'empty-segment' };
  if (!/^\/[A-Za-z0-9._~/%:@!$&'()*+,;=-]*$/.test(path)) return { kind: 'characters' };
  const bad = /%(?![0-9A-Fa-f]{2})/.exec(path);
  return bad ? { kind: 'percent', escape: path.slice(bad.index, bad.index + 3) } : null;
}

/** Percent-decodes every `%XX` as nginx does for $uri; null when the bytes are not valid UTF-8. */
export function decodeAllPercent(path: string): string | null {
  if (!path.includes('%')) return path;
  const bytes: number[] = [];
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(path.slice(i + 1, i + 3))) {
      bytes.push(parseInt(path.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(bytes));
  } catch {
    return null;
  }
}

const LEGACY_PLAIN = /^[A-Za-z0-9.\-_~/%]*$/;
const REGEX_META = new Set('.^$*+?()[]{}|\\'.split(''));

/**
 * Kong's migration of a 1.1/2.1 route path: plain-looking paths are normalized prefixes, anything
 * else was a regex in 2.x and becomes `~` + the path with non-reserved escapes decoded (regex
 * metacharacters that result are escaped). Paths already written with `~` stay as they are.
 */
export function migrateLegacyPath(path: string): string {
  if (path.startsWith('~')) return path;
  if (LEGACY_PLAIN.test(path)) return normalizeKongPath(path);
  const decoded = path.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    if (RESERVED.has(ch)) return '%' + hex.toUpperCase();
    return REGEX_META.has(ch) ? '\\' + ch : ch;
  });
  return '~' + decoded;
}
