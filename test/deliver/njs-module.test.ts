// The njs tier's plumbing: kongc's generated module is the only JavaScript nginx may import, its
// data never becomes code, and a missing ngx_http_js_module is named with its package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNoCodeLoadingDirectives, checkWithNginx } from '../../src/deliver/nginx-check.js';
import { locateModule, NJS_MODULE } from '../../src/deliver/nginx-modules.js';
import { mapNginxMessage } from '../../src/deliver/nginx-errors.js';
import { CommandFailure } from '../../src/diagnostics.js';
import { NjsModule } from '../../src/plan/njs.js';
import { NGINX_BIN } from '../support/nginx.js';
import { tempDir } from '../support/temp.js';
import { fakeNginx } from '../support/fake-nginx.js';

const ORIGIN = { file: 'kong.yaml', pointer: '/plugins/0' } as never;

test("js_import is allowed for kongc's own module only", () => {
  assertNoCodeLoadingDirectives('js_import kongc from /etc/nginx/kongc-njs-0123456789abcdef.js;\n');
  assertNoCodeLoadingDirectives('js_import kongc from "/etc/nginx/kongc-njs-0123456789abcdef.js";\n');
  for (const bad of [
    'js_import /tmp/evil.js;',
    'js_import kongc from /tmp/evil.js;',
    'js_import evil from /etc/nginx/kongc-njs-0123456789abcdef.js;',
    'js_import kongc from /etc/nginx/kongc-ca-0123456789abcdef;',
    'js_import kongc from /etc/nginx/../kongc-njs-0123456789abcdef.js;',
    'js_import kongc from kongc-njs-0123456789abcdef.js;',
    'server { js_import kongc from /etc/nginx/kongc-njs-0123456789abcdef.js; }',
    'js_path /tmp;',
  ]) {
    assert.throws(() => assertNoCodeLoadingDirectives(bad + '\n'), CommandFailure, bad);
  }
});

test('the module carries config values as JSON data, same input same bytes, 0600 when secret', () => {
  const make = (secret: boolean) => {
    const m = new NjsModule();
    m.data('b', { key: 'x"; process.exit(); "\u2028' }, secret);
    m.data('a', [1, 2]);
    m.handler('zeta');
    m.handler('alpha');
    return m.file('/etc/nginx', '0.1.0')!;
  };
  const one = make(false);
  assert.equal(one.file.content, make(false).file.content);
  assert.equal(one.file.secret, false);
  assert.equal(make(true).file.secret, true);
  assert.match(one.file.content, /^var DATA = \{"a":\[1,2\],"b":\{"key":"x\\"; process\.exit\(\); \\"\\u2028"\}\};$/m);
  assert.match(one.file.content, /^export default \{ alpha, zeta \};$/m);
  assert.match(one.import.path, /^\/etc\/nginx\/kongc-njs-[0-9a-f]{16}\.js$/);
  assert.equal(new NjsModule().file('/etc/nginx', '0.1.0'), null, 'nothing needs it: no file');
  assert.throws(() => new NjsModule().handler('a.b'));
  assert.throws(() => new NjsModule().library('../x', ORIGIN));
});

test('a missing ngx_http_js_module is named with its package and load_module line', async (t) => {
  const dir = tempDir(t, 'kongc-njs-missing-');
  const modules = join(dir, 'modules');
  mkdirSync(modules);
  const nginx = fakeNginx(dir, `--modules-path=${modules}`);
  await assert.rejects(locateModule(nginx, NJS_MODULE), (e: Error) => {
    assert.ok(e instanceof CommandFailure);
    assert.match(e.message, /needs the njs tier \(--with-njs\)/);
    assert.match(e.message, /apt-get install libnginx-mod-http-js/);
    assert.ok(e.message.includes(`load_module ${join(modules, 'ngx_http_js_module.so')};`), e.message);
    return true;
  });
  writeFileSync(join(modules, 'ngx_http_js_module.so'), '');
  assert.equal(await locateModule(nginx, NJS_MODULE), join(modules, 'ngx_http_js_module.so'));
  // --check on a plan that imports the module fails the same way before running nginx -t.
  await assert.rejects(
    checkWithNginx('js_import kongc from /x/kongc-njs-0123456789abcdef.js;\n', { nginx: fakeNginx(tempDir(t, 'kongc-njs-none-'), '--modules-path=/nonexistent'), plan: { sources: {}, njs: { name: 'kongc', path: '/x/kongc-njs-0123456789abcdef.js', variables: [] } } }),
    /apt-get install libnginx-mod-http-js/,
  );
});

test('an nginx that does not load njs: the host-test message says what to install and load', () => {
  const out = mapNginxMessage('nginx: [emerg] unknown directive "js_import" in /etc/nginx/conf.d/kongc.conf:5\nnginx: configuration file /etc/nginx/nginx.conf test failed', {
    text: '',
    renderedPaths: ['/etc/nginx/conf.d/kongc.conf'],
    plan: { sources: {} },
  });
  assert.match(out, /kongc\.conf:5: error: unknown directive "js_import": the configuration was built --with-njs .* apt-get install libnginx-mod-http-js\) and add `load_module modules\/ngx_http_js_module\.so;`/);
});

test('nginx with the module loads an imported kongc module (--check wrapper)', async (t) => {
  const dir = tempDir(t, 'kongc-njs-check-');
  const m = new NjsModule();
  m.handler('nothing');
  const file = m.file(dir, '0.1.0')!;
  // A module that does not compile fails nginx -t: njs really read it.
  writeFileSync(file.file.path, file.file.content.replace('var DATA =', 'var DATA = ;'));
  // njs compiles imported modules for the servers that can call into them.
  const include = `js_import kongc from ${file.import.path};\njs_set $kongc_probe kongc.nothing;\nserver { listen 127.0.0.1:1; location / { return 200 $kongc_probe; } }\n`;
  const r = await checkWithNginx(include, { nginx: NGINX_BIN, plan: { sources: {}, njs: file.import } });
  assert.equal(r.ok, false);
  assert.match(r.message, /SyntaxError/);
  writeFileSync(file.file.path, file.file.content.replace('var DATA', 'function nothing(r) { return ""; }\nvar DATA'));
  const ok = await checkWithNginx(include, { nginx: NGINX_BIN, plan: { sources: {}, njs: file.import } });
  assert.equal(ok.ok, true, ok.message);
});
