// Positions of every value in block-style YAML, found by a line scanner instead of a full YAML
// parse. `yaml` builds a complete syntax tree (about 1 µs per byte); js-yaml parses ten times
// faster but keeps no positions. kongc parses with js-yaml and takes positions from this scanner,
// which understands the YAML that declarative files are written in (block mappings and sequences,
// one-line scalars and flow collections, block scalars, comments). Anything else returns null and
// the caller falls back to the `yaml` parser; so does any disagreement with the parsed data.
import { LIMITS } from './limits.js';
import { addChild, positionNode, type MappingChildren, type PositionNode } from './source-map.js';
import { closingQuote } from './yaml-quotes.js';

interface Frame {
  indent: number;
  node: PositionNode;
  kind: 'map' | 'seq';
  /** A sequence at the same indentation as the key it belongs to (`key:\n- a`). */
  compact: boolean;
}

class Unsupported extends Error {}

const fail = (): never => {
  throw new Unsupported();
};

/** The position tree of a block-YAML document (1-based lines and columns), or null. */
export function scanBlockPositions(text: string): PositionNode | null {
  try {
    return scan(text);
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}

function scan(text: string): PositionNode {
  const root = positionNode();
  const frames: Frame[] = [];
  /** The entry whose value is on the following lines (`key:` or `-` with nothing after it). */
  let pending = null as { node: PositionNode; indent: number; dash: boolean } | null;
  /** Inside a block scalar (`|`, `>`): lines indented more than this belong to it. */
  let blockScalar = null as number | null;
  let started = false;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.endsWith('\r') ? lines[n]!.slice(0, -1) : lines[n]!;
    const lineNo = n + 1;
    let c = 0;
    while (line.charCodeAt(c) === 32) c++;
    if (line[c] === '\t') fail();
    if (c === line.length || line[c] === '#') continue;
    if (blockScalar !== null) {
      if (c > blockScalar) continue;
      blockScalar = null;
    }
    if (c === 0 && (line.startsWith('---') || line.startsWith('...'))) {
      if (started || line.slice(3).trim() !== '') fail();
      continue;
    }
    if (c === 0 && line[0] === '%') fail();
    started = true;
    while (frames.length && frames[frames.length - 1]!.indent > c) frames.pop();
    let top = frames[frames.length - 1];
    if (pending) {
      const compact = c === pending.indent && !pending.dash && isDash(line, c);
      if (c > pending.indent || compact) {
        // The pending entry's value: a container starting on this line.
        top = container(pending.node, isDash(line, c) ? 'seq' : 'map', c, compact);
        if (frames.push(top) > LIMITS.depth) fail();
        at(pending.node, lineNo, c + 1);
      }
      pending = null;
    } else if (!top) {
      if (root.line) fail();
      top = container(root, isDash(line, c) ? 'seq' : 'map', c, false);
      frames.push(top);
      at(root, lineNo, c + 1);
    }
    // A sequence written at its key's indentation ends at the mapping's next key.
    if (top!.compact && top!.indent === c && !isDash(line, c)) {
      frames.pop();
      top = frames[frames.length - 1];
    }
    if (!top || top.indent !== c) fail();
    entry(line, c, lineNo, top);
  }
  return root;

  function entry(line: string, c: number, lineNo: number, frame: Frame): void {
    if (frame.kind === 'seq') {
      if (!isDash(line, c)) fail();
      const item = positionNode();
      (frame.node.children as PositionNode[]).push(item);
      let v = c + 1;
      while (line.charCodeAt(v) === 32) v++;
      if (v >= line.length || line[v] === '#') {
        pending = { node: item, indent: c, dash: true };
        return;
      }
      if (isDash(line, v)) fail(); // `- - x`: nested on one line
      if (keyEnd(line, v) !== null) {
        // `- key: value`: a mapping whose entries are indented like its first key.
        const map = container(item, 'map', v, false);
        frames.push(map);
        at(item, lineNo, v + 1);
        entry(line, v, lineNo, map);
        return;
      }
      value(line, v, lineNo, item, c);
      return;
    }
    const k = keyEnd(line, c);
    if (k === null) fail();
    const key = keyText(line.slice(c, k!.keyEnd));
    const item = positionNode(0, 0, lineNo, c + 1);
    if (!addChild(frame.node, key, item)) fail();
    let v = k!.colon + 1;
    while (line.charCodeAt(v) === 32) v++;
    if (v >= line.length || line[v] === '#') {
      pending = { node: item, indent: c, dash: false };
      return;
    }
    value(line, v, lineNo, item, c);
  }

  /** A value that starts on this line at column v. */
  function value(line: string, v: number, lineNo: number, node: PositionNode, indent: number): void {
    const ch = line[v]!;
    if (ch === '&' || ch === '*' || ch === '!' || ch === '?' || ch === '@' || ch === '`') fail();
    at(node, lineNo, v + 1);
    if (ch === '|' || ch === '>') {
      if (!/^[|>][0-9+-]*\s*(#.*)?$/.test(line.slice(v))) fail();
      blockScalar = indent;
      return;
    }
    if (ch === '[' || ch === '{') {
      const end = flow(line, v, lineNo, node);
      rest(line, end);
      return;
    }
    if (ch === '"' || ch === "'") {
      const end = quoted(line, v);
      rest(line, end);
      return;
    }
    // A plain scalar: a continuation on the next lines is more indented, which the scan refuses.
  }

  /** After a complete value only a comment may follow. */
  function rest(line: string, end: number): void {
    const tail = line.slice(end).trim();
    if (tail !== '' && !tail.startsWith('#')) fail();
  }

  /** A one-line flow collection at column v; records its items; returns the index after it. */
  function flow(line: string, v: number, lineNo: number, node: PositionNode, depth = frames.length): number {
    if (depth > LIMITS.depth) fail();
    const open = line[v]!;
    const close = open === '[' ? ']' : '}';
    const items: PositionNode[] | null = open === '[' ? [] : null;
    const entries: MappingChildren | null = open === '{' ? {} : null;
    node.children = items ?? entries;
    let i = v + 1;
    for (;;) {
      while (line[i] === ' ') i++;
      if (i >= line.length) fail();
      if (line[i] === close) return i + 1;
      let item: PositionNode;
      if (entries) {
        const keyStart = i;
        let keyEndAt: number;
        if (line[i] === '"' || line[i] === "'") keyEndAt = quoted(line, i);
        else {
          while (i < line.length && !':,{}[]'.includes(line[i]!)) i++;
          keyEndAt = i;
        }
        i = keyEndAt;
        while (line[i] === ' ') i++;
        if (line[i] !== ':') fail();
        const key = keyText(line.slice(keyStart, keyEndAt).trim());
        item = positionNode(0, 0, lineNo, keyStart + 1);
        if (!addChild(node, key, item)) fail();
        i++;
        while (line[i] === ' ') i++;
      } else items!.push((item = positionNode()));
      at(item, lineNo, i + 1);
      const ch = line[i];
      if (ch === '[' || ch === '{') i = flow(line, i, lineNo, item, depth + 1);
      else if (ch === '"' || ch === "'") i = quoted(line, i);
      else {
        if (ch === '&' || ch === '*' || ch === '!' || ch === '?' || ch === ',' || ch === close) fail();
        while (i < line.length && !',]}'.includes(line[i]!)) {
          if (line[i] === '#' && line[i - 1] === ' ') fail();
          i++;
        }
      }
      while (line[i] === ' ') i++;
      if (line[i] === ',') i++;
      else if (line[i] !== close) fail();
    }
  }
}

/** A mapping or sequence whose entries start at column `indent`. */
function container(node: PositionNode, kind: Frame['kind'], indent: number, compact: boolean): Frame {
  node.children = kind === 'seq' ? [] : {};
  return { indent, node, kind, compact };
}

function at(node: PositionNode, line: number, column: number): void {
  node.line = line;
  node.column = column;
}

function isDash(line: string, c: number): boolean {
  return line[c] === '-' && (c + 1 === line.length || line[c + 1] === ' ');
}

/** End of a mapping key starting at c (its text) and the colon after it, or null. */
function keyEnd(line: string, c: number): { keyEnd: number; colon: number } | null {
  let i = c;
  if (line[i] === '"' || line[i] === "'") {
    i = quoted(line, i);
    let j = i;
    while (line[j] === ' ') j++;
    return line[j] === ':' && (j + 1 === line.length || line[j + 1] === ' ') ? { keyEnd: i, colon: j } : null;
  }
  if ('[{&*!|>%@`#'.includes(line[i]!)) return null;
  for (; i < line.length; i++) {
    if (line[i] === '#' && line[i - 1] === ' ') return null;
    if (line[i] === ':' && (i + 1 === line.length || line[i + 1] === ' ')) {
      let e = i;
      while (e > c && line[e - 1] === ' ') e--;
      return { keyEnd: e, colon: i };
    }
  }
  return null;
}

/** Index just after a one-line quoted scalar starting at i. */
function quoted(line: string, i: number): number {
  const end = closingQuote(line, i);
  return end < 0 ? fail() : end + 1;
}

/** The text of a key as the parser gives it (quoted keys with escapes are left to the full parser). */
function keyText(raw: string): string {
  if (raw.startsWith('"')) {
    if (raw.includes('\\')) fail();
    return raw.slice(1, -1);
  }
  if (raw.startsWith("'")) return raw.slice(1, -1).replace(/''/g, "'");
  return raw;
}
