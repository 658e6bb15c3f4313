// Numbered backups of the installed file, newest first: `.kong.conf.bak.1` … `.kong.conf.bak.N`.
// Hidden (leading dot) so that an `include sites-enabled/*` glob never loads a backup as config.
// They are for humans; apply's own rollback uses the journal (journal.ts).
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

export function backupPath(target: string, n: number): string {
  return join(dirname(target), `.${basename(target)}.bak.${n}`);
}

/** Shifts .1 → .2 … and writes `previous` as .1, keeping `keep` files; keeps none when keep = 0. */
export function rotateBackups(target: string, previous: Buffer, keep: number): string | null {
  // Drop the oldest, and any left over from a run with a larger --backups.
  for (let n = Math.max(keep, 1); existsSync(backupPath(target, n)); n++) rmSync(backupPath(target, n), { force: true });
  if (keep <= 0) return null;
  for (let n = keep - 1; n >= 1; n--) {
    if (existsSync(backupPath(target, n))) renameSync(backupPath(target, n), backupPath(target, n + 1));
  }
  // A copy, not a hard link: an in-place write (EBUSY fallback) would otherwise change the backup too.
  writeFileAtomic(backupPath(target, 1), previous);
  return backupPath(target, 1);
}
