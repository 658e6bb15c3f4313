// kongc warns when the host's nginx leaves pcre_jit off (route regexes then run interpreted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pcreJitEnabled, pcreJitWarning } from '../../src/deliver/pcre-jit.js';
import { NGINX_BIN } from '../support/nginx.js';
import { tempDir } from '../support/temp.js';

test('pcre_jit counts only in the main context of the dumped configuration', () => {
  assert.equal(pcreJitEnabled('# configuration file /etc/nginx/nginx.conf:\npcre_jit on;\nevents {}\n'), true);
  assert.equal(pcreJitEnabled('# configuration file /etc/nginx/nginx.conf:\nevents {}\n'), false);
  assert.equal(pcreJitEnabled('# configuration file /etc/nginx/nginx.conf:\n# pcre_jit on;\nhttp {\n}\n'), false);
  assert.equal(pcreJitEnabled('http {\n  server { pcre_jit on; }\n}\n'), false);
});

test('the warning reads the real configuration through nginx -T', async (t) => {
  const dir = tempDir(t, 'kongc-jit-');
  mkdirSync(join(dir, 'logs'));
  const conf = (jit: boolean) => {
    const file = join(dir, `nginx-${jit}.conf`);
    writeFileSync(file, `${jit ? 'pcre_jit on;\n' : ''}error_log ${join(dir, 'logs', 'error.log')};\npid ${join(dir, 'nginx.pid')};\nevents {}\nhttp { access_log off; }\n`);
    return file;
  };
  const off = await pcreJitWarning({ nginx: NGINX_BIN, prefix: dir, conf: conf(false) });
  assert.match(off ?? '', /pcre_jit is off in .*nginx-false\.conf: add 'pcre_jit on;'/);
  assert.equal(await pcreJitWarning({ nginx: NGINX_BIN, prefix: dir, conf: conf(true) }), null);
});
