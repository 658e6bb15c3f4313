// Where each value of a loaded document came from. Keys are JSON pointers.
import type { Diagnostic, Position, Severity } from '../diagnostics.js';

/**
 * Where one value of a document is (line and column, 1-based; 0 when unknown), where the key
 * naming it is, and its children: a tree shaped like the data (mapping children by key, sequence
 * children by index), so that the loader never has to build a JSON-pointer string per value;
 * pointers are resolved only when a diagnostic asks for one. Plain small integers: a tree holds a
 * node per value of the document, and they take no allocation of their own.
 */
export interface PositionNode {
  line: number;
  column: number;
  keyLine: number;
  keyColumn: number;
  children: MappingChildren | PositionNode[] | null;
  /** How many keys a mapping's children hold. */
  count: number;
}

/** A mapping's children by key: a plain object, far smaller than a Map for an entity's few keys. */
export type MappingChildren = Record<string, PositionNode>;

/** A node with no position yet (0) and no children. */
export function positionNode(): PositionNode {
  return { line: 0, column: 0, keyLine: 0, keyColumn: 0, children: null, count: 0 };
}

export function childByKey(children: MappingChildren, key: string): PositionNode | undefined {
  return Object.hasOwn(children, key) ? children[key] : undefined;
}

/** Adds a mapping child; false for a key already there, or one a plain object cannot hold (`__proto__`). */
export function addChild(parent: PositionNode, key: string, node: PositionNode): boolean {
  const children = parent.children as MappingChildren;
  if (key === '__proto__' || Object.hasOwn(children, key)) return false;
  children[key] = node;
  parent.count++;
  return true;
}

const INDEX = /^(?:0|[1-9][0-9]{0,8})$/;

/** The node a JSON pointer names, with the nodes on the way (root first); stops where the tree does. */
function walkPointer(root: PositionNode, pointer: string): PositionNode[] {
  const path = [root];
  let node: PositionNode | undefined = root;
  for (let start = 1; start <= pointer.length; ) {
    let end = pointer.indexOf('/', start);
    if (end < 0) end = pointer.length;
    const children: PositionNode['children'] = node.children;
    if (!children) break;
    const raw = pointer.slice(start, end);
    start = end + 1;
    if (Array.isArray(children)) {
      node = INDEX.test(raw) ? children[Number(raw)] : undefined;
    } else node = childByKey(children, unescapePointer(raw));
    if (!node) break;
    path.push(node);
  }
  return path;
}

/** The node at exactly this pointer, or undefined. */
export function nodeAt(root: PositionNode, pointer: string): PositionNode | undefined {
  const path = walkPointer(root, pointer);
  const depth = pointer === '' ? 0 : pointer.split('/').length - 1;
  return path.length === depth + 1 ? path[depth] : undefined;
}

export class SourceMap {
  private root: PositionNode = positionNode();

  constructor(readonly file: string) {}

  /** The node for a pointer, created on the way (mapping-style children). */
  private node(pointer: string): PositionNode {
    let node = this.root;
    if (pointer === '') return node;
    for (const raw of pointer.slice(1).split('/')) {
      const segment = unescapePointer(raw);
      if (!node.children) node.children = {};
      let next: PositionNode | undefined;
      if (Array.isArray(node.children)) {
        next = node.children[Number(segment)];
        if (!next) node.children[Number(segment)] = next = positionNode();
      } else {
        next = childByKey(node.children, segment);
        if (!next) addChild(node, segment, (next = positionNode()));
      }
      node = next;
    }
    return node;
  }

  set(pointer: string, line: number, column: number): void {
    const node = this.node(pointer);
    if (node.line === 0) {
      node.line = line;
      node.column = column;
    }
  }

  setKey(pointer: string, line: number, column: number): void {
    const node = this.node(pointer);
    if (node.keyLine === 0) {
      node.keyLine = line;
      node.keyColumn = column;
    }
  }

  /**
   * Makes `pointer` (a key of an existing mapping) report the positions of `fromPointer`'s value
   * and key, children included: a value copied from elsewhere in the same document (decK's
   * `_info.defaults`) is reported where it was written.
   */
  graft(pointer: string, fromPointer: string): void {
    const from = nodeAt(this.root, fromPointer);
    const cut = pointer.lastIndexOf('/');
    const parent = nodeAt(this.root, pointer.slice(0, cut));
    if (!from || !parent || Array.isArray(parent.children)) return;
    const key = unescapePointer(pointer.slice(cut + 1));
    if (key === '__proto__') return;
    const children = (parent.children ??= {}) as MappingChildren;
    if (!addChild(parent, key, from)) children[key] = from;
  }

  /** Takes over a complete position tree (the fast loader's). */
  adopt(root: PositionNode): void {
    this.root = root;
  }

  /** Position of the key naming this pointer's value (falls back to the value's position). */
  locateKey(pointer: string): Position {
    const hit = nodeAt(this.root, pointer);
    return hit && hit.keyLine ? { file: this.file, line: hit.keyLine, column: hit.keyColumn } : this.locate(pointer);
  }

  /** Position of the value at the pointer, else of its key, else of its nearest ancestor. */
  locate(pointer: string): Position {
    const path = walkPointer(this.root, pointer);
    for (let i = path.length - 1; i >= 0; i--) {
      const node = path[i]!;
      if (node.line) return { file: this.file, line: node.line, column: node.column };
      if (node.keyLine) return { file: this.file, line: node.keyLine, column: node.keyColumn };
    }
    return { file: this.file, line: 1, column: 1 };
  }
}

/** A reference to a value in some loaded document: enough to build a positioned diagnostic. */
export interface SourceRef {
  map: SourceMap;
  pointer: string;
}

export function child(ref: SourceRef, ...keys: (string | number)[]): SourceRef {
  let pointer = ref.pointer;
  for (const k of keys) pointer += '/' + (typeof k === 'number' ? String(k) : escapePointer(k));
  return { map: ref.map, pointer };
}

export function escapePointer(key: string): string {
  if (key.indexOf('~') < 0 && key.indexOf('/') < 0) return key;
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** One JSON-pointer segment back to its key (`~1` is '/', `~0` is '~'). */
function unescapePointer(segment: string): string {
  return segment.indexOf('~') < 0 ? segment : segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function diag(
  ref: SourceRef,
  severity: Severity,
  code: string,
  message: string,
  hint?: string,
): Diagnostic {
  const pos = ref.map.locate(ref.pointer);
  const d: Diagnostic = { file: pos.file, line: pos.line, column: pos.column, severity, code, path: ref.pointer, message };
  if (hint) d.hint = hint;
  return d;
}
