// Reads one declarative file (YAML or JSON) into plain data plus a SourceMap of every value.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { InputError, type Diagnostic } from '../diagnostics.js';
import { SourceMap, escapePointer } from './source-map.js';
import { substituteDeckEnv } from './deck-env.js';
import { LIMITS } from './limits.js';

export interface LoadedDocument {
  file: string;
  data: unknown;
  map: SourceMap;
}

/** Parses text already read from `file`. Throws InputError with positioned diagnostics. */
export function parseDeclarative(file: string, text: string, env: NodeJS.ProcessEnv = process.env): LoadedDocument {
  const map = new SourceMap(file);
  const fail = (line: number, column: number, message: string, hint?: string, code = 'parse'): never => {
    const d: Diagnostic = { file, line, column, severity: 'error', path: '', code, message, ...(hint ? { hint } : {}) };
    throw new InputError([d]);
  };
  if (Buffer.byteLength(text, 'utf8') > LIMITS.fileBytes) {
    fail(1, 1, `file is larger than ${LIMITS.fileBytes} bytes`, 'split the configuration into several files');
  }
  if (text.includes('\uFFFD')) {
    const at = offsetToLineCol(text, text.indexOf('\uFFFD'));
    fail(at.line, at.column, 'file is not valid UTF-8', 'save the file as UTF-8');
  }
  const substituted = substituteDeckEnv(text, env);
  if ('error' in substituted) {
    const at = offsetToLineCol(text, substituted.offset);
    fail(at.line, at.column, substituted.error, substituted.hint, 'env');
  }
  const source = (substituted as { text: string }).text;
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true, merge: false });
  const firstError = doc.errors[0];
  if (firstError) {
    const [start] = firstError.pos;
    const at = lineCounter.linePos(start);
    const msg = firstError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    fail(at.line, at.col, `invalid YAML: ${msg}`, firstError.code === 'DUPLICATE_KEY' ? 'remove or rename one of the duplicate keys' : undefined);
  }
  let nodes = 0;
  let aliases = 0;
  const walk = (node: Node | null | undefined, pointer: string, depth: number): unknown => {
    if (depth > LIMITS.depth) {
      const at = lineCounter.linePos(node?.range?.[0] ?? 0);
      fail(at.line, at.col, `nesting deeper than ${LIMITS.depth} levels`);
    }
    if (node == null) return null;
    const at = lineCounter.linePos(node.range?.[0] ?? 0);
    map.set(pointer, at.line, at.col);
    if (++nodes > LIMITS.yamlNodes) fail(at.line, at.col, `document expands to more than ${LIMITS.yamlNodes} values`, 'YAML aliases can expand exponentially; write values out');
    if (isAlias(node)) {
      if (++aliases > LIMITS.yamlAliases) fail(at.line, at.col, `more than ${LIMITS.yamlAliases} YAML aliases`);
      const target = node.resolve(doc);
      if (!target) fail(at.line, at.col, `unknown YAML alias *${node.source}`);
      return walk(target as Node, pointer, depth + 1);
    }
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'string' && v.length > LIMITS.stringLength) {
        fail(at.line, at.col, `string longer than ${LIMITS.stringLength} characters`);
      }
      if (typeof v === 'bigint') return Number(v);
      if (v instanceof Date) return node.source ?? String(v);
      return v;
    }
    if (isSeq(node)) {
      if (node.items.length > LIMITS.entities) fail(at.line, at.col, `list longer than ${LIMITS.entities} items`);
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
        if (k === '__proto__' || k === 'constructor' || k === 'prototype') {
          fail(kpos.line, kpos.col, `key "${k}" is not allowed`);
        }
        if (k === '<<') fail(kpos.line, kpos.col, 'YAML merge keys (<<) are not accepted', 'write the fields out in full');
        const childPointer = `${pointer}/${escapePointer(k)}`;
        map.set(childPointer, kpos.line, kpos.col);
        out[k] = walk(pair.value as Node, childPointer, depth + 1);
      }
      return plain(out);
    }
    return null;
  };
  const data = walk(doc.contents as Node, '', 0);
  return { file, data, map };
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
