// Form-encoded arguments → nested values, as Kong's arguments_decoder builds them:
// `a.b=x` nests, `a[]=x` and repeated `a=x` build arrays, `a[1]=x` indexes (1-based), `a[k]=x` maps.
// Type inference against the entity schema happens afterwards (schema.ts).
import { OBJECT_INTERNAL_KEYS } from '../../text.js';

export type Decoded = string | Decoded[] | { [k: string]: Decoded };

type Step = { kind: 'key'; name: string } | { kind: 'append' } | { kind: 'index'; n: number };

export function decodeFormPairs(pairs: [string, string][]): Record<string, Decoded> {
  const root: Record<string, Decoded> = {};
  /** Indexed arrays are collected as index → value and compacted at the end. */
  const indexed = new Map<unknown[], Map<number, Decoded>>();
  for (const [rawKey, value] of pairs) {
    const steps = parseKey(rawKey);
    if (!steps || steps.some((s) => s.kind === 'key' && OBJECT_INTERNAL_KEYS.has(s.name))) continue;
    assign(root, steps, value, indexed);
  }
  for (const [arr, items] of indexed) {
    const sorted = [...items.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
    arr.push(...sorted);
  }
  return root;
}

/** `service.id` → key service, key id; `paths[]` → key paths, append; `x[2]` → index 2; `x[k]` → key k. */
function parseKey(key: string): Step[] | null {
  const steps: Step[] = [];
  let i = 0;
  let name = '';
  const flush = () => {
    if (name) steps.push({ kind: 'key', name });
    name = '';
  };
  while (i < key.length) {
    const c = key[i]!;
    if (c === '.') {
      flush();
      i++;
    } else if (c === '[') {
      const close = key.indexOf(']', i);
      if (close < 0) {
        name += key.slice(i);
        break;
      }
      flush();
      const inner = key.slice(i + 1, close);
      if (inner === '') steps.push({ kind: 'append' });
      else if (/^\d+$/.test(inner)) steps.push({ kind: 'index', n: Number(inner) });
      else steps.push({ kind: 'key', name: inner });
      i = close + 1;
    } else {
      name += c;
      i++;
    }
  }
  flush();
  return steps.length && steps[0]!.kind === 'key' ? steps : null;
}

function set(obj: Record<string, Decoded>, k: string, v: Decoded): void {
  Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function assign(root: Record<string, Decoded>, steps: Step[], value: string, indexed: Map<unknown[], Map<number, Decoded>>): void {
  let container: Record<string, Decoded> | Decoded[] = root;
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s]!;
    const last = s === steps.length - 1;
    const nextIsArray = !last && steps[s + 1]!.kind !== 'key';
    const fresh = (): Decoded => (nextIsArray ? [] : {});
    if (step.kind === 'key') {
      if (Array.isArray(container)) return; // `a[]` then `a.b`: conflicting shapes, Kong drops it too
      const obj: Record<string, Decoded> = container;
      const existing = Object.prototype.hasOwnProperty.call(obj, step.name) ? obj[step.name] : undefined;
      if (last) {
        // A repeated plain key turns into an array of its values.
        if (existing === undefined) set(obj, step.name, value);
        else if (Array.isArray(existing)) existing.push(value);
        else if (typeof existing === 'string') set(obj, step.name, [existing, value]);
        return;
      }
      if (existing === undefined || typeof existing === 'string') {
        const child = existing === undefined ? fresh() : nextIsArray ? [existing] : fresh();
        set(obj, step.name, child);
        container = child as Record<string, Decoded> | Decoded[];
      } else container = existing;
    } else if (step.kind === 'append') {
      if (!Array.isArray(container)) return;
      if (last) container.push(value);
      else {
        const child = fresh();
        container.push(child);
        container = child as Record<string, Decoded> | Decoded[];
      }
    } else {
      if (!Array.isArray(container)) return;
      let slots = indexed.get(container);
      if (!slots) indexed.set(container, (slots = new Map()));
      if (last) slots.set(step.n, value);
      else {
        let child = slots.get(step.n);
        if (child === undefined || typeof child === 'string') slots.set(step.n, (child = fresh()));
        container = child as Record<string, Decoded> | Decoded[];
      }
    }
  }
}
