// kongc diff: unified diff between the installed include and what kongc would write now.
import { readFileSync } from 'node:fs';
import { compileDocuments } from '../compile.js';
import { report, type GlobalOptions } from '../report.js';
import { CommandFailure } from '../diagnostics.js';
import { unifiedDiff } from '../deliver/diff.js';
import { compileOptions } from './build.js';
import { loadInputs } from './inputs.js';

export interface DiffFlags {
  target: string;
  listen?: string[];
  fromLog?: string;
  exitCode?: boolean;
  skipUnsupported?: boolean;
  allowDegraded?: boolean;
  kongHeaders?: boolean;
  selectTag?: string[];
}

/** Exit code of `kongc diff --exit-code` when the files differ (1 stays "invalid input"). */
export const EXIT_DIFFERENT = 3;

export async function runDiff(files: string[], flags: DiffFlags, global: GlobalOptions): Promise<void> {
  const { docs, warnings } = await loadInputs(files, flags.fromLog);
  // Rendered exactly as apply renders it (CA bundle paths next to the target).
  const result = compileDocuments(docs, compileOptions({ ...flags, output: flags.target }));
  report([...warnings, ...result.diagnostics], global);
  let installed = '';
  try {
    installed = readFileSync(flags.target, 'utf8');
  } catch (e) {
    // A target that does not exist yet diffs as empty: everything would be added.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new CommandFailure(`cannot read ${flags.target}: ${(e as Error).message}`);
  }
  const diff = unifiedDiff(installed, result.text, flags.target, `${flags.target} (kongc)`);
  process.stdout.write(diff);
  if (diff && flags.exitCode) process.exitCode = EXIT_DIFFERENT;
}
