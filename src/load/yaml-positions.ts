// Values and their positions from one js-yaml parse. js-yaml's listener reports every node as it
// opens and closes; the open offset (after skipping the blanks and comments before the value) is
// where the value starts, exactly where the `yaml` parser would place it. One parse, no second
// scan of the text, no second walk of the data. Anchors, aliases, tags and explicit `?` keys are
// declined (null), and so is any value the loader refuses (over a limit, a lone surrogate, a key
// naming an object internal): the caller then uses the `yaml` parser, which limits alias
// expansion, has every position too, and words the refusal.
import jsyaml from 'js-yaml';
import { OBJECT_INTERNAL_KEYS, utf8Within, wellFormed } from '../text.js';
import { LIMITS } from './limits.js';
import { addChild, positionNode, type PositionNode } from './source-map.js';

/** A node js-yaml has finished: where it starts, and whether it was a mapping key. */
interface Closed {
  node: PositionNode;
  /** 'scalar' | 'mapping' | 'sequence', or null when js-yaml tried a node and found none. */
  kind: string | null;
  isKey: boolean;
  result: unknown;
}

class Declined extends Error {}

/** The parsed document and its position tree, or null (unparsable, or YAML this path declines). */
export function parseWithPositions(source: string): { data: unknown; positions: PositionNode } | null {
  // The nodes still open, innermost last, as parallel stacks of plain numbers (a node's children
  // list is made on its first child: most nodes are scalars and have none).
  const offsets: number[] = [];
  const lines: number[] = [];
  const lineStarts: number[] = [];
  const children: (Closed[] | null)[] = [];
  let depth = 0;
  /** Values closed so far (keys not counted), against LIMITS.yamlNodes. */
  let values = 0;
  let root: Closed | null = null;
  const listener = (event: string, state: jsyaml.State): void => {
    if (event === 'open') {
      // The root opens at depth 0: a value nested n levels deep opens at depth n.
      if (depth > LIMITS.depth) throw new Declined();
      offsets[depth] = state.position;
      lines[depth] = state.line;
      lineStarts[depth] = state.lineStart;
      children[depth] = null;
      depth++;
      return;
    }
    depth--;
    const closed = close(offsets[depth]!, lines[depth]!, lineStarts[depth]!, children[depth]!, state);
    children[depth] = null;
    if (!closed.isKey && closed.kind !== null && ++values > LIMITS.yamlNodes) throw new Declined();
    if (depth === 0) root = closed;
    else (children[depth - 1] ??= []).push(closed);
  };
  let data: unknown;
  try {
    data = jsyaml.load(source, { schema: jsyaml.CORE_SCHEMA, listener });
  } catch {
    return null; // js-yaml's error, or Declined: the yaml parser reports or handles it
  }
  const top = root as Closed | null;
  return { data: data === undefined ? null : data, positions: top ? top.node : positionNode() };
}

function close(offset: number, line: number, lineStart: number, kids: Closed[] | null, state: jsyaml.State): Closed {
  const input = state.input;
  const kind = (state.kind as string | null) ?? null;
  const node = positionNode();
  if (kind === null) return { node, kind, isKey: false, result: null };
  // The value starts after the blanks, line breaks and comments between its open and its text.
  let i = offset;
  for (;;) {
    const c = input.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) i++;
    else if (c === 10) lineStart = ++i, line++;
    else if (c === 35 && (i === 0 || isBlank(input.charCodeAt(i - 1)))) while (i < input.length && input.charCodeAt(i) !== 10) i++;
    else break;
  }
  const first = input.charCodeAt(i);
  if (first === 38 /* & */ || first === 42 /* * */ || first === 33 /* ! */ || first === 63 /* ? */) throw new Declined();
  node.line = line + 1;
  node.column = i - lineStart + 1;
  const result: unknown = state.result;
  if (kind === 'scalar') {
    if (typeof result === 'string' && !(utf8Within(result, LIMITS.stringBytes) && wellFormed(result))) throw new Declined();
    // Children of a scalar are dropped: js-yaml read it first as a would-be mapping key.
    let j = state.position;
    while (input.charCodeAt(j) === 32 || input.charCodeAt(j) === 9) j++;
    return { node, kind, isKey: input.charCodeAt(j) === 58 /* : */, result };
  }
  if (kind === 'mapping') {
    if (result === null || typeof result !== 'object' || Object.getPrototypeOf(result) !== Object.prototype) throw new Declined();
    node.children = {};
    let key: Closed | null = null;
    for (const child of kids ?? []) {
      if (child.isKey) {
        if (key) addEntry(node, key, null);
        key = child;
      } else if (key) {
        addEntry(node, key, child);
        key = null;
      } else if (child.kind !== null) throw new Declined(); // a value without a key: not block YAML as kongc reads it
    }
    if (key) addEntry(node, key, null);
    // Every key of the parsed mapping has its position (and no more).
    if (node.count !== Object.keys(result).length) throw new Declined();
  } else if (kind === 'sequence') {
    node.children = kids ? kids.map((c) => c.node) : [];
    if (!Array.isArray(result) || result.length !== node.children.length || result.length > LIMITS.entities) throw new Declined();
  }
  return { node, kind, isKey: false, result: null };
}

function addEntry(map: PositionNode, key: Closed, value: Closed | null): void {
  const r = key.result;
  if (r !== null && typeof r === 'object') throw new Declined();
  const name = String(r);
  // Keys the full path refuses by name: object internals and YAML merge keys.
  if (OBJECT_INTERNAL_KEYS.has(name) || name === '<<' || !wellFormed(name)) throw new Declined();
  const node = value && value.kind !== null ? value.node : positionNode();
  node.keyLine = key.node.line;
  node.keyColumn = key.node.column;
  if (!addChild(map, name, node)) throw new Declined();
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
