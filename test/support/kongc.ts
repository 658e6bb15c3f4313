// Runs the kongc CLI as a subprocess (exit codes and signals are part of what tests check),
// plus small helpers for tests that apply configs to a running nginx.
import { execa, type ResultPromise } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';

export const KONGC_BIN = join(PACKAGE_ROOT, 'bin', 'kongc');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** No kongc run in a test may hang the suite: it is killed after this long (a generous bound on a loaded machine). */
const KONGC_TIMEOUT_MS = 120_000;

export async function kongc(args: string[], opts: { cwd?: string } = {}): Promise<CliResult> {
  const r = await execa('node', [KONGC_BIN, ...args], { reject: false, cwd: opts.cwd, stdin: 'ignore', timeout: KONGC_TIMEOUT_MS });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Starts kongc without waiting, for tests that signal it. */
export function spawnKongc(args: string[]): ResultPromise<{ reject: false; stdin: 'ignore'; timeout: number }> {
  return execa('node', [KONGC_BIN, ...args], { reject: false, stdin: 'ignore', timeout: KONGC_TIMEOUT_MS });
}

/** A Kong declarative file: one service on `backendPort`, one route per path. */
export function kongYaml(file: string, backendPort: number, paths: string[]): string {
  const routes = paths.map((p, i) => `      - name: route-${i}\n        paths: ["${p}"]\n`).join('');
  writeFileSync(file, `_format_version: "3.0"\nservices:\n  - name: echo\n    url: http://127.0.0.1:${backendPort}\n    routes:\n${routes}`);
  return file;
}

/**
 * Worker pids of the nginx master whose pid file is in `prefix` (a reload replaces them), once
 * the workers of an earlier reload have finished shutting down: the test nginx runs one worker.
 */
export async function workerPids(prefix: string): Promise<number[]> {
  const master = readFileSync(join(prefix, 'nginx.pid'), 'utf8').trim();
  for (let i = 0; ; i++) {
    const pids = readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number).sort();
    if (pids.length === 1 || i === 100) return pids;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Polls `probe` until `accept` holds (or `ms` pass) and returns the last value. For reloads
 * nothing waited for (an apply killed mid-way): until nginx's old workers handle the quit
 * signal they still take connections. A completed apply has waited for that itself.
 */
export async function eventually<T>(probe: () => Promise<T>, accept: (v: T) => boolean, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (accept(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
