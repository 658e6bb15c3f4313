// `build --check` with a stream include: ngx_stream_module is found where `nginx -V` says
// (--modules-path), not assumed built in; a missing one is named with its package and the
// load_module line; a build with `--with-stream` needs no load_module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandFailure } from '../../src/diagnostics.js';
import { checkWithNginx } from '../../src/deliver/nginx-check.js';
import { locateModule, STREAM_MODULE } from '../../src/deliver/nginx-modules.js';
import { tempDir } from '../support/temp.js';
import { fakeNginx } from '../support/fake-nginx.js';

test('a missing ngx_stream_module is named with libnginx-mod-stream and its load_module line', async (t) => {
  const dir = tempDir(t, 'kongc-stream-module-');
  const modules = join(dir, 'modules');
  mkdirSync(modules);
  const nginx = fakeNginx(dir, `--modules-path=${modules} --with-stream=dynamic`);
  await assert.rejects(locateModule(nginx, STREAM_MODULE), (e: Error) => {
    assert.ok(e instanceof CommandFailure);
    assert.match(e.message, /apt-get install libnginx-mod-stream/);
    assert.ok(e.message.includes(`load_module ${join(modules, 'ngx_stream_module.so')};`), e.message);
    return true;
  });
  writeFileSync(join(modules, 'ngx_stream_module.so'), '');
  assert.equal(await locateModule(nginx, STREAM_MODULE), join(modules, 'ngx_stream_module.so'));
  assert.equal(await locateModule(fakeNginx(tempDir(t, 'kongc-stream-static-'), '--with-stream --with-stream_ssl_module'), STREAM_MODULE), null, 'built in: no load_module');
  // --check with a stream include fails the same way before running nginx -t.
  await assert.rejects(checkWithNginx('', { nginx: fakeNginx(tempDir(t, 'kongc-stream-none-'), '--modules-path=/nonexistent'), plan: { sources: {} }, stream: '' }), /libnginx-mod-stream/);
});
