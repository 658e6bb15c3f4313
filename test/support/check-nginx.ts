// Runs before the test suite: the end-to-end tests need a real nginx binary; say how to get one
// instead of letting dozens of tests fail with ENOENT.
import { spawnSync } from 'node:child_process';
import { NGINX_BIN } from './nginx.js';

const r = spawnSync(NGINX_BIN, ['-v'], { encoding: 'utf8' });
if (r.error || r.status !== 0) {
  process.stderr.write(
    `npm test: cannot run '${NGINX_BIN}' (${r.error?.message ?? r.stderr.trim()}).\n` +
      'The end-to-end tests start a real nginx on 127.0.0.1. Install it (Debian: apt-get install -y nginx-light),\n' +
      'put it on PATH or point KONGC_TEST_NGINX at it, or run `bash .ci/run`, which installs it.\n',
  );
  process.exit(1);
}
