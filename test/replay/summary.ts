// One line per entity and per diagnostic: a replay outcome short enough to assert and to review.
import type { Diagnostic } from '../../src/diagnostics.js';

type Obj = Record<string, any>;

export function summarize(data: unknown): string[] {
  const d = data as Obj;
  const out: string[] = [];
  const route = (r: Obj) => `route ${r.name ?? '-'} ${JSON.stringify({ ...r, name: undefined, plugins: undefined })}${plugins(r.plugins)}`;
  const plugins = (ps: Obj[] | undefined) => (ps?.length ? ` plugins=${ps.map((p) => p.name).join(',')}` : '');
  for (const s of d.services ?? []) {
    out.push(`service ${s.name ?? '-'} ${s.protocol ?? 'http'}://${s.host}:${s.port ?? 80}${s.path ?? ''}${plugins(s.plugins)}`);
    for (const r of s.routes ?? []) out.push('  ' + route(r));
  }
  for (const r of d.routes ?? []) out.push(route(r));
  for (const u of d.upstreams ?? []) out.push(`upstream ${u.name} ${(u.targets ?? []).map((t: Obj) => `${t.target}w${t.weight ?? 100}`).join(' ')}`);
  for (const c of d.consumers ?? []) {
    const creds = Object.keys(c).filter((k) => k.endsWith('_credentials') || k === 'acls');
    out.push(`consumer ${c.username ?? c.custom_id}${plugins(c.plugins)}${creds.map((k) => ` ${k}=${c[k].length}`).join('')}`);
  }
  for (const c of d.certificates ?? []) out.push(`certificate snis=${(c.snis ?? []).map((s: Obj) => s.name).join(',')}`);
  for (const p of d.plugins ?? []) out.push(`plugin ${p.name}${p.service ? ' service=' + p.service : ''}${p.consumer ? ' consumer=' + p.consumer : ''}`);
  return out;
}

/** `line status` for calls Kong rejects (`12 409`), `line note` for the replayer's own notes. */
export function outcomes(ds: Diagnostic[]): string[] {
  return ds.map((d) => `${d.line} ${d.code === 'admin-api' ? (/→ (\d{3})/.exec(d.message)?.[1] ?? '?') : 'note'}`);
}
