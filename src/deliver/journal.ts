// The rollback journal: before apply changes the target it records the previous content (or the
// fact that there was none) beside it, and deletes the record once the change is live or undone.
// A journal found later means an apply died midway (SIGKILL, power loss); the next apply uses it
// to put the last good file back before doing anything else.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic, fsyncDir } from './atomic-write.js';

export function journalPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.kongc-rollback`);
}

// Distinct name for "the target did not exist", so that an empty file stays an empty file.
function absentPath(target: string): string {
  return journalPath(target) + '-absent';
}

/** previous = null: the target did not exist before. */
export function writeJournal(target: string, previous: Buffer | null): void {
  if (previous === null) writeFileAtomic(absentPath(target), '');
  else writeFileAtomic(journalPath(target), previous);
}

/** undefined: no journal; null: the target did not exist; else the previous content. */
export function readJournal(target: string): Buffer | null | undefined {
  if (existsSync(journalPath(target))) return readFileSync(journalPath(target));
  if (existsSync(absentPath(target))) return null;
  return undefined;
}

export function clearJournal(target: string): void {
  rmSync(journalPath(target), { force: true });
  rmSync(absentPath(target), { force: true });
  fsyncDir(dirname(target));
}
