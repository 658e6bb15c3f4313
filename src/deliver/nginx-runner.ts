// Runs nginx (or the user's --test-cmd / --reload-cmd) and reports the outcome; never throws for
// a failing command, because every caller has a rollback to do first.
// execa is loaded when a command first runs: a plain `kongc build` never needs it (~60 ms to load).

export interface NginxInvocation {
  nginx: string;
  prefix?: string;
  conf?: string;
}

/** An argv for nginx itself, or a user command run through `sh -c`. */
export type Command = { argv: string[] } | { shell: string };

export interface CommandResult {
  ok: boolean;
  /** What to show the user: "nginx -t" or the user's command line. */
  display: string;
  /** stderr and stdout, interleaved as written. */
  output: string;
}

function nginxArgv(inv: NginxInvocation, action: string[]): string[] {
  return [inv.nginx, ...(inv.prefix ? ['-p', inv.prefix] : []), ...(inv.conf ? ['-c', inv.conf] : []), ...action];
}

export function testCommand(inv: NginxInvocation, custom?: string): Command {
  return custom ? { shell: custom } : { argv: nginxArgv(inv, ['-t']) };
}

export function reloadCommand(inv: NginxInvocation, custom?: string): Command {
  return custom ? { shell: custom } : { argv: nginxArgv(inv, ['-s', 'reload']) };
}

export function displayCommand(cmd: Command): string {
  return 'shell' in cmd ? cmd.shell : cmd.argv.join(' ');
}

/**
 * Runs `cmd`. The child gets its own process group (`detached`), so a Ctrl-C on the terminal
 * reaches only kongc, whose handler decides; `signal` (kongc interrupted) then ends the whole
 * group, e.g. `sh -c "sleep 5; nginx -t"` and its sleep. Stopping a test or a reload halfway is
 * harmless: the caller rolls back, and a rollback reloads whenever a reload was started.
 */
export async function runCommand(cmd: Command, opts: { timeoutMs: number; env?: Record<string, string>; signal?: AbortSignal }): Promise<CommandResult> {
  const [file, ...args] = 'shell' in cmd ? ['sh', '-c', cmd.shell] : cmd.argv;
  const { execa } = await import('execa');
  const child = execa(file, args, { all: true, reject: false, stdin: 'ignore', timeout: opts.timeoutMs, env: opts.env, detached: true });
  const stop = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  opts.signal?.addEventListener('abort', stop, { once: true });
  const r = await child.finally(() => opts.signal?.removeEventListener('abort', stop));
  const output = (r.all ?? '').trim();
  const failure = r.timedOut ? `timed out after ${Math.round(opts.timeoutMs / 1000)}s` : r.failed ? (r.exitCode !== undefined ? `exit code ${r.exitCode}` : r.shortMessage) : '';
  return { ok: !r.failed, display: displayCommand(cmd), output: failure && !output ? failure : failure ? `${output}\n(${failure})` : output };
}

/** Starts the nginx master (it daemonizes, so this returns once it runs or has failed). */
export function startCommand(inv: NginxInvocation): Command {
  return { argv: nginxArgv(inv, []) };
}
