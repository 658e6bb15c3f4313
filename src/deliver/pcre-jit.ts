// nginx runs every route regex and upstream-path rewrite kongc writes through PCRE; with
// `pcre_jit on;` (main context, off by default) they run compiled, several times faster.
//
// The configuration is read as files, not through `nginx -T`: a test run of nginx truncates the
// pid file of the nginx that is running with that configuration (ngx_create_pidfile in test mode),
// after which `nginx -s reload` cannot find the master.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { runCommand, type NginxInvocation } from './nginx-runner.js';

/** `pcre_jit on;` in the main context of `text`, or of a file it includes there. */
export function pcreJitEnabled(text: string, include: (pattern: string) => string[] = () => []): boolean {
  let depth = 0;
  for (const statement of statements(text)) {
    if (statement === '{') depth++;
    else if (statement === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      if (/^pcre_jit\s+on$/.test(statement)) return true;
      const inc = /^include\s+(\S+)$/.exec(statement);
      if (inc && include(inc[1]!.replace(/^["']|["']$/g, '')).some((t) => pcreJitEnabled(t))) return true;
    }
  }
  return false;
}

/** Directives and braces, comments removed (enough for main-context directives). */
function* statements(text: string): Generator<string> {
  let current = '';
  for (const line of text.split('\n')) {
    for (const ch of line.replace(/#.*$/, '')) {
      if (ch === ';') {
        if (current.trim()) yield current.trim().replace(/\s+/g, ' ');
        current = '';
      } else if (ch === '{' || ch === '}') {
        if (ch === '{' && current.trim()) yield current.trim();
        current = '';
        yield ch;
      } else current += ch;
    }
    current += ' ';
  }
}

/**
 * A warning when the host's nginx.conf (`conf`, else the one nginx was built to read) leaves
 * pcre_jit off; null when it is on, or when the configuration cannot be read.
 */
export async function pcreJitWarning(inv: NginxInvocation): Promise<string | null> {
  let conf = inv.conf;
  let prefix = inv.prefix;
  if (!conf || !prefix) {
    const v = await runCommand({ argv: [inv.nginx, '-V'] }, { timeoutMs: 10_000 });
    conf ??= /--conf-path=(\S+)/.exec(v.output)?.[1] ?? '/etc/nginx/nginx.conf';
    prefix ??= /--prefix=(\S+)/.exec(v.output)?.[1] ?? '/etc/nginx';
  }
  const path = isAbsolute(conf) ? conf : join(prefix, conf);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const base = dirname(path);
  const include = (pattern: string): string[] => {
    const full = isAbsolute(pattern) ? pattern : join(base, pattern);
    const dir = dirname(full);
    const glob = new RegExp(`^${basename(full).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    try {
      const files = full.includes('*') || full.includes('?') ? readdirSync(dir).filter((f) => glob.test(f)).map((f) => join(dir, f)) : existsSync(full) ? [full] : [];
      return files.map((f) => readFileSync(f, 'utf8'));
    } catch {
      return [];
    }
  };
  if (pcreJitEnabled(text, include)) return null;
  return `pcre_jit is off in ${path}: add 'pcre_jit on;' to its main context, so that route regexes run compiled`;
}
