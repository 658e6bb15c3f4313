// Benchmark: compile 10,000 routes (plus services and upstreams) end to end, in process.
// `npm run bench`. Prints the median of several runs per stage; no assertions.
import { performance } from 'node:perf_hooks';
import { compileDocuments } from '../src/compile.js';
import { parseDeclarative } from '../src/load/document.js';
import { benchYaml } from './config.js';

const ROUTES = Number(process.env.ROUTES ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 5);

const text = benchYaml(ROUTES);
const times: { parse: number; compile: number; total: number; bytes: number }[] = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const doc = parseDeclarative('bench.yaml', text);
  const t1 = performance.now();
  const out = compileDocuments([doc], { listen: ['8000'], allowDegraded: true });
  const t2 = performance.now();
  times.push({ parse: t1 - t0, compile: t2 - t1, total: t2 - t0, bytes: out.text.length });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${ROUTES} routes, ${RUNS} runs (median): parse ${median(times.map((t) => t.parse)).toFixed(0)} ms, validate+plan+render ${median(times.map((t) => t.compile)).toFixed(0)} ms, total ${median(times.map((t) => t.total)).toFixed(0)} ms; output ${(times[0]!.bytes / 1e6).toFixed(1)} MB`);
