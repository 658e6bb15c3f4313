// Benchmark: compile 10,000 routes (plus services and upstreams), `npm run bench`. No assertions.
//   in process: the whole pipeline RUNS times in one process (JIT warm), median and fastest;
//   cold CLI:   `kongc build FILE -o OUT` as a user runs it (a fresh Node each time), CLI_RUNS times.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileDocuments } from '../src/compile.js';
import { parseDeclarative } from '../src/load/document.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { benchYaml } from './config.js';

const ROUTES = Number(process.env.ROUTES ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 7);
const CLI_RUNS = Number(process.env.CLI_RUNS ?? 3);

const text = benchYaml(ROUTES);
const times: { parse: number; compile: number; total: number }[] = [];
let bytes = 0;
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const doc = parseDeclarative('bench.yaml', text);
  const t1 = performance.now();
  const out = compileDocuments([doc], { listen: ['8000'], allowDegraded: true });
  const t2 = performance.now();
  times.push({ parse: t1 - t0, compile: t2 - t1, total: t2 - t0 });
  bytes = out.text.length;
}
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;
console.log(
  `${ROUTES} routes in process, ${RUNS} runs: median ${ms(median(times.map((t) => t.total)))} ` +
    `(parse ${ms(median(times.map((t) => t.parse)))}, validate+plan+render ${ms(median(times.map((t) => t.compile)))}), ` +
    `fastest ${ms(sorted(times.map((t) => t.total))[0]!)}; output ${(bytes / 1e6).toFixed(1)} MB`,
);

if (CLI_RUNS > 0) {
  const dir = mkdtempSync(join(tmpdir(), 'kongc-bench-'));
  try {
    const input = join(dir, 'kong.yaml');
    writeFileSync(input, text);
    const cli: number[] = [];
    for (let i = 0; i < CLI_RUNS; i++) {
      const t0 = performance.now();
      const run = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'kongc'), 'build', input, '-o', join(dir, 'nginx.conf'), '--allow-degraded'], { encoding: 'utf8' });
      cli.push(performance.now() - t0);
      if (run.status !== 0) throw new Error(`kongc build failed (${run.status}): ${run.stderr.slice(0, 500)}`);
    }
    console.log(`${ROUTES} routes, cold \`kongc build\` (${(statSync(input).size / 1e6).toFixed(2)} MB in, written with -o), ${CLI_RUNS} runs: median ${ms(median(cli))}, fastest ${ms(sorted(cli)[0]!)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
