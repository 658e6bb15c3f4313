// Data-plane benchmark: kongc's output against hand-written nginx for the same routes (bench/mix.ts),
// and against the same hand-written nginx sending the headers Kong sends upstream, all in front of
// one loopback backend served by the same nginx. `npm run bench:dataplane`.
// Needs nginx and wrk on PATH; sends traffic to 127.0.0.1 only. No assertions: it prints figures.
//   ROUTES=10000 DURATION=5 ROUNDS=3 CONNECTIONS=16 node dist/bench/dataplane.js
//   NGINX_T_ONLY=50000 node dist/bench/dataplane.js    (only `nginx -t` times, at that size)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileDocuments } from '../src/compile.js';
import { parseDeclarative } from '../src/load/document.js';
import { baselineNginx, mixRequests, mixYaml } from './mix.js';

const nginxTOnly = Number(process.env.NGINX_T_ONLY ?? 0);
const ROUTES = nginxTOnly || Number(process.env.ROUTES ?? 10_000);
const DURATION = Number(process.env.DURATION ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 16);
const NGINX = process.env.NGINX ?? (spawnSync('sh', ['-c', 'command -v nginx || echo /usr/sbin/nginx']).stdout.toString().trim() || 'nginx');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'kongc-dataplane-'));
const cleanups: (() => void)[] = [() => rmSync(dir, { recursive: true, force: true })];
process.on('exit', () => cleanups.reverse().forEach((f) => f()));
process.on('SIGINT', () => process.exit(130));

const backendPort = await freePort();
const backend = `127.0.0.1:${backendPort}`;
const options = { routes: ROUTES, backend };

const kongcPort = await freePort();
// kongc's build: parse, validate, plan and render the mix's YAML (made before the clock starts).
// The first build is what `kongc build` pays in a process (less Node's start); the next ones run warm.
const input = mixYaml(options);
const build = () => compileDocuments([parseDeclarative('mix.yaml', input)], { listen: [`127.0.0.1:${kongcPort}`] });
const buildTimes: number[] = [];
let compiled!: ReturnType<typeof build>;
for (let i = 0; i < 4; i++) {
  const t0 = performance.now();
  compiled = build();
  buildTimes.push(performance.now() - t0);
}

interface Variant {
  name: string;
  port: number;
  prefix: string;
  conf: string;
}

async function variant(name: string, include: (listen: string) => string, port: number): Promise<Variant> {
  const prefix = join(dir, name);
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  const inc = join(prefix, 'routes.conf');
  writeFileSync(inc, include(`127.0.0.1:${port}`));
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;\npcre_jit on;\nerror_log logs/error.log error;\npid logs/nginx.pid;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n  include ${inc};\n` +
      // The backend both variants proxy to: the same server block in each nginx.
      `  server { listen ${backend} reuseport; keepalive_requests 100000; location / { return 200 "ok\\n"; } }\n}\n`,
  );
  return { name, port, prefix, conf };
}

const variants = [
  await variant('kongc', () => compiled.text, kongcPort),
  await variant('baseline', (listen) => baselineNginx(options, listen), await freePort()),
  // The baseline plus the headers Kong sends upstream: how much of kongc's cost those headers are.
  await variant('baseline+headers', (listen) => baselineNginx(options, listen, { kongHeaders: true }), await freePort()),
];

function nginxTest(v: Variant): number {
  const start = performance.now();
  const r = spawnSync(NGINX, ['-t', '-q', '-p', v.prefix, '-c', v.conf], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${v.name}: nginx -t failed: ${r.stderr}`);
  return performance.now() - start;
}

console.log(
  `${ROUTES} routes: kongc build in process ${buildTimes[0]!.toFixed(0)} ms first, ${[...buildTimes.slice(1)].sort((a, b) => a - b)[1]!.toFixed(0)} ms warm (median of 3); ` +
    `output ${(compiled.text.length / 1e6).toFixed(1)} MB, ${compiled.plan.maps.length} maps`,
);
for (const v of variants) {
  const times = [nginxTest(v), nginxTest(v), nginxTest(v)].sort((a, b) => a - b);
  console.log(`  ${v.name.padEnd(8)} nginx -t median ${(times[1]! / 1000).toFixed(2)} s`);
}
if (nginxTOnly) process.exit(0);

function start(v: Variant): number {
  execFileSync(NGINX, ['-p', v.prefix, '-c', v.conf]);
  const pid = Number(readFileSync(join(v.prefix, 'logs', 'nginx.pid'), 'utf8'));
  cleanups.push(() => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  });
  return pid;
}

function stop(pid: number): void {
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    /* gone */
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    spawnSync('sleep', ['0.05']);
  }
}

/** The workers' resident memory (VmRSS, kB), summed: configuration, compiled regexes and JIT code included. */
function workerRssKb(master: number): number {
  const r = spawnSync('ps', ['--ppid', String(master), '-o', 'pid='], { encoding: 'utf8' });
  let sum = 0;
  for (const pid of r.stdout.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    sum += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return sum;
}

function wrk(port: number, path: string, host: string): { rps: number; p99ms: number } {
  const r = spawnSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${DURATION}s`, '--latency', '-H', `Host: ${host}`, `http://127.0.0.1:${port}${path}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(r.stdout);
  const p99ms = p99 ? Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1) : NaN;
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout);
  if (non2xx) throw new Error(`${path} (Host ${host}) on port ${port}: ${non2xx[1]} error responses`);
  return { rps, p99ms };
}

const requests = mixRequests(Math.floor(ROUTES / 20));
const results = new Map<string, { rps: number[]; p99: number[] }>();
const rss = new Map<string, number>();
const pids = new Map(variants.map((v) => [v.name, start(v)]));
spawnSync('sleep', ['0.5']);
for (let round = 0; round < ROUNDS; round++) {
  for (const req of requests) {
    // Alternating in one run: the machine's speed drifts, side by side is what compares.
    for (const v of round % 2 ? [...variants].reverse() : variants) {
      const r = wrk(v.port, req.path, req.host);
      const key = `${req.name} ${v.name}`;
      const acc = results.get(key) ?? { rps: [], p99: [] };
      acc.rps.push(r.rps);
      acc.p99.push(r.p99ms);
      results.set(key, acc);
    }
  }
}
for (const v of variants) rss.set(v.name, workerRssKb(pids.get(v.name)!));
for (const pid of pids.values()) stop(pid);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`wrk: 1 thread, ${CONNECTIONS} connections, ${DURATION} s per run, ${ROUNDS} rounds alternating; medians`);
for (const req of requests) {
  const k = results.get(`${req.name} kongc`)!;
  const b = results.get(`${req.name} baseline`)!;
  const h = results.get(`${req.name} baseline+headers`)!;
  console.log(
    `  ${req.name.padEnd(6)} kongc ${median(k.rps).toFixed(0)} req/s p99 ${median(k.p99).toFixed(2)} ms | baseline ${median(b.rps).toFixed(0)} req/s p99 ${median(b.p99).toFixed(2)} ms | ` +
      `ratio ${(median(k.rps) / median(b.rps)).toFixed(2)}x req/s, ${(median(k.p99) / median(b.p99)).toFixed(2)}x p99 | ` +
      `baseline with Kong's headers ${median(h.rps).toFixed(0)} req/s p99 ${median(h.p99).toFixed(2)} ms, kongc ${(median(k.rps) / median(h.rps)).toFixed(2)}x of it`,
  );
}
console.log(`  worker RSS: kongc ${(rss.get('kongc')! / 1024).toFixed(1)} MB, baseline ${(rss.get('baseline')! / 1024).toFixed(1)} MB, ratio ${(rss.get('kongc')! / rss.get('baseline')!).toFixed(2)}x`);
