// What changed between two Kong states, in Kong's terms, as decK prints it:
//   + route orders-export (service orders)
//   ~ service orders: read_timeout 60000 → 5000
//   - upstream legacy
// Pure: states in, lines out.
import { KIND_ORDER, isMasked, type EntityRecord, type StateFile } from './kong-state.js';

export interface FieldChange {
  path: string;
  from: unknown;
  to: unknown;
}

export interface EntityChange {
  op: '+' | '~' | '-';
  entity: EntityRecord;
  fields: FieldChange[];
}

/** Nested objects become dotted paths (healthchecks.active.timeout); arrays stay whole values. */
function flatten(value: Record<string, unknown>, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [k, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, path, out);
    else out.set(path, v);
  }
  return out;
}

function fieldChanges(a: Record<string, unknown>, b: Record<string, unknown>): FieldChange[] {
  const fa = flatten(a);
  const fb = flatten(b);
  const paths = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  const out: FieldChange[] = [];
  for (const path of paths) {
    const from = fa.get(path) ?? null;
    const to = fb.get(path) ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) out.push({ path, from, to });
  }
  return out;
}

const OP_ORDER = { '+': 0, '~': 1, '-': 2 } as const;

export function diffStates(from: StateFile, to: StateFile): EntityChange[] {
  const id = (e: EntityRecord) => `${e.kind}\0${e.key}`;
  const before = new Map(from.entities.map((e) => [id(e), e]));
  const after = new Map(to.entities.map((e) => [id(e), e]));
  const changes: EntityChange[] = [];
  for (const [k, e] of after) {
    const old = before.get(k);
    if (!old) changes.push({ op: '+', entity: e, fields: [] });
    else {
      const fields = fieldChanges(old.fields, e.fields);
      if (fields.length) changes.push({ op: '~', entity: e, fields });
    }
  }
  for (const [k, e] of before) if (!after.has(k)) changes.push({ op: '-', entity: e, fields: [] });
  const rank = (kind: string) => KIND_ORDER.indexOf(kind) + 1 || KIND_ORDER.length + 1;
  return changes.sort(
    (a, b) => OP_ORDER[a.op] - OP_ORDER[b.op] || rank(a.entity.kind) - rank(b.entity.kind) || (a.entity.key < b.entity.key ? -1 : a.entity.key > b.entity.key ? 1 : 0),
  );
}

const MAX_VALUE = 60;

function show(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const text = typeof value === 'string' && /^[^\s"]+$/.test(value) ? value : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function showChange(c: FieldChange): string {
  // A secret's digest is no business of the reader's: only say that it changed.
  if (isMasked(c.from) || isMasked(c.to)) return `${c.path} changed (secret)`;
  return `${c.path} ${show(c.from)} → ${show(c.to)}`;
}

export function formatChange(c: EntityChange): string {
  const kind = c.entity.kind.replace(/_/g, ' ');
  // The owner is part of who an entity is: two upstreams may each have a target 10.0.0.1:80.
  const head = `${c.op} ${kind} ${c.entity.name}${c.entity.parent ? ` (${c.entity.parent})` : ''}`;
  return c.op === '~' ? `${head}: ${c.fields.map(showChange).join(', ')}` : head;
}

/** "2 added, 1 changed, 1 removed" */
export function summarizeChanges(changes: EntityChange[]): string {
  const n = (op: EntityChange['op']) => changes.filter((c) => c.op === op).length;
  return `${n('+')} added, ${n('~')} changed, ${n('-')} removed`;
}
