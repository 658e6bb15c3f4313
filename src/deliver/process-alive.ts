// Is the process that wrote a lock or temp file still running? Used to take over what dead
// processes left behind (a SIGKILLed apply) without ever stealing from a live one.
import { readFileSync } from 'node:fs';

/** What /proc/PID/stat says of a process: its parent, and its start time in clock ticks since boot. */
export interface ProcStat {
  ppid: number;
  start: number;
}

/** /proc/PID/stat of a process, or null where /proc is unavailable or the process is gone. */
export function procStat(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: split after it.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(rest[1]), start: Number(rest[19]) };
  } catch {
    return null;
  }
}

/**
 * Start time of a process (see procStat), or null where /proc is unavailable. Recorded in lock
 * files so a reused pid is not mistaken for the holder.
 */
export function processStartTime(pid: number): string | null {
  const stat = procStat(pid);
  return stat && Number.isFinite(stat.start) ? String(stat.start) : null;
}

export function isAlive(pid: number, startTime?: string | null): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (startTime) {
    const now = processStartTime(pid);
    if (now !== null && now !== startTime) return false;
  }
  return true;
}
