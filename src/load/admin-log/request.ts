// The HTTP request a curl or HTTPie command would send, and whether it is meant for Kong's Admin API.

export type Body =
  | { kind: 'none' }
  /** application/x-www-form-urlencoded or multipart: decoded name/value pairs in order. */
  | { kind: 'form'; pairs: [string, string][] }
  | { kind: 'json'; text: string }
  /** Already-structured JSON (HTTPie builds its body from items). */
  | { kind: 'object'; value: Record<string, unknown> };

export interface HttpCall {
  method: string;
  url: string;
  body: Body;
  /** Things the command did that cannot be replayed exactly (files, several URLs): become notes. */
  notes: string[];
}

export interface ParsedUrl {
  host: string;
  /** Explicit port, or null when the URL has none. */
  port: number | null;
  /** Path without the query, percent-decoded per segment later. */
  path: string;
}

/** Kong's default proxy ports, plus the plain web ports a proxy is usually published on. */
const PROXY_PORTS = new Set([8000, 8443, 80, 443]);
/**
 * First path segments that mark an Admin API call on any host and port: the entity collections (plus the
 * 0.x `/apis` kongc reports). Generic ones (`/status`, `/oauth2`, `/config`) only count on an admin port,
 * since third-party APIs in the same docs use them too.
 */
export const ADMIN_ROOTS = new Set([
  'services', 'routes', 'upstreams', 'targets', 'consumers', 'plugins', 'certificates', 'snis', 'ca_certificates', 'apis',
]);
const ADMIN_PORTS = new Set([8001, 8444]);

/**
 * Splits a URL as curl and HTTPie accept it: with or without scheme, a `$VAR`/`${VAR}` left
 * unexpanded in place of scheme and host, IPv6 in brackets.
 */
export function parseUrl(raw: string): ParsedUrl {
  let rest = raw.trim();
  if (rest.startsWith('$')) {
    // An admin URL held in a variable the log never set: only the path is known.
    const slash = rest.indexOf('/');
    return { host: rest.slice(0, slash < 0 ? rest.length : slash), port: null, path: slash < 0 ? '/' : stripQuery(rest.slice(slash)) };
  }
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  const slash = rest.search(/[/?#]/);
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '/' : stripQuery(rest.slice(slash)) || '/';
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
  const host = m ? m[1]! : hostPort;
  const port = m && m[2] ? Number(m[2]) : null;
  return { host, port, path: path.startsWith('/') ? path : '/' + path };
}

function stripQuery(p: string): string {
  const q = p.search(/[?#]/);
  return q < 0 ? p : p.slice(0, q);
}

export type Destination = { admin: true } | { admin: false; why: string };

/** Decides whether a call goes to the Admin API (any host or port) or elsewhere (proxy, third parties). */
export function destination(url: ParsedUrl): Destination {
  if (url.port !== null && PROXY_PORTS.has(url.port)) {
    return { admin: false, why: `port ${url.port} is a proxy port, not the Admin API` };
  }
  const first = url.path.split('/')[1] ?? '';
  if (ADMIN_ROOTS.has(first)) return { admin: true };
  if (url.port !== null && ADMIN_PORTS.has(url.port)) return { admin: true };
  return { admin: false, why: `'${url.path}' is not an Admin API endpoint` };
}

/** Decodes an application/x-www-form-urlencoded string as Kong (ngx.decode_args) does: `+` is a space. */
export function decodeUrlEncoded(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    out.push([percentDecode(k), percentDecode(v)]);
  }
  return out;
}

export function percentDecode(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    // Invalid escapes stay as written, like ngx.unescape_uri.
    return plus.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}
