// --with-njs router pieces without nginx: kong-router.js against Kong's own tables
// (spec/01-unit/18-tools_uri_spec.lua, the path-handling table), and header patterns confined to
// one line of a repeated header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainRequest } from '../../src/explain/explain.js';
import { byteRegex } from '../../src/explain/pcre-js.js';
import { lineConfined } from '../../src/plan/header-reading.js';
import { kongPathFunctions } from '../../src/plan/njs-router.js';
import { compileYaml } from '../support/compile.js';
import { PATH_ROWS } from '../support/path-table.js';

const js = kongPathFunctions();

/** kong-router.js spells bytes 0x80 and above as %XX: Kong's expected value in that spelling. */
function ascii(binary: string): string {
  return binary.replace(/[\x80-\xff]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

test("normalize: Kong's uri spec (merge_slashes on, as the router calls it)", () => {
  const cases: [string, string][] = [
    ['/', '/'],
    ['/a/b/c/', '/a/b/c/'],
    ['/a%2Fb%2Fc/', '/a%2Fb%2Fc/'],
    ['/%20%21%23%24%25%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D', '/ %21%23%24%25%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D'],
    ['/a%2fb%2fc/', '/a%2Fb%2Fc/'],
    ['/f%6f%6f', '/foo'],
    ['/%6B%6f%6e%67', '/kong'],
    ['/%2E', '/'],
    ['/./', '/'],
    ['/..', '/'],
    ['/./.././../', '/'],
    ['/a/b/c/./../../g', '/a/g'],
    ['//', '/'],
    ['/a//b//', '/a/b/'],
    ['/endel%C3%B8st', ascii('/endel\xc3\xb8st')],
    ['/%C3%A4/a/%2e./a%2E//a/%2e/./a/../a/%2e%2E/%5f%99%af%2f%2F', ascii('/\xc3\xa4/a./a/_\x99\xaf%2F%2F')],
  ];
  for (const [input, want] of cases) assert.equal(js.kongNormalize(js.kongRawPath(Buffer.from(input, 'latin1'))), want, input);
});

test('the raw path: query cut, absolute form dropped, bytes above 0x7f as %XX', () => {
  assert.equal(js.kongRawPath(Buffer.from('/a%2Fb?x=/y')), '/a%2Fb');
  assert.equal(js.kongRawPath(Buffer.from('http://h.test:8000/a%2Fb?x')), '/a%2Fb');
  assert.equal(js.kongRawPath(Buffer.from('/café')), '/caf%C3%A9');
});

test("upstream path: every v0 row of Kong's path-handling table, and Kong's escape", () => {
  for (const row of PATH_ROWS) {
    for (const strip of row.strip) {
      const rule = `${strip ? '1' : '0'}${row.service}${row.route === null ? '' : `\n${row.route}`}`;
      assert.equal(js.kongUpstreamPath(js.kongNormalize(row.request), rule), row.upstream, `row ${row.id} strip ${strip}`);
    }
  }
  const keep = "/!#$%&'()*+,/:;=?@[]ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
  assert.equal(js.kongUpstreamPath(keep, '0/'), keep);
  assert.equal(js.kongUpstreamPath('/a b/c"d|', '0/'), '/a%20b/c%22d%7C');
  assert.equal(js.kongUpstreamPath('/route/a%2Fb', '1/svc\n/route'), '/svc/a%2Fb');
  assert.equal(js.kongUpstreamPath('/route%2Fb', '1/svc\n/route'), '/svc/%2Fb');
});

test('a header pattern matches within one line: anchors at line ends, nothing crosses "\\r"', () => {
  // nginx's PCRE, as kongc explain runs it in JavaScript.
  const matches = (pattern: string, lines: string[]) => byteRegex(lineConfined(pattern), true)!.exec(lines.join('\r')) !== null;
  assert.equal(lineConfined('^v[2-3]\\z'), '(?<![^\\r\\n])v(?:(?![\\r\\n])[2-3])(?![^\\r\\n])');
  assert.equal(matches('^v[2-3]\\z', ['v9', 'v3']), true);
  assert.equal(matches('^v[2-3]\\z', ['v9', 'v33']), false);
  assert.equal(matches('a\\sb', ['xa', 'b']), false);
  assert.equal(matches('a\\sb', ['a b']), true);
  assert.equal(matches('a.*b', ['a', 'b']), false);
  assert.equal(matches('a[^x]b', ['a', 'b']), false);
  assert.equal(matches('\\Ab', ['a', 'b']), true);
  assert.equal(lineConfined('(?m)a$'), '(?m)a(?![^\\r\\n])');
  assert.equal(lineConfined('[]\\]a][[:alpha:]]\\x41\\.'), '(?:(?![\\r\\n])[]\\]a])(?:(?![\\r\\n])[[:alpha:]])\\x41\\.');
});

test('without --with-njs a header check reads $http_<name>; with it, every line; the if sets the route rule', () => {
  const yaml = `_format_version: "3.0"
services:
- name: s
  url: http://127.0.0.1:9/svc
  routes:
  - name: r
    paths: [/p]
    headers: { X-Version: [v1] }
`;
  const stock = compileYaml(yaml).text;
  assert.match(stock, /\$http_x_version !~\* "(?:\(\*NO_JIT\))?\^\(\?:v1\)\\z"/);
  assert.doesNotMatch(stock, /js_|kongc_escaped_path/);
  const njs = compileYaml(yaml, { withNjs: true, secretsDir: '/etc/nginx' });
  assert.match(njs.text, /^js_set \$kongc_lines_x_version kongc\.kongHeaderLines\.x_version;$/m);
  assert.match(njs.text, /\$kongc_lines_x_version !~\* /);
  assert.match(njs.text, /if \(\$kongc_escaped_path != ""\) \{\n\s+set \$kongc_upstream_rule "1\/svc\\n\/p";\n\s+proxy_pass http:\/\/\S+\$kongc_upstream_uri\$args;/);
  const module = njs.files.find((f) => f.path.endsWith('.js'))!;
  assert.match(module.content, /"headerLines":\["x_version"\]/);
});

test('explain: --with-njs tests every header line and gives Kong\'s upstream path for a reserved escape', () => {
  const yaml = `_format_version: "3.0"
services:
- name: s
  url: http://127.0.0.1:9/svc
  routes:
  - { name: h, paths: [/h], headers: { X-Version: [v1] } }
  - { name: n, paths: [/n], strip_path: false }
`;
  const explain = (withNjs: boolean, target: string, headers: [string, string][] = []) => {
    const c = compileYaml(yaml, withNjs ? { withNjs: true, secretsDir: '/etc/nginx' } : {});
    return explainRequest({ method: 'GET', target, hostHeader: 'x.test', headers, serverPort: 8000, tls: null }, c.state, c.plan, c.router);
  };
  const lines: [string, string][] = [['x-version', 'v0'], ['x-version', 'v1']];
  assert.equal(explain(false, '/h', lines).route, null);
  assert.equal(explain(true, '/h', lines).route?.name, 'h');
  assert.match(explain(true, '/h', [['x-version', 'v0'], ['x-version', 'v2']]).tried[0]!.failed!, /no line of header x-version \(v0 \| v2\) matches/);
  const uri = (withNjs: boolean, target: string) => {
    const a = explain(withNjs, target).answer;
    return a.kind === 'proxy' ? a.uri : a.kind;
  };
  assert.equal(uri(false, '/n/a%2fb?q=1'), '/svc/n/a/b?q=1');
  assert.equal(uri(true, '/n/a%2fb?q=1'), '/svc/n/a%2Fb?q=1');
  assert.equal(uri(true, '/n/%41b'), '/svc/n/Ab');
});
