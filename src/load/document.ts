// Reads one declarative file (YAML or JSON) into plain data plus a SourceMap of every value.
// Hostile input fails here with a positioned error before anything else sees it: size, invalid
// UTF-8, nesting, alias expansion, duplicate keys, prototype keys, lone surrogates, huge strings.
import { createRequire } from 'node:module';
import type { Node } from 'yaml';
import { parseWithPositions } from './yaml-positions.js';
import { closingQuote } from './yaml-quotes.js';
import { InputError, type Diagnostic } from '../diagnostics.js';
import { SourceMap, escapePointer } from './source-map.js';
import { substituteDeckEnv } from './deck-env.js';
import { LIMITS } from './limits.js';
import { OBJECT_INTERNAL_KEYS, utf8Within, wellFormed } from '../text.js';

export interface LoadedDocument {
  file: string;
  data: unknown;
  map: SourceMap;
}

function failAt(file: string, line: number, column: number, message: string, hint?: string, code = 'parse'): never {
  const d: Diagnostic = { file, line, column, severity: 'error', path: '', code, message, ...(hint ? { hint } : {}) };
  throw new InputError([d]);
}

/**
 * Decodes a file's bytes as UTF-8 (a leading BOM is dropped). Invalid UTF-8 is an error at the
 * first bad byte: line, column (in characters, as every other diagnostic) and the byte's value.
 */
export function decodeUtf8(file: string, buf: Uint8Array): string {
  if (buf.length > LIMITS.fileBytes) failAt(file, 0, 0, `file is larger than ${LIMITS.fileBytes} bytes`, 'split the configuration into several files', 'limit');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    const bad = firstInvalidUtf8(buf);
    const before = new TextDecoder('utf-8').decode(buf.subarray(0, bad));
    const at = offsetToLineCol(before, before.length);
    const hex = (buf[bad] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    const utf16 = (buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff);
    return failAt(file, at.line, at.column, `file is not valid UTF-8: byte 0x${hex} at offset ${bad} does not start or continue a character`, utf16 ? 'the file looks like UTF-16; save it as UTF-8' : 'save the file as UTF-8', 'encoding');
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (RFC 3629). */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n = 0;
    let min = 0;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return b.length;
}

/**
 * A cheap upper bound of the nesting depth, before the YAML parser (which recurses, and whose stack
 * overflow leaves V8 unable to compile regexes afterwards) sees the text: flow brackets outside
 * same-line quoted scalars, plus block indentation levels and `- `/`? ` markers. Full-line comments
 * are skipped. Only hostile files come near the bound.
 */
function nestingProblem(text: string): { line: number; column: number } | null {
  const bound = LIMITS.depth * 2;
  let flow = 0;
  const indents: number[] = [];
  let line = 1;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const l = text.slice(start, end);
    const indent = /^[ \t]*/.exec(l)![0].length;
    if (indent < l.length && l[indent] !== '#') {
      if (flow === 0) {
        while (indents.length && indents[indents.length - 1]! >= indent) indents.pop();
        indents.push(indent);
        const markers = /^(?:[-?][ \t]+)*/.exec(l.slice(indent))![0].replace(/[ \t]/g, '').length;
        if (indents.length + markers > bound) return { line, column: indent + 1 };
      }
      let quote: string | null = null;
      for (let i = indent; i < l.length; i++) {
        const c = l[i]!;
        if (quote) {
          if (quote === '"' && c === '\\') i++;
          else if (c === quote) {
            if (quote === "'" && l[i + 1] === "'") i++;
            else quote = null;
          }
          continue;
        }
        if ((c === '"' || c === "'") && (i === indent || /[\s[{,:-]/.test(l[i - 1]!))) {
          const close = closingQuote(l, i);
          if (close > i) quote = c;
          continue;
        }
        if (c === '[' || c === '{') {
          if (++flow + indents.length > bound) return { line, column: i + 1 };
        } else if ((c === ']' || c === '}') && flow > 0) flow--;
      }
    }
    start = end + 1;
    line++;
  }
  return null;
}



/** Parses text already read from `file`. Throws InputError with positioned diagnostics. */
export function parseDeclarative(file: string, text: string, env: NodeJS.ProcessEnv = process.env): LoadedDocument {
  const map = new SourceMap(file);
  const fail = (line: number, column: number, message: string, hint?: string, code = 'parse'): never => failAt(file, line, column, message, hint, code);
  if (Buffer.byteLength(text, 'utf8') > LIMITS.fileBytes) {
    fail(0, 0, `file is larger than ${LIMITS.fileBytes} bytes`, 'split the configuration into several files', 'limit');
  }
  const substituted = substituteDeckEnv(text, env);
  if ('error' in substituted) {
    const at = offsetToLineCol(text, substituted.offset);
    fail(at.line, at.column, substituted.error, substituted.hint, 'env');
  }
  const source = (substituted as { text: string }).text;
  const fast = fastParse(source, map);
  if (fast) return { file, data: fast.data, map };
  const deep = nestingProblem(source);
  if (deep) fail(deep.line, deep.column, `nesting deeper than ${LIMITS.depth} levels`, undefined, 'limit');
  // The full parser is loaded only for files the fast path declines (~45 ms to load).
  const { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true, merge: false });
  const firstError = doc.errors[0];
  if (firstError) {
    const [start] = firstError.pos;
    const at = lineCounter.linePos(start);
    const msg =
      firstError.code === 'MULTIPLE_DOCS'
        ? "a file holds one document; this one has a second (after '---')"
        : firstError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    fail(at.line, at.col, `invalid YAML: ${msg}`, firstError.code === 'DUPLICATE_KEY' ? 'remove or rename one of the duplicate keys' : undefined);
  }
  let nodes = 0;
  let aliases = 0;
  const walk = (node: Node | null | undefined, pointer: string, depth: number): unknown => {
    if (depth > LIMITS.depth) {
      const at = lineCounter.linePos(node?.range?.[0] ?? 0);
      fail(at.line, at.col, `nesting deeper than ${LIMITS.depth} levels`, undefined, 'limit');
    }
    if (node == null) return null;
    const at = lineCounter.linePos(node.range?.[0] ?? 0);
    map.set(pointer, at.line, at.col);
    if (++nodes > LIMITS.yamlNodes) fail(at.line, at.col, `document expands to more than ${LIMITS.yamlNodes} values`, 'YAML aliases can expand exponentially; write values out', 'limit');
    if (isAlias(node)) {
      if (++aliases > LIMITS.yamlAliases) fail(at.line, at.col, `more than ${LIMITS.yamlAliases} YAML aliases`, 'YAML aliases can expand exponentially (billion laughs); write values out', 'limit');
      const target = node.resolve(doc);
      if (!target) fail(at.line, at.col, `unknown YAML alias *${node.source}`);
      return walk(target as Node, pointer, depth + 1);
    }
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'string') {
        if (!utf8Within(v, LIMITS.stringBytes)) fail(at.line, at.col, `string longer than ${LIMITS.stringBytes} bytes`, undefined, 'limit');
        if (!wellFormed(v)) fail(at.line, at.col, 'string contains a lone UTF-16 surrogate escape (\\uD800-\\uDFFF), which is not valid Unicode', 'escape characters outside the BMP as \\UXXXXXXXX or write them as UTF-8');
      }
      if (typeof v === 'bigint') return Number(v);
      if (v instanceof Date) return node.source ?? String(v);
      return v;
    }
    if (isSeq(node)) {
      if (node.items.length > LIMITS.entities) fail(at.line, at.col, `list longer than ${LIMITS.entities} items`, undefined, 'limit');
      return node.items.map((item, i) => walk(item as Node, `${pointer}/${i}`, depth + 1));
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = Object.create(null);
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const key = isScalar(keyNode) ? keyNode.value : null;
        const kpos = lineCounter.linePos(keyNode?.range?.[0] ?? node.range?.[0] ?? 0);
        if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') {
          fail(kpos.line, kpos.col, 'mapping keys must be plain strings');
        }
        const k = String(key);
        if (!wellFormed(k)) fail(kpos.line, kpos.col, 'key contains a lone UTF-16 surrogate escape, which is not valid Unicode');
        if (OBJECT_INTERNAL_KEYS.has(k)) {
          fail(kpos.line, kpos.col, `key "${k}" is not allowed`, 'kongc refuses keys that name JavaScript object internals; Kong has no such fields');
        }
        if (k === '<<') fail(kpos.line, kpos.col, 'YAML merge keys (<<) are not accepted', 'write the fields out in full');
        const childPointer = `${pointer}/${escapePointer(k)}`;
        map.setKey(childPointer, kpos.line, kpos.col);
        out[k] = walk(pair.value as Node, childPointer, depth + 1);
      }
      return plain(out);
    }
    return null;
  };
  const data = walk(doc.contents as Node, '', 0);
  return { file, data, map };
}

/**
 * The fast path for ordinary files: one js-yaml parse gives the values and their positions, and
 * checks them as the full path does. Anything it declines returns null, and the `yaml` parser
 * (slower, with every position and the precise error) takes over.
 */
function fastParse(source: string, map: SourceMap): { data: unknown } | null {
  const parsed = parseWithPositions(source);
  if (!parsed) return null;
  const { data, positions } = parsed;
  map.adopt(positions);
  return { data };
}

/** Null-prototype objects are safe while walking; the rest of the pipeline wants ordinary ones. */
function plain(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) Object.defineProperty(out, k, { value: o[k], enumerable: true, writable: true, configurable: true });
  return out;
}

export function offsetToLineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}
