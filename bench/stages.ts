// Where the time goes when compiling a large config: per pipeline stage, the first run (cold: V8
// interprets before it optimizes) and the median of RUNS runs in one process, each with the time
// the garbage collector paused it (GC is a fifth of the total; incremental marking is not counted).
// `node dist/bench/stages.js` (ROUTES=n, RUNS=n; MIX=1 for the data-plane mix of bench/mix.ts).
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { parseDeclarative } from '../src/load/document.js';
import { validateSchema } from '../src/validate/schema.js';
import { buildState } from '../src/model/build.js';
import { checkState } from '../src/validate/semantic.js';
import { planConfig } from '../src/plan/plan.js';
import { renderPlan } from '../src/render/render.js';
import { benchYaml } from './config.js';
import { mixYaml } from './mix.js';

const routes = Number(process.env.ROUTES ?? 10_000);
const text = process.env.MIX ? mixYaml({ routes, backend: '127.0.0.1:8080' }) : benchYaml(routes);
const runs = Number(process.env.RUNS ?? 7);

const pauses: { start: number; duration: number }[] = [];
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) pauses.push({ start: e.startTime, duration: e.duration });
});
observer.observe({ entryTypes: ['gc'] });

const windows: { stage: string; run: number; start: number; end: number }[] = [];
let bytes = 0;
for (let run = 0; run < runs; run++) {
  const time = <T>(stage: string, f: () => T): T => {
    const start = performance.now();
    const result = f();
    windows.push({ stage, run, start, end: performance.now() });
    return result;
  };
  const doc = time('load (YAML + positions)', () => parseDeclarative('bench.yaml', text));
  time('JSON Schema', () => validateSchema(doc));
  const built = time('model', () => buildState([doc]));
  time('semantic checks', () => checkState(built.state));
  const { plan } = time('plan', () => planConfig(built.state, { listen: ['8000'], allowDegraded: true }));
  bytes = time('render', () => renderPlan(plan)).length;
}

// GC entries arrive asynchronously.
await new Promise((resolve) => setTimeout(resolve, 100));
observer.disconnect();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => x.toFixed(0).padStart(5);
const stages = [...new Set(windows.map((w) => w.stage))];
let first = 0;
let warm = 0;
console.log(`${'stage'.padEnd(24)} first run (gc)   median of ${runs} (gc)`);
for (const stage of stages) {
  const rows = windows
    .filter((w) => w.stage === stage)
    .map((w) => ({ wall: w.end - w.start, gc: pauses.filter((p) => p.start >= w.start && p.start < w.end).reduce((a, p) => a + p.duration, 0) }));
  first += rows[0]!.wall;
  warm += median(rows.map((r) => r.wall));
  console.log(`${stage.padEnd(24)} ${ms(rows[0]!.wall)} ms (${ms(rows[0]!.gc)})   ${ms(median(rows.map((r) => r.wall)))} ms (${ms(median(rows.map((r) => r.gc)))})`);
}
console.log(`${'total'.padEnd(24)} ${ms(first)} ms           ${ms(warm)} ms         output ${(bytes / 1e6).toFixed(1)} MB`);
