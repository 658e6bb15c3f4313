// How diagnostics reach the user, on stderr: text (colours on a terminal only, repeated warnings
// grouped), JSON (one object per line) or GitHub Actions annotations. Also the global flags that
// decide what a warning does: --quiet hides them, --fail-on-warnings makes them fail the run.
import { CommandFailure, formatDiagnostic, formatGithub, formatJson, githubData, plain, type Diagnostic, type Paint } from './diagnostics.js';
import { counted } from './text.js';

export type ReporterKind = 'text' | 'json' | 'github';

/** The options every command gets from the top-level command line. */
export interface GlobalOptions {
  debug?: boolean;
  reporter?: ReporterKind;
  quiet?: boolean;
  failOnWarnings?: boolean;
}

/** Warnings of one kind shown before the rest are summed up in one line. */
export const WARNINGS_SHOWN_PER_KIND = 3;

/**
 * Colours only on a terminal, never when NO_COLOR is set (https://no-color.org: any non-empty
 * value); FORCE_COLOR asks for them where stderr is not a terminal.
 */
export function useColor(env: NodeJS.ProcessEnv = process.env, isTTY = Boolean(process.stderr.isTTY)): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTTY && env.TERM !== 'dumb';
}

const sgr = (code: string) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
const ansi: Paint = {
  position: sgr('1'),
  severity: (s, severity) => (severity === 'error' ? sgr('1;31')(s) : sgr('1;33')(s)),
  hint: sgr('2'),
};

/** What repeats: the same kind of problem with the same advice. */
function kindOf(d: Diagnostic): string {
  return `${d.severity}\u0000${d.code}\u0000${d.hint ?? ''}`;
}

/**
 * The text of `diagnostics` as the reporter prints it. Text and GitHub output show the first few
 * warnings of each kind and count the rest (a config with 1,000 upstreams would otherwise print
 * one warning 1,000 times); JSON lists every one, for tools. Errors are never grouped.
 */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], options: { reporter?: ReporterKind; quiet?: boolean; color?: boolean }): string {
  const shown = options.quiet ? diagnostics.filter((d) => d.severity === 'error') : diagnostics;
  const reporter = options.reporter ?? 'text';
  if (reporter === 'json') return shown.map((d) => formatJson(d) + '\n').join('');
  const format = reporter === 'github' ? formatGithub : (d: Diagnostic) => formatDiagnostic(d, options.color ? ansi : plain);
  const total = new Map<string, number>();
  for (const d of shown) if (d.severity === 'warning') total.set(kindOf(d), (total.get(kindOf(d)) ?? 0) + 1);
  const seen = new Map<string, number>();
  const lines: string[] = [];
  for (const d of shown) {
    if (d.severity !== 'warning') {
      lines.push(format(d));
      continue;
    }
    const kind = kindOf(d);
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    if (n > WARNINGS_SHOWN_PER_KIND) continue;
    lines.push(format(d));
    const rest = total.get(kind)! - WARNINGS_SHOWN_PER_KIND;
    if (n === WARNINGS_SHOWN_PER_KIND && rest > 0) {
      const more = `... and ${counted(rest, 'more warning')} like this (${d.code}; --reporter json lists them all)`;
      lines.push(reporter === 'github' ? `::notice::${githubData(more)}` : more);
    }
  }
  return lines.map((l) => l + '\n').join('');
}

/** Prints diagnostics; never throws. */
export function printDiagnostics(diagnostics: readonly Diagnostic[], global: GlobalOptions): void {
  // Under --fail-on-warnings the warnings are the reason for the failure: never hidden.
  const text = renderDiagnostics(diagnostics, { reporter: global.reporter, quiet: global.quiet && !global.failOnWarnings, color: useColor() });
  // One write: a thousand diagnostics are one system call, not a thousand.
  if (text) process.stderr.write(text);
}

/**
 * Prints the warnings of a run that succeeded so far; under --fail-on-warnings, any warning stops
 * it (exit 1) before anything is written or applied.
 */
export function report(diagnostics: readonly Diagnostic[], global: GlobalOptions): void {
  printDiagnostics(diagnostics, global);
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  if (global.failOnWarnings && warnings > 0) throw new CommandFailure(`${counted(warnings, 'warning')}, and --fail-on-warnings makes any warning fail`);
}
