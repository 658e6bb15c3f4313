// The nginx of `kongc dev`: one master in the foreground on a throwaway prefix. A new config is
// tested beside the live one (`nginx -t` on a second wrapper), moved into place only when nginx
// accepts it, then loaded with SIGHUP and confirmed through the build hash it serves.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandFailure } from '../diagnostics.js';
import type { NginxPlan } from '../plan/ir.js';
import { assertNoCodeLoadingDirectives, modulesFor, wrapperConfig } from './nginx-check.js';
import { mapNginxMessage } from './nginx-errors.js';
import { runCommand } from './nginx-runner.js';
import { bootTicks } from './nginx-workers.js';
import { probeFor, waitForBuild } from './verify.js';
import { buildHash } from '../render/build-marker.js';

/** How long nginx gets to start, to load a new config, and to stop gracefully. */
const START_MS = 15_000;
const STOP_MS = 5_000;

type Plan = Pick<NginxPlan, 'listen' | 'sources'> & Partial<Pick<NginxPlan, 'njs'>>;

export class DevNginx {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly errorLog: string;
  /** The load_module paths of the staged config, then of the live one. */
  private modules: string[] = [];
  /** The stream include of the staged config, then of the live one (none without stream listeners). */
  private stream: string | undefined;

  constructor(
    private readonly nginx: string,
    readonly prefix: string,
  ) {
    mkdirSync(join(prefix, 'logs'), { recursive: true });
    mkdirSync(join(prefix, 'tmp'), { recursive: true });
    this.errorLog = join(prefix, 'logs', 'error.log');
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Resolves when the master exits (crash or stop). */
  whenExited(): Promise<void> {
    return this.exited;
  }

  /** Tests `text` (and the stream include `stream`), starts nginx on it and waits until it serves the build. */
  async start(text: string, plan: Plan, stream: string | null = null): Promise<void> {
    await this.stage(text, plan, stream);
    this.promote();
    const conf = join(this.prefix, 'nginx.conf');
    // Own process group: Ctrl-C reaches kongc only, which stops nginx in order.
    const child = spawn(this.nginx, ['-p', this.prefix, '-e', this.errorLog, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    this.child = child;
    // nginx runs in its own process group, so it would outlive a kongc that crashes: the exit
    // handler (which runs for crashes and process.exit, not for SIGKILL) takes it down.
    process.once('exit', this.killNow);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        process.off('exit', this.killNow);
        resolve();
      }),
    );
    const spawnFailed = new Promise<string>((resolve) => child.once('error', (e) => resolve(e.message)));
    const early = Promise.race([this.exited.then(() => stderr || this.lastErrors() || 'nginx exited'), spawnFailed]);
    const probe = probeFor(plan.listen);
    const hash = buildHash(text)!;
    const ready = probe ? waitForBuild(probe, hash, { timeoutMs: START_MS }) : Promise.resolve({ ok: true as const });
    const outcome = await Promise.race([ready, early.then((why) => ({ ok: false as const, last: why }))]);
    if (!outcome.ok) {
      await this.stop();
      throw new CommandFailure(`nginx did not start: ${outcome.last.trim()}`);
    }
  }

  /**
   * Loads `text` into the running nginx. Returns nginx's complaint when it refuses the config (the
   * running one stays), or null once the new build is served.
   */
  async reload(text: string, plan: Plan, stream: string | null = null): Promise<string | null> {
    try {
      await this.stage(text, plan, stream);
    } catch (e) {
      if (e instanceof CommandFailure) return e.message;
      throw e;
    }
    this.promote();
    if (!this.child?.pid) return 'nginx is not running';
    // Done means every new connection gets the new build: old workers no longer accept.
    const since = bootTicks();
    process.kill(this.child.pid, 'SIGHUP');
    const probe = probeFor(plan.listen);
    if (!probe) return null;
    const r = await waitForBuild(probe, buildHash(text)!, { timeoutMs: START_MS, since });
    return r.ok ? null : `nginx did not load the new configuration: ${r.last}${this.lastErrors() ? `\n${this.lastErrors()}` : ''}`;
  }

  private readonly killNow = (): void => {
    try {
      if (this.child?.pid) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    rmSync(this.prefix, { recursive: true, force: true });
  };

  /** Stops nginx (gracefully, then by force) and removes the prefix. Safe to call twice. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      const group = -child.pid;
      try {
        process.kill(child.pid, 'SIGQUIT');
      } catch {
        /* already gone */
      }
      let timer: NodeJS.Timeout | undefined;
      const forced = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          try {
            process.kill(group, 'SIGKILL');
          } catch {
            /* already gone */
          }
          resolve();
        }, STOP_MS);
      });
      await Promise.race([this.exited, forced]);
      clearTimeout(timer);
      await this.exited;
    }
    rmSync(this.prefix, { recursive: true, force: true });
  }

  /** Writes `text` (and `stream`) as the next config and has nginx test it; throws CommandFailure when refused. */
  private async stage(text: string, plan: Plan, stream: string | null): Promise<void> {
    assertNoCodeLoadingDirectives(text);
    const include = join(this.prefix, 'kongc.next.conf');
    const conf = join(this.prefix, 'nginx.next.conf');
    writeFileSync(include, text);
    this.modules = await modulesFor(this.nginx, plan, stream !== null);
    this.stream = undefined;
    if (stream !== null) {
      assertNoCodeLoadingDirectives(stream);
      writeFileSync(join(this.prefix, 'kongc-stream.next.conf'), stream);
      this.stream = join(this.prefix, 'kongc-stream.conf');
    }
    const nextStream = this.stream && join(this.prefix, 'kongc-stream.next.conf');
    writeFileSync(conf, wrapperConfig(this.prefix, include, { foreground: true, modules: this.modules, stream: nextStream }));
    const r = await runCommand({ argv: [this.nginx, '-t', '-q', '-p', this.prefix, '-e', this.errorLog, '-c', conf] }, { timeoutMs: 60_000 });
    if (!r.ok) throw new CommandFailure(`nginx -t rejected the generated configuration:\n${mapNginxMessage(r.output, { text, renderedPaths: [include], plan })}`);
  }

  /** The tested config becomes the live one (nginx reads it on start or SIGHUP). */
  private promote(): void {
    const include = join(this.prefix, 'kongc.conf');
    renameSync(join(this.prefix, 'kongc.next.conf'), include);
    if (this.stream) renameSync(join(this.prefix, 'kongc-stream.next.conf'), this.stream);
    writeFileSync(join(this.prefix, 'nginx.conf'), wrapperConfig(this.prefix, include, { foreground: true, modules: this.modules, stream: this.stream }));
  }

  /** The last few errors in nginx's error log. */
  lastErrors(): string {
    if (!existsSync(this.errorLog)) return '';
    return readFileSync(this.errorLog, 'utf8').trim().split('\n').filter((l) => /\[(emerg|alert|crit|error)\]/.test(l)).slice(-5).join('\n');
  }
}
