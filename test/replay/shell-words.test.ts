// POSIX shell word splitting: quotes, escapes, $'…', variables, operators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shellWords } from '../../src/load/admin-log/shell-words.js';

const words = (s: string, vars: Record<string, string> = {}) => shellWords(s, new Map(Object.entries(vars))).words;

test('single quotes keep everything literally, double quotes expand and unescape', () => {
  assert.deepEqual(words(`curl -d 'a=$X "b"' -d "c=\\"q\\" \\$d $X"`, { X: 'x' }), ['curl', '-d', 'a=$X "b"', '-d', 'c="q" $d x']);
});

test("$'…' decodes ANSI-C escapes", () => {
  assert.deepEqual(words(`curl -d $'a\\tb\\n\\x41\\u00e9\\'q'`), ['curl', '-d', 'a\tb\nAé\'q']);
});

test('adjacent quoted parts form one word; empty quotes are a word', () => {
  assert.deepEqual(words(`a"b"'c'd "" ''`), ['abcd', '', '']);
});

test('backslash escapes outside quotes and joins lines', () => {
  assert.deepEqual(words('curl a\\ b \\\n -d x'), ['curl', 'a b', '-d', 'x']);
});

test('$VAR and ${VAR}: known values expand, unknown stay literal and are reported', () => {
  const r = shellWords('curl $KONG/services ${ADMIN}/routes $', new Map([['KONG', 'http://localhost:8001']]));
  assert.deepEqual(r.words, ['curl', 'http://localhost:8001/services', '${ADMIN}/routes', '$']);
  assert.deepEqual(r.unknownVars, ['ADMIN']);
});

test('pipes, redirections, control operators and comments end the command', () => {
  assert.deepEqual(words('curl http://x/services | jq .'), ['curl', 'http://x/services']);
  assert.deepEqual(words('curl http://x/a > out.json'), ['curl', 'http://x/a']);
  assert.deepEqual(words('curl http://x/a 2>&1'), ['curl', 'http://x/a']);
  assert.deepEqual(words('curl http://x/a && echo ok; echo'), ['curl', 'http://x/a']);
  assert.deepEqual(words('curl http://x/a # a comment'), ['curl', 'http://x/a']);
  assert.deepEqual(words('curl http://x/a#frag'), ['curl', 'http://x/a#frag']);
});

test('reports an open quote or a trailing backslash', () => {
  assert.equal(shellWords(`curl -d '{"a":`).open, 'quote');
  assert.equal(shellWords(`curl -d "x`).open, 'quote');
  assert.equal(shellWords(`curl -d $'x`).open, 'quote');
  assert.equal(shellWords('curl -X POST \\').open, 'backslash');
  assert.equal(shellWords('curl -X POST').open, null);
});

test('linear on hostile input', () => {
  const t0 = Date.now();
  shellWords('${'.repeat(30000));
  shellWords('"$'.repeat(30000));
  shellWords("$'\\x".repeat(20000));
  assert.ok(Date.now() - t0 < 2000);
});
