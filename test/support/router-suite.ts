// Differential router suites: scenarios of Kong routes with the request → expected outcome that
// Kong 3.x's default router (traditional_compatible, path_handling v0) gives, compiled by kongc
// and served by one real nginx per test file in front of Node echo backends on 127.0.0.1.
//
// A scenario's routes are named by a letter (A, B, …); each route gets its own service pointing
// at the echo backend of that letter, so the reply tells which route Kong would have chosen.
// Every case asserts the status, the backend (route), the upstream path with its query string and
// the upstream Host; Kong-generated answers assert status, body and headers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CompileResult } from '../../src/compile.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileObject } from './compile.js';
import { explainRequest } from '../../src/explain/explain.js';
import { startEcho, type EchoBackend } from './echo.js';
import { kongError, request } from './http.js';
import { freePort, startNginx, type RunningNginx } from './nginx.js';

export interface RouteSpec {
  hosts?: string[];
  paths?: string[];
  methods?: string[];
  headers?: Record<string, string[]>;
  strip_path?: boolean;
  preserve_host?: boolean;
  regex_priority?: number;
  path_handling?: 'v0' | 'v1';
  protocols?: string[];
  https_redirect_status_code?: number;
  snis?: string[];
  /** Service path (none by default). */
  svcPath?: string;
  /** No service at all (Kong answers 503). */
  noService?: boolean;
  /** The service is disabled (`enabled: false`). */
  disabled?: boolean;
}

export type Want =
  | {
      /** Route letter whose backend must answer. */
      route: string;
      /** Upstream path; the case's query string is appended unless `query: false`. */
      up: string;
      /** Upstream Host; default the service's `127.0.0.1:<port>`. */
      host?: string;
      /** Upstream request headers that must be present (value) or absent (null). */
      upHeaders?: Record<string, string | null>;
    }
  | { status: number; body?: unknown; headers?: Record<string, string | null> };

export interface Case {
  /** `METHOD /path` (the path as sent, raw). */
  req: string;
  host?: string | null;
  headers?: Record<string, string | string[]>;
  want: Want;
  /** Don't append a query string (the path carries its own, or the case is about its absence). */
  query?: false;
  note?: string;
  /**
   * A known, documented difference: `want` is what Kong does, `nginx` what kongc's nginx does.
   * The case asserts `nginx` (so a change in either direction is noticed) and is listed as a limit.
   */
  divergence?: {
    nginx: Want;
    why: string;
    /** What nginx does with --with-njs when that differs ('kong': `want`). */
    withNjs?: Want | 'kong';
  };
}

export interface Scenario {
  id: string;
  about: string;
  routes: Record<string, RouteSpec>;
  cases: Case[];
  /** Diagnostics kongc must report for this scenario: code and a route letter named in the message. */
  warnings?: { code: string; route: string }[];
}

export const NOT_FOUND = { status: 404, body: { message: 'no Route matched with those values' } } as const;

export function routeName(s: Scenario, letter: string): string {
  return `${s.id}-${letter}`;
}

export function buildConfig(scenarios: Scenario[], echos: Record<string, EchoBackend>): object {
  const services: object[] = [];
  const routes: object[] = [];
  for (const s of scenarios) {
    for (const [letter, spec] of Object.entries(s.routes)) {
      const { svcPath, noService, disabled, ...fields } = spec;
      const route = { name: routeName(s, letter), ...fields };
      if (noService) {
        routes.push(route);
        continue;
      }
      const backend = echos[letter];
      if (!backend) throw new Error(`no echo backend ${letter}`);
      services.push({
        name: routeName(s, letter),
        host: '127.0.0.1',
        port: backend.port,
        ...(svcPath ? { path: svcPath } : {}),
        ...(disabled ? { enabled: false } : {}),
        routes: [route],
      });
    }
  }
  return { _format_version: '3.0', services, routes };
}

function letters(scenarios: Scenario[]): string[] {
  return [...new Set(scenarios.flatMap((s) => Object.keys(s.routes)))].sort();
}

/** The cases where kongc's nginx knowingly differs from Kong, for the README's list of limits. */
export function divergences(scenarios: Scenario[]): string[] {
  return scenarios.flatMap((s) => s.cases.filter((c) => c.divergence).map((c) => `${s.id} ${c.req}: ${c.divergence!.why}`));
}

export function countCases(scenarios: Scenario[]): number {
  return scenarios.reduce((n, s) => n + s.cases.length, 0);
}

/** Runs every case of every scenario against one nginx; one test per scenario. */
/** Every suite compiles with --with-njs when KONGC_TEST_WITH_NJS=1 (nginx then needs ngx_http_js_module). */
const ALL_WITH_NJS = process.env.KONGC_TEST_WITH_NJS === '1';

export function routerSuite(title: string, scenarios: Scenario[], opts: { minCases?: number; withNjs?: boolean } = {}): void {
  const withNjs = opts.withNjs ?? ALL_WITH_NJS;
  describe(title, () => {
    const echos: Record<string, EchoBackend> = {};
    let nginx: RunningNginx | undefined;
    let port = 0;
    let diagnostics: Diagnostic[] = [];
    let state: CompileResult['state'] | undefined;
    let compiled: CompileResult | undefined;
    let sideFiles: string | undefined;

    before(async () => {
      for (const l of letters(scenarios)) echos[l] = await startEcho(l);
      port = await freePort();
      // --with-njs writes kongc's JavaScript module next to the config, as `kongc build -o` does.
      sideFiles = withNjs ? mkdtempSync(join(tmpdir(), 'kongc-njs-router-')) : undefined;
      const result = compileObject(buildConfig(scenarios, echos), { listen: [`127.0.0.1:${port}`], ...(sideFiles ? { withNjs: true, secretsDir: sideFiles } : {}) });
      for (const f of result.files) writeFileSync(f.path, f.content);
      diagnostics = result.diagnostics;
      state = result.state;
      compiled = result;
      nginx = await startNginx(result.text, port);
    });

    after(async () => {
      await nginx?.stop();
      for (const e of Object.values(echos)) await e.close();
      if (sideFiles) rmSync(sideFiles, { recursive: true, force: true });
    });

    if (opts.minCases) {
      it(`has at least ${opts.minCases} request cases`, () => {
        assert.ok(countCases(scenarios) >= opts.minCases!, `only ${countCases(scenarios)} cases`);
      });
    }

    for (const s of scenarios) {
      it(`${s.id}: ${s.about}`, async () => {
        const failures: string[] = [];
        for (const [i, c] of s.cases.entries()) {
          const problem = await runCase(port, s, c, i, echos, compiled!, withNjs);
          if (problem) failures.push(`${c.req}${c.host ? ` (Host ${c.host})` : ''}${c.note ? ` [${c.note}]` : ''}: ${problem}`);
        }
        for (const w of s.warnings ?? []) {
          const name = routeName(s, w.route);
          const route = state?.routes.find((r) => r.name === name);
          const at = route?.src.pointer ?? '?';
          const hit = diagnostics.some((d) => d.severity === 'warning' && d.code === w.code && (d.message.includes(`'${name}'`) || d.path === at || d.path.startsWith(at + '/')));
          if (!hit) failures.push(`expected a '${w.code}' warning naming route '${name}'`);
        }
        assert.deepEqual(failures, []);
      });
    }
  });
}

async function runCase(port: number, s: Scenario, c: Case, i: number, echos: Record<string, EchoBackend>, compiled: CompileResult, withNjs: boolean): Promise<string | null> {
  const sp = c.req.indexOf(' ');
  const method = c.req.slice(0, sp);
  const rawPath = c.req.slice(sp + 1);
  const query = c.query === false ? '' : `${rawPath.includes('?') ? '&' : '?'}case=${i}&x`;
  const path = rawPath + query;
  const host = c.host === undefined ? `${s.id}.default.test` : c.host;
  const res = await request(port, path, { method, host, headers: c.headers });
  const disagreement = explainDisagrees(compiled, port, { method, path, host, headers: c.headers }, res, s);
  if (disagreement) return `kongc explain disagrees with nginx: ${disagreement}`;
  const njs = withNjs ? c.divergence?.withNjs : undefined;
  const w = njs === 'kong' ? c.want : (njs ?? c.divergence?.nginx ?? c.want);
  if ('route' in w) {
    if (res.status !== 200 || res.headers['x-echo-backend'] === undefined) return `status ${res.status} ${res.body.slice(0, 120)}, want route ${w.route}`;
    const body = res.json();
    const wantHost = w.host ?? `127.0.0.1:${echos[w.route]!.port}`;
    const got = `${body.backend} ${body.url} host=${body.host}`;
    const want = `${w.route} ${w.up}${query} host=${wantHost}`;
    if (got !== want) return `got ${got}, want ${want}`;
    for (const [name, value] of Object.entries(w.upHeaders ?? {})) {
      const v = body.headers[name.toLowerCase()];
      if ((v ?? null) !== value) return `upstream header ${name}: got ${JSON.stringify(v)}, want ${JSON.stringify(value)}`;
    }
    return null;
  }
  if (res.headers['x-echo-backend'] !== undefined) return `proxied to ${res.headers['x-echo-backend']} (${res.body.slice(0, 120)}), want status ${w.status}`;
  if (res.status !== w.status) return `status ${res.status} ${res.body.slice(0, 120)}, want ${w.status}`;
  if (w.body !== undefined) {
    let body: unknown = res.body;
    if (typeof w.body === 'object') {
      try {
        body = kongError(res);
      } catch {
        return `body ${JSON.stringify(res.body)} is not Kong's JSON error (with its request_id)`;
      }
    }
    try {
      assert.deepEqual(body, w.body);
    } catch {
      return `body ${JSON.stringify(res.body)}, want ${JSON.stringify(w.body)}`;
    }
  }
  for (const [name, value] of Object.entries(w.headers ?? {})) {
    const v = res.headers[name.toLowerCase()];
    if ((v ?? null) !== value) return `response header ${name}: got ${JSON.stringify(v)}, want ${JSON.stringify(value)}`;
  }
  return null;
}

/** `kongc explain` on the same request must tell what nginx did: the route, upstream URI and Host, or the status. */
function explainDisagrees(
  compiled: CompileResult,
  port: number,
  req: { method: string; path: string; host: string | null; headers?: Record<string, string | string[]> },
  res: { status: number; headers: Record<string, string | string[] | undefined>; json(): { backend: string; url: string; host: string } },
  s: Scenario,
): string | null {
  const headers: [string, string][] = Object.entries(req.headers ?? {}).flatMap(([n, v]) => (Array.isArray(v) ? v : [v]).map((x) => [n.toLowerCase(), x] as [string, string]));
  const e = explainRequest({ method: req.method, target: req.path, hostHeader: req.host, headers, serverPort: port, tls: null }, compiled.state, compiled.plan, compiled.router);
  const backend = res.headers['x-echo-backend'];
  if (res.status === 200 && backend !== undefined) {
    const body = res.json();
    const got = e.answer.kind === 'proxy' ? `${e.route?.name} ${e.answer.uri} host=${e.answer.host}` : `answer ${e.answer.kind} ${'status' in e.answer ? e.answer.status : ''}`;
    const want = `${routeName(s, String(backend))} ${body.url} host=${body.host}`;
    return got === want ? null : `explain says ${got}, nginx did ${want}`;
  }
  const got = e.answer.kind === 'proxy' ? `proxy via ${e.route?.name}` : String(e.answer.status);
  return got === String(res.status) ? null : `explain says ${got}, nginx answered ${res.status}`;
}
