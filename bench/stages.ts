// Where the time goes when compiling a large config: one line per pipeline stage, median of
// RUNS runs in one process (RUNS=1 for a cold run). `node dist/bench/stages.js` (ROUTES=n).
import { performance } from 'node:perf_hooks';
import { parseDeclarative } from '../src/load/document.js';
import { validateSchema } from '../src/validate/schema.js';
import { buildState } from '../src/model/build.js';
import { checkState } from '../src/validate/semantic.js';
import { planConfig } from '../src/plan/plan.js';
import { renderPlan } from '../src/render/render.js';
import { benchYaml } from './config.js';

const text = benchYaml(Number(process.env.ROUTES ?? 10_000));
const runs = Number(process.env.RUNS ?? 1);
const stages = new Map<string, number[]>();
let bytes = 0;
for (let i = 0; i < runs; i++) {
  let last = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    stages.set(name, [...(stages.get(name) ?? []), now - last]);
    last = now;
  };
  const doc = parseDeclarative('bench.yaml', text);
  lap('load (YAML + positions)');
  validateSchema(doc);
  lap('JSON Schema');
  const built = buildState([doc]);
  lap('model');
  checkState(built.state);
  lap('semantic checks');
  const { plan } = planConfig(built.state, { listen: ['8000'], allowDegraded: true });
  lap('plan');
  bytes = renderPlan(plan).length;
  lap('render');
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
let total = 0;
for (const [name, ms] of stages) {
  total += median(ms);
  console.log(`${name.padEnd(26)} ${median(ms).toFixed(0).padStart(6)} ms`);
}
console.log(`${'total'.padEnd(26)} ${total.toFixed(0).padStart(6)} ms (median of ${runs}), output ${(bytes / 1e6).toFixed(1)} MB`);
