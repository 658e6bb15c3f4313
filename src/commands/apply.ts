// kongc apply: render, then install on this host through src/deliver/apply.ts. This file turns
// flags into a request, owns the signal handling, and prints the one-line summary.
import { compileDocuments } from '../compile.js';
import { report, type GlobalOptions } from '../report.js';
import { CommandFailure, UsageError } from '../diagnostics.js';
import { applyConfig, describeEntities } from '../deliver/apply.js';
import { pcreJitWarning } from '../deliver/pcre-jit.js';
import { removePendingTempFiles } from '../deliver/atomic-write.js';
import { compileOptions, writeGeneratedFiles } from './build.js';
import { loadInputs } from './inputs.js';

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
  backups?: string;
  lock?: string;
  timeout?: string;
  skipUnsupported?: boolean;
  allowDegraded?: boolean;
  kongHeaders?: boolean;
  selectTag?: string[];
}

/** Thrown (as the abort reason) when SIGINT/SIGTERM interrupts an apply; exit 128 + signal. */
class Interrupted extends Error {
  constructor(readonly exitCode: number, signal: string) {
    super(`interrupted by ${signal}; nothing changed`);
  }
}

function parseCount(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 1000) throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a whole number from 0 to 1000`);
  return Number(value);
}

function parseSeconds(value: string | undefined, flag: string, fallback: number): number {
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
  const jit = await pcreJitWarning({ nginx: flags.nginx ?? 'nginx', prefix: flags.prefix, conf: flags.nginxConf });
  if (jit) log(`warning: ${jit}`);
  // Their names are content hashes, so writing them before the lock changes nothing the running
  // config uses, and they are in place before any config that needs them is tested.
  if (!flags.dryRun) writeGeneratedFiles(result.plan.files);

  // First signal: stop at the next step boundary and roll back. Second: leave now, keeping the
  // invariants that need no waiting (temp files gone, lock released by the exit handler below).
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    const code = 128 + (signal === 'SIGINT' ? 2 : 15);
    if (!controller.signal.aborted) {
      log(`received ${signal}: finishing the current step, then rolling back`);
      controller.abort(new Interrupted(code, signal));
      return;
    }
    removePendingTempFiles();
    process.exit(code);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const outcome = await applyConfig({
      target: flags.target,
      text: result.text,
      plan: result.plan,
      nginx: { nginx: flags.nginx ?? 'nginx', prefix: flags.prefix, conf: flags.nginxConf },
      testCmd: flags.testCmd,
      reloadCmd: flags.reloadCmd,
      dryRun: Boolean(flags.dryRun),
      backups,
      lockPath: flags.lock,
      timeoutMs: timeoutS * 1000,
      log,
      signal: controller.signal,
    });
    const took = `${((performance.now() - started) / 1000).toFixed(2)}s`;
    const entities = describeEntities(result.plan.sources);
    if (outcome.kind === 'unchanged') process.stdout.write(`no changes (build ${outcome.hash}, ${entities}, ${took})\n`);
    else if (outcome.kind === 'dry-run') process.stdout.write(`dry run: would apply build ${outcome.hash} to ${outcome.target}: ${entities}, +${outcome.stats.added} -${outcome.stats.removed} lines; test passed (${took})\n`);
    else process.stdout.write(`applied build ${outcome.hash} to ${outcome.target}: ${entities}, +${outcome.stats.added} -${outcome.stats.removed} lines, ${took}\n`);
  } catch (e) {
    if (e instanceof Interrupted) {
      process.stderr.write(`kongc: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    // A file system error (permissions, disk full) is the host's problem, not a kongc bug.
    if ((e as NodeJS.ErrnoException).syscall) throw new CommandFailure((e as Error).message);
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    removePendingTempFiles();
  }
}
