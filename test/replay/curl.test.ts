// curl's command line → the request it sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCurl } from '../../src/load/admin-log/curl.js';
import { shellWords } from '../../src/load/admin-log/shell-words.js';
import type { HttpCall } from '../../src/load/admin-log/request.js';

const curl = (cmd: string): HttpCall => {
  const r = parseCurl(shellWords(cmd).words);
  assert.equal(typeof r, 'object', String(r));
  return r as HttpCall;
};

test('-X/--request, and the implied method: POST with data, GET without, GET with -G, HEAD with -I', () => {
  assert.equal(curl('curl -X PATCH localhost:8001/services/a -d retries=6').method, 'PATCH');
  assert.equal(curl('curl --request DELETE localhost:8001/services/a').method, 'DELETE');
  assert.equal(curl('curl -XPUT localhost:8001/services/a').method, 'PUT');
  assert.equal(curl('curl localhost:8001/services -d name=a').method, 'POST');
  assert.equal(curl('curl localhost:8001/services').method, 'GET');
  assert.equal(curl('curl -I localhost:8001/services').method, 'HEAD');
  const g = curl('curl -G localhost:8001/services -d tags=a');
  assert.equal(g.method, 'GET');
  assert.equal(g.url, 'localhost:8001/services?tags=a');
  assert.equal(g.body.kind, 'none');
});

test('short option clusters: -isX POST, -sSfL', () => {
  const c = curl('curl -isX POST http://kong:8001/services -sSfL -d name=a');
  assert.equal(c.method, 'POST');
  assert.equal(c.url, 'http://kong:8001/services');
});

test('-d/--data/--data-raw/--data-binary join with & and decode as a form (+ is a space)', () => {
  const c = curl(`curl localhost:8001/routes -d 'paths[]=/a' --data "hosts[]=x.com" --data-raw 'name=r%2B1' --data-binary 'tags=a+b'`);
  assert.deepEqual(c.body, { kind: 'form', pairs: [['paths[]', '/a'], ['hosts[]', 'x.com'], ['name', 'r+1'], ['tags', 'a b']] });
});

test('--data-urlencode encodes its content, so + and & survive', () => {
  const c = curl(`curl localhost:8001/routes --data-urlencode 'paths[]=~/status/\\d+' --data-urlencode 'name=a&b+c'`);
  assert.deepEqual(c.body, { kind: 'form', pairs: [['paths[]', '~/status/\\d+'], ['name', 'a&b+c']] });
});

test('-F/--form builds a form; @file values become notes', () => {
  const c = curl(`curl -X POST localhost:8001/certificates -F "cert=@./c.pem" -F 'snis[]=a.com' --form 'tags[]=x;type=text/plain'`);
  assert.deepEqual(c.body, { kind: 'form', pairs: [['cert', '@./c.pem'], ['snis[]', 'a.com'], ['tags[]', 'x']] });
  assert.equal(c.notes.length, 1);
  assert.match(c.notes[0]!, /file kongc does not open/);
});

test('-H Content-Type: application/json and --json send JSON', () => {
  const a = curl(`curl -H 'Content-Type: application/json' localhost:8001/services -d '{"name":"a"}'`);
  assert.deepEqual(a.body, { kind: 'json', text: '{"name":"a"}' });
  const b = curl(`curl --json '{"name":"b"}' localhost:8001/services`);
  assert.deepEqual(b, { method: 'POST', url: 'localhost:8001/services', body: { kind: 'json', text: '{"name":"b"}' }, notes: [] });
});

test('--url, and a URL given after the options', () => {
  assert.equal(curl('curl -i -X POST --url http://localhost:8001/services/ --data name=a').url, 'http://localhost:8001/services/');
  assert.equal(curl('curl -X POST -F name=x http://localhost:8081/apis/').url, 'http://localhost:8081/apis/');
});

test('-d @file is reported, not read', () => {
  const c = curl('curl localhost:8001/services -d @body.json');
  assert.equal(c.body.kind, 'none');
  assert.match(c.notes[0]!, /@body\.json/);
});

test('a command without a URL, or an option without its value, is not a call', () => {
  assert.equal(typeof parseCurl(['curl', '-i']), 'string');
  assert.equal(typeof parseCurl(['curl', 'http://x/services', '-X']), 'string');
});
