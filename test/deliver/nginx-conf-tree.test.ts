// Reading the host's include tree as nginx does: relative includes from the main config's
// folder, globs sorted with dotfiles skipped, a target that does not exist yet still found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfTree } from '../../src/deliver/nginx-conf-tree.js';
import { parseBuildPaths } from '../../src/deliver/nginx-host.js';
import { tempDir } from '../support/temp.js';

test('the include tree: relative and absolute includes, sorted globs, no dotfiles, the target by path or symlink', (t) => {
  const d = tempDir(t, 'kongc-tree-');
  for (const sub of ['conf.d', 'sites-available', 'sites-enabled']) mkdirSync(join(d, sub));
  writeFileSync(join(d, 'nginx.conf'), `pid run/nginx.pid;\nevents {}\nhttp {\n  include mime.types;\n  include "conf.d/*.conf";\n  include ${d}/sites-enabled/*;\n}\n# include nowhere;\n`);
  writeFileSync(join(d, 'mime.types'), 'types { text/html html; }\n');
  writeFileSync(join(d, 'conf.d', 'b.conf'), '');
  writeFileSync(join(d, 'conf.d', 'a.conf'), 'server { pid not-main-context; }\n');
  writeFileSync(join(d, 'conf.d', '.hidden.conf'), '');
  writeFileSync(join(d, 'conf.d', 'a.conf.bak'), '');
  writeFileSync(join(d, 'sites-available', 'kong'), 'never read');
  symlinkSync(join(d, 'sites-available', 'kong'), join(d, 'sites-enabled', 'kong'));

  const viaLink = readConfTree(join(d, 'nginx.conf'), join(d, 'sites-available', 'kong'));
  assert.deepEqual(viaLink.files.map((f) => f.path.slice(d.length + 1)), ['nginx.conf', 'mime.types', 'conf.d/a.conf', 'conf.d/b.conf']);
  assert.deepEqual(viaLink.targetSites, [join(d, 'sites-enabled', 'kong')]);
  assert.deepEqual([...viaLink.mainDirectives], [['pid', 'run/nginx.pid']]);

  // A conf.d target that does not exist yet is where the glob would load it.
  const fresh = readConfTree(join(d, 'nginx.conf'), join(d, 'conf.d', 'kong.conf'));
  assert.deepEqual(fresh.targetSites, [join(d, 'conf.d', 'kong.conf')]);
  assert.deepEqual(readConfTree(join(d, 'nginx.conf'), join(d, 'elsewhere.conf')).targetSites, []);
});

test('nginx -V: prefix, conf and pid paths', () => {
  const out = 'nginx version: nginx/1.22.1\nconfigure arguments: --with-cc-opt=\'-g -O2\' --prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf --pid-path=/run/nginx.pid --with-http_ssl_module';
  assert.deepEqual(parseBuildPaths(out), { prefix: '/usr/share/nginx', conf: '/etc/nginx/nginx.conf', pid: '/run/nginx.pid' });
});
