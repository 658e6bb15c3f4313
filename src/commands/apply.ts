// kongc apply: render, then install on this host through src/deliver/apply.ts. This file turns
// flags into a request, owns the signal handling, and prints the one-line summary.
import { compileDocuments } from '../compile.js';
import { report, type GlobalOptions } from '../report.js';
import { UsageError } from '../diagnostics.js';
import { applyConfig, describeEntities, type ApplyOutcome } from '../deliver/apply.js';
import { baselineFor } from '../deliver/baseline.js';
import { diffStates, formatChange, summarizeChanges } from '../deliver/entity-diff.js';
import { stateOf } from '../deliver/kong-state.js';
import { pcreJitWarning } from '../deliver/pcre-jit.js';
import { buildHash } from '../deliver/verify.js';
import { compileOptions, writeGeneratedFiles } from './build.js';
import { loadInputs } from './inputs.js';
import { runInterruptible } from './interruptible.js';

export interface ApplyFlags {
  target: string;
  listen?: string[];
  fromLog?: string;
  nginx?: string;
  nginxConf?: string;
  prefix?: string;
  testCmd?: string;
  reloadCmd?: string;
  dryRun?: boolean;
  start?: boolean;
  backups?: string;
  lock?: string;
  timeout?: string;
  skipUnsupported?: boolean;
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

export function parseCount(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 1000) throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a whole number from 0 to 1000`);
  return Number(value);
}

export function parseSeconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > 86_400) throw new UsageError(`${flag} ${JSON.stringify(value)}: expected seconds, more than 0`);
  return n;
}

export async function runApply(files: string[], flags: ApplyFlags, global: GlobalOptions): Promise<void> {
  const started = performance.now();
  const backups = parseCount(flags.backups, '--backups', 5);
  const timeoutS = parseSeconds(flags.timeout, '--timeout', 30);
  const log = (m: string) => process.stderr.write(`kongc apply: ${m}\n`);

  const { docs, warnings } = await loadInputs(files, flags.fromLog);
  // Files the config refers to (CA bundles) go next to the target, as with `build -o`.
  const result = compileDocuments(docs, compileOptions({ ...flags, output: flags.target }));
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
  if (!flags.dryRun) writeGeneratedFiles(result.plan.files);

  const outcome = await runInterruptible(log, (signal) =>
    applyConfig({
      target: flags.target,
      text: result.text,
      plan: result.plan,
      nginx: { nginx: flags.nginx ?? 'nginx', prefix: flags.prefix, conf: flags.nginxConf },
      testCmd: flags.testCmd,
      reloadCmd: flags.reloadCmd,
      dryRun: Boolean(flags.dryRun),
      start: Boolean(flags.start),
      state,
      origin: 'render',
      backups,
      lockPath: flags.lock,
      timeoutMs: timeoutS * 1000,
      log,
      signal,
    }),
  );
  if (!outcome) return;
  const took = `${((performance.now() - started) / 1000).toFixed(2)}s`;
  // What changed in Kong's terms, then the one-line summary (last, for scripts that read it).
  const lines = outcome.kind !== 'unchanged' && changes ? changes.map(formatChange) : [];
  process.stdout.write([...lines, summaryLine(outcome, describeEntities(result.plan.sources), took)].join('\n') + '\n');
}
