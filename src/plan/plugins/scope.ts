// Which instance of a plugin runs for a request on a route (Kong's
// plugins_iterator lookup_cfg): the most specific enabled instance wins. Route, service and global
// levels are fixed per route; consumer levels are chosen at run time, per consumer.
import type { Consumer, Plugin, Route } from '../../model/types.js';

/** Kong's ranks, most specific first. */
function rank(p: Plugin, route: Route): number | null {
  const r = p.route === null ? null : p.route === route;
  const s = p.service === null ? null : p.service === route.service;
  if (r === false || s === false) return null;
  const c = p.consumer !== null;
  if (r && s && c) return 1;
  if (r && c) return 2;
  if (s && c) return 3;
  if (r && s) return 4;
  if (c) return 5;
  if (r) return 6;
  if (s) return 7;
  return 8;
}

export interface Selection {
  /** The instance for requests of any consumer without its own (route, service or global level). */
  fallback: Plugin | null;
  /** Consumer-level instances and the consumers each is chosen for. */
  byConsumer: Map<Plugin, Consumer[]>;
}

/** For one route: per plugin name, which instances run. `plugins` are enabled HTTP instances. */
export function selectForRoute(plugins: readonly Plugin[], route: Route): Map<string, Selection> {
  const best = new Map<string, { fallback: [number, Plugin] | null; consumer: Map<Consumer, [number, Plugin]> }>();
  for (const p of plugins) {
    const k = rank(p, route);
    if (k === null) continue;
    let entry = best.get(p.name);
    if (!entry) best.set(p.name, (entry = { fallback: null, consumer: new Map() }));
    if (p.consumer) {
      const prev = entry.consumer.get(p.consumer);
      if (!prev || k < prev[0]) entry.consumer.set(p.consumer, [k, p]);
    } else if (!entry.fallback || k < entry.fallback[0]) entry.fallback = [k, p];
  }
  const out = new Map<string, Selection>();
  for (const [name, entry] of best) {
    const byConsumer = new Map<Plugin, Consumer[]>();
    for (const [consumer, [k, p]] of entry.consumer) {
      // A consumer-only instance (5) loses to a route+service one (4).
      if (entry.fallback && entry.fallback[0] < k) continue;
      const list = byConsumer.get(p);
      if (list) list.push(consumer);
      else byConsumer.set(p, [consumer]);
    }
    out.set(name, { fallback: entry.fallback?.[1] ?? null, byConsumer });
  }
  return out;
}
