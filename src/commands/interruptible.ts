// Signal handling shared by `kongc apply` and `kongc rollback`: the first SIGINT/SIGTERM stops
// the change at the next step boundary and rolls it back; a second leaves at once, keeping the
// invariants that need no waiting (temp files gone, lock released by the exit handler).
import { CommandFailure } from '../diagnostics.js';
import { removePendingTempFiles } from '../deliver/atomic-write.js';

/** Thrown (as the abort reason) when SIGINT/SIGTERM interrupts a change; exit 128 + signal. */
class Interrupted extends Error {
  constructor(readonly exitCode: number, signal: string) {
    super(`interrupted by ${signal}; nothing changed`);
  }
}

/** Runs `change`; resolves undefined when a signal interrupted it (process.exitCode is then set). */
export async function runInterruptible<T>(log: (m: string) => void, change: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
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
    return await change(controller.signal);
  } catch (e) {
    if (e instanceof Interrupted) {
      process.stderr.write(`kongc: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return undefined;
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
