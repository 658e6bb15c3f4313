// `kongc build --check`: `nginx -t` on the generated include inside a minimal wrapper nginx.conf,
// in a throwaway prefix, so nothing on the host is read or touched. (`apply --dry-run` tests in a
// copy of the host's own tree instead: host-test.ts.)
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NginxPlan } from '../plan/ir.js';
import { assertNoCodeLoadingDirectives } from './nginx-directives.js';
import { mapNginxMessage } from './nginx-errors.js';
import { runCommand } from './nginx-runner.js';
import { locateModule, NJS_MODULE } from './nginx-modules.js';

export { assertNoCodeLoadingDirectives } from './nginx-directives.js';

/** The main config the include is tested in: every path nginx opens lies inside `prefix`. */
export function wrapperConfig(prefix: string, includeFile: string, opts: { foreground?: boolean; modules?: string[] } = {}): string {
  // nginx refuses `user` when not root; as root it would otherwise switch workers to `nobody`.
  const asRoot = process.getuid?.() === 0;
  return [
    ...(asRoot ? ['user root;'] : []),
    // Dynamic modules the include needs (njs), by absolute path: nginx reads `modules/…` under -p.
    ...(opts.modules ?? []).map((m) => `load_module ${m};`),
    'worker_processes 1;',
    ...(opts.foreground ? ['daemon off;'] : []),
    `pid ${join(prefix, 'nginx.pid')};`,
    `error_log ${join(prefix, 'logs', 'error.log')} notice;`,
    'events { worker_connections 1024; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${join(prefix, 'tmp', k)};`),
    `  include ${includeFile};`,
    '}',
    '',
  ].join('\n');
}

export async function checkWithNginx(
  text: string,
  opts: { nginx: string; plan: Pick<NginxPlan, 'sources'> & Partial<Pick<NginxPlan, 'njs'>>; timeoutMs?: number },
): Promise<{ ok: boolean; message: string }> {
  assertNoCodeLoadingDirectives(text);
  const modules = await modulesFor(opts.nginx, opts.plan);
  const prefix = mkdtempSync(join(tmpdir(), 'kongc-check-'));
  try {
    mkdirSync(join(prefix, 'logs'));
    mkdirSync(join(prefix, 'tmp'));
    const include = join(prefix, 'kongc.conf');
    const conf = join(prefix, 'nginx.conf');
    writeFileSync(include, text);
    writeFileSync(conf, wrapperConfig(prefix, include, { modules }));
    // -e: nginx opens its compiled-in error log before reading the config unless told otherwise.
    const r = await runCommand(
      { argv: [opts.nginx, '-t', '-q', '-p', prefix, '-e', join(prefix, 'logs', 'error.log'), '-c', conf] },
      { timeoutMs: opts.timeoutMs ?? 60_000 },
    );
    if (r.ok) return { ok: true, message: r.output };
    return { ok: false, message: mapNginxMessage(r.output, { text, renderedPaths: [include], plan: opts.plan }) };
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

/** The `load_module` paths a plan needs in a wrapper config (njs with --with-njs); throws naming the package when missing. */
export async function modulesFor(nginx: string, plan: Partial<Pick<NginxPlan, 'njs'>>): Promise<string[]> {
  if (!plan.njs) return [];
  const path = await locateModule(nginx, NJS_MODULE);
  return path ? [path] : [];
}
