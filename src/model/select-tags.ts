// decK's --select-tag on a compiler: keep only the entities that carry every selected tag (an
// entity's tags include its file's `_info.select_tags`, as decK merges them). A kept entity that
// needs one left out (a route's service, a target's upstream, the upstream a service sends to)
// is an error: compiling it without its parent would change what it does.
import type { Diagnostic } from '../diagnostics.js';
import { diag } from '../load/source-map.js';
import type { KongState } from './types.js';

export function selectByTags(state: KongState, tags: readonly string[]): { state: KongState; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const carries = (e: { tags: string[] | null }) => tags.every((t) => e.tags?.includes(t));
  const selected = `--select-tag ${tags.join(', ')}`;
  const name = (e: { name?: string | null; id: string | null; order: number }) => `'${e.name ?? e.id ?? `#${e.order}`}'`;

  const services = state.services.filter(carries);
  const routes = state.routes.filter(carries);
  const upstreams = state.upstreams.filter(carries);
  const caCertificates = state.caCertificates.filter(carries);
  const certificates = state.certificates.filter(carries);
  const keptServices = new Set(services);
  const keptUpstreams = new Set(upstreams);

  for (const r of routes) {
    if (r.service && !keptServices.has(r.service)) {
      diagnostics.push(diag(r.src, 'error', 'select-tag', `route ${name(r)} is selected by ${selected}, but its service ${name(r.service)} is not`, `tag service ${name(r.service)} too, or take the tag off the route`));
    }
  }
  for (const u of state.upstreams) {
    const kept = u.targets.filter(carries);
    if (!keptUpstreams.has(u)) {
      for (const t of kept) diagnostics.push(diag(t.src, 'error', 'select-tag', `target '${t.target}' is selected by ${selected}, but its upstream '${u.name}' is not`, `tag upstream '${u.name}' too, or take the tag off the target`));
    } else u.targets = kept;
  }
  const leftOut = new Set(state.upstreams.filter((u) => !keptUpstreams.has(u)).map((u) => u.name));
  for (const u of upstreams) leftOut.delete(u.name);
  for (const s of services) {
    if (leftOut.has(s.host)) {
      diagnostics.push(diag(s.src, 'error', 'select-tag', `service ${name(s)} is selected by ${selected}, but upstream '${s.host}', which it sends to, is not`, `tag upstream '${s.host}' too, or take the tag off the service`));
    }
  }
  const first = state.services[0] ?? state.routes[0] ?? state.upstreams[0];
  if (first && !services.length && !routes.length && !upstreams.length) {
    diagnostics.push({ file: first.src.map.file, line: 0, column: 0, severity: 'error', code: 'select-tag', path: '', message: `no service, route or upstream carries ${tags.length > 1 ? 'all of the tags' : 'the tag'} ${tags.map((t) => `'${t}'`).join(', ')}`, hint: 'check the spelling; tags are case-sensitive' });
  }
  const consumers = state.consumers.filter(carries);
  const keptConsumers = new Set(consumers);
  const keptRoutes = new Set(routes);
  const plugins = state.plugins.filter(carries);
  for (const p of plugins) {
    const missing = [
      p.route && !keptRoutes.has(p.route) ? `route ${name(p.route)}` : null,
      p.service && !keptServices.has(p.service) ? `service ${name(p.service)}` : null,
      p.consumer && !keptConsumers.has(p.consumer) ? `consumer '${p.consumer.username ?? p.consumer.id}'` : null,
    ].filter((x): x is string => x !== null);
    if (missing.length) diagnostics.push(diag(p.src, 'error', 'select-tag', `plugin '${p.name}' is selected by ${selected}, but its ${missing.join(' and ')} is not`, 'tag them too, or take the tag off the plugin'));
  }
  return { state: { services, routes, upstreams, caCertificates, certificates, consumers, plugins }, diagnostics };
}
