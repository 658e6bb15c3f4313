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
import { streamModulePath } from './stream-module.js';

export { assertNoCodeLoadingDirectives } from './nginx-directives.js';

/** A stream include to test beside the http one, and the module to load for it (null: built in). */
export interface StreamWrapper {
  include: string;
  module: string | null;
}

/** The main config the include is tested in: every path nginx opens lies inside `prefix`. */
export function wrapperConfig(prefix: string, includeFile: string, opts: { foreground?: boolean; stream?: StreamWrapper } = {}): string {
  // nginx refuses `user` when not root; as root it would otherwise switch workers to `nobody`.
  const asRoot = process.getuid?.() === 0;
  const stream = opts.stream;
  return [
    ...(stream?.module ? [`load_module ${stream.module};`] : []),
    ...(asRoot ? ['user root;'] : []),
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
    ...(stream ? ['stream {', `  include ${stream.include};`, '}'] : []),
    '',
  ].join('\n');
}

/**
 * `nginx -t` on the http include, and on the stream include (`stream`) in a stream {} block of the
 * same wrapper, with ngx_stream_module loaded when this nginx builds it as a dynamic module.
 */
export async function checkWithNginx(
  text: string,
  opts: { nginx: string; plan: Pick<NginxPlan, 'sources'>; timeoutMs?: number; stream?: string },
): Promise<{ ok: boolean; message: string }> {
  assertNoCodeLoadingDirectives(text);
  if (opts.stream !== undefined) assertNoCodeLoadingDirectives(opts.stream);
  const module = opts.stream !== undefined ? await streamModulePath(opts.nginx, opts.timeoutMs) : null;
  const prefix = mkdtempSync(join(tmpdir(), 'kongc-check-'));
  try {
    mkdirSync(join(prefix, 'logs'));
    mkdirSync(join(prefix, 'tmp'));
    const include = join(prefix, 'kongc.conf');
    const streamInclude = join(prefix, 'kongc-stream.conf');
    const conf = join(prefix, 'nginx.conf');
    writeFileSync(include, text);
    if (opts.stream !== undefined) writeFileSync(streamInclude, opts.stream);
    writeFileSync(conf, wrapperConfig(prefix, include, opts.stream !== undefined ? { stream: { include: streamInclude, module } } : {}));
    // -e: nginx opens its compiled-in error log before reading the config unless told otherwise.
    const r = await runCommand(
      { argv: [opts.nginx, '-t', '-q', '-p', prefix, '-e', join(prefix, 'logs', 'error.log'), '-c', conf] },
      { timeoutMs: opts.timeoutMs ?? 60_000 },
    );
    if (r.ok) return { ok: true, message: r.output };
    if (opts.stream !== undefined && r.output.includes(streamInclude)) return { ok: false, message: mapNginxMessage(r.output, { text: opts.stream, renderedPaths: [streamInclude], plan: opts.plan }) };
    return { ok: false, message: mapNginxMessage(r.output, { text, renderedPaths: [include], plan: opts.plan }) };
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}
