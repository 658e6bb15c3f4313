// Where the time goes when compiling a large config: one line per pipeline stage.
// `node dist/bench/stages.js` (ROUTES=n to change the size).
import { performance } from 'node:perf_hooks';
import { parseDeclarative } from '../src/load/document.js';
import { validateSchema } from '../src/validate/schema.js';
import { buildState } from '../src/model/build.js';
import { checkState } from '../src/validate/semantic.js';
import { planConfig } from '../src/plan/plan.js';
import { renderPlan } from '../src/render/render.js';
import { benchYaml } from './config.js';

const text = benchYaml(Number(process.env.ROUTES ?? 10_000));
const t: [string, number][] = [];
let last = performance.now();
const lap = (name: string) => {
  const now = performance.now();
  t.push([name, now - last]);
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
const out = renderPlan(plan);
lap('render');
for (const [name, ms] of t) console.log(`${name.padEnd(26)} ${ms.toFixed(0).padStart(6)} ms`);
console.log(`${'total'.padEnd(26)} ${t.reduce((a, [, ms]) => a + ms, 0).toFixed(0).padStart(6)} ms, output ${(out.length / 1e6).toFixed(1)} MB`);
