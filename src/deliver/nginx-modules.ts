// Dynamic nginx modules a generated config needs (njs for `--with-njs`): where the nginx binary
// keeps them, and a precise error naming the package when it has none.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { CommandFailure } from '../diagnostics.js';
import { runCommand } from './nginx-runner.js';

export interface DynamicModule {
  /** The shared object in nginx's modules folder. */
  file: string;
  /** The Debian/Ubuntu package that installs it. */
  debianPackage: string;
  /** What needs it, for the message. */
  neededFor: string;
  /** A word of `nginx -V`'s configure arguments that shows the module is built in (no load_module needed). */
  builtIn: RegExp;
}

export const NJS_MODULE: DynamicModule = {
  file: 'ngx_http_js_module.so',
  debianPackage: 'libnginx-mod-http-js',
  neededFor: 'the njs tier (--with-njs)',
  builtIn: /--add-module=\S*njs\S*\/nginx(?:\s|$)/,
};

export const STREAM_MODULE: DynamicModule = {
  file: 'ngx_stream_module.so',
  debianPackage: 'libnginx-mod-stream',
  neededFor: 'the stream include (tcp, tls, udp and tls_passthrough routes)',
  builtIn: /--with-stream(?:\s|$)/,
};

/** `--modules-path=`, else `<prefix>/modules`, from `nginx -V`. */
export function modulesFolder(versionOutput: string): string {
  const dir = /--modules-path=(\S+)/.exec(versionOutput)?.[1];
  const prefix = /--prefix=(\S+)/.exec(versionOutput)?.[1] ?? '/usr/local/nginx';
  if (dir) return isAbsolute(dir) ? dir : join(prefix, dir);
  return join(prefix, 'modules');
}

/** The message when nginx lacks a module: which package to install and which line to add. */
export function missingModuleMessage(module: DynamicModule, nginx: string, folder: string): string {
  return (
    `the configuration needs ${module.neededFor}, and ${nginx} has no ${module.file} in ${folder}: ` +
    `install it (Debian/Ubuntu: apt-get install ${module.debianPackage}) and load it in the main context of nginx.conf: ` +
    `load_module ${join(folder, module.file)};`
  );
}

/**
 * The absolute paths `load_module` needs for `modules`, leaving out those the binary has built in;
 * asks `nginx -V` once. Throws CommandFailure naming the package of the first the binary lacks.
 */
export async function locateModules(nginx: string, modules: DynamicModule[], timeoutMs = 10_000): Promise<string[]> {
  if (!modules.length) return [];
  const v = await runCommand({ argv: [nginx, '-V'] }, { timeoutMs });
  if (!v.ok) throw new CommandFailure(`cannot ask ${nginx} which modules it has (${nginx} -V: ${v.output.trim()})`);
  const folder = modulesFolder(v.output);
  return modules
    .filter((module) => !module.builtIn.test(v.output))
    .map((module) => {
      const path = join(folder, module.file);
      if (!existsSync(path)) throw new CommandFailure(missingModuleMessage(module, nginx, folder));
      return path;
    });
}

/** The `load_module` path of one module, or null when the binary has it built in. */
export async function locateModule(nginx: string, module: DynamicModule, timeoutMs = 10_000): Promise<string | null> {
  return (await locateModules(nginx, [module], timeoutMs))[0] ?? null;
}
