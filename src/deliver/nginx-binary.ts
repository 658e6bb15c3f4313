// Which nginx to run. Debian and Ubuntu install it in /usr/sbin, which is not on an ordinary
// user's PATH: a bare name is looked up on PATH, then in the usual sbin folders.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CommandFailure } from '../diagnostics.js';

const SBIN = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/opt/homebrew/bin'];

export function findNginx(bin: string, env: NodeJS.ProcessEnv = process.env): string {
  const candidates = bin.includes('/') ? [bin] : [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN].map((dir) => join(dir, bin));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  const where = bin.includes('/') ? 'is not an executable file' : `not found on PATH nor in ${SBIN.join(', ')}`;
  throw new CommandFailure(`${bin} ${where}; install nginx (apt-get install nginx-light, brew install nginx) or pass --nginx PATH`);
}
