// kongc dev: compile, serve with a foreground nginx on a temp prefix, and re-apply whenever an
// input file changes. A broken edit is reported and the last good config keeps serving.
// Ctrl-C (SIGINT), SIGTERM or SIGHUP stop nginx and remove the prefix.
import { mkdtempSync, statSync, watch, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { compileFiles, type CompileResult } from '../compile.js';
import { describeEntities } from '../deliver/apply.js';
import { DevNginx } from '../deliver/dev-nginx.js';
import { findNginx } from '../deliver/nginx-binary.js';
import { buildHash } from '../render/build-marker.js';
import { CommandFailure, InputError } from '../diagnostics.js';
import { DECLARATIVE_FILE } from '../load/input-files.js';
import { printDiagnostics, type GlobalOptions } from '../report.js';
import { compileOptions, writeGeneratedFiles, type TlsFlags } from './build.js';
import { defaultInputFiles } from './inputs.js';

export interface DevFlags extends TlsFlags {
  listen?: string[];
  nginx?: string;
  selectTag?: string[];
  skipUnsupported?: boolean;
  withNjs?: boolean;
  allowDegraded?: boolean;
  kongHeaders?: boolean;
}

/** Editors save in bursts (write, rename, chmod): one rebuild after the burst. */
const DEBOUNCE_MS = 150;

export async function runDev(files: string[], flags: DevFlags, global: GlobalOptions): Promise<void> {
  const log = (m: string): void => void process.stderr.write(`kongc dev: ${m}\n`);
  const inputs = defaultInputFiles(files);
  const nginxBin = findNginx(flags.nginx ?? 'nginx');
  const prefix = mkdtempSync(join(tmpdir(), 'kongc-dev-'));
  // CA bundles the config refers to are written into the prefix, removed with it.
  // The stream include (with --listen-stream) is written into the prefix too.
  const options = { ...compileOptions({ ...flags, caDir: prefix }), streamOutput: true };
  const nginx = new DevNginx(nginxBin, prefix);

  const compile = (): CompileResult => {
    const result = compileFiles(inputs, options);
    // Warnings are news in dev mode, but never a reason to stop serving.
    printDiagnostics(result.diagnostics, { ...global, failOnWarnings: false });
    writeGeneratedFiles(result.files, result.stream?.plan.socketDir);
    return result;
  };

  let watchers: FSWatcher[] = [];
  let stopping: Promise<void> | null = null;
  const stop = (why: string) =>
    (stopping ??= (async () => {
      for (const w of watchers) w.close();
      await nginx.stop();
      log(`${why}: nginx stopped, ${prefix} removed`);
    })());
  const onSignal = (signal: NodeJS.Signals) => void stop(signal);
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);

  try {
    let live: CompileResult;
    try {
      live = compile();
      log(`nginx prefix ${prefix}`);
      await nginx.start(live.text, live.plan, streamOf(live));
    } catch (e) {
      await nginx.stop();
      // A signal during the start is a stop, not a failure to start.
      if (stopping) return await stopping;
      throw e;
    }
    if (stopping) {
      // Stopped while nginx was starting: make sure the nginx just started goes too.
      await nginx.stop();
      return await stopping;
    }
    const where = live.plan.listen.map((l) => (/^\d+$/.test(l) ? `http://127.0.0.1:${l}` : `http://${l}`)).join(', ');
    log(`serving build ${buildHash(live.text)} on ${where} (${describeEntities(live.plan.sources)}); nginx pid ${nginx.pid}`);
    log(`watching ${inputs.join(', ')}; Ctrl-C stops`);

    // One rebuild at a time; changes during a rebuild start another one after it.
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> | null = null;
    let again = false;
    const rebuild = async () => {
      if (stopping) return;
      let next: CompileResult;
      try {
        next = compile();
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        printDiagnostics(e.diagnostics, global);
        log(`the configuration has errors; still serving build ${buildHash(live.text)}`);
        return;
      }
      if (next.text === live.text) return log('saved; the generated configuration is unchanged');
      if (stopping) return;
      const refused = await nginx.reload(next.text, next.plan, streamOf(next));
      if (refused) {
        process.stderr.write(refused.trimEnd() + '\n');
        log(`still serving build ${buildHash(live.text)}`);
        return;
      }
      live = next;
      log(`applied build ${buildHash(live.text)} (${describeEntities(live.plan.sources)})`);
    };
    const schedule = () => {
      if (stopping) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (running) {
          again = true;
          return;
        }
        running = rebuild()
          .catch((e) => log(`rebuild failed: ${(e as Error).message}`))
          .finally(() => {
            running = null;
            if (again) {
              again = false;
              schedule();
            }
          });
      }, DEBOUNCE_MS);
    };
    watchers = watchInputs(inputs, schedule, log);

    // Runs until a signal stops nginx, or nginx dies.
    await nginx.whenExited();
    clearTimeout(timer);
    if (!stopping) {
      const why = nginx.lastErrors();
      await stop('nginx exited unexpectedly');
      throw new CommandFailure(`nginx exited unexpectedly${why ? `:\n${why}` : ''}`);
    }
    await stopping;
    await running;
  } finally {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal);
  }
}

/**
 * Watches the folders that hold the inputs, not the files: editors save by writing a new file and
 * renaming it over the old one, which ends a watch on the file itself.
 */
function watchInputs(inputs: string[], changed: () => void, log: (m: string) => void): FSWatcher[] {
  const watchers: FSWatcher[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    if (statSync(path).isDirectory()) {
      watchers.push(watch(path, { recursive: true }, (_e, name) => (name === null || DECLARATIVE_FILE.test(name.toString()) ? changed() : undefined)));
    } else {
      const name = basename(path);
      watchers.push(watch(dirname(path), (_e, f) => (f === null || f.toString() === name ? changed() : undefined)));
    }
  }
  // A watched folder that goes away ends its watch; the last good config keeps serving.
  for (const w of watchers) w.on('error', (e) => log(`stopped watching: ${e.message}`));
  return watchers;
}

/** The stream include to serve: only when it has servers (stream listeners), so dev needs no stream module otherwise. */
function streamOf(result: CompileResult): string | null {
  return result.stream && result.stream.plan.servers.length ? result.stream.text : null;
}
