// Where each value of a loaded document came from. Keys are JSON pointers.
import type { Diagnostic, Position, Severity } from '../diagnostics.js';

/** Line and column, 1-based. */
export type LineColumn = [number, number];

export class SourceMap {
  private positions = new Map<string, LineColumn>();
  /** Where the key of a mapping entry is, for diagnostics about the key itself or a null value. */
  private keys = new Map<string, LineColumn>();

  constructor(readonly file: string) {}

  set(pointer: string, line: number, column: number): void {
    if (!this.positions.has(pointer)) this.positions.set(pointer, [line, column]);
  }

  setKey(pointer: string, line: number, column: number): void {
    if (!this.keys.has(pointer)) this.keys.set(pointer, [line, column]);
  }

  /** Takes over complete tables of value and key positions (the fast loader's). */
  adopt(values: Map<string, LineColumn>, keys: Map<string, LineColumn>): void {
    this.positions = values;
    this.keys = keys;
  }

  /** Position of the key naming this pointer's value (falls back to the value's position). */
  locateKey(pointer: string): Position {
    const hit = this.keys.get(pointer);
    return hit ? { file: this.file, line: hit[0], column: hit[1] } : this.locate(pointer);
  }

  /** Position of the value at the pointer, else of its key, else of its nearest ancestor. */
  locate(pointer: string): Position {
    let p = pointer;
    for (;;) {
      const hit = this.positions.get(p) ?? this.keys.get(p);
      if (hit) return { file: this.file, line: hit[0], column: hit[1] };
      if (p === '') return { file: this.file, line: 1, column: 1 };
      p = p.slice(0, p.lastIndexOf('/'));
    }
  }
}

/** A reference to a value in some loaded document: enough to build a positioned diagnostic. */
export interface SourceRef {
  map: SourceMap;
  pointer: string;
}

export function child(ref: SourceRef, ...keys: (string | number)[]): SourceRef {
  return { map: ref.map, pointer: ref.pointer + keys.map((k) => '/' + escapePointer(String(k))).join('') };
}

export function escapePointer(key: string): string {
  if (key.indexOf('~') < 0 && key.indexOf('/') < 0) return key;
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function diag(
  ref: SourceRef,
  severity: Severity,
  code: string,
  message: string,
  hint?: string,
): Diagnostic {
  const pos = ref.map.locate(ref.pointer);
  return { ...pos, severity, code, path: ref.pointer, message, ...(hint ? { hint } : {}) };
}
