// Which nginx to run. Debian and Ubuntu install it in /usr/sbin, which is not on an ordinary
// user's PATH: a bare name is looked up on PATH, then in the usual sbin folders.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CommandFailure } from '../diagnostics.js';

const SBIN = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/opt/homebrew/bin'];

export function findNginx(bin: string, env: NodeJS.ProcessEnv = process.env): string {
  if (bin.includes('/')) return bin;
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN];
  for (const dir of dirs) {
    const candidate = join(dir, bin);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  throw new CommandFailure(`${bin} not found on PATH nor in ${SBIN.join(', ')}; install nginx (apt-get install nginx-light, brew install nginx) or pass --nginx PATH`);
}
