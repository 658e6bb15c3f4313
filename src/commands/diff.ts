// kongc diff: what would change, first in Kong's terms (entities added, changed, removed), then as
// a unified diff between the installed include and what kongc would write now. The Kong side
// compares with the state `kongc apply` kept beside the target, or with --from-state (a state
// file copied from a host, or a Kong declarative file such as the main branch's kong.yaml in CI).
import { readFileSync } from 'node:fs';
import { compileDocuments, loadFiles } from '../compile.js';
import { report, type GlobalOptions } from '../report.js';
import { CommandFailure, UsageError } from '../diagnostics.js';
import { baselineFor } from '../deliver/baseline.js';
import { unifiedDiff } from '../deliver/diff.js';
import { diffStates, formatChange } from '../deliver/entity-diff.js';
import { parseState, stateOf, type StateFile } from '../deliver/kong-state.js';
import { buildHash } from '../render/build-marker.js';
import { compileOptions, type TlsFlags } from './build.js';
import { loadInputs } from './inputs.js';

export interface DiffFlags extends TlsFlags {
  target?: string;
  /** The installed stream {} include. */
  streamTarget?: string;
  fromState?: string;
  listen?: string[];
  fromLog?: string;
  exitCode?: boolean;
  skipUnsupported?: boolean;
  withNjs?: boolean;
  allowDegraded?: boolean;
  kongHeaders?: boolean;
  selectTag?: string[];
}

/** Exit code of `kongc diff --exit-code` when the files differ (1 stays "invalid input"). */
export const EXIT_DIFFERENT = 3;

/** A kongc state file, else a Kong declarative file compiled with the same options. */
function loadFromState(file: string, flags: DiffFlags): StateFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CommandFailure(`cannot read ${file}: ${(e as Error).message}`);
  }
  const state = parseState(text);
  if (state) return state;
  const old = compileDocuments(loadFiles([file]), compileOptions({ ...flags, output: flags.target }));
  return stateOf(old.state, buildHash(old.text));
}

export async function runDiff(files: string[], flags: DiffFlags, global: GlobalOptions): Promise<void> {
  if (!flags.target && !flags.fromState) throw new UsageError('kongc diff needs --target PATH (the installed include), --from-state FILE, or both');
  const { docs, warnings } = await loadInputs(files, flags.fromLog);
  // Rendered exactly as apply renders it (CA bundle paths next to the target).
  const result = compileDocuments(docs, compileOptions({ ...flags, output: flags.target, streamOutput: flags.streamTarget }));
  report([...warnings, ...result.diagnostics], global);

  const baseline = flags.fromState ? { state: loadFromState(flags.fromState, flags), note: null } : baselineFor(flags.target!);
  if (baseline.note) process.stderr.write(`kongc: ${baseline.note}\n`);
  const changes = baseline.state ? diffStates(baseline.state, stateOf(result.state, buildHash(result.text))) : [];
  const entityLines = changes.map((c) => formatChange(c) + '\n').join('');

  let text = '';
  if (flags.target) text = fileDiff(flags.target, result.text);
  if (flags.streamTarget) text += fileDiff(flags.streamTarget, result.stream?.text ?? '');
  process.stdout.write(entityLines + (entityLines && text ? '\n' : '') + text);
  if ((changes.length || text) && flags.exitCode) process.exitCode = EXIT_DIFFERENT;
}

/** The unified diff from the installed file to kongc's text ('' when equal). */
function fileDiff(target: string, text: string): string {
  let installed = '';
  try {
    installed = readFileSync(target, 'utf8');
  } catch (e) {
    // A target that does not exist yet diffs as empty: everything would be added.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new CommandFailure(`cannot read ${target}: ${(e as Error).message}`);
  }
  return unifiedDiff(installed, text, target, `${target} (kongc)`);
}
