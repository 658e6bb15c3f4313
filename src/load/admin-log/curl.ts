// curl's command line → the HTTP request it sends (method, URL, body), as curl builds it.
import { decodeUrlEncoded, type Body, type HttpCall } from './request.js';

/** Long options that take an argument (curl 8). Anything else starting with `--` is a flag. */
const LONG_WITH_ARG = new Set([
  'request', 'data', 'data-raw', 'data-binary', 'data-ascii', 'data-urlencode', 'form', 'form-string', 'header', 'json',
  'url', 'user', 'output', 'user-agent', 'referer', 'cookie', 'cookie-jar', 'max-time', 'connect-timeout', 'write-out',
  'cacert', 'capath', 'cert', 'key', 'cert-type', 'key-type', 'proxy', 'upload-file', 'range', 'retry', 'retry-delay',
  'retry-max-time', 'config', 'resolve', 'proxy-user', 'limit-rate', 'continue-at', 'trace', 'trace-ascii', 'stderr',
  'interface', 'quote', 'max-redirs', 'dns-servers', 'local-port', 'unix-socket', 'abstract-unix-socket', 'oauth2-bearer',
  'connect-to', 'noproxy', 'pass', 'ciphers', 'expect100-timeout', 'keepalive-time', 'speed-limit', 'speed-time', 'variable',
  'url-query', 'header-file', 'dump-header', 'time-cond', 'aws-sigv4', 'tls-max', 'proto', 'proto-redir', 'proto-default',
]);
/** Short options that take an argument. */
const SHORT_WITH_ARG = new Set('XdFHuoAebcmwExTrKUCyYzQD'.split(''));

export function curlOptionTakesArg(word: string): boolean {
  if (word.startsWith('--')) return LONG_WITH_ARG.has(word.slice(2).split('=')[0]!);
  if (!/^-[A-Za-z]+$/.test(word)) return false;
  // In a cluster like -isX the last letter decides; an earlier letter with an argument consumes the rest.
  for (let k = 1; k < word.length; k++) if (SHORT_WITH_ARG.has(word[k]!)) return k === word.length - 1;
  return false;
}

const SHORT_NAMES: Record<string, string> = {
  X: 'request', d: 'data', F: 'form', H: 'header', u: 'user', o: 'output', A: 'user-agent', e: 'referer', b: 'cookie',
  c: 'cookie-jar', m: 'max-time', w: 'write-out', E: 'cert', x: 'proxy', T: 'upload-file', r: 'range', K: 'config',
  U: 'proxy-user', C: 'continue-at', y: 'speed-time', Y: 'speed-limit', z: 'time-cond', Q: 'quote', D: 'dump-header',
  G: 'get', I: 'head',
};

/** Builds the request; `words[0]` is `curl`. Returns a reason string when the words are not a usable call. */
export function parseCurl(words: string[]): HttpCall | string {
  const opts: { name: string; value: string }[] = [];
  const positional: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') {
      positional.push(...words.slice(i + 1));
      break;
    }
    if (w.startsWith('--') && w.length > 2) {
      const [name, inline] = splitOnce(w.slice(2), '=');
      if (LONG_WITH_ARG.has(name)) {
        const value = inline ?? words[++i];
        if (value === undefined) return `curl option --${name} needs a value`;
        opts.push({ name, value });
      } else opts.push({ name, value: '' });
    } else if (w.startsWith('-') && w.length > 1) {
      for (let k = 1; k < w.length; k++) {
        const letter = w[k]!;
        const name = SHORT_NAMES[letter] ?? letter;
        if (SHORT_WITH_ARG.has(letter)) {
          const value = k + 1 < w.length ? w.slice(k + 1) : words[++i];
          if (value === undefined) return `curl option -${letter} needs a value`;
          opts.push({ name, value });
          break;
        }
        opts.push({ name, value: '' });
      }
    } else positional.push(w);
  }

  const notes: string[] = [];
  let method: string | undefined;
  const urls: string[] = [];
  let contentType: string | undefined;
  let json = false;
  let get = false;
  let head = false;
  const data: string[] = [];
  const form: [string, string][] = [];
  for (const { name, value } of opts) {
    switch (name) {
      case 'request':
        method = value.toUpperCase();
        break;
      case 'url':
        urls.push(value);
        break;
      case 'header': {
        const [h, v] = splitOnce(value, ':');
        if (h.trim().toLowerCase() === 'content-type' && v !== undefined) contentType = v.trim().toLowerCase();
        break;
      }
      case 'data':
      case 'data-ascii':
      case 'data-binary':
        if (value.startsWith('@')) notes.push(`--${name} ${value} reads a file kongc does not open; that part of the body is left out`);
        else data.push(value);
        break;
      case 'data-raw':
        data.push(value);
        break;
      case 'json':
        json = true;
        if (value.startsWith('@')) notes.push(`--json ${value} reads a file kongc does not open; that part of the body is left out`);
        else data.push(value);
        break;
      case 'data-urlencode':
        data.push(urlencodeArg(value, notes));
        break;
      case 'form':
      case 'form-string': {
        const [k, v = ''] = splitOnce(value, '=');
        if (name === 'form' && (v.startsWith('@') || v.startsWith('<'))) {
          notes.push(`-F ${k}=${v} sends the content of a file kongc does not open; '${k}' is kept as the text '${v}'`);
        }
        form.push([k, name === 'form' ? stripFormType(v) : v]);
        break;
      }
      case 'get':
        get = true;
        break;
      case 'head':
        head = true;
        break;
      default:
        break;
    }
  }
  urls.push(...positional);
  if (!urls.length) return 'curl command without a URL';
  if (urls.length > 1) notes.push(`curl was given ${urls.length} URLs; only the first (${urls[0]}) is replayed`);
  let url = urls[0]!;

  let body: Body = { kind: 'none' };
  if (form.length) body = { kind: 'form', pairs: form };
  else if (data.length && get) url += (url.includes('?') ? '&' : '?') + data.join('&');
  else if (data.length) {
    const text = data.join(json ? '' : '&');
    body = json || (contentType ?? '').startsWith('application/json') ? { kind: 'json', text } : { kind: 'form', pairs: decodeUrlEncoded(text) };
  }
  const implied = head ? 'HEAD' : get ? 'GET' : body.kind !== 'none' ? 'POST' : 'GET';
  return { method: method ?? implied, url, body, notes };
}

/** `--data-urlencode` forms: `content`, `=content`, `name=content`, `@file`, `name@file`. */
function urlencodeArg(value: string, notes: string[]): string {
  const eq = value.indexOf('=');
  const at = value.indexOf('@');
  if (at >= 0 && (eq < 0 || at < eq)) {
    notes.push(`--data-urlencode ${value} reads a file kongc does not open; that part of the body is left out`);
    return '';
  }
  if (eq < 0) return encodeURIComponent(value);
  const name = value.slice(0, eq);
  const content = encodeURIComponent(value.slice(eq + 1));
  return name ? `${name}=${content}` : content;
}

/** `-F 'name=value;type=text/plain'`: the `;type=` / `;filename=` suffix is metadata, not value. */
function stripFormType(v: string): string {
  if (v.startsWith('"')) {
    const close = v.indexOf('"', 1);
    if (close > 0) return v.slice(1, close);
  }
  return v.replace(/;(?:type|filename|headers|encoder)=[^;]*$/, '');
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + sep.length)];
}
