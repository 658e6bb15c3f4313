// `kongc explain`'s answer in words: the route and why, the routes that lost, what goes upstream.
import type { Explanation } from './explain.js';

export function formatExplanation(e: Explanation): string {
  const lines: string[] = [];
  const host = e.request.host === null ? 'no Host header' : `Host: ${e.request.host}`;
  const sni = e.request.sni === undefined ? '' : `, ${e.request.sni === null ? 'no SNI' : `SNI: ${e.request.sni}`}`;
  lines.push(`${e.request.method} ${e.request.target} (${host}${sni})`);
  if (e.route) {
    const path = e.route.path === null ? 'no path' : `path ${e.route.path}`;
    const winner = e.tried[e.tried.length - 1]!;
    lines.push(`  route:     '${e.route.name}' (${path}; matched on ${winner.why}; Kong priority ${winner.priority})`);
  } else lines.push('  route:     none matches');
  const lost = e.tried.filter((t) => t.failed !== null);
  for (const t of lost) lines.push(`  tried:     '${t.route}' (${t.why}, priority ${t.priority}): ${t.failed}`);
  if (e.notCandidates > 0) lines.push(`  others:    ${e.notCandidates} route${e.notCandidates === 1 ? '' : 's'} cannot match here (their paths or hosts exclude this request)`);
  const a = e.answer;
  if (a.kind === 'proxy') {
    lines.push(`  upstream:  ${a.method} ${a.uri}`);
    lines.push(`             Host: ${a.host}`);
    if (e.route) lines.push(`             (strip_path ${e.route.strip_path}, preserve_host ${e.route.preserve_host}${e.route.service ? `, service '${e.route.service}'` : ''})`);
    lines.push(`  balancer:  ${a.upstream}${a.targets.length ? `: ${a.targets.join(', ')}` : ''}`);
  } else if (a.kind === 'error') lines.push(`  answer:    ${a.status} ${a.message}`);
  else lines.push(`  answer:    ${a.status} redirect to ${a.location}`);
  if (e.plugins.length) for (const p of e.plugins) lines.push(`  plugin:    ${p}`);
  if (e.nginx.location) {
    lines.push(`  nginx:     $uri ${e.nginx.uri}; ${e.nginx.vhost === null ? 'no route host' : `virtual host ${e.nginx.vhost}`}; location ^~ ${JSON.stringify(e.nginx.location)}${e.nginx.block && !e.nginx.block.startsWith('location') ? ` → ${e.nginx.block}` : ''}`);
  }
  for (const u of e.unknown) lines.push(`  note:      not evaluated here: ${u}`);
  return lines.join('\n') + '\n';
}
