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
import { locateModules, NJS_MODULE, STREAM_MODULE } from './nginx-modules.js';

export { assertNoCodeLoadingDirectives } from './nginx-directives.js';

/** The main config the include is tested in: every path nginx opens lies inside `prefix`. */
export function wrapperConfig(prefix: string, includeFile: string, opts: { foreground?: boolean; modules?: string[]; stream?: string } = {}): string {
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
    // The stream include (tcp, tls, udp routes), when there is one; its module is among `modules`.
    ...(opts.stream ? ['stream {', `  include ${opts.stream};`, '}'] : []),
    '',
  ].join('\n');
}

/**
 * `nginx -t` on the http include, and on the stream include (`stream`) in a stream {} block of the
 * same wrapper, with ngx_stream_module loaded when this nginx builds it as a dynamic module.
 */
export async function checkWithNginx(
  text: string,
  opts: { nginx: string; plan: Pick<NginxPlan, 'sources'> & Partial<Pick<NginxPlan, 'njs'>>; timeoutMs?: number; stream?: string },
): Promise<{ ok: boolean; message: string }> {
  assertNoCodeLoadingDirectives(text);
  if (opts.stream !== undefined) assertNoCodeLoadingDirectives(opts.stream);
  const modules = await modulesFor(opts.nginx, opts.plan, opts.stream !== undefined);
  const prefix = mkdtempSync(join(tmpdir(), 'kongc-check-'));
  try {
    mkdirSync(join(prefix, 'logs'));
    mkdirSync(join(prefix, 'tmp'));
    const include = join(prefix, 'kongc.conf');
    const streamInclude = opts.stream !== undefined ? join(prefix, 'kongc-stream.conf') : undefined;
    const conf = join(prefix, 'nginx.conf');
    writeFileSync(include, text);
    if (streamInclude) writeFileSync(streamInclude, opts.stream!);
    writeFileSync(conf, wrapperConfig(prefix, include, { modules, stream: streamInclude }));
    // -e: nginx opens its compiled-in error log before reading the config unless told otherwise.
    const r = await runCommand(
      { argv: [opts.nginx, '-t', '-q', '-p', prefix, '-e', join(prefix, 'logs', 'error.log'), '-c', conf] },
      { timeoutMs: opts.timeoutMs ?? 60_000 },
    );
    if (r.ok) return { ok: true, message: r.output };
    if (streamInclude && r.output.includes(streamInclude)) return { ok: false, message: mapNginxMessage(r.output, { text: opts.stream!, renderedPaths: [streamInclude], plan: opts.plan }) };
    return { ok: false, message: mapNginxMessage(r.output, { text, renderedPaths: [include], plan: opts.plan }) };
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

/**
 * The `load_module` paths a wrapper config needs: njs when the plan imports kongc's module
 * (--with-njs), the stream module for a stream include. Throws naming the package when missing.
 */
export async function modulesFor(nginx: string, plan: Partial<Pick<NginxPlan, 'njs'>>, stream: boolean): Promise<string[]> {
  return locateModules(nginx, [...(plan.njs ? [NJS_MODULE] : []), ...(stream ? [STREAM_MODULE] : [])]);
}
