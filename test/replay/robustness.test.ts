// Hostile or garbled logs: never a crash, never a hang. Only InputError (a positioned error) may escape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InputError } from '../../src/diagnostics.js';
import { replayLogText } from '../../src/load/admin-log/replay.js';

const FRAGMENTS = [
  'curl ', 'http ', '-X ', 'POST ', 'PUT ', 'PATCH ', 'DELETE ', 'localhost:8001', ':8001', '/services', '/routes', '/upstreams', '/u/targets', '/s',
  '/plugins', '/consumers', '/c/key-auth', '/certificates', '/apis', ' -d ', ' -F ', ' --data-urlencode ', ' -H "Content-Type: application/json" ',
  "'", '"', '\\', '\n', "$'", '${', '$X', 'name=a', 'host=b', 'paths[]=/x', 'paths[1]=/y', 'service.name=a',
  'service.id=5b93eda7-7ba5-4acc-a536-cf12f58a1144', '{"name":"a","paths":["/p"]}', 'config.x=1', 'target=1.2.3.4', 'snis[]=*.a.com',
  '{"id":"5b93eda7-7ba5-4acc-a536-cf12f58a1144"}', ' | jq', '#', '```', ':=', '[]', '.', '=', ' ', '__proto__', 'constructor', 'HTTP/1.1 201',
  'url=http://x', 'hash_on=ip', 'healthchecks.active.x=1', 'headers.a=b', 'tags=a,b', '-G ', '--json ', '{"service":"x"}', '{"config":null}',
];

test('random mixes of curl/HTTPie fragments never crash the replay', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }), fc.boolean(), (parts, keepIds) => {
      try {
        replayLogText('fuzz.log', parts.join(''), { keepIds });
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
      }
    }),
    { numRuns: 1500 },
  );
});

test('unclosed quotes, endless continuations and long logs stay fast', () => {
  const cases = [
    Array.from({ length: 20000 }, () => "curl localhost:8001/services -d 'name=x").join('\n'),
    Array.from({ length: 20000 }, () => 'curl -X POST localhost:8001/services \\').join('\n'),
    Array.from({ length: 5000 }, (_v, i) => `curl localhost:8001/services\n-d name=s${i}\n-d host=h`).join('\n'),
    'curl localhost:8001/services -d ' + '"'.repeat(60000),
  ];
  for (const text of cases) {
    const t0 = Date.now();
    replayLogText('big.log', text);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  }
});
