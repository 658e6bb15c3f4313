// kongc apply: render, then install on this host through src/deliver/apply.ts. This file turns
// flags into a request, owns the signal handling, and prints the one-line summary.
import { compileDocuments } from '../compile.js';
import { report, type GlobalOptions } from '../report.js';
import { applyConfig, describeEntities, type ApplyOutcome } from '../deliver/apply.js';
import { baselineFor } from '../deliver/baseline.js';
import { diffStates, formatChange, summarizeChanges } from '../deliver/entity-diff.js';
import { stateOf } from '../deliver/kong-state.js';
import { pcreJitWarning } from '../deliver/pcre-jit.js';
import { buildHash } from '../render/build-marker.js';
import { compileOptions, writeGeneratedFiles, type TlsFlags } from './build.js';
import { loadInputs } from './inputs.js';
import { runInterruptible } from './interruptible.js';
import { hostRequest, parseCount, type HostFlags } from './host-flags.js';

export interface ApplyFlags extends HostFlags, TlsFlags {
  listen?: string[];
  /** The installed stream {} include, applied with --target as one unit. */
  streamTarget?: string;
  fromLog?: string;
  dryRun?: boolean;
  skipUnsupported?: boolean;
  withNjs?: boolean;
  strict?: boolean;
  secretsDir?: string;
  stateDir?: string;
  allowDegraded?: boolean;
  kongHeaders?: boolean;
  selectTag?: string[];
}

/** The last line of output: what happened, and, when nginx could not be asked, that it was not verified. */
export function summaryLine(outcome: ApplyOutcome, entities: string, took: string): string {
  const build = outcome.hash ? `build ${outcome.hash}` : 'the file';
  switch (outcome.kind) {
    case 'unchanged':
      return `no changes (${outcome.hash ? `build ${outcome.hash}, ` : ''}${entities}, ${took})`;
    case 'dry-run':
      return `dry run: would apply ${build} to ${outcome.target}: ${entities}, +${outcome.stats.added} -${outcome.stats.removed} lines; test passed (${took})`;
    case 'applied': {
      const verb = outcome.started ? 'applied (nginx started)' : 'applied';
      const what = `${build} to ${outcome.target}: ${entities}, +${outcome.stats.added} -${outcome.stats.removed} lines, ${took}`;
      return outcome.unverified ? `${verb} but NOT verified (${outcome.unverified}): ${what}` : `${verb} ${what}`;
    }
  }
}

export async function runApply(files: string[], flags: ApplyFlags, global: GlobalOptions): Promise<void> {
  const started = performance.now();
  const backups = parseCount(flags.backups, '--backups', 5);
  const host = hostRequest(flags);
  const log = (m: string) => process.stderr.write(`kongc apply: ${m}\n`);

  const { docs, warnings } = await loadInputs(files, flags.fromLog);
  // Files the config refers to (CA bundles) go next to the target, as with `build -o`.
  const result = compileDocuments(docs, compileOptions({ ...flags, output: flags.target, streamOutput: flags.streamTarget }));
  report([...warnings, ...result.diagnostics], global);
  log(`render: ${describeEntities(result.plan.sources)}`);
  // Compared before the apply: a successful apply replaces the kept state.
  const state = stateOf(result.state, buildHash(result.text));
  const baseline = baselineFor(flags.target);
  const changes = baseline.state ? diffStates(baseline.state, state) : null;
  log(changes ? `kong: ${summarizeChanges(changes)}` : `kong: ${baseline.note}`);
  const jit = await pcreJitWarning({ nginx: flags.nginx ?? 'nginx', prefix: flags.prefix, conf: flags.nginxConf });
  if (jit) log(`warning: ${jit}`);
  // Their names are content hashes, so writing them before the lock changes nothing the running
  // config uses, and they are in place before any config that needs them is tested.
  if (!flags.dryRun) writeGeneratedFiles(result.files, result.stream?.plan.socketDir);
  // The stream include goes live with the http include, or neither does.
  const companions = flags.streamTarget && result.stream ? [{ target: flags.streamTarget, text: result.stream.text }] : [];

  const outcome = await runInterruptible(log, (signal) =>
    applyConfig({ ...host, text: result.text, companions, plan: result.plan, dryRun: Boolean(flags.dryRun), state, origin: 'render', backups, log, signal }),
  );
  if (!outcome) return;
  const took = `${((performance.now() - started) / 1000).toFixed(2)}s`;
  // What changed in Kong's terms, then the one-line summary (last, for scripts that read it).
  const lines = outcome.kind !== 'unchanged' && changes ? changes.map(formatChange) : [];
  process.stdout.write([...lines, summaryLine(outcome, describeEntities(result.plan.sources), took)].join('\n') + '\n');
}
