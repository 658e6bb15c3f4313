// One encoder per kind of value that reaches nginx text. Templates see input
// only through these. Each either returns exactly one nginx token meaning the value, or throws:
// validation rejects bad input first, so a throw here is a kongc bug, never a silent pass.
import type { Check, DirectiveArg, MapEntry, MapValue, PluginArg } from '../plan/ir.js';
import { utf8Within, wellFormed } from '../text.js';
import { isPlainUriPath, QUESTION_VARIABLE, quoteContent, spellDollar } from '../nginx-quoting.js';

export { quoteContent } from '../nginx-quoting.js';

export class EncodingError extends Error {
  constructor(kind: string, value: unknown) {
    super(`refusing to emit ${kind} ${JSON.stringify(value)}: not valid for nginx`);
    this.name = 'EncodingError';
  }
}

const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * The most bytes one encoded token may take. nginx refuses a token longer than 4096 bytes
 * (NGX_CONF_BUFFER, "too long parameter"); the rest is room for the quotes. Validation keeps input
 * values well below this (LIMITS.valueBytes) so that an encoder never has to refuse real input.
 */
export const MAX_TOKEN_BYTES = 4000;

/** Bare (unquoted) tokens are short generated or validated words: identifiers, addresses, names. */
const MAX_BARE_BYTES = 512;

function bare(kind: string, value: unknown, ok: boolean): string {
  if (!ok || typeof value !== 'string' || value.length > MAX_BARE_BYTES) throw new EncodingError(kind, value);
  return value;
}

/** A double-quoted token whose content nginx reads literally (no variables in this context). */
export function literal(value: string, kind = 'string'): string {
  if (typeof value !== 'string' || CONTROL.test(value) || !wellFormed(value)) throw new EncodingError(kind, value);
  const out = '"' + quoteContent(value) + '"';
  if (!utf8Within(out, MAX_TOKEN_BYTES)) throw new EncodingError(kind, value.slice(0, 40) + '…');
  return out;
}

/** A prefix location path; emitted after an explicit modifier (`location ^~ "/x"`). */
export function prefixPath(value: string): string {
  if (!value.startsWith('/')) throw new EncodingError('location path', value);
  return literal(value, 'location path');
}

/** A PCRE pattern as a map key (`~`/`~*` selects regex matching) or location regex. */
export function regex(pattern: string, caseless: boolean): string {
  if (typeof pattern !== 'string' || typeof caseless !== 'boolean') throw new EncodingError('regex', pattern);
  return literal((caseless ? '~*' : '~') + pattern, 'regex');
}

/** An exact map key: a leading `~` or `\`, or a special word, needs nginx's `\` escape. */
export function mapKey(value: string): string {
  const special = /^[~\\]/.test(value) || ['default', 'hostnames', 'include', 'volatile'].includes(value);
  return literal(special ? '\\' + value : value, 'map key');
}

const VARIABLE = /^(?:[A-Za-z_][A-Za-z0-9_]*|[1-9])$/;

/**
 * A complex value (proxy_set_header, map value, return): literal text and generated variables.
 * A literal `$` would start a variable, so it is spelled `${kongc_dollar}` (a geo constant).
 */
export function complexValue(parts: MapValue, question = false, newline = '\\n'): string {
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if ('separator' in p) {
      // A newline: nginx's lexer turns `\n` in a quoted token into one, and keeps a real one.
      out += newline;
    } else if ('variable' in p) {
      if (!VARIABLE.test(p.variable)) throw new EncodingError('variable', p.variable);
      const next = parts[i + 1];
      // `$name` unless the next character would continue the name.
      const braces = next !== undefined && 'text' in next && /^[A-Za-z0-9_]/.test(next.text);
      if (braces && /^\d$/.test(p.variable)) throw new EncodingError('capture followed by a name character', p.variable);
      out += braces ? '${' + p.variable + '}' : '$' + p.variable;
    } else {
      if (typeof p.text !== 'string' || CONTROL.test(p.text) || !wellFormed(p.text)) throw new EncodingError('value', p.text);
      let quoted = quoteContent(p.text);
      quoted = spellDollar(quoted);
      // In a rewrite's replacement a literal '?' would start the query string.
      if (question && quoted.indexOf('?') >= 0) quoted = quoted.replace(/\?/g, `\${${QUESTION_VARIABLE}}`);
      out += quoted;
    }
  }
  if (!utf8Within(out, MAX_TOKEN_BYTES - 2)) throw new EncodingError('value', out.slice(0, 40) + '…');
  return '"' + out + '"';
}

/** A response body: a complex value whose newlines stay real line breaks inside the quotes, so it reads as sent. */
export function bodyValue(parts: MapValue): string {
  return complexValue(parts, false, '\n');
}

/** A rewrite's replacement: a complex value in which '?' is part of the path, not the query. */
export function rewriteValue(parts: MapValue): string {
  return complexValue(parts, true);
}

/** A plain text value that may contain `$`: a complex value with a single literal part. */
export function textValue(value: string): string {
  return complexValue([{ text: value }]);
}

/**
 * A generated identifier: variable name (`kongc_f3`, `http_x_user`, `cookie_Session`), upstream
 * name (`kongc_up_api.internal`), named location (`@kongc_r0_p1`) or entity key (`r3`).
 */
export function identifier(value: string): string {
  return bare('identifier', value, typeof value === 'string' && (/^@?kongc_[A-Za-z0-9_.-]+$/.test(value) || /^[A-Za-z_][A-Za-z0-9_]*$/.test(value)));
}

/** An njs handler as js_set names it: the module, its exported function, and possibly a property of it (`kongc.lines.x_user`). */
export function njsHandler(value: string): string {
  return bare('njs handler', value, typeof value === 'string' && /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*){1,2}$/.test(value));
}

/** An entity key (names.ts): a Kong name, id, target address or `kind-hash`. */
export function entityKey(value: string): string {
  return bare('entity key', value, typeof value === 'string' && /^[A-Za-z0-9._:[\]~-]{1,96}$/.test(value));
}

const CHECK_OPS = new Set(['=', '!=', '~', '!~', '~*', '!~*']);

/** An `if` condition: a generated variable, an operator, and a string (`=`, `!=`) or a regex. */
export function check(c: Check): string {
  if (!c || !CHECK_OPS.has(c.op)) throw new EncodingError('check', c);
  const variable = identifier(c.variable);
  // `=` compares with a complex value (a `$` is spelled as a variable); regexes are read literally.
  return `$${variable} ${c.op} ${c.op.includes('~') ? literal(c.operand, 'regex') : textValue(c.operand)}`;
}

/**
 * PCRE2's JIT compiles a pattern into machine code of its own, about 10 KB of worker memory per
 * pattern with nginx 1.22, which `pcre_jit on` pays for every regex of the config. A regex of one
 * route's block (its checks, captures and upstream-path rewrites) runs at most once per request,
 * on a short path, where the interpreter is as good: `(*NO_JIT)` keeps it interpreted, so memory
 * does not grow by a JIT compilation per route. PCRE2 syntax: nginx built with PCRE2 (README).
 */
const NO_JIT = '(*NO_JIT)';

/** A regex of a route's block, tested at most once per request: read literally, not JIT-compiled. */
export function routeRegex(pattern: string): string {
  if (typeof pattern !== 'string') throw new EncodingError('regex', pattern);
  return literal(NO_JIT + pattern, 'regex');
}

/** An `if` condition of a route's block: a regex comparison is not JIT-compiled (routeRegex). */
export function routeCheck(c: Check): string {
  if (!c || !c.op?.includes('~')) return check(c);
  return check({ ...c, operand: NO_JIT + c.operand });
}

/** The URI part of proxy_pass: a path of plain URI characters, sent as written. */
export function uriPath(value: string): string {
  return bare('uri path', value, typeof value === 'string' && isPlainUriPath(value));
}

/** `host:port` / `[v6]:port` of an upstream server. */
export function address(value: string): string {
  const m = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_][A-Za-z0-9._-]*):(\d{1,5})$/.exec(String(value));
  // `unix:` selects a Unix socket in nginx's `server` (and proxy_pass); a port must be 1-65535.
  return bare('address', value, m !== null && !/^unix:/i.test(value) && Number(m[1]) >= 1 && Number(m[1]) <= 65535);
}

/** A non-negative integer. */
export function integer(value: number): string {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new EncodingError('integer', value);
  return String(value);
}

/** A duration in milliseconds (`60000ms`). */
export function milliseconds(value: number): string {
  return integer(value) + 'ms';
}

/** An HTTP header name for proxy_set_header / add_header. */
export function headerName(value: string): string {
  // RFC 7230 tchar, minus '$' (a variable), '#' (a comment at the start of a token) and quotes.
  return bare('header name', value, /^[A-Za-z0-9!%&*+.^_`|~-]+$/.test(String(value)));
}

/** A listen address: port, addr:port, [v6]:port. */
export function listenAddress(value: string): string {
  return bare('listen address', value, isListenAddress(String(value)));
}

/** PORT, ADDRESS:PORT or [V6]:PORT with a port of 1–65535: the one grammar `--listen` accepts. */
export function isListenAddress(value: string): boolean {
  const m = /^(?:(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|localhost|\*):)?(\d{1,5})$/.exec(value);
  return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= 65535;
}

/** A token kongc generates (build hash, version, scheme, nginx keywords like http_500). */
export function token(value: string): string {
  return bare('token', value, typeof value === 'string' && /^[A-Za-z0-9._-]+$/.test(value));
}

/** `on` / `off`. */
export function onOff(value: boolean): string {
  if (typeof value !== 'boolean') throw new EncodingError('flag', value);
  return value ? 'on' : 'off';
}

/** A typed directive argument: a duration, a count, a generated word or on/off. */
export function directiveArg(arg: DirectiveArg): string {
  if ('ms' in arg) return milliseconds(arg.ms);
  if ('count' in arg) return integer(arg.count);
  if ('word' in arg) return token(arg.word);
  if ('on' in arg) return onOff(arg.on);
  throw new EncodingError('directive argument', arg);
}

/** A map entry's key: an exact key, or a regex (`~`, `~*` caseless). */
export function mapEntryKey(entry: MapEntry): string {
  if (entry.match === 'exact') return mapKey(entry.key);
  if (entry.match === 'regex') return regex(entry.pattern, entry.caseless);
  throw new EncodingError('map entry', entry);
}

/**
 * Generated comment text (after `# `): it may quote entity names from the input, so anything but
 * printable ASCII becomes '?'. A comment ends at a newline only, which can never get through.
 */
export function comment(value: string): string {
  if (typeof value !== 'string') throw new EncodingError('comment', value);
  return value.replace(/[^\x20-\x7e]/g, '?');
}

/** An absolute file path kongc chose (side files): read literally by nginx. */
export function filePath(value: string): string {
  if (typeof value !== 'string' || !value.startsWith('/')) throw new EncodingError('file path', value);
  return literal(value, 'file path');
}

/** A size in bytes, in nginx's units where exact (`128m`, `10k`, `512`). */
export function size(bytes: number): string {
  const n = integer(bytes);
  if (bytes > 0 && bytes % 1048576 === 0) return `${bytes / 1048576}m`;
  if (bytes > 0 && bytes % 1024 === 0) return `${bytes / 1024}k`;
  return n;
}

/** An IPv4 or IPv6 address or CIDR block for `geo`. */
export function cidr(value: string): string {
  const v4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\/(?:3[0-2]|[12]?\d))?$/;
  const v6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:\/(?:12[0-8]|1[01]\d|[1-9]?\d))?$/;
  return bare('cidr', value, typeof value === 'string' && (v4.test(value) || v6.test(value)));
}

/** Where an error_page sends a status: a named location, or a variable holding one. */
export function errorTarget(value: string): string {
  if (typeof value === 'string' && value.startsWith('$')) return '$' + identifier(value.slice(1));
  return identifier(value);
}

const OPTION_VALUE = /^[A-Za-z0-9._:/-]{1,200}$/;

/** A plugin directive's argument (ir.ts PluginArg). */
export function pluginArg(arg: PluginArg): string {
  if (arg && typeof arg === 'object') {
    if ('value' in arg && Array.isArray(arg.value)) return complexValue(arg.value);
    if ('literal' in arg) return literal(arg.literal);
    if ('bytes' in arg) return size(arg.bytes);
    if ('file' in arg) return filePath(arg.file);
    if ('option' in arg) {
      return bare('option', `${arg.option}=${arg.value}`, /^[a-z_]{1,32}$/.test(arg.option) && typeof arg.value === 'string' && OPTION_VALUE.test(arg.value));
    }
    return directiveArg(arg as DirectiveArg);
  }
  throw new EncodingError('plugin argument', arg);
}
