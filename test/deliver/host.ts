// A host-like nginx for apply tests: a prefix whose nginx.conf includes `conf.d/*.conf` (relative,
// as on Debian), kongc's target at conf.d/kong.conf, a free 127.0.0.1 port. The test starts the
// master in the foreground; one started by `kongc apply --start` daemonizes and is stopped
// through its pid file. stop() ends whichever runs, on every path.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wrapperConfig } from '../../src/deliver/nginx-check.js';
import { isAlive } from '../../src/deliver/process-alive.js';
import { freePort, makePrefix, NGINX_BIN, sleep, waitForPort } from '../support/nginx.js';

export interface Host {
  prefix: string;
  conf: string;
  target: string;
  port: number;
  listen: string;
  /** Starts the master in the foreground with what conf.d holds now. */
  start(): Promise<void>;
  /** Stops the running master (ours or a daemonized one), waiting until it is gone. */
  stop(): Promise<void>;
  /** stop() and remove the prefix. */
  dispose(): Promise<void>;
  /** kongc apply/rollback flags that point at this nginx. */
  nginxArgs(): string[];
}

/** The target is not written: render the first config to `target` before start(). */
export async function makeHost(): Promise<Host> {
  const prefix = makePrefix();
  mkdirSync(join(prefix, 'conf.d'));
  const conf = join(prefix, 'nginx.conf');
  // No `daemon off` in the file: `kongc apply --start` needs nginx to daemonize.
  writeFileSync(conf, wrapperConfig(prefix, 'conf.d/*.conf'));
  const target = join(prefix, 'conf.d', 'kong.conf');
  const port = await freePort();
  const pidFile = join(prefix, 'nginx.pid');
  let child: ChildProcess | null = null;

  const stopPid = async () => {
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!isAlive(pid)) return;
    process.kill(pid, 'SIGQUIT');
    for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(50);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  };

  const host: Host = {
    prefix,
    conf,
    target,
    port,
    listen: `127.0.0.1:${port}`,
    async start() {
      const c = spawn(NGINX_BIN, ['-p', prefix, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = c;
      let stderr = '';
      c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      await waitForPort(port, () => (c.exitCode !== null ? stderr || 'nginx exited' : null));
      for (let i = 0; i < 100 && !existsSync(pidFile); i++) await sleep(20);
    },
    async stop() {
      const c = child;
      child = null;
      if (c && c.exitCode === null) {
        const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
        c.kill('SIGQUIT');
        const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await stopPid();
    },
    async dispose() {
      await host.stop();
      rmSync(prefix, { recursive: true, force: true });
    },
    nginxArgs: () => ['--nginx', NGINX_BIN, '--prefix', prefix, '--nginx-conf', conf, '--timeout', '5'],
  };
  return host;
}
