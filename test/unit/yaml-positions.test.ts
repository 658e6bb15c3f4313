// The fast loader's positions (from js-yaml's parse) must be exactly the `yaml` parser's: for
// every key and value of every fixture and corpus file, and of the YAML shapes below.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { parseWithPositions } from '../../src/load/yaml-positions.js';
import { escapePointer, nodeAt, type PositionNode } from '../../src/load/source-map.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { corpusDir } from '../support/corpus.js';

/** A packed position as [line, column]. */
const valueAt = (n: PositionNode | undefined): [number, number] | undefined => (n && n.line ? [n.line, n.column] : undefined);
const keyAt = (n: PositionNode | undefined): [number, number] | undefined => (n && n.keyLine ? [n.keyLine, n.keyColumn] : undefined);

/** Shapes declarative files use that a line-by-line reading gets wrong. */
const SHAPES: [string, string][] = [
  ['flow over lines', 'a: [1,\n  2]\nb: {x: 1, y: [a, b]}\n'],
  ['quoted over lines', 'a: "x\n  y"\nb: 1\n'],
  ['plain over lines', 'a: b\n  c\nd: e\n'],
  ['comments and blank lines', '# top\n\na:   # after key\n\n  # before value\n  - x   # after\n  -   y\nb: |\n  text # not a comment\n'],
  ['compact sequence and nested maps', 'services:\n- name: s\n  routes:\n  - paths: [/a]\n    hosts:\n    - "h:1"\n  x: 1\n'],
  ['empty values and keys that look like other types', 'a:\nb: ~\n80: x\ntrue: y\n"q: k": 1\nc: \'it\'\'s\'\n'],
  ['document start', '---\na: 1\n'],
];

function yamlFiles(): string[] {
  const out: string[] = [];
  const fixtures = join(PACKAGE_ROOT, 'fixtures');
  for (const d of readdirSync(fixtures)) {
    const dir = join(fixtures, d);
    if (existsSync(dir) && !d.includes('.')) for (const f of readdirSync(dir)) if (/\.ya?ml$/.test(f)) out.push(join(dir, f));
  }
  // Without the corpus, only the fixtures (test/replay/corpus.test.ts says the corpus was skipped).
  const corpus = corpusDir('declarative');
  if (corpus) for (const f of readdirSync(corpus)) out.push(join(corpus, f));
  return out.sort();
}

describe('positions from the js-yaml parse', () => {
  it('agree with the yaml parser on every key and value it accepts', () => {
    let compared = 0;
    const mismatches: string[] = [];
    const inputs: [string, string][] = [...yamlFiles().map((f): [string, string] => [f, readFileSync(f, 'utf8')]), ...SHAPES];
    for (const [file, text] of inputs) {
      const scanned = parseWithPositions(text)?.positions;
      const lc = new LineCounter();
      const doc = parseDocument(text, { lineCounter: lc });
      if (!scanned || doc.errors.length) continue;
      compared++;
      const expect = (what: string, got: [number, number] | undefined, offset: number, pointer: string) => {
        const want = lc.linePos(offset);
        if (!got || got[0] !== want.line || got[1] !== want.col) mismatches.push(`${file} ${what} ${pointer}: ${JSON.stringify(got)} vs ${want.line}:${want.col}`);
      };
      const walk = (node: Node | null, pointer: string) => {
        if (isMap(node)) {
          for (const pair of node.items) {
            if (!isPair(pair) || !isScalar(pair.key)) continue;
            const p = `${pointer}/${escapePointer(String(pair.key.value))}`;
            expect('key', keyAt(nodeAt(scanned, p)), pair.key.range![0], p);
            const value = pair.value as Node | null;
            if (value && !(isScalar(value) && value.value === null && value.range![0] === value.range![1])) expect('value', valueAt(nodeAt(scanned, p)), value.range![0], p);
            walk(value, p);
          }
        } else if (isSeq(node)) {
          node.items.forEach((item, i) => {
            expect('item', valueAt(nodeAt(scanned, `${pointer}/${i}`)), (item as Node).range![0], `${pointer}/${i}`);
            walk(item as Node, `${pointer}/${i}`);
          });
        }
      };
      walk(doc.contents as Node, '');
    }
    assert.deepEqual(mismatches, []);
    assert.ok(compared >= 10 + SHAPES.length, `only ${compared} inputs compared`);
  });

  it('declines anchors, aliases, tags, explicit keys and what js-yaml refuses, so the yaml parser takes over', () => {
    for (const text of ['a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a:\n\t- x\n', '--- \na: 1\n---\nb: 2\n', '? a\n: b\n', 'a: 1\na: 2\n']) {
      assert.equal(parseWithPositions(text), null, JSON.stringify(text));
    }
  });
});
