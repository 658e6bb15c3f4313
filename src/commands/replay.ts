// `kongc replay LOG`: replay an admin-call log, print what Kong would have rejected, write the state as YAML.
import { report, type GlobalOptions } from '../report.js';
import { writeOutput } from './output.js';
import { replayLogFile, requireState } from '../load/admin-log/replay.js';

export interface ReplayCommandOptions {
  output?: string;
  keepIds?: boolean;
  strict?: boolean;
}

export async function runReplay(log: string, opts: ReplayCommandOptions, global: GlobalOptions): Promise<void> {
  const result = requireState(replayLogFile(log, { strict: opts.strict ?? false, keepIds: opts.keepIds ?? false }));
  report(result.diagnostics, global);
  if (opts.output) writeOutput(opts.output, result.yaml);
  else process.stdout.write(result.yaml);
}
