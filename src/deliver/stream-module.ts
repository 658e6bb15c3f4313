// The stream include needs ngx_stream_module. Debian builds it as a dynamic module (package
// libnginx-mod-stream), loaded with `load_module` in the main context; other builds compile it in.
// Where nginx keeps its modules comes from `nginx -V` (--modules-path), not from a guess.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CommandFailure } from '../diagnostics.js';
import { runCommand } from './nginx-runner.js';

/** The `load_module` path for ngx_stream_module, or null when this nginx has the module built in. */
export async function streamModulePath(nginx: string, timeoutMs = 30_000): Promise<string | null> {
  const r = await runCommand({ argv: [nginx, '-V'] }, { timeoutMs });
  if (!r.ok) throw new CommandFailure(`${nginx} -V failed:\n${r.output}`);
  return streamModuleFrom(r.output);
}

/** From `nginx -V` output: null when the stream module is compiled in, else the .so that must exist. */
export function streamModuleFrom(versionOutput: string, exists: (path: string) => boolean = existsSync): string | null {
  const args = versionOutput.split(/\s+/);
  if (args.includes('--with-stream')) return null;
  const modules = args.find((a) => a.startsWith('--modules-path='))?.slice('--modules-path='.length) || '/usr/lib/nginx/modules';
  const path = join(modules, 'ngx_stream_module.so');
  if (!exists(path)) {
    throw new CommandFailure(
      `this nginx has no stream module (${path} does not exist), which the stream include needs: install libnginx-mod-stream (apt-get install libnginx-mod-stream), and load it in nginx.conf's main context with\n  load_module ${path};`,
    );
  }
  return path;
}
