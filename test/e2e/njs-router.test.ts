// --with-njs: the two router behaviours stock nginx cannot express, through a real nginx with
// ngx_http_js_module. Each case is what Kong 3.x does; `kongc explain` must agree with nginx.
// Without the flag the same requests behave as README "Differences from Kong" says
// (test/e2e/kong-differences.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { compileObject } from '../support/compile.js';
import { nginxTest } from '../support/nginx.js';
import { routerSuite, type Scenario } from '../support/router-suite.js';
import { tempDir } from '../support/temp.js';

const scenarios: Scenario[] = [
  {
    id: 'esc',
    about: 'reserved escapes reach the upstream as Kong sends them: kept, upper-case hex; unreserved ones decoded',
    routes: {
      A: { paths: ['/norm'], strip_path: false },
      B: { paths: ['/strip'], strip_path: true },
      C: { paths: ['/svc-keep'], strip_path: false, svcPath: '/svc' },
      D: { paths: ['/svc-strip'], strip_path: true, svcPath: '/svc/' },
      E: { paths: ['/v1-keep'], strip_path: false, path_handling: 'v1', svcPath: '/base' },
      F: { paths: ['/v1-strip'], strip_path: true, path_handling: 'v1', svcPath: '/base' },
    },
    cases: [
      { req: 'GET /norm/a%2Fb', want: { route: 'A', up: '/norm/a%2Fb' } },
      { req: 'GET /norm/a%2fb', want: { route: 'A', up: '/norm/a%2Fb' } },
      { req: 'GET /norm/%41b%2Fc', want: { route: 'A', up: '/norm/Ab%2Fc' } },
      { req: 'GET /norm/a%3Ab%40c%21', want: { route: 'A', up: '/norm/a%3Ab%40c%21' } },
      { req: 'GET /norm/sp%20ace%2F', want: { route: 'A', up: '/norm/sp%20ace%2F' } },
      { req: 'GET /norm/caf%C3%A9%2Fx', want: { route: 'A', up: '/norm/caf%C3%A9%2Fx' } },
      { req: 'GET /norm/x/../a%2Fb', want: { route: 'A', up: '/norm/a%2Fb' } },
      { req: 'GET /norm/a%2Fb?q=%2F', query: false, want: { route: 'A', up: '/norm/a%2Fb?q=%2F' } },
      { req: 'GET /norm/a%2Fb?', query: false, want: { route: 'A', up: '/norm/a%2Fb?' } },
      { req: 'GET /norm/ab', want: { route: 'A', up: '/norm/ab' } },
      { req: 'GET /norm/%41b', want: { route: 'A', up: '/norm/Ab' } },
      { req: 'GET /strip/a%2Fb', want: { route: 'B', up: '/a%2Fb' } },
      { req: 'GET /strip%2Fa', want: { route: 'B', up: '/%2Fa' } },
      { req: 'GET /strip/ab', want: { route: 'B', up: '/ab' } },
      { req: 'GET /svc-keep/a%2Fb', want: { route: 'C', up: '/svc/svc-keep/a%2Fb' } },
      { req: 'GET /svc-keep/ab', want: { route: 'C', up: '/svc/svc-keep/ab' } },
      { req: 'GET /svc-strip/a%2Fb', want: { route: 'D', up: '/svc/a%2Fb' } },
      { req: 'GET /svc-strip/ab', want: { route: 'D', up: '/svc/ab' } },
      { req: 'GET /v1-keep/a%2fb', want: { route: 'E', up: '/base/v1-keep/a%2Fb' } },
      { req: 'GET /v1-strip/a%2fb', want: { route: 'F', up: '/base/a%2Fb' } },
      { req: 'GET /v1-strip/ab', want: { route: 'F', up: '/base/ab' } },
    ],
    warnings: [{ code: 'path-handling', route: 'E' }],
  },
  {
    id: 'escrx',
    about: 'a regex route strips what its regex matches in the normalized path; a route path with an escape strips its own length',
    routes: {
      A: { paths: ['~/rx/[a-z]+'], strip_path: true, svcPath: '/up' },
      B: { paths: ['/enc/a%2Fb'], strip_path: true },
    },
    cases: [
      { req: 'GET /rx/ab/c%2Fd', want: { route: 'A', up: '/up/c%2Fd' } },
      { req: 'GET /rx/ab/cd', want: { route: 'A', up: '/up/cd' } },
      { req: 'GET /enc/a%2fb/x%2Fy', want: { route: 'B', up: '/x%2Fy' } },
      { req: 'GET /enc/a%2Fb', want: { route: 'B', up: '/' } },
    ],
  },
  {
    id: 'lines',
    about: 'a repeated request header matches when any of its lines does, as Kong tests each line',
    routes: {
      A: { paths: ['/lines'], strip_path: false, headers: { 'x-version': ['v1'] } },
      B: { paths: ['/lines'], strip_path: false, headers: { 'x-version': ['~*^v[2-3]$'] } },
      C: { paths: ['/lines'], strip_path: false, methods: ['POST'], headers: { 'x-tier': ['gold'] } },
      D: { paths: ['/lines-rx'], strip_path: false, headers: { 'x-pair': ['~*a\\sb'] } },
      Z: { paths: ['/lines'], strip_path: false },
    },
    cases: [
      { req: 'GET /lines', headers: { 'x-version': ['v0', 'v1'] }, want: { route: 'A', up: '/lines' } },
      { req: 'GET /lines', headers: { 'X-Version': ['v9', 'V3'] }, want: { route: 'B', up: '/lines' } },
      { req: 'GET /lines', headers: { 'x-version': ['v0', 'v9'] }, want: { route: 'Z', up: '/lines' } },
      { req: 'GET /lines', headers: { 'x-version': 'v1, v0' }, want: { route: 'Z', up: '/lines' } },
      { req: 'POST /lines', headers: { 'x-tier': ['silver', 'gold'] }, want: { route: 'C', up: '/lines' } },
      { req: 'GET /lines', headers: { 'x-tier': ['silver', 'gold'] }, want: { route: 'Z', up: '/lines' } },
      { req: 'GET /lines-rx', headers: { 'x-pair': ['A B'] }, want: { route: 'D', up: '/lines-rx' } },
      // A pattern never spans two lines: Kong tests them one by one.
      { req: 'GET /lines-rx', headers: { 'x-pair': ['xa', 'b'] }, want: { route: 'Z', up: '/lines-rx' } },
      { req: 'GET /lines-rx', want: { route: 'Z', up: '/lines-rx' } },
    ],
  },
];

routerSuite('router --with-njs: reserved escapes upstream, repeated header lines', scenarios, { withNjs: true });

test('hostile route paths, service paths and header names stay values: nginx -t passes, the rule is one token', (t) => {
  const dir = tempDir(t, 'kongc-njs-hostile-');
  const config = {
    _format_version: '3.0',
    services: [
      {
        name: 's',
        url: "http://127.0.0.1:9/a$b;c'(d)",
        routes: [
          { name: 'p', paths: ['/x";{ return 200; }$host#'], strip_path: true, headers: { 'x-a_b': ['v";$x'] } },
          { name: 'r', paths: ['~/y";\\{\\$x#'], strip_path: true, headers: { 'x-c': ['~*\\s"\\$\\{'] } },
        ],
      },
    ],
  };
  const result = compileObject(config, { withNjs: true, secretsDir: dir });
  assert.deepEqual(result.diagnostics.filter((d) => d.severity === 'error'), []);
  for (const f of result.files) writeFileSync(f.path, f.content);
  const checked = nginxTest(result.text);
  assert.ok(checked.ok, checked.output);
  const rules = [...result.text.matchAll(/set \$kongc_upstream_rule (.*);$/gm)].map((m) => m[1]);
  assert.deepEqual(rules, ['"1/a${kongc_dollar}b;c\'(d)\\n/x\\";{ return 200; }${kongc_dollar}host#"', '"1/a${kongc_dollar}b;c\'(d)\\n$1"']);
});
