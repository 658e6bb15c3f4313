// A request as `kongc explain` takes it (a method and URL, as curl sends them, plus -H headers), and
// the values nginx derives from it: $uri, $args, $host, the Host header's port, the SNI.
import { PLAIN_HTTP_SNI } from '../plan/lower.js';
import { isIPv4 } from '../kong/target-address.js';
import { bytes } from './pcre-js.js';

export interface ExplainRequest {
  method: string;
  /** The request target as sent on the request line (path and query, raw). */
  target: string;
  /** The Host header as sent; null when there is none. */
  hostHeader: string | null;
  /** Other request headers, names lower-cased, in order. */
  headers: [string, string][];
  /** The port the request arrives on (the listener's). */
  serverPort: number;
  /** Over TLS (an https:// URL): the SNI sent, null for none; null for plain HTTP. */
  tls: { sni: string | null } | null;
}

/** What nginx makes of a request; strings are binary (one char per byte). */
export interface NginxView {
  /** $uri: decoded, dot segments resolved, slashes merged. */
  uri: string;
  /** $args, or null without a '?'. */
  args: string | null;
  /** $request_uri (the raw target). */
  requestUri: string;
  /** $host: the Host header lower-cased without its port ('' without one). */
  host: string;
  /** The port route hosts compare with: the Host header's, else the listener's. */
  hostPort: string;
  /** The raw path had a '%' (nginx then escapes the path it proxies). */
  quoted: boolean;
  /** `$kongc_sni` (lower.ts): the SNI over TLS ("" without one), PLAIN_HTTP_SNI over plain HTTP. */
  sni: string;
}

export class RequestError extends Error {}

/**
 * `GET http://api.example.com:8000/a?x=1` (the method defaults to GET), with `Name: value`
 * headers; a Host header among them replaces the URL's authority, as with curl. An https:// URL
 * arrives on the TLS listener with the URL's host name as SNI (curl sends none for an IP address).
 */
export function parseExplainRequest(spec: string, headerLines: string[]): ExplainRequest {
  const words = spec.trim().split(/\s+/);
  if (words.length > 2 || !words[0]) throw new RequestError(`expected "METHOD URL", got ${JSON.stringify(spec)}`);
  const [method, url] = words.length === 2 ? [words[0]!, words[1]!] : ['GET', words[0]!];
  if (!/^[A-Z][A-Z0-9_-]*$/.test(method)) throw new RequestError(`${JSON.stringify(method)} is not an HTTP method (upper-case letters, as sent)`);
  const m = /^(https?):\/\/([^/?#\s]+)([^#\s]*)/i.exec(url);
  if (!m) throw new RequestError(`${JSON.stringify(url)} is not an http:// or https:// URL`);
  const https = m[1]!.toLowerCase() === 'https';
  const authority = m[2]!;
  const urlHost = authority.replace(/:\d*$/, '');
  const port = /:(\d+)$/.exec(authority);
  let target = m[3] || '/';
  if (target.startsWith('?')) target = '/' + target;
  const headers: [string, string][] = [];
  let hostHeader: string | null = authority;
  for (const line of headerLines) {
    const h = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*?)\s*$/.exec(line);
    if (!h) throw new RequestError(`${JSON.stringify(line)} is not a header ("Name: value")`);
    const name = h[1]!.toLowerCase();
    if (name === 'host') hostHeader = h[2]! || null;
    else headers.push([name, h[2]!]);
  }
  const tls = https ? { sni: urlHost.startsWith('[') || isIPv4(urlHost) ? null : urlHost } : null;
  return { method, target, hostHeader, headers, serverPort: port ? Number(port[1]) : https ? 443 : 80, tls };
}

/** nginx's reading of the request line and Host header; a string is nginx's error answer. */
export function nginxView(req: ExplainRequest): NginxView | { status: number; why: string } {
  // nginx answers TRACE itself, before any location.
  if (req.method === 'TRACE') return { status: 405, why: 'nginx refuses TRACE (405 Not Allowed)' };
  const raw = bytes(req.target);
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const uri = normalizeUri(path);
  if (uri === null) return { status: 400, why: 'nginx refuses a path that climbs above / (400 Bad Request)' };
  const hostHeader = req.hostHeader === null ? '' : bytes(req.hostHeader);
  const port = /:([0-9]+)$/.exec(hostHeader);
  return {
    uri,
    args: q < 0 ? null : raw.slice(q + 1),
    requestUri: raw,
    host: hostHeader.replace(/:[0-9]*$/, '').replace(/\.$/, '').toLowerCase(),
    hostPort: port ? port[1]! : String(req.serverPort),
    quoted: path.includes('%'),
    sni: req.tls === null ? PLAIN_HTTP_SNI : /^[^\x00-\x20\x7f:]+$/.test(req.tls.sni ?? '') ? bytes(req.tls.sni!) : '',
  };
}

/**
 * nginx's $uri from the raw path: every %XX decoded, `.` and `..` segments resolved (`..` above the
 * root is an error), runs of '/' merged (merge_slashes on).
 */
export function normalizeUri(path: string): string | null {
  const decoded = path.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const out: string[] = [];
  const segments = decoded.split('/');
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (seg === '' && !last) continue;
    if (seg === '.') {
      if (last) out.push('');
      continue;
    }
    if (seg === '..') {
      if (!out.length) return null;
      out.pop();
      if (last) out.push('');
      continue;
    }
    out.push(seg);
  }
  return '/' + out.join('/');
}
