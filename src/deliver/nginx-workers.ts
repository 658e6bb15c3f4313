// Which nginx workers still accept connections for the previous config? After a reload, the
// master starts the new workers first and only then tells the old ones to quit; until an old
// worker handles that signal it still accepts new connections and answers with the old config.
// So "the new build answered once" is not yet "every new connection gets the new build". Linux
// only (/proc); elsewhere the answers are null and apply trusts the first matching answer.
import { readdirSync, readFileSync } from 'node:fs';
import { procStat } from './process-alive.js';

/**
 * Now, in the unit of process start times. /proc/uptime is in seconds; start times are in
 * USER_HZ ticks, 100 on Linux's common architectures (a larger USER_HZ only makes old workers
 * look newer, which skips the wait, never the reverse).
 */
export function bootTicks(): number | null {
  try {
    return Math.floor(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 100);
  } catch {
    return null;
  }
}

function childrenOf(master: number): number[] {
  try {
    return readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // Kernels without CONFIG_PROC_CHILDREN: scan every process.
    return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter((pid) => procStat(pid)?.ppid === master);
  }
}

/** The process title nginx set, or null when it can't be read (gone, hidepid). */
function title(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+/g, ' ').trim();
  } catch {
    return null;
  }
}

/**
 * When `worker` (which answered with the wanted build) was started by the reload, the workers
 * of its master which started before `since` (bootTicks() taken before the reload) and have not
 * begun shutting down: they may still take a connection and answer with the previous config.
 * Null when /proc can't say.
 */
export function oldAcceptingWorkers(worker: number, since: number): number[] | null {
  const answering = procStat(worker);
  // Not an nginx worker here: nginx runs in another pid namespace (a container), so its pids mean nothing to /proc.
  if (!answering || answering.ppid <= 1 || !title(worker)?.includes('worker process')) return null;
  // Answered by a worker older than the reload: the wanted build was live already (a rollback
  // to what nginx still runs), so no generation is on its way out.
  if (answering.start < since) return [];
  const master = answering.ppid;
  const old: number[] = [];
  for (const pid of childrenOf(master)) {
    const t = title(pid);
    // A shutting-down worker has closed its listening sockets (nginx sets the title just before).
    if (t === null || !t.includes('worker process') || t.includes('shutting down')) continue;
    const stat = procStat(pid);
    if (stat && stat.start < since) old.push(pid);
  }
  return old;
}
