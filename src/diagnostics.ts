// Diagnostics are the only way any stage reports a problem with the input.
// Every one points at the input (file, line, column, JSON pointer) and may carry a hint.
import { compareText } from './text.js';

export type Severity = 'error' | 'warning';

/** Every kind of diagnostic kongc reports. */
export type DiagnosticCode =
  | 'admin-api'
  | 'admin-log'
  | 'ca-certificate'
  | 'ca-file'
  | 'consumer'
  | 'credential'
  | 'dangling-ref'
  | 'deck-info'
  | 'degraded'
  | 'disabled-service'
  | 'dns'
  | 'duplicate-name'
  | 'duplicate-target'
  | 'encoding'
  | 'env'
  | 'format-version'
  | 'header'
  | 'host'
  | 'host-header'
  | 'host-not-upstream'
  | 'id'
  | 'io'
  | 'limit'
  | 'methods'
  | 'njs'
  | 'parse'
  | 'passive-health'
  | 'path'
  | 'path-handling'
  | 'path-migration'
  | 'phase-order'
  | 'plugin'
  | 'plugin-approximated'
  | 'plugin-observe'
  | 'port'
  | 'regex'
  | 'regex-priority'
  | 'route-matcher'
  | 'route-shadowed'
  | 'route-tie'
  | 'schema'
  | 'select-tag'
  | 'service-url'
  | 'snis'
  | 'target'
  | 'tls'
  | 'unsupported'
  | 'upstream';

export interface Position {
  file: string;
  /** 1-based; 0 when the problem is with the file as a whole (not found, too large). */
  line: number;
  column: number; // 1-based
}

export interface Diagnostic extends Position {
  severity: Severity;
  /** JSON pointer of the offending value inside its document (`/services/0/routes/1/paths/0`). */
  path: string;
  message: string;
  hint?: string;
  /** Stable machine-readable kind (`--reporter json` prints it). */
  code: DiagnosticCode;
}

/** Thrown for invalid input; the CLI prints the diagnostics and exits 1. */
export class InputError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
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

/** How the text reporter colours parts of a line; `plain` leaves them as they are. */
export interface Paint {
  position(s: string): string;
  severity(s: string, severity: Severity): string;
  hint(s: string): string;
}

export const plain: Paint = { position: (s) => s, severity: (s) => s, hint: (s) => s };

/** `file:line:col: error: message` (just `file: error: message` when the problem has no position) and a hint line. */
export function formatDiagnostic(d: Diagnostic, paint: Paint = plain): string {
  const where = d.line > 0 ? `${terminalSafe(d.file)}:${d.line}:${d.column}` : terminalSafe(d.file);
  const head = `${paint.position(where + ':')} ${paint.severity(d.severity + ':', d.severity)} ${terminalSafe(d.message)}`;
  return d.hint ? `${head}\n  ${paint.hint('hint: ' + terminalSafe(d.hint))}` : head;
}

/** GitHub Actions workflow-command annotation (`::error file=…,line=…,col=…::message`). */
export function formatGithub(d: Diagnostic): string {
  const msg = d.hint ? `${d.message} (hint: ${d.hint})` : d.message;
  const at = d.line > 0 ? `,line=${d.line},col=${d.column}` : '';
  return `::${d.severity} file=${githubProperty(d.file)}${at}::${githubData(msg)}`;
}

/** Escapes of GitHub's workflow-command syntax: data (after `::`) and property values. */
export function githubData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function githubProperty(s: string): string {
  return githubData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One JSON object per diagnostic; a problem without a position has null line and column. */
export function formatJson(d: Diagnostic): string {
  return JSON.stringify({
    file: d.file,
    line: d.line > 0 ? d.line : null,
    column: d.line > 0 ? d.column : null,
    severity: d.severity,
    code: d.code,
    message: d.message,
    hint: d.hint ?? null,
    path: d.path,
  });
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
