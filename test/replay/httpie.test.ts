// HTTPie's command line → the request it sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHttpie } from '../../src/load/admin-log/httpie.js';
import { shellWords } from '../../src/load/admin-log/shell-words.js';
import type { HttpCall } from '../../src/load/admin-log/request.js';

const http = (cmd: string): HttpCall => {
  const r = parseHttpie(shellWords(cmd).words);
  assert.equal(typeof r, 'object', String(r));
  return r as HttpCall;
};

test('`:8001/x` is localhost; data items imply POST; no items imply GET', () => {
  const c = http('http :8001/services name=x url=http://a.b');
  assert.equal(c.method, 'POST');
  assert.equal(c.url, 'http://localhost:8001/services');
  assert.deepEqual(c.body, { kind: 'object', value: { name: 'x', url: 'http://a.b' } });
  assert.equal(http('http :8001/services').method, 'GET');
  assert.equal(http('http :8001').url, 'http://localhost:8001/');
});

test('explicit METHOD, field:=json, Header:value, param==value', () => {
  const c = http(`http PATCH :8001/services/a retries:=6 tags:='["x"]' X-Country:Italy Content-Type:application/json size==5`);
  assert.equal(c.method, 'PATCH');
  assert.equal(c.url, 'http://localhost:8001/services/a?size=5');
  assert.deepEqual(c.body, { kind: 'object', value: { retries: 6, tags: ['x'] } });
});

test('the earliest separator wins: target=host:80 is a field, not a header', () => {
  const c = http('http POST :8001/upstreams/u/targets target=mockbin.org:80');
  assert.deepEqual(c.body, { kind: 'object', value: { target: 'mockbin.org:80' } });
});

test('--form sends a form; escaped separators stay in the key', () => {
  const c = http("http --form POST :8001/routes paths[]=/a 'a\\=b=c'");
  assert.deepEqual(c.body, { kind: 'form', pairs: [['paths[]', '/a'], ['a=b', 'c']] });
});

test('https command defaults to https; invalid := JSON is not a call', () => {
  assert.equal(http('https admin.example.com/services').url, 'https://admin.example.com/services');
  assert.equal(typeof parseHttpie(['http', ':8001/services', 'paths:=[']), 'string');
});
