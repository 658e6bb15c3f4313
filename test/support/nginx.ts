// Runs a real nginx for tests: a temp prefix, a wrapper nginx.conf that includes kongc's output,
// a free 127.0.0.1 port. One nginx per test file; stop() kills everything it started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wrapperConfig as checkWrapper } from '../../src/deliver/nginx-check.js';
import { modulesFolder, NJS_MODULE, STREAM_MODULE } from '../../src/deliver/nginx-modules.js';

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

/** The main config tests run nginx with: kongc's own `--check` wrapper, in the foreground, loading njs when the include imports kongc's module and the stream module for a stream include (unless built in). */
export function wrapperConfig(prefix: string, includeFile: string, streamInclude?: string): string {
  // A stream include (kongc's --stream-output) goes in a stream {} block.
  const needed = [...(/^js_import /m.test(readFileSync(includeFile, 'utf8')) ? [NJS_MODULE] : []), ...(streamInclude ? [STREAM_MODULE] : [])];
  const modules = needed.filter((m) => !m.builtIn.test(nginxVersion())).map((m) => join(modulesFolder(nginxVersion()), m.file));
  return checkWrapper(prefix, includeFile, { foreground: true, modules, stream: streamInclude });
}

let version: string | undefined;
function nginxVersion(): string {
  if (version === undefined) {
    const v = spawnSync(NGINX_BIN, ['-V'], { encoding: 'utf8' });
    version = `${v.stderr}${v.stdout}`;
  }
  return version;
}

export interface StartOptions {
  /** A stream {} include (kongc's `--stream-output`) to run beside the http include. */
  stream?: string;
}

export function makePrefix(): string {
  const prefix = mkdtempSync(join(tmpdir(), 'kongc-nginx-'));
  mkdirSync(join(prefix, 'logs'));
  mkdirSync(join(prefix, 'tmp'));
  return prefix;
}

/** `nginx -t` on an include (and a stream include beside it); returns nginx's output and whether it passed. */
export function nginxTest(include: string, stream?: string): { ok: boolean; output: string } {
  const prefix = makePrefix();
  try {
    const inc = join(prefix, 'kongc.conf');
    writeFileSync(inc, include);
    const streamInc = stream === undefined ? undefined : join(prefix, 'kongc-stream.conf');
    if (streamInc) writeFileSync(streamInc, stream!);
    writeFileSync(join(prefix, 'nginx.conf'), wrapperConfig(prefix, inc, streamInc));
    const r = spawnSync(NGINX_BIN, ['-t', '-q', '-p', prefix, '-c', join(prefix, 'nginx.conf')], { encoding: 'utf8', timeout: START_TIMEOUT_MS, killSignal: 'SIGKILL' });
    if (r.error) throw new Error(`nginx -t did not finish: ${r.error.message}`);
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

/**
 * How long `nginx -t`, and then the start (pid file, then the port), may each take before a test
 * gives up: a bound, not a target. A large config on a loaded machine takes tens of seconds to load.
 */
const START_TIMEOUT_MS = 120_000;
/** Graceful stop, then a fast one, then SIGKILL of the master and its workers: each step has this long. */
const STOP_STEP_MS = 3_000;

/**
 * Every nginx this test process started and has not stopped yet. When the process ends, normally,
 * after a failure, or by SIGINT/SIGTERM/SIGHUP, each gets a fast shutdown (nginx stops its own
 * workers), so no test leaves an nginx behind. (SIGKILL of the test process cannot be caught.)
 */
const running = new Map<ChildProcess, string>();
/** Master pid and prefix of every nginx this process started, for the helper's own tests. */
export const startedNginx: { pid: number; prefix: string }[] = [];
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', stopAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopAllNow();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

function stopAllNow(): void {
  for (const [child, prefix] of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    rmSync(prefix, { recursive: true, force: true });
  }
  running.clear();
}

/** Stops one nginx whatever state it is in, within a bounded time, and removes its prefix. */
async function stopNginx(child: ChildProcess | undefined, prefix: string): Promise<void> {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const within = (ms: number) => Promise.race([exited.then(() => true), sleep(ms).then(() => false)]);
    child.kill('SIGQUIT');
    if (!(await within(STOP_STEP_MS))) {
      child.kill('SIGTERM');
      if (!(await within(STOP_STEP_MS))) {
        // The workers outlive a killed master: kill them first.
        for (const pid of childPids(child.pid)) killQuietly(pid);
        child.kill('SIGKILL');
        await within(STOP_STEP_MS);
      }
    }
  }
  if (child) running.delete(child);
  rmSync(prefix, { recursive: true, force: true });
}

function childPids(pid: number | undefined): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/**
 * Starts nginx on `text`; when `port` is given, waits until it accepts connections there. Any
 * failure on the way (nginx -t, no pid file, nothing listening in time) stops what was started.
 */
export async function startNginx(text: string, port?: number, timeoutMs = START_TIMEOUT_MS, opts: StartOptions = {}): Promise<RunningNginx> {
  installExitHooks();
  const prefix = makePrefix();
  let child: ChildProcess | undefined;
  try {
    const include = join(prefix, 'kongc.conf');
    writeFileSync(include, text);
    const streamInclude = opts.stream === undefined ? undefined : join(prefix, 'kongc-stream.conf');
    if (streamInclude) writeFileSync(streamInclude, opts.stream!);
    const conf = join(prefix, 'nginx.conf');
    writeFileSync(conf, wrapperConfig(prefix, include, streamInclude));
    const t = spawnSync(NGINX_BIN, ['-t', '-q', '-p', prefix, '-c', conf], { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
    if (t.error) throw new Error(`nginx -t did not finish: ${t.error.message}`);
    if (t.status !== 0) throw new Error(`nginx -t failed:\n${t.stderr}`);
    const deadline = Date.now() + timeoutMs;
    const started: ChildProcess = spawn(NGINX_BIN, ['-p', prefix, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    running.set(started, prefix);
    startedNginx.push({ pid: started.pid ?? -1, prefix });
    // A test that forgets to stop its nginx must not keep its process alive (the runner would wait
    // for it forever): the exit hook stops whatever is still running.
    started.unref();
    (started.stderr as Socket | null)?.unref();
    let stderr = '';
    started.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const failed = () => (started.exitCode !== null || started.signalCode !== null ? `nginx exited: ${stderr || started.signalCode || started.exitCode}` : null);
    const pidFile = join(prefix, 'nginx.pid');
    while (!existsSync(pidFile)) {
      const why = failed();
      if (why) throw new Error(why);
      if (Date.now() > deadline) throw new Error(`nginx wrote no pid file within ${timeoutMs} ms`);
      await sleep(25);
    }
    if (port !== undefined) await waitForPort(port, failed, Math.max(0, deadline - Date.now()));
    else await sleep(100);
    return {
      prefix,
      include,
      errorLog: () => (existsSync(join(prefix, 'logs', 'error.log')) ? readFileSync(join(prefix, 'logs', 'error.log'), 'utf8') : ''),
      stop: () => stopNginx(started, prefix),
    };
  } catch (e) {
    await stopNginx(child, prefix);
    throw e;
  }
}

export async function waitForPort(port: number, failed: () => string | null = () => null, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = failed();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.setTimeout(1000, () => {
        s.destroy();
        resolve(false);
      });
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
