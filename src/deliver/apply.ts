// `kongc apply` (and `kongc rollback`) on a host: a change goes live completely or not at all, a
// no-op does nothing, a failure leaves the running config as it was and says why. Steps (each logged):
//   render (done by the caller) → is nginx running? → compare → lock → write (backup, journal,
//   atomic swap) → test → reload (or start, with --start) → verify live → keep the Kong state →
//   done; any failure after the write rolls back, and the message says what the rollback did.
import { existsSync, lstatSync, readFileSync, realpathSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { NginxPlan } from '../plan/ir.js';
import { CommandFailure } from '../diagnostics.js';
import { fsyncDir, removeStaleTempFiles, replaceFile, type ReplaceMode } from './atomic-write.js';
import { rotateBackups } from './backup.js';
import { lineStats, type DiffStats } from './diff.js';
import { testInHostTree } from './host-test.js';
import { clearJournal, readJournal, writeJournal } from './journal.js';
import { readStateFor, writeStateFor, type StateFile } from './kong-state.js';
import { acquireLock } from './lock.js';
import { assertNoCodeLoadingDirectives } from './nginx-directives.js';
import { mapNginxMessage } from './nginx-errors.js';
import { locateHost, masterState, type NginxHost } from './nginx-host.js';
import { displayCommand, reloadCommand, runCommand, startCommand, testCommand, type Command, type NginxInvocation } from './nginx-runner.js';
import { bootTicks } from './nginx-workers.js';
import { fetchLiveBuild, probeFor, waitForBuild, type Probe } from './verify.js';
import { buildHash } from '../render/build-marker.js';
import { compareText } from '../text.js';

export interface ApplyRequest {
  target: string;
  text: string;
  /**
   * Files installed with the target as one unit (the stream include): written, tested and
   * reloaded together with it, or all put back. Empty for a restore.
   */
  companions?: { target: string; text: string }[];
  plan: Pick<NginxPlan, 'listen' | 'sources'>;
  nginx: NginxInvocation;
  testCmd?: string;
  reloadCmd?: string;
  dryRun: boolean;
  /** Start nginx (after the test) when it is not running, instead of stopping with an error. */
  start: boolean;
  /** The Kong state `text` was rendered from, kept beside the target once live; null: unknown. */
  state: StateFile | null;
  /** 'render': kongc's own output, which must carry a build hash; 'restore': a backup, as it is. */
  origin: 'render' | 'restore';
  backups: number;
  lockPath?: string;
  timeoutMs: number;
  log: (message: string) => void;
  /** Aborted on SIGINT/SIGTERM; its reason is the error to throw once rolled back. */
  signal: AbortSignal;
}

export type ApplyOutcome =
  | { kind: 'unchanged'; target: string; hash: string | null }
  /** unverified: why nginx could not be asked which build it serves; null when it was. */
  | { kind: 'applied'; target: string; hash: string | null; stats: DiffStats; unverified: string | null; started: boolean }
  | { kind: 'dry-run'; target: string; hash: string | null; stats: DiffStats };

/** Exit code when a rollback itself failed: nginx may run the new config, a human must look. */
export const EXIT_ROLLBACK_FAILED = 4;

// A symlinked target (sites-enabled/x → sites-available/x) is written through, not replaced.
function resolveTarget(target: string): string {
  try {
    if (lstatSync(target).isSymbolicLink()) return realpathSync(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (!existsSync(dirname(target))) throw new CommandFailure(`cannot write ${target}: directory ${dirname(target)} does not exist`);
  return target;
}

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** The lock beside the target, hidden so an `include dir/*` never loads it. */
export function defaultLockPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.lock`);
}

// Right after a reload, old workers finish their accepted connections for a moment and may
// still answer with the previous build; a mismatch must last this long to count.
const SETTLE_MS = 1000;

type LiveState = { state: 'match' | 'other' | 'unknown' | 'down'; detail: string };

/**
 * 'match' / 'other' hash live, 'down' when nothing listens on the address, 'unknown' when nginx
 * can't be asked (no loopback listen, no kongc endpoint, no answer in time).
 */
async function liveState(probe: Probe | null, hash: string): Promise<LiveState> {
  if (!probe) return { state: 'unknown', detail: 'no loopback-reachable listen address' };
  try {
    const live = (await fetchLiveBuild(probe, 1000))?.hash;
    if (live === hash) return { state: 'match', detail: `serving build ${live}` };
    if (!live) return { state: 'unknown', detail: 'no kongc build hash served' };
    const settled = await waitForBuild(probe, hash, { timeoutMs: SETTLE_MS });
    return settled.ok ? { state: 'match', detail: `serving build ${hash}` } : { state: 'other', detail: settled.last };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ECONNREFUSED') return { state: 'down', detail: `nothing listens on ${probe.host}:${probe.port}` };
    return { state: 'unknown', detail: (e as Error).message };
  }
}

/** "no changes" only when nothing contradicts it: a current file that nothing serves is an error. */
function unchangedOrThrow(live: LiveState, target: string): boolean {
  if (live.state === 'down') throw new CommandFailure(`${target} is current, but nginx is not serving it: ${live.detail}; is nginx running?`);
  return live.state !== 'other';
}

function stats(previous: Buffer | null, next: Buffer): DiffStats {
  return lineStats(previous?.toString('utf8') ?? '', next.toString('utf8'));
}

/**
 * The host's nginx (paths, include tree, pid file), or null when kongc is not the one driving it
 * (a --reload-cmd of the user's, e.g. nginx in a container) or it cannot be located.
 */
async function hostFor(req: ApplyRequest, target: string, companions: Companion[]): Promise<NginxHost | null> {
  if (req.reloadCmd && !req.start) {
    req.log('nginx: running check skipped: --reload-cmd manages nginx');
    return null;
  }
  try {
    return await locateHost(req.nginx, target, req.timeoutMs, companions.map((c) => c.target));
  } catch (e) {
    if (!(e instanceof CommandFailure) || req.start) throw e;
    req.log(`nginx: running check skipped: ${e.message}`);
    return null;
  }
}

/**
 * Before anything changes: a stopped nginx is an error (the config would be "applied" with
 * nothing serving it), unless --start asks kongc to start it. Returns whether it must be started.
 */
function checkRunning(req: ApplyRequest, host: NginxHost | null): boolean {
  if (!host) return false;
  const state = masterState(host.pidFile);
  if (state.running) {
    req.log(`nginx: master process ${state.pid} is running`);
    return false;
  }
  if (!req.start) throw new CommandFailure(`nginx is not running (${state.why}); nothing changed. Start nginx first, or pass --start to have kongc start it once the new configuration passes the test`);
  if (host.tree.mainDirectives.get('daemon') === 'off') {
    throw new CommandFailure(`nginx is not running (${state.why}), and --start cannot start it: ${host.conf} says \`daemon off\`, so nginx would not return; start it with your service manager`);
  }
  req.log(`nginx: not running (${state.why}); it will be started once the configuration passes the test`);
  return true;
}

export async function applyConfig(req: ApplyRequest): Promise<ApplyOutcome> {
  const { log, signal } = req;
  const hash = buildHash(req.text);
  if (!hash && req.origin === 'render') throw new CommandFailure('internal: the rendered configuration has no `# kongc build <hash>` header');
  // kongc never renders these; refusing here keeps injected text away from nginx -t and reload.
  // A restored backup was the host's own config and is taken as it is.
  if (req.origin === 'render') for (const t of [req.text, ...(req.companions ?? []).map((c) => c.text)]) assertNoCodeLoadingDirectives(t);
  const target = resolveTarget(req.target);
  const next = Buffer.from(req.text, 'utf8');
  const companions: Companion[] = (req.companions ?? []).map((c) => ({ target: resolveTarget(c.target), next: Buffer.from(c.text, 'utf8') }));
  // Only a kongc build says which build it is; anything else can't be verified live.
  const probe = hash ? probeFor(req.plan.listen) : null;
  const nginxTest = testCommand(req.nginx, req.testCmd);
  const nginxReload = reloadCommand(req.nginx, req.reloadCmd);

  const host = await hostFor(req, target, companions);
  if (host && !host.tree.targetSites.length) log(`warning: no include in ${host.conf} reaches ${target}: nginx will not load it`);
  for (const c of companions) if (host && !host.tree.companionSites.get(c.target)?.length) log(`warning: no include in ${host.conf} reaches ${c.target}: nginx will not load it (a stream include goes in a stream {} block)`);
  const mustStart = checkRunning(req, host);

  // Step 1: compare. Identical bytes, no interrupted apply and nothing contradicting on the live
  // endpoint: nothing to do, and above all no reload.
  const installed = readOrNull(target);
  log(`compare: ${hash ? `build ${hash}` : 'the file'} against ${target}`);
  if (req.dryRun) return dryRun(req, host, target, hash, installed, next, companions);
  const companionsCurrent = () => companions.every((c) => readOrNull(c.target)?.equals(c.next) && readJournal(c.target) === undefined);
  if (installed?.equals(next) && readJournal(target) === undefined && companionsCurrent() && !mustStart) {
    const live: LiveState = hash ? await liveState(probe, hash) : { state: 'unknown', detail: 'not a kongc build' };
    if (unchangedOrThrow(live, target)) {
      log(`compare: no changes (live: ${live.detail})`);
      return { kind: 'unchanged', target, hash };
    }
    log(`compare: file is current but nginx is ${live.detail}; continuing under the lock`);
  }

  // Step 2: lock.
  signal.throwIfAborted();
  const lockPath = req.lockPath ?? defaultLockPath(target);
  const lock = await acquireLock(lockPath, { timeoutMs: req.timeoutMs, log: (m) => log(`lock: ${m}`), signal });
  log(`lock: acquired ${lockPath}`);
  try {
    for (const file of [target, ...companions.map((c) => c.target)]) for (const name of removeStaleTempFiles(file)) log(`cleanup: removed ${name} left by a dead process`);
    await recoverJournal(req, target, probe, companions);
    // Read again under the lock: another apply may have changed the file while we waited.
    const previous = readOrNull(target);
    const current = companionsCurrent();
    if (previous?.equals(next) && current && !mustStart && hash) {
      const live = await liveState(probe, hash);
      if (unchangedOrThrow(live, target)) {
        log(`compare: no changes (live: ${live.detail})`);
        return { kind: 'unchanged', target, hash };
      }
      log(`compare: installed file is current but nginx is ${live.detail}: testing and reloading it`);
    }
    if (previous?.equals(next) && current && !mustStart && !hash) {
      log('compare: no changes');
      return { kind: 'unchanged', target, hash };
    }
    const others = companions.map((c) => ({ ...c, previous: readOrNull(c.target) }));
    return await install(req, { target, hash, previous, next, others, probe, nginxTest, nginxReload, host, mustStart });
  } finally {
    lock.release();
    log('lock: released');
  }
}

/**
 * A journal left by a dead apply: if nginx serves what is installed, that apply had in fact
 * finished and only the journal is stale; otherwise put the last good file back first.
 */
async function recoverJournal(req: ApplyRequest, target: string, probe: Probe | null, companions: Companion[]): Promise<void> {
  const files = [target, ...companions.map((c) => c.target)].filter((f) => readJournal(f) !== undefined);
  if (!files.length) return;
  // The files went live together: the target's build, served, says the interrupted change is live.
  const installedHash = buildHash(readOrNull(target)?.toString('utf8') ?? '');
  const live: LiveState = installedHash ? await liveState(probe, installedHash) : { state: 'unknown', detail: '' };
  const which = (file: string) => (file === target ? '' : ` (${file})`);
  for (const file of files) {
    const saved = readJournal(file)!;
    if (live.state === 'match') {
      req.log(`recover: an earlier apply was interrupted after its change went live; keeping it${which(file)}`);
    } else {
      if (saved === null) rmSync(file, { force: true });
      else replaceFile(file, saved);
      fsyncDir(dirname(file));
      // If nginx runs the interrupted apply's config, the steps that follow reload it anyway:
      // either our change differs from the restored file, or the live check finds it stale.
      req.log(`recover: an earlier apply was interrupted; restored the file it replaced${which(file)}`);
    }
    clearJournal(file);
  }
}

/** A file installed with the target (the stream include). */
interface Companion {
  target: string;
  next: Buffer;
}

interface InstallContext {
  target: string;
  hash: string | null;
  previous: Buffer | null;
  next: Buffer;
  /** Companion files, with what they held before (null: none). */
  others: (Companion & { previous: Buffer | null })[];
  probe: Probe | null;
  nginxTest: Command;
  nginxReload: Command;
  host: NginxHost | null;
  /** nginx was not running and --start was given: start it instead of reloading. */
  mustStart: boolean;
}

/** "head; what the rollback did:\ndetail" */
function failure(head: string, undone: string, detail?: string): string {
  return `${head}${undone ? `; ${undone}` : ''}${detail ? `:\n${detail}` : ''}`;
}

async function install(req: ApplyRequest, ctx: InstallContext): Promise<ApplyOutcome> {
  const { log, signal } = req;
  const { target, previous, next } = ctx;
  const change = [{ previous, next }, ...ctx.others].map((f) => stats(f.previous, f.next)).reduce((a, b) => ({ added: a.added + b.added, removed: a.removed + b.removed }));
  const env = { KONGC_TARGET: target, KONGC_CANDIDATE: target };
  let written = false;
  /** Companion files written (their journal is in place): restored on rollback. */
  const writtenOthers: InstallContext['others'] = [];
  let reloaded = false;

  /**
   * Undoes everything done so far and says what it did, for the failure message; `reason` is why,
   * kept in the message if the undo fails too.
   */
  const rollback = async (reason: string): Promise<string> => {
    for (const o of [...writtenOthers].reverse()) {
      try {
        if (o.previous === null) rmSync(o.target, { force: true });
        else replaceFile(o.target, o.previous);
        fsyncDir(dirname(o.target));
      } catch (e) {
        throw new CommandFailure(`${reason}\nrollback failed: cannot restore ${o.target}: ${(e as Error).message}`, EXIT_ROLLBACK_FAILED);
      }
      log(o.previous === null ? `rollback: removed ${o.target} (it did not exist before)` : `rollback: restored the previous ${o.target}`);
      clearJournal(o.target);
    }
    if (written) {
      try {
        if (previous === null) rmSync(target, { force: true });
        else replaceFile(target, previous);
        fsyncDir(dirname(target));
      } catch (e) {
        // The journal stays: the next apply restores from it.
        throw new CommandFailure(`${reason}\nrollback failed: cannot restore ${target}: ${(e as Error).message}`, EXIT_ROLLBACK_FAILED);
      }
      log(previous === null ? `rollback: removed ${target} (it did not exist before)` : `rollback: restored the previous ${target}`);
    }
    clearJournal(target);
    if (!written && !writtenOthers.length) return '';
    const restored = !writtenOthers.length ? (previous === null ? `${target} is removed again` : 'the previous file is back in place') : 'the previous files are back in place';
    // Reloading again only helps if the file on disk is different from what was reloaded.
    if (!reloaded) return restored;
    // A stopped nginx (never started, or one that died) has nothing to reload: say so.
    const master = ctx.host ? masterState(ctx.host.pidFile) : null;
    if (master && !master.running) {
      log(`rollback: nginx is not running (${master.why}); nothing to reload`);
      return `${restored}; nginx is not running (${master.why})`;
    }
    log(`rollback: reload: ${displayCommand(ctx.nginxReload)}`);
    const since = bootTicks();
    const r = await runCommand(ctx.nginxReload, { timeoutMs: req.timeoutMs, env });
    if (!r.ok) {
      throw new CommandFailure(`${reason}\nrollback failed: the previous file is back in place, but reloading nginx with it failed; nginx may still run the new configuration:\n${r.output}`, EXIT_ROLLBACK_FAILED);
    }
    const previousHash = previous ? buildHash(previous.toString('utf8')) : null;
    if (previousHash && ctx.probe) {
      const v = await waitForBuild(ctx.probe, previousHash, { timeoutMs: req.timeoutMs, since });
      if (!v.ok) throw new CommandFailure(`${reason}\nrollback failed: nginx is not serving the previous build ${previousHash} (${v.last})`, EXIT_ROLLBACK_FAILED);
      log(`rollback: nginx serves the previous build ${previousHash} again`);
      return `${restored} and nginx serves build ${previousHash} again`;
    }
    return `${restored} and nginx was reloaded with it`;
  };

  const fail = async (head: string, detail?: string): Promise<never> => {
    const undone = await rollback(failure(head, '', detail));
    throw new CommandFailure(failure(head, undone, detail));
  };

  try {
    // Step 3: write.
    if (!previous?.equals(next)) {
      signal.throwIfAborted();
      if (previous) {
        // The state kept beside the target describes `previous` only if its build says so.
        const kept = readStateFor(target);
        const previousState = kept && kept.build !== null && kept.build === buildHash(previous.toString('utf8')) ? kept : null;
        const backup = rotateBackups(target, previous, previousState, req.backups);
        if (backup.kind === 'saved') log(`backup: previous file saved as ${backup.path}`);
        else if (backup.kind === 'same') log(`backup: previous file already kept as ${backup.path}`);
      }
      try {
        writeJournal(target, previous);
      } catch (e) {
        throw new CommandFailure(`cannot write beside ${target}: ${(e as Error).message}; nothing changed`);
      }
      written = true; // from here on a failure must restore: an in-place write may have begun
      let mode: ReplaceMode = 'rename';
      try {
        mode = replaceFile(target, next);
      } catch (e) {
        await fail(`cannot write ${target}: ${(e as Error).message}`);
      }
      const own = stats(previous, next);
      log(mode === 'rename' ? `write: ${target} replaced atomically (+${own.added} -${own.removed} lines)` : `write: rename over ${target} failed with EBUSY (single-file bind mount?); rewrote it in place (+${own.added} -${own.removed} lines)`);
    }
    // The companions (the stream include) with the same journal, so that they go back together.
    for (const o of ctx.others) {
      if (o.previous?.equals(o.next)) continue;
      signal.throwIfAborted();
      try {
        writeJournal(o.target, o.previous);
      } catch (e) {
        await fail(`cannot write beside ${o.target}: ${(e as Error).message}`);
      }
      writtenOthers.push(o);
      try {
        replaceFile(o.target, o.next);
      } catch (e) {
        await fail(`cannot write ${o.target}: ${(e as Error).message}`);
      }
      const own = stats(o.previous, o.next);
      log(`write: ${o.target} replaced (+${own.added} -${own.removed} lines)`);
    }

    // Step 4: test.
    signal.throwIfAborted();
    const test = await runCommand(ctx.nginxTest, { timeoutMs: req.timeoutMs, env, signal });
    signal.throwIfAborted(); // an interrupted test is not a failed one
    log(`test: ${test.display}: ${test.ok ? 'ok' : 'failed'}`);
    if (!test.ok) {
      await fail(`${test.display} rejected the new configuration`, mapNginxMessage(test.output, { text: next.toString('utf8'), renderedPaths: [target, req.target], plan: req.plan }));
    }

    // Step 5: reload (or start) and verify.
    signal.throwIfAborted();
    reloaded = true; // a failing reload command may still have signalled nginx
    const since = bootTicks();
    const go = ctx.mustStart ? startCommand(req.nginx) : ctx.nginxReload;
    const step = ctx.mustStart ? 'start' : 'reload';
    const r = await runCommand(go, { timeoutMs: req.timeoutMs, env, signal });
    signal.throwIfAborted();
    log(`${step}: ${r.display}: ${r.ok ? 'ok' : 'failed'}`);
    if (!r.ok) await fail(`${r.display} failed`, r.output);
    let unverified: string | null = null;
    if (ctx.probe && ctx.hash) {
      log(`verify: waiting for http://${ctx.probe.host.includes(':') ? `[${ctx.probe.host}]` : ctx.probe.host}:${ctx.probe.port}/__kongc/build to serve ${ctx.hash} (up to ${req.timeoutMs / 1000}s)`);
      const v = await waitForBuild(ctx.probe, ctx.hash, { timeoutMs: req.timeoutMs, signal, since });
      if (!v.ok) await fail(`the ${step} did not take effect: after ${req.timeoutMs / 1000}s nginx is ${v.last} (see nginx's error log)`);
      log(`verify: nginx serves build ${ctx.hash}`);
    } else {
      unverified = ctx.hash ? 'no listen address is reachable on loopback' : 'the file is not a kongc build, so it names no build to ask for';
      log(`verify: skipped: ${unverified}`);
    }
    // The state is a record for `kongc diff` and the next apply; not being able to keep it does
    // not undo a change that is live.
    try {
      writeStateFor(target, req.state);
    } catch (e) {
      log(`warning: cannot keep the Kong state beside ${target}: ${(e as Error).message}`);
    }
    for (const o of writtenOthers) clearJournal(o.target);
    clearJournal(target);
    return { kind: 'applied', target, hash: ctx.hash, stats: change, unverified, started: ctx.mustStart };
  } catch (e) {
    if (signal.aborted && e === signal.reason) {
      log('interrupted: rolling back');
      await rollback('interrupted');
    }
    throw e;
  }
}

/**
 * Steps 1 and 4 only, on temporary copies: nothing on the host changes. Without --test-cmd the
 * candidate is tested inside a copy of the host's include tree, as the real apply tests it.
 */
async function dryRun(req: ApplyRequest, host: NginxHost | null, target: string, hash: string | null, installed: Buffer | null, next: Buffer, companions: Companion[]): Promise<ApplyOutcome> {
  const others = companions.map((c) => ({ ...c, previous: readOrNull(c.target) }));
  const change = [{ previous: installed, next }, ...others].map((f) => stats(f.previous, f.next)).reduce((a, b) => ({ added: a.added + b.added, removed: a.removed + b.removed }));
  if (installed?.equals(next) && others.every((o) => o.previous?.equals(o.next))) {
    req.log('compare: no changes');
    return { kind: 'unchanged', target, hash };
  }
  req.log(`compare: would change ${target} (+${change.added} -${change.removed} lines)`);
  if (req.testCmd) {
    // The user's test command finds the candidate in $KONGC_CANDIDATE (the stream include's in $KONGC_STREAM_CANDIDATE).
    const dir = mkdtempSync(join(tmpdir(), 'kongc-dry-run-'));
    try {
      const candidate = join(dir, basename(target));
      writeFileSync(candidate, next);
      const streamEnv: Record<string, string> = {};
      for (const c of companions) {
        streamEnv.KONGC_STREAM_CANDIDATE = join(dir, `stream-${basename(c.target)}`);
        writeFileSync(streamEnv.KONGC_STREAM_CANDIDATE, c.next);
      }
      const r = await runCommand({ shell: req.testCmd }, { timeoutMs: req.timeoutMs, env: { KONGC_TARGET: target, KONGC_CANDIDATE: candidate, ...streamEnv } });
      req.log(`test: ${r.display} (KONGC_CANDIDATE=${candidate}): ${r.ok ? 'ok' : 'failed'}`);
      if (!r.ok) {
        throw new CommandFailure(`${r.display} rejected the new configuration:\n${mapNginxMessage(r.output, { text: next.toString('utf8'), renderedPaths: [candidate], plan: req.plan })}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return { kind: 'dry-run', target, hash, stats: change };
  }
  // Without --reload-cmd, hostFor either found the tree or failed loudly; with one, find it now.
  const tree = host ?? (await locateHost(req.nginx, target, req.timeoutMs, companions.map((c) => c.target)));
  if (!tree.tree.targetSites.length) {
    throw new CommandFailure(`no include in ${tree.conf} reaches ${target}: nginx would never load it, so applying it would change nothing that is served`);
  }
  const r = await testInHostTree(tree, req.nginx, next, req.timeoutMs, companions);
  req.log(`test: ${r.display}: ${r.ok ? 'ok' : 'failed'}`);
  if (!r.ok) {
    throw new CommandFailure(`nginx -t rejected the new configuration in ${tree.conf}:\n${mapNginxMessage(r.output, { text: next.toString('utf8'), renderedPaths: [r.candidatePath], plan: req.plan })}`);
  }
  return { kind: 'dry-run', target, hash, stats: change };
}

/** "3 routes, 2 services, 1 upstream" from the plan's source table. */
export function describeEntities(sources: NginxPlan['sources']): string {
  const counts = new Map<string, number>();
  for (const s of Object.values(sources)) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
  const order = ['service', 'route', 'upstream', 'target'];
  const kinds = [...counts.keys()].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || compareText(a, b));
  return kinds.map((k) => `${counts.get(k)} ${k}${counts.get(k) === 1 ? '' : 's'}`).join(', ') || 'no entities';
}
