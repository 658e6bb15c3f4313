// Where the host's nginx keeps its configuration and pid file, and whether its master runs.
// Paths come from the flags (-p, -c), else from what the binary was built with (`nginx -V`),
// resolved as nginx resolves them: -c and pid relative to the prefix.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { CommandFailure } from '../diagnostics.js';
import { readConfTree, type ConfTree } from './nginx-conf-tree.js';
import { runCommand, type NginxInvocation } from './nginx-runner.js';
import { isAlive } from './process-alive.js';

export interface NginxHost {
  prefix: string;
  /** The main nginx.conf. */
  conf: string;
  pidFile: string;
  tree: ConfTree;
}

/** `--prefix=`, `--conf-path=`, `--pid-path=` from `nginx -V`. */
export function parseBuildPaths(output: string): { prefix?: string; conf?: string; pid?: string } {
  const arg = (name: string) => new RegExp(`--${name}=(\\S+)`).exec(output)?.[1];
  return { prefix: arg('prefix'), conf: arg('conf-path'), pid: arg('pid-path') };
}

export async function locateHost(inv: NginxInvocation, target: string, timeoutMs: number, companions: string[] = []): Promise<NginxHost> {
  let built: ReturnType<typeof parseBuildPaths> = {};
  const ask = async () => {
    const r = await runCommand({ argv: [inv.nginx, '-V'] }, { timeoutMs });
    if (!r.ok) throw new CommandFailure(`cannot ask ${inv.nginx} where its configuration is (${inv.nginx} -V: ${r.output}); pass --nginx-conf`);
    built = parseBuildPaths(r.output);
  };
  if (!inv.prefix || !inv.conf) await ask();
  // Compiled-in defaults of nginx's configure script.
  const prefix = resolve(inv.prefix ?? built.prefix ?? '/usr/local/nginx');
  const rel = (p: string) => (isAbsolute(p) ? p : join(prefix, p));
  const conf = rel(inv.conf ?? built.conf ?? 'conf/nginx.conf');
  const tree = readConfTree(conf, target, companions);
  let pid = tree.mainDirectives.get('pid');
  if (!pid) {
    if (!built.prefix && !built.conf) await ask();
    pid = built.pid ?? 'logs/nginx.pid';
  }
  return { prefix, conf, pidFile: rel(pid), tree };
}

export type MasterState = { running: true; pid: number } | { running: false; why: string };

function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+/g, ' ');
  } catch {
    return null;
  }
}

/** Is the master named by the pid file alive (and, where /proc says, an nginx)? */
export function masterState(pidFile: string): MasterState {
  let text: string;
  try {
    text = readFileSync(pidFile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { running: false, why: code === 'ENOENT' ? `no pid file ${pidFile}` : `cannot read ${pidFile}: ${code}` };
  }
  const pid = Number(text.trim());
  // `nginx -t` creates an empty pid file when none exists, so an empty one is a stopped nginx.
  if (!Number.isInteger(pid) || pid <= 0) return { running: false, why: `pid file ${pidFile} is empty` };
  if (!isAlive(pid)) return { running: false, why: `${pidFile} names pid ${pid}, which is not running` };
  const cmd = commandLine(pid);
  if (cmd !== null && !cmd.includes('nginx')) return { running: false, why: `${pidFile} names pid ${pid}, which is not nginx (${cmd.trim()})` };
  return { running: true, pid };
}
