// Values that are valid but one typo away from what was meant: a service host one edit from an
// upstream name is sent to DNS instead of to the upstream's targets. Warned, with the name.
import type { Diagnostic } from '../diagnostics.js';
import { child, diag } from '../load/source-map.js';
import type { KongState } from '../model/types.js';
import { closest } from '../suggest.js';

export function checkNearMisses(state: KongState): Diagnostic[] {
  const out: Diagnostic[] = [];
  const upstreams = new Set(state.upstreams.map((u) => u.name));
  if (!upstreams.size) return out;
  const near = new Map<string, string | null>();
  for (const s of state.services) {
    if (!s.host || upstreams.has(s.host)) continue;
    if (!near.has(s.host)) near.set(s.host, closest(s.host, upstreams, 1));
    const name = near.get(s.host);
    if (name) {
      out.push(diag(child(s.src, 'host'), 'warning', 'host-not-upstream', `service host '${s.host}' is not an upstream, so nginx resolves it by DNS; upstream '${name}' is one edit away`, `did you mean '${name}'?`));
    }
  }
  return out;
}
