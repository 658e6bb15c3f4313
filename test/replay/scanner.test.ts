// Finding calls in scripts and Markdown, joining their lines, and reading recorded responses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/diagnostics.js';
import { LIMITS } from '../../src/load/limits.js';
import { readResponse } from '../../src/load/admin-log/response.js';
import { scanLog } from '../../src/load/admin-log/scanner.js';

const scan = (text: string) => scanLog('log.md', text);

test('prose, comments, fences and non-call lines are skipped', () => {
  const { commands } = scan(['# Setup', 'curl is a tool; see below', '```bash', '# create it', 'echo hi', 'curl -X POST localhost:8001/services -d name=a', '```', 'http is great'].join('\n'));
  assert.equal(commands.length, 1);
  assert.equal(commands[0]!.line, 6);
  assert.deepEqual(commands[0]!.words, ['curl', '-X', 'POST', 'localhost:8001/services', '-d', 'name=a']);
});

test('prompts ($ , $), list markers and indentation are stripped; the column is the command\'s', () => {
  const { commands } = scan(['   $ curl localhost:8001/services', '$curl 127.0.0.1:8001/routes', '1. curl localhost:8001/upstreams', '  $ http :8001/services name=x'].join('\n'));
  assert.deepEqual(commands.map((c) => [c.dialect, c.line, c.column, c.words[1]]), [
    ['curl', 1, 6, 'localhost:8001/services'],
    ['curl', 2, 2, '127.0.0.1:8001/routes'],
    ['curl', 3, 4, 'localhost:8001/upstreams'],
    ['httpie', 4, 5, ':8001/services'],
  ]);
});

test('inline code spans: `curl …`{{exec}}', () => {
  const { commands } = scan("`curl -X POST http://localhost:8001/services --data name=a --data url='http://m.org'`{{exec}}");
  assert.deepEqual(commands[0]!.words.slice(-2), ['--data', 'url=http://m.org']);
});

test('backslash continuations join; a dangling backslash before a blank line or fence ends the call', () => {
  const { commands } = scan(['curl -X POST localhost:8001/routes \\', '  -d "paths[]=/a" \\', '', 'curl -X POST localhost:8001/services \\', '  -d name=b \\', '```'].join('\n'));
  assert.deepEqual(commands.map((c) => [c.line, c.endLine, c.words.length]), [[1, 2, 6], [4, 5, 6]]);
});

test("the seed's style: -d lines after a curl line without a backslash continue it", () => {
  const { commands } = scan(['curl -X POST localhost:8001/upstreams', '-d "name=upstream.api"', '// reponse', '- d is not an option'].join('\n'));
  assert.equal(commands.length, 1);
  assert.deepEqual(commands[0]!.words, ['curl', '-X', 'POST', 'localhost:8001/upstreams', '-d', 'name=upstream.api']);
  assert.equal(commands[0]!.endLine, 2);
});

test('a curl line ending in an option that needs a value continues on the next line', () => {
  const { commands } = scan(['curl -i -X', '  POST http://kong:8001/consumers/web/plugins \\', '  -d "name=rate-limiting"'].join('\n'));
  assert.deepEqual(commands[0]!.words, ['curl', '-i', '-X', 'POST', 'http://kong:8001/consumers/web/plugins', '-d', 'name=rate-limiting']);
});

test('a quote left open continues over lines (multi-line JSON); never closed → reported and skipped', () => {
  const ok = scan(["curl localhost:8001/services -H 'Content-Type: application/json' -d '{", '  "name": "a"', "}'"].join('\n'));
  assert.equal(ok.commands[0]!.words[5], '{\n  "name": "a"\n}');
  const broken = scan(["curl localhost:8001/services -d 'name=it", 'never closes', '```', 'curl localhost:8001/routes -d paths=/x'].join('\n'));
  assert.equal(broken.problems.length, 1);
  assert.equal(broken.problems[0]!.line, 1);
  assert.deepEqual(broken.commands.map((c) => c.line), [4]);
});

test('variables assigned in the log expand in later calls', () => {
  const { commands } = scan(['KONG="http://localhost:8001"', 'export PATHS=/api', 'curl -X POST $KONG/routes -d paths=${PATHS}', 'curl $OTHER/services'].join('\n'));
  assert.deepEqual(commands[0]!.words, ['curl', '-X', 'POST', 'http://localhost:8001/routes', '-d', 'paths=/api']);
  assert.deepEqual(commands[1]!.unknownVars, ['OTHER']);
});

test('a line over the limit is a positioned error, not a hang', () => {
  const long = 'curl localhost:8001/services -d name=' + 'a'.repeat(LIMITS.logLineBytes);
  assert.throws(() => scan(`# ok\n${long}`), (e: unknown) => e instanceof InputError && e.diagnostics[0]!.line === 2 && /longer than/.test(e.diagnostics[0]!.message));
});

test('recorded responses: JSON after `// response`, HTTP status blocks, elided JSON', () => {
  const r1 = readResponse({ line: 10, lines: ['// reponse', '{', '  "created_at": 1,', '  "upstream": { "id": "nested" },', '  "id": "04c9c36c-eea8-4d58-8668-3bfa117c34fd",', '  "name": "u",', '  ...', '}'] });
  assert.equal(r1!.line, 11);
  assert.equal(r1!.fields.get('id'), '04c9c36c-eea8-4d58-8668-3bfa117c34fd');
  assert.equal(r1!.fields.get('name'), 'u');
  const r2 = readResponse({ line: 1, lines: ['```', 'HTTP/1.1 201 Created', '...', '{"created_at":1534538010468, .. ,"id":"ffd8815b-fd6c-4e0e-aa67-06e9cda39c3b"}'] });
  assert.equal(r2!.status, 201);
  assert.equal(r2!.fields.get('id'), 'ffd8815b-fd6c-4e0e-aa67-06e9cda39c3b');
  const r3 = readResponse({ line: 1, lines: ['{created_at":1534537731231, .. "slots":10000}'] });
  assert.equal(r3!.fields.get('id'), undefined);
  assert.equal(readResponse({ line: 1, lines: ['no response here'] }), null);
});

test('scanning is linear-ish on large input', () => {
  const block = ['curl -X POST localhost:8001/services \\', '  -d name=s \\', '  -d url=http://a.b', '{"id": "x"}', 'prose'].join('\n');
  const text = Array.from({ length: 5000 }, () => block).join('\n');
  const t0 = Date.now();
  assert.equal(scan(text).commands.length, 5000);
  assert.ok(Date.now() - t0 < 3000);
});
