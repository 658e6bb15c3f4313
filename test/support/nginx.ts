// Runs a real nginx for tests: a temp prefix, a wrapper nginx.conf that includes kongc's output,
// a free 127.0.0.1 port. One nginx per test file; stop() kills everything it started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wrapperConfig as checkWrapper } from '../../src/deliver/nginx-check.js';

export const NGINX_BIN = process.env.KONGC_TEST_NGINX ?? 'nginx';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The main config tests run nginx with: kongc's own `--check` wrapper, in the foreground. */
export function wrapperConfig(prefix: string, includeFile: string): string {
  return checkWrapper(prefix, includeFile, { foreground: true });
}

export function makePrefix(): string {
  const prefix = mkdtempSync(join(tmpdir(), 'kongc-nginx-'));
  mkdirSync(join(prefix, 'logs'));
  mkdirSync(join(prefix, 'tmp'));
  return prefix;
}

/** `nginx -t` on an include; returns nginx's output and whether it passed. */
export function nginxTest(include: string): { ok: boolean; output: string } {
  const prefix = makePrefix();
  try {
    const inc = join(prefix, 'kongc.conf');
    writeFileSync(inc, include);
    writeFileSync(join(prefix, 'nginx.conf'), wrapperConfig(prefix, inc));
    const r = spawnSync(NGINX_BIN, ['-t', '-q', '-p', prefix, '-c', join(prefix, 'nginx.conf')], { encoding: 'utf8' });
    return { ok: r.status === 0, output: (r.stderr ?? '') + (r.stdout ?? '') };
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

export interface RunningNginx {
  prefix: string;
  include: string;
  stop(): Promise<void>;
  errorLog(): string;
}

/** Starts nginx on `text`; when `port` is given, waits until it accepts connections there. */
export async function startNginx(text: string, port?: number): Promise<RunningNginx> {
  const prefix = makePrefix();
  const include = join(prefix, 'kongc.conf');
  writeFileSync(include, text);
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, wrapperConfig(prefix, include));
  const t = spawnSync(NGINX_BIN, ['-t', '-q', '-p', prefix, '-c', conf], { encoding: 'utf8' });
  if (t.status !== 0) throw new Error(`nginx -t failed:\n${t.stderr}`);
  const child: ChildProcess = spawn(NGINX_BIN, ['-p', prefix, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const pidFile = join(prefix, 'nginx.pid');
  for (let i = 0; i < 200 && !existsSync(pidFile); i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    await sleep(25);
  }
  if (port !== undefined) await waitForPort(port, () => (child.exitCode !== null ? stderr || 'nginx exited' : null));
  else await sleep(100);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    prefix,
    include,
    errorLog: () => (existsSync(join(prefix, 'logs', 'error.log')) ? readFileSync(join(prefix, 'logs', 'error.log'), 'utf8') : ''),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

export async function waitForPort(port: number, failed: () => string | null = () => null, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = failed();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
