// Kong's form decoding (arguments_decoder) and type inference (infer_value).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFormPairs } from '../../src/load/admin-log/form.js';
import { infer, KINDS } from '../../src/load/admin-log/schema.js';

const decode = (pairs: [string, string][]) => decodeFormPairs(pairs);
const typed = (kind: keyof typeof KINDS, pairs: [string, string][]) => infer(decode(pairs), { t: 'record', fields: KINDS[kind].fields });

test('name[]= and repeated keys build arrays, in order', () => {
  assert.deepEqual(decode([['paths[]', '/a'], ['paths[]', '/b'], ['hosts', 'x'], ['hosts', 'y']]), { paths: ['/a', '/b'], hosts: ['x', 'y'] });
});

test('indexed name[1]= builds an array sorted by index', () => {
  assert.deepEqual(decode([['paths[2]', '/b'], ['paths[1]', '/a']]), { paths: ['/a', '/b'] });
});

test('dotted keys and name[key]= nest', () => {
  assert.deepEqual(decode([['service.id', 'x'], ['config.limit', '10'], ['headers.x-h', 'v'], ['config[minute]', '5']]), {
    service: { id: 'x' },
    config: { limit: '10', minute: '5' },
    headers: { 'x-h': 'v' },
  });
});

test('__proto__ keys are dropped', () => {
  const d = decode([['__proto__.polluted', 'x'], ['a.__proto__', 'y'], ['b', '1']]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.keys(d), ['b']);
});

test('a single string for an array field is wrapped; no comma splitting', () => {
  assert.deepEqual(typed('routes', [['paths', '/foo'], ['hosts', 'a.com,b.com']]), { paths: ['/foo'], hosts: ['a.com,b.com'] });
});

test('types follow the schema: integers, booleans, "" → null, map values wrapped', () => {
  assert.deepEqual(typed('services', [['port', '8080'], ['enabled', 'false'], ['path', ''], ['retries', 'x']]), { port: 8080, enabled: false, path: null, retries: 'x' });
  assert.deepEqual(typed('routes', [['strip_path', 'true'], ['headers.version', 'v1'], ['regex_priority', '2']]), { strip_path: true, headers: { version: ['v1'] }, regex_priority: 2 });
  assert.deepEqual(typed('upstreams', [['healthchecks.active.healthy.interval', '5'], ['healthchecks.active.http_path', '/h']]), {
    healthchecks: { active: { healthy: { interval: 5 }, http_path: '/h' } },
  });
});

test('plugin config without a schema: numbers and booleans read loosely, other strings kept', () => {
  assert.deepEqual(typed('plugins', [['name', 'rate-limiting'], ['config.minute', '5'], ['config.hide_client_headers', 'true'], ['config.policy', 'local'], ['config.key', '007']]), {
    name: 'rate-limiting',
    config: { minute: 5, hide_client_headers: true, policy: 'local', key: '007' },
  });
});
