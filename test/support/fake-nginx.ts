// A stand-in nginx binary for tests of how kongc reads `nginx -V` (which modules, where).
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A script named `nginx` in `dir` whose `-V` prints these configure arguments; returns its path. */
export function fakeNginx(dir: string, configureArgs: string): string {
  const bin = join(dir, 'nginx');
  writeFileSync(bin, `#!/bin/sh\necho "nginx version: nginx/1.22.1" >&2\necho "configure arguments: --prefix=/usr/share/nginx ${configureArgs}" >&2\n`);
  chmodSync(bin, 0o755);
  return bin;
}
