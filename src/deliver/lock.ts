// An exclusive lock between concurrent `kongc apply` runs on one host: a lock file created with
// O_EXCL that records the holder's pid (and process start time, to survive pid reuse).
// A lock left by a dead process is taken over; a live holder is waited for, up to a deadline.
import { openSync, writeSync, closeSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { CommandFailure } from '../diagnostics.js';
import { isAlive, processStartTime } from './process-alive.js';
import { sleep } from './sleep.js';

export interface LockHolder {
  pid: number;
  startTime: string | null;
  host: string;
}

export interface Lock {
  path: string;
  /** Removes the lock file if it is still ours. Safe to call twice; synchronous for signal paths. */
  release(): void;
}

function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid !== 'number') return null;
    return { pid: v.pid, startTime: v.startTime ?? null, host: v.host ?? '' };
  } catch {
    return null;
  }
}

function readHolder(path: string): { holder: LockHolder | null; ino: number } | null {
  try {
    const ino = statSync(path).ino;
    return { holder: parseHolder(readFileSync(path, 'utf8')), ino };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Creates `path` exclusively with `content`; false when it already exists. */
function createExclusive(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new CommandFailure(`cannot create lock file ${path}: ${(e as Error).message}`);
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

// A lock file whose content is not written yet (holder between open and write) looks unparsable;
// it is only treated as stale once it is clearly older than that window.
const UNPARSABLE_GRACE_MS = 5_000;

function isStale(path: string, holder: LockHolder | null): boolean {
  if (holder === null) {
    try {
      return Date.now() - statSync(path).mtimeMs > UNPARSABLE_GRACE_MS;
    } catch {
      return false;
    }
  }
  if (holder.host && holder.host !== hostname()) return false; // a lock on shared storage: never guess
  return !isAlive(holder.pid, holder.startTime);
}

/**
 * Removes a stale lock without racing another process doing the same: removal happens only
 * under a short-lived guard file, and only if the lock is still the very file judged stale
 * (same inode and holder). Otherwise a fresh lock created meanwhile could be deleted.
 */
function removeStale(path: string, seen: { holder: LockHolder | null; ino: number }, me: string): boolean {
  const guard = `${path}.takeover`;
  if (!createExclusive(guard, me)) {
    // The guard is held for microseconds; one older than the grace period belongs to a dead process.
    try {
      if (Date.now() - statSync(guard).mtimeMs > UNPARSABLE_GRACE_MS) unlinkSync(guard);
    } catch {
      /* gone meanwhile */
    }
    return false;
  }
  try {
    const now = readHolder(path);
    if (now && now.ino === seen.ino && JSON.stringify(now.holder) === JSON.stringify(seen.holder)) {
      unlinkSync(path);
      return true;
    }
    return false;
  } finally {
    unlinkSync(guard);
  }
}

export interface AcquireOptions {
  timeoutMs: number;
  /** Called once when the lock is busy, and once when a stale lock is taken over. */
  log?: (message: string) => void;
  /** Aborts the wait (SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

export async function acquireLock(path: string, opts: AcquireOptions): Promise<Lock> {
  const me: LockHolder = { pid: process.pid, startTime: processStartTime(process.pid), host: hostname() };
  const content = JSON.stringify(me) + '\n';
  const deadline = Date.now() + opts.timeoutMs;
  let announced = false;
  for (;;) {
    opts.signal?.throwIfAborted();
    if (createExclusive(path, content)) return ownLock(path, content);
    const seen = readHolder(path);
    if (seen === null) continue; // released between our open and read: try again at once
    if (isStale(path, seen.holder)) {
      if (removeStale(path, seen, content)) {
        opts.log?.(`took over stale lock ${path}${seen.holder ? ` left by pid ${seen.holder.pid}` : ''}`);
        continue;
      }
    } else if (!announced) {
      opts.log?.(`waiting for lock ${path} held by pid ${seen.holder?.pid ?? '?'} (up to ${Math.round(opts.timeoutMs / 1000)}s)`);
      announced = true;
    }
    if (Date.now() >= deadline) {
      const who = seen.holder ? `pid ${seen.holder.pid}${seen.holder.host && seen.holder.host !== hostname() ? ` on ${seen.holder.host}` : ''}` : 'an unknown process';
      throw new CommandFailure(`another kongc apply (${who}) holds the lock ${path}; gave up after ${Math.round(opts.timeoutMs / 1000)}s`);
    }
    await sleep(Math.min(100, Math.max(1, deadline - Date.now())), opts.signal);
  }
}

function ownLock(path: string, content: string): Lock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    try {
      if (readFileSync(path, 'utf8') === content) unlinkSync(path);
    } catch {
      /* already gone */
    }
  };
  // Also on process.exit() (a second SIGINT), which skips pending finally blocks.
  process.on('exit', release);
  return { path, release };
}
