// Maps nginx's complaints about generated lines ("… in /etc/nginx/conf.d/kong.conf:123") back to
// the Kong entity that produced them, using the `# kongc: <kind> <key>` comments the renderer puts
// before every block and the plan's source table.
import type { NginxPlan } from '../plan/ir.js';
import { NJS_MODULE } from './nginx-modules.js';

const LOCATION = / in (\S+):(\d+)\s*$/;
// `nginx: [emerg] …` before nginx opened its error log, `2024/01/01 00:00:00 [emerg] 12#12: …` after.
const PREFIX = /^(?:nginx: |\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d )\[(?:emerg|alert|crit|error|warn|notice)\] (?:\d+#\d+: )?/;
const MARK = /^\s*# kongc: (\S+) (\S+)/;

/** The `# kongc:` comment at or above `line` (1-based) of the rendered text. */
export function entityAt(text: string, line: number): { kind: string; key: string } | null {
  const lines = text.split('\n');
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const m = MARK.exec(lines[i]);
    if (m) return { kind: m[1], key: m[2] };
  }
  return null;
}

/**
 * Rewrites nginx's output: each message that points into `renderedPath` becomes
 * `file:line:col: error: nginx rejected the configuration generated for <kind> <name>: <msg>`
 * (or, without a known entity, `<renderedPath>:<line>: error: <msg>`). Other lines that carry a
 * severity are kept; nginx's "test failed" trailer is dropped.
 */
export function mapNginxMessage(output: string, opts: { text: string; renderedPaths: string[]; plan: Pick<NginxPlan, 'sources'> }): string {
  const out: string[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.trimEnd();
    if (!line || /test failed$/.test(line) || /syntax is ok$/.test(line)) continue;
    const loc = LOCATION.exec(line);
    const message = line.replace(PREFIX, '').replace(LOCATION, '');
    if (!loc || !opts.renderedPaths.includes(loc[1])) {
      out.push(line);
      continue;
    }
    const at = Number(loc[2]);
    if (/unknown directive "js_/.test(message)) {
      // The host's nginx.conf does not load njs: no entity is at fault.
      out.push(`${loc[1]}:${at}: error: ${message}: the configuration was built --with-njs and this nginx does not load ngx_http_js_module; install it (Debian/Ubuntu: apt-get install ${NJS_MODULE.debianPackage}) and add \`load_module modules/${NJS_MODULE.file};\` to the main context of nginx.conf`);
      continue;
    }
    const entity = entityAt(opts.text, at);
    const source = entity ? opts.plan.sources[`${entity.kind}:${entity.key}`] : undefined;
    if (entity && source) {
      out.push(
        `${source.file}:${source.line}:${source.column}: error: nginx rejected the configuration generated for ${source.kind} ${source.name ?? entity.key}: ${message} (generated line ${at})`,
      );
    } else {
      out.push(`${loc[1]}:${at}: error: ${message}${entity ? ` (in ${entity.kind} ${entity.key})` : ''}`);
    }
  }
  return out.join('\n');
}
