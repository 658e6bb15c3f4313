// Diagnostics are the only way any stage reports a problem with the input.
// Every one points at the input (file, line, column, JSON pointer) and may carry a hint.
import { compareText } from './text.js';

export type Severity = 'error' | 'warning';

export interface Position {
  file: string;
  line: number; // 1-based
  column: number; // 1-based
}

export interface Diagnostic extends Position {
  severity: Severity;
  /** JSON pointer of the offending value inside its document (`/services/0/routes/1/paths/0`). */
  path: string;
  message: string;
  hint?: string;
  /** Stable machine-readable kind, e.g. `schema`, `dangling-ref`, `unsupported`. */
  code: string;
}

/** Thrown for invalid input; the CLI prints the diagnostics and exits 1. */
export class InputError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'InputError';
  }
}

/** Thrown for command-line misuse; the CLI exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A command that ran but failed (nginx -t failed, lock timeout, …): message and exit code. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CommandFailure';
  }
}

/**
 * Messages quote input values; on a terminal (or in a CI log) a control character, an ANSI escape
 * or a bidi override in them could forge or hide lines. Shown as \u escapes instead.
 */
export function terminalSafe(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

export function formatDiagnostic(d: Diagnostic): string {
  const head = `${terminalSafe(d.file)}:${d.line}:${d.column}: ${d.severity}: ${terminalSafe(d.message)}`;
  return d.hint ? `${head}\n  hint: ${terminalSafe(d.hint)}` : head;
}

/** GitHub Actions workflow-command annotation. */
export function formatGithub(d: Diagnostic): string {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const msg = d.hint ? `${d.message} (hint: ${d.hint})` : d.message;
  return `::${d.severity} file=${prop(d.file)},line=${d.line},col=${d.column}::${esc(msg)}`;
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

/** Stable order: file, line, column, then message. */
export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort(
    (a, b) =>
      compareText(a.file, b.file) || a.line - b.line || a.column - b.column || compareText(a.message, b.message),
  );
}
