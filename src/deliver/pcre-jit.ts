// nginx runs every route regex, raw-path check and upstream-path rewrite kongc writes through
// PCRE; with `pcre_jit on;` (main context, off by default) they run compiled, several times faster.
import { runCommand, type NginxInvocation } from './nginx-runner.js';

/** `pcre_jit on;` outside any block of the configuration `nginx -T` printed. */
export function pcreJitEnabled(dump: string): boolean {
  let depth = 0;
  for (const raw of dump.split('\n')) {
    const line = raw.replace(/#.*$/, '');
    if (depth === 0 && /^\s*pcre_jit\s+on\s*;/.test(line)) return true;
    for (const ch of line) {
      if (ch === '{') depth++;
      else if (ch === '}') depth = Math.max(0, depth - 1);
    }
    // `nginx -T` prints each file after a `# configuration file …:` line, starting at depth 0.
    if (/^# configuration file .*:$/.test(raw)) depth = 0;
  }
  return false;
}

/**
 * A warning when the host's nginx.conf (the one `nginx -T` reads, or `conf`) leaves pcre_jit off;
 * null when it is on, or when the configuration cannot be read (nothing to say then).
 */
export async function pcreJitWarning(inv: NginxInvocation): Promise<string | null> {
  const argv = [inv.nginx, ...(inv.prefix ? ['-p', inv.prefix] : []), ...(inv.conf ? ['-c', inv.conf] : []), '-T', '-q'];
  const r = await runCommand({ argv }, { timeoutMs: 30_000 });
  if (!r.ok || pcreJitEnabled(r.output)) return null;
  return `pcre_jit is off in ${inv.conf ?? "nginx's nginx.conf"}: add 'pcre_jit on;' to its main context, so that route regexes run compiled`;
}
