// Benchmark: compile 10,000 routes (plus services and upstreams) end to end, in process.
// `npm run bench`. Prints the median of several runs per stage; no assertions.
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { compileDocuments } from '../src/compile.js';
import { parseDeclarative } from '../src/load/document.js';

const ROUTES = Number(process.env.ROUTES ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 5);

function config(routes: number): object {
  const services: object[] = [];
  const upstreams: object[] = [];
  const perService = 10;
  for (let s = 0; s < routes / perService; s++) {
    upstreams.push({ name: `up${s}.internal`, targets: [{ target: `10.0.${s % 250}.1:8080` }, { target: `10.0.${s % 250}.2:8080`, weight: 50 }] });
    const rs: object[] = [];
    for (let r = 0; r < perService; r++) {
      const n = s * perService + r;
      const kind = n % 10;
      rs.push({
        name: `route-${n}`,
        // a mix of what real configs have: host+path, path only, methods, headers, regex
        ...(kind < 6 ? { hosts: [`api${s % 100}.example.com`] } : {}),
        paths: kind === 9 ? [`~/v${n}/items/\\d+$`] : [`/svc${s}/r${r}`],
        ...(kind === 3 ? { methods: ['GET', 'HEAD'] } : {}),
        ...(kind === 4 ? { headers: { 'x-version': [`v${r}`] } } : {}),
        strip_path: kind % 2 === 0,
      });
    }
    services.push({ name: `svc${s}`, host: `up${s}.internal`, path: s % 3 ? `/base${s}` : undefined, routes: rs });
  }
  return { _format_version: '3.0', services, upstreams };
}

const text = stringify(config(ROUTES));
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
