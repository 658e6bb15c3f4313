// Leaf helpers every stage may use for plain data: objects from parsed input, Kong's UUIDs.

/** A Kong entity id. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A plain object (a YAML/JSON mapping), not an array or null. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `over` on top of `base`, mappings merged key by key (lists and scalars replaced). The result has
 * `base`'s type: `over` is input the schema has checked to be a partial `T`.
 */
export function mergeDeep<T extends object>(base: T, over: Readonly<Record<string, unknown>>): T {
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(base));
  for (const [k, v] of Object.entries(over)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeDeep(out[k], v) : v;
  return out as T;
}
