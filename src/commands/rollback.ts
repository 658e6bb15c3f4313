// kongc rollback: put a kept backup back through the same transaction as apply (lock, atomic
// write, nginx -t, reload, verify, roll back on failure), or list the backups. By default the
// newest backup that differs from the installed file: "the previous distinct config".
import { readFileSync } from 'node:fs';
import { CommandFailure, UsageError } from '../diagnostics.js';
import { applyConfig } from '../deliver/apply.js';
import { listBackups, type Backup } from '../deliver/backup.js';
import { baselineFor } from '../deliver/baseline.js';
import { diffStates, formatChange } from '../deliver/entity-diff.js';
import { KIND_ORDER, type StateFile } from '../deliver/kong-state.js';
import { listenAddressesOf } from '../deliver/verify.js';
import { buildHash } from '../render/build-marker.js';
import { summaryLine } from './apply.js';
import { hostRequest, parseCount, type HostFlags } from './host-flags.js';
import { runInterruptible } from './interruptible.js';

export interface RollbackFlags extends HostFlags {
  to?: string;
  list?: boolean;
}

/** "2 services, 3 routes" from a kept state; '' when none was kept. */
function describeState(state: StateFile | null): string {
  if (!state) return '';
  const counts = new Map<string, number>();
  for (const e of state.entities) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  const kinds = [...counts.keys()].sort((a, b) => KIND_ORDER.indexOf(a) - KIND_ORDER.indexOf(b));
  return kinds.map((k) => `${counts.get(k)} ${k.replace(/_/g, ' ')}${counts.get(k) === 1 ? '' : 's'}`).join(', ') || 'no entities';
}

function readInstalled(target: string): Buffer | null {
  try {
    return readFileSync(target);
  } catch {
    return null;
  }
}

export function formatList(target: string, backups: Backup[], installed: Buffer | null): string {
  if (!backups.length) return `no backups of ${target}\n`;
  const rows = backups.map((b) => {
    const hash = buildHash(b.content.toString('utf8'));
    const when = b.savedAt.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
    const what = [hash ? `build ${hash}` : 'not a kongc build', describeState(b.state), installed?.equals(b.content) ? 'same as installed' : ''].filter(Boolean).join(', ');
    return `${String(b.n).padStart(3)}  ${when}  ${what}`;
  });
  return `backups of ${target}, newest first (kongc rollback --to N):\n${rows.join('\n')}\n`;
}

/** `--to N`, else the newest backup that differs from the installed file. */
function choose(target: string, backups: Backup[], installed: Buffer | null, to: string | undefined): Backup {
  if (!backups.length) throw new CommandFailure(`no backups of ${target} to roll back to`);
  if (to !== undefined) {
    if (!/^[1-9]\d{0,3}$/.test(to)) throw new UsageError(`--to ${JSON.stringify(to)}: expected a backup number (see kongc rollback --list)`);
    const b = backups[Number(to) - 1];
    if (!b) throw new CommandFailure(`there is no backup ${to} of ${target}: ${backups.length} kept (see kongc rollback --list)`);
    return b;
  }
  const b = backups.find((x) => !installed?.equals(x.content));
  if (!b) throw new CommandFailure(`every kept backup of ${target} equals the installed file: nothing to roll back to`);
  return b;
}

export async function runRollback(flags: RollbackFlags): Promise<void> {
  const started = performance.now();
  const installed = readInstalled(flags.target);
  const backups = listBackups(flags.target);
  if (flags.list) {
    if (flags.to !== undefined) throw new UsageError('give either --list or --to, not both');
    process.stdout.write(formatList(flags.target, backups, installed));
    return;
  }
  const keep = parseCount(flags.backups, '--backups', 5);
  const host = hostRequest(flags);
  const log = (m: string) => process.stderr.write(`kongc rollback: ${m}\n`);
  const chosen = choose(flags.target, backups, installed, flags.to);
  const text = chosen.content.toString('utf8');
  const hash = buildHash(text);
  // The kept state counts only if it was recorded for exactly this build.
  const state = chosen.state && hash && chosen.state.build === hash ? chosen.state : null;
  log(`restoring backup ${chosen.n} (${hash ? `build ${hash}` : 'not a kongc build'}) saved ${chosen.savedAt.toISOString()}`);
  const baseline = baselineFor(flags.target);
  const changes = baseline.state && state ? diffStates(baseline.state, state) : null;

  const outcome = await runInterruptible(log, (signal) =>
    applyConfig({ ...host, text, plan: { listen: listenAddressesOf(text), sources: {} }, dryRun: false, state, origin: 'restore', backups: keep, log, signal }),
  );
  if (!outcome) return;
  const took = `${((performance.now() - started) / 1000).toFixed(2)}s`;
  const lines = outcome.kind !== 'unchanged' && changes ? changes.map(formatChange) : [];
  const summary = summaryLine(outcome, describeState(state) || 'Kong entities unknown', took);
  process.stdout.write([...lines, `rolled back to backup ${chosen.n}: ${summary}`].join('\n') + '\n');
}
