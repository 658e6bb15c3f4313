// The route-regex checker: Kong 3.x validates route regexes with Rust's regex crate, nginx runs
// PCRE. Accepted patterns must mean the same in both (and nginx must compile what kongc emits);
// the rest is rejected with a reason, and the CLI reports it as file:line:col with exit code 1.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRouteRegex } from '../../src/model/route-regex.js';
import { compileObject } from '../support/compile.js';
import { kongc } from '../support/kongc.js';
import { nginxTest } from '../support/nginx.js';
import { tempDir } from '../support/temp.js';

const ACCEPTED = [
  '/users/\\d+/profile',
  '/users/(\\d+)/profile',
  '/status/(?P<foo>re)',
  '/status/(?<foo>re)',
  '/[0]?route',
  '/prefix/[0-9]+',
  '/(alpha|beta)/x',
  '/(?i)upper',
  '/(?i:Mixed)/x',
  '/opt/[a-z]{2,3}-[0-9]?',
  '/ends$',
  '/a.b*c+?d??',
  '/x{3}',
  '/x{2,}',
  '/[^/]+/end',
  '/[[:alpha:]]+',
  '/[\\w.-]+\\.json',
  '/\\s*\\S\\W\\D',
  '/\\bword\\B',
  '/\\x41\\x7f',
  '/a\\.b\\/c\\-d\\_e\\#f',
  '/a}b',
  '/(?:non)capture',
  '/(?s).',
  '/(?U)a+',
  '/caf\u00e9',
  '/\\A/x\\z',
  '/\\n\\t\\r\\f\\a',
];

const REJECTED: [string, RegExp][] = [
  ['/(a)\\1', /backreference/],
  ['/(?=look)', /lookaround/],
  ['/(?<!x)y', /lookaround/],
  ['/(?>atomic)', /atomic/],
  ['/a++', /possessive/],
  ['/(*UTF)x', /PCRE verbs/],
  ['/\\Qa.b\\E', /escape \\Q/],
  ['/\\K', /escape \\K/],
  ['/\\R', /escape \\R/],
  ['/\\h', /escape \\h/],
  ['/\\v', /escape \\v/],
  ['/\\e', /escape \\e/],
  ['/\\q', /escape \\q/],
  ['/\\Z', /escape \\Z/],
  ['/\\G', /escape \\G/],
  ['/\\0', /escape \\0/],
  ['/[\\b]', /character class/],
  ['/\\x{41}', /\\xHH/],
  ['/\\xe9', /Unicode character/],
  ['/\\p{L}', /Unicode classes/],
  ['/[a-z&&[^aeiou]]', /nested character classes|class operator/],
  ['/[a--b]', /class operator/],
  ['/a{', /literal '\{'/],
  ['/a{,3}', /literal '\{'/],
  ['/(?x) a b', /extended/],
  ['/(?#comment)', /group syntax/],
  ['/(a+)+$', /exponential/],
  ['/(unclosed', /unbalanced/],
  ['/unopened)', /unbalanced/],
  ['/[unterminated', /unterminated character class/],
  ['/trailing\\', /lone backslash/],
  ['/endel%2Fst', /percent-escapes/],
  ["/(?'n'x)", /group syntax|name/],
];

describe('route regex checker', () => {
  for (const rx of ACCEPTED) {
    it(`accepts ${rx}`, () => {
      const r = analyzeRouteRegex(rx);
      assert.ok(!('error' in r), 'error' in r ? r.error : '');
    });
  }
  for (const [rx, why] of REJECTED) {
    it(`rejects ${rx}`, () => {
      const r = analyzeRouteRegex(rx);
      assert.ok('error' in r, `accepted ${rx}`);
      assert.match(r.error, why);
    });
  }

  it('makes every group non-capturing and anchors $ at the very end', () => {
    const r = analyzeRouteRegex('/a/(?P<x>\\d+)/(b|c)$');
    assert.ok(!('error' in r));
    assert.equal(r.pattern, '/a/(?:\\d+)/(?:b|c)\\z');
    assert.equal(r.literalPrefix, '/a/');
  });

  it('finds the literal prefix that places the regex among locations', () => {
    const prefix = (s: string) => {
      const r = analyzeRouteRegex(s);
      return 'error' in r ? null : r.literalPrefix;
    };
    assert.equal(prefix('/users/\\d+'), '/users/');
    assert.equal(prefix('/ab?c'), '/a');
    assert.equal(prefix('/a\\.b/x'), '/a.b/x');
    assert.equal(prefix('/(?i)x'), '');
    assert.equal(prefix('/a|/b'), '');
  });

  it('nginx -t accepts every accepted regex as kongc emits it (routes and header regexes)', () => {
    const routes = ACCEPTED.map((rx, i) => ({ name: `r${i}`, paths: [`~${rx}`] }));
    // Kong lower-cases header regexes: (?P<…> and (?U) become (?p<…> and (?u), which Rust rejects.
    const headerRoutes = ACCEPTED.filter((rx) => !('error' in analyzeRouteRegex(rx.toLowerCase()))).map((rx, i) => ({ name: `h${i}`, hosts: ['h.test'], headers: { 'x-rx': [`~*${rx}`] } }));
    const { text } = compileObject({ _format_version: '3.0', services: [{ name: 's', host: '127.0.0.1', port: 9, routes: [...routes, ...headerRoutes] }] });
    const r = nginxTest(text);
    assert.ok(r.ok, r.output);
  });

  it('kongc validate exits 1 with file:line:col for a regex nginx would read differently', async (t) => {
    const dir = tempDir(t, 'kongc-rx-');
    const file = join(dir, 'kong.yaml');
    writeFileSync(file, '_format_version: "3.0"\nservices:\n  - name: s\n    host: 127.0.0.1\n    routes:\n      - name: r\n        paths:\n          - "~/(?=x)y"\n');
    const res = await kongc(['validate', file]);
    assert.equal(res.exitCode, 1);
    assert.match(res.stderr, /kong\.yaml:8:13: error: .*lookaround/);
  });
});
