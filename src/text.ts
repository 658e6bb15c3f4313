// Checks on text shared by the loader, the validators and the encoders.

/** Keys naming JavaScript object internals: no input may use them as a key. */
export const OBJECT_INTERNAL_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** `value` takes at most `max` bytes as UTF-8; counted only when it could take more (3 bytes per UTF-16 unit at most). */
export function utf8Within(value: string, max: number): boolean {
  return value.length * 3 <= max || Buffer.byteLength(value, 'utf8') <= max;
}

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** No lone UTF-16 surrogates: such a string has no UTF-8 form (it would be written as U+FFFD). */
export function wellFormed(value: string): boolean {
  return !SURROGATE.test(value) || !LONE_SURROGATE.test(value);
}

/**
 * Text order for everything kongc sorts: by UTF-16 code units, the same on every machine. A
 * collator's order (localeCompare) follows the process locale: under LANG=da_DK, 'aab' sorts
 * after 'zed', and the same input would give different bytes on two hosts.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A count in plain English: `1 service`, `2 routes`, `3 more warnings`. The last word takes an
 * `s` (every noun kongc counts does).
 */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
