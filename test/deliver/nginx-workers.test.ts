// Which workers of the previous config still accept connections (the real case, a reload of a
// running nginx, is covered by apply.test.ts); here what must not be mistaken for nginx.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootTicks, oldAcceptingWorkers } from '../../src/deliver/nginx-workers.js';

test('a pid that is not an nginx worker here (another pid namespace) says nothing', () => {
  const since = bootTicks();
  assert.ok(since !== null && since > 0, 'Linux /proc/uptime');
  assert.equal(oldAcceptingWorkers(process.pid, since), null, 'this Node process is no nginx worker');
  assert.equal(oldAcceptingWorkers(2 ** 22 + 1, since), null, 'no such process');
});
