// Numbered backups of the installed file, newest first: `.kong.conf.bak.1` … `.kong.conf.bak.N`,
// each with the Kong state it was rendered from when kongc knew it (kong-state.ts). Hidden
// (leading dot) so that an `include sites-enabled/*` glob never loads a backup as config.
// A backup is only added when it differs from the newest one: failed applies that were rolled
// back leave no pile of copies of the live file. `kongc rollback` restores from them; apply's own
// rollback uses the journal (journal.ts).
import { existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { readStateFor, statePath, writeStateFor, type StateFile } from './kong-state.js';

export function backupPath(target: string, n: number): string {
  return join(dirname(target), `.${basename(target)}.bak.${n}`);
}

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

function moveWithState(from: string, to: string): void {
  renameSync(from, to);
  if (existsSync(statePath(from))) renameSync(statePath(from), statePath(to));
  else rmSync(statePath(to), { force: true });
}

function removeWithState(path: string): void {
  rmSync(path, { force: true });
  rmSync(statePath(path), { force: true });
}

export type BackupResult = { kind: 'saved'; path: string } | { kind: 'same'; path: string } | { kind: 'none' };

/**
 * Saves `previous` (with its state) as backup 1, shifting the others, keeping `keep` files; keeps
 * none when keep = 0. Nothing is added when backup 1 already holds the same bytes.
 */
export function rotateBackups(target: string, previous: Buffer, state: StateFile | null, keep: number): BackupResult {
  // Drop the oldest, and any left over from a run with a larger --backups.
  for (let n = Math.max(keep, 1); existsSync(backupPath(target, n)); n++) removeWithState(backupPath(target, n));
  if (keep <= 0) return { kind: 'none' };
  if (readOrNull(backupPath(target, 1))?.equals(previous)) {
    // Same config; its state may have been unknown when it was saved.
    if (state && !readStateFor(backupPath(target, 1))) writeStateFor(backupPath(target, 1), state);
    return { kind: 'same', path: backupPath(target, 1) };
  }
  for (let n = keep - 1; n >= 1; n--) {
    if (existsSync(backupPath(target, n))) moveWithState(backupPath(target, n), backupPath(target, n + 1));
  }
  // A copy, not a hard link: an in-place write (EBUSY fallback) would otherwise change the backup too.
  writeFileAtomic(backupPath(target, 1), previous);
  writeStateFor(backupPath(target, 1), state);
  return { kind: 'saved', path: backupPath(target, 1) };
}

export interface Backup {
  n: number;
  path: string;
  content: Buffer;
  state: StateFile | null;
  savedAt: Date;
}

/** The kept backups, newest (1) first. */
export function listBackups(target: string): Backup[] {
  const out: Backup[] = [];
  for (let n = 1; ; n++) {
    const path = backupPath(target, n);
    const content = readOrNull(path);
    if (!content) return out;
    out.push({ n, path, content, state: readStateFor(path), savedAt: statSync(path).mtime });
  }
}
