// One test per problem the hostile-input work found (SECURITY.md "Findings"): each input used to
// crash kongc (exit 70), produce a config nginx -t rejects, or reach nginx with another meaning.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileDocuments } from '../../src/compile.js';
import { InputError, formatDiagnostic } from '../../src/diagnostics.js';
import { parseDeclarative } from '../../src/load/document.js';
import { nginxTest } from '../support/nginx.js';

const H = '_format_version: "3.0"\n';
const compile = (yaml: string) => compileDocuments([parseDeclarative('kong.yaml', H + yaml)], { allowDegraded: true });

function errorAt(yaml: string): string {
  try {
    compile(yaml);
  } catch (e) {
    assert.ok(e instanceof InputError, `InputError expected, got ${String(e)}`);
    const d = e.diagnostics.find((x) => x.severity === 'error')!;
    return `${d.line}:${d.column}: ${d.message}`;
  }
  assert.fail('expected an error');
}

describe('regressions', () => {
  it("a host named 'unix' (target unix:80, service url http://unix/) is an error, not `server unix:80` (a Unix socket)", () => {
    assert.equal(errorAt('upstreams:\n  - name: up\n    targets:\n      - target: unix:80\n'), "5:17: target host 'unix' cannot be compiled: nginx reads 'unix:' as a Unix socket path");
    assert.match(errorAt('services:\n  - name: s\n    url: http://UNIX:8080/\n    routes:\n      - paths: ["/x"]\n'), /^3:5: service host 'unix' cannot be compiled/);
    assert.match(errorAt('services:\n  - name: s\n    host: unix\n    routes:\n      - paths: ["/x"]\n'), /^4:11: service host 'unix'/);
  });

  it('upstream host_header with a newline is a positioned error (was an internal error)', () => {
    assert.match(errorAt('upstreams:\n  - name: up\n    host_header: "a.com\\nlocation /x {"\n'), /^4:18: invalid host_header/);
  });

  it('hash_on_cookie / hash_on_query_arg with capitals compile (the identifier encoder refused $cookie_Session)', () => {
    const base = 'services:\n  - name: s\n    host: up\n    routes:\n      - paths: ["/x"]\nupstreams:\n  - name: up\n    targets:\n      - target: 127.0.0.1:9\n';
    const cookie = compile(base + '    hash_on: cookie\n    hash_on_cookie: Session\n').text;
    assert.match(cookie, /\$cookie_Session/);
    assert.ok(nginxTest(cookie).ok);
    assert.match(compile(base + '    hash_on: query_arg\n    hash_on_query_arg: UserId\n').text, /\$arg_UserId/);
  });

  it('values too long for one nginx token are positioned errors (were internal errors)', () => {
    assert.match(errorAt(`services:\n  - name: s\n    host: 127.0.0.1\n    path: "/${'$'.repeat(1000)}"\n    routes:\n      - paths: ["/x"]\n`), /^5:11: service path is too long for nginx/);
    assert.match(errorAt(`services:\n  - name: s\n    host: 127.0.0.1\n    routes:\n      - paths: ["/${'\\"'.repeat(2040)}"]\n`), /^6:17: path is too long for nginx/);
    assert.match(
      errorAt(`services:\n  - name: s\n    host: up\n    routes:\n      - paths: ["/x"]\nupstreams:\n  - name: up\n    hash_on: cookie\n    hash_on_cookie: c\n    hash_on_cookie_path: "/${'p'.repeat(3500)}"\n    targets:\n      - target: 127.0.0.1:9\n`),
      /^11:26: hash_on_cookie_path is too long for nginx|^11:26: /,
    );
  });

  it('regexes PCRE refuses are validation errors, not configs that fail nginx -t', () => {
    const route = (rx: string) => `services:\n  - name: s\n    host: 127.0.0.1\n    routes:\n      - paths: ["/x"]\n        headers:\n          x-a: ["~*${rx}"]\n`;
    for (const rx of ['*.*.x', '{2,3}', 'a|*b', '[z-a]', 'a{70000}']) assert.match(errorAt(route(rx)), /^8:\d+: header regex for 'x-a': /, rx);
  });

  it('a lone surrogate escape is a positioned error, not U+FFFD in the output', () => {
    assert.match(errorAt('services:\n  - name: s\n    host: 127.0.0.1\n    routes:\n      - paths: ["/x"]\n        headers:\n          x-a: ["\\udc00"]\n'), /^8:\d+: string contains a lone UTF-16 surrogate/);
  });

  it('diagnostics cannot forge terminal lines: control characters, ANSI escapes and bidi overrides are shown escaped', () => {
    const text = formatDiagnostic({ file: 'k\u001b[2J.yaml', line: 1, column: 1, severity: 'error', code: 'schema', path: '', message: "bad 'a\nk.yaml:1:1: error: forged \u202e'", hint: 'h\r' });
    assert.equal(text.split('\n').length, 2, text);
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u202e]/);
    assert.match(text, /\\u001b\[2J/);
  });

  it('a route path that looks like the build-hash placeholder is kept (it was replaced by the hash)', () => {
    const text = compile('services:\n  - name: s\n    url: http://127.0.0.1:9000\n    routes:\n      - paths: ["/0000000000000000", "/kongc-build-hash"]\n').text;
    assert.match(text, /location \^~ "\/0000000000000000"/);
    assert.match(text, /location \^~ "\/kongc-build-hash"/);
    const hash = /^# kongc build ([0-9a-f]{16}) /.exec(text)?.[1];
    assert.ok(hash && hash !== '0000000000000000', text.slice(0, 80));
    assert.ok(text.includes(`return 200 "${hash}\\n";`), '/__kongc/build answers the hash');
    assert.doesNotMatch(text, /\u0000/);
  });
});
