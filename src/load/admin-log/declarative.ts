// Replayed Admin API state → Kong declarative data (`_format_version: "3.0"`): children nested under
// their parent (services → routes → plugins, upstreams → targets, consumers → plugins/credentials,
// certificates → snis), creation order, only fields that differ from Kong's defaults, and a SourceMap
// whose pointers name the log line of the call that last set each entity and field.
import { escapePointer, SourceMap } from '../source-map.js';
import { isObject, KINDS, type Kind } from './schema.js';
import type { AdminApi, At, Row } from './simulator.js';

type Obj = Record<string, unknown>;

const CREDENTIAL_KINDS: Kind[] = ['keyauth_credentials', 'basicauth_credentials', 'acls', 'jwt_secrets', 'hmacauth_credentials', 'oauth2_credentials'];
const SKIP_FIELDS = new Set(['id', 'created_at', 'updated_at', 'url', 'snis']);

export function toDeclarative(api: AdminApi, file: string, keepIds: boolean): { data: Obj; map: SourceMap } {
  const map = new SourceMap(file);
  const mark = (pointer: string, at: At) => map.set(pointer, at.line, at.column);
  map.set('', 1, 1);
  const rows = api.rows;
  const refCount = (r: Row) => Object.keys(r.refs).length;
  // A top-level plugin names its entities by endpoint key, or by id when they have none: those must keep it.
  const needsId = new Set<Row>();
  const topPlugins = rows.plugins.filter((p) => refCount(p) !== 1);
  for (const p of topPlugins) for (const r of Object.values(p.refs)) if (!endpointKey(r!)) needsId.add(r!);
  // A client certificate (mutual TLS) is named by id: the certificate keeps it.
  for (const r of [...rows.services, ...rows.upstreams]) if (r.refs.client_certificate) needsId.add(r.refs.client_certificate);

  const entity = (row: Row, pointer: string): Obj => {
    const def = KINDS[row.kind];
    const out: Obj = {};
    mark(pointer, row.at);
    if (keepIds || needsId.has(row)) {
      out.id = row.id;
      mark(`${pointer}/id`, row.at);
    }
    const defaults = def.defaults(row.fields);
    for (const field of Object.keys(def.fields)) {
      if (SKIP_FIELDS.has(field) || def.fields[field]!.t === 'foreign') continue;
      const value = prune(row.fields[field], defaults[field]);
      if (value === undefined) continue;
      out[field] = value;
      const at = row.fieldAt.get(field) ?? row.at;
      mark(`${pointer}/${escapePointer(field)}`, at);
      if (Array.isArray(value)) value.forEach((_v, i) => mark(`${pointer}/${escapePointer(field)}/${i}`, at));
    }
    const clientCertificate = row.refs.client_certificate;
    if (clientCertificate) {
      out.client_certificate = clientCertificate.id;
      mark(`${pointer}/client_certificate`, row.fieldAt.get('client_certificate') ?? row.at);
    }
    return out;
  };
  const nest = (parent: Obj, pointer: string, key: string, children: Row[], build: (row: Row, p: string) => Obj) => {
    if (!children.length) return;
    parent[key] = children.map((c, i) => build(c, `${pointer}/${key}/${i}`));
  };
  const pluginsOf = (fk: keyof Row['refs'], owner: Row) => rows.plugins.filter((p) => refCount(p) === 1 && p.refs[fk] === owner);
  const route = (r: Row, p: string): Obj => {
    const out = entity(r, p);
    nest(out, p, 'plugins', pluginsOf('route', r), entity);
    return out;
  };

  const data: Obj = { _format_version: '3.0' };
  map.set('/_format_version', 1, 1);
  const top = (key: string, list: Row[], build: (row: Row, p: string) => Obj) => {
    if (list.length) data[key] = list.map((r, i) => build(r, `/${key}/${i}`));
  };
  top('services', rows.services, (s, p) => {
    const out = entity(s, p);
    nest(out, p, 'routes', rows.routes.filter((r) => r.refs.service === s), route);
    nest(out, p, 'plugins', pluginsOf('service', s), entity);
    return out;
  });
  top('routes', rows.routes.filter((r) => !r.refs.service), route);
  top('upstreams', rows.upstreams, (u, p) => {
    const out = entity(u, p);
    nest(out, p, 'targets', rows.targets.filter((t) => t.refs.upstream === u), entity);
    return out;
  });
  top('consumers', rows.consumers, (c, p) => {
    const out = entity(c, p);
    nest(out, p, 'plugins', pluginsOf('consumer', c), entity);
    for (const k of CREDENTIAL_KINDS) nest(out, p, k, rows[k].filter((x) => x.refs.consumer === c), entity);
    return out;
  });
  top('certificates', rows.certificates, (c, p) => {
    const out = entity(c, p);
    nest(out, p, 'snis', rows.snis.filter((s) => s.refs.certificate === c), entity);
    return out;
  });
  top('ca_certificates', rows.ca_certificates, entity);
  top('plugins', topPlugins, (pl, p) => {
    const out = entity(pl, p);
    for (const fk of ['service', 'route', 'consumer'] as const) {
      const r = pl.refs[fk];
      if (!r) continue;
      out[fk] = endpointKey(r) ?? r.id;
      mark(`${p}/${fk}`, pl.fieldAt.get(fk) ?? pl.at);
    }
    return out;
  });
  return { data, map };
}

/** The name a declarative file can use to refer to the entity (name, username), if it has one. */
function endpointKey(r: Row): string | null {
  const key = KINDS[r.kind].key;
  const v = key ? r.fields[key] : undefined;
  return typeof v === 'string' ? v : null;
}

/** The value without the parts equal to Kong's defaults; undefined when nothing is left. */
function prune(value: unknown, dflt: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (isObject(value) && isObject(dflt)) {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) {
      const p = prune(v, dflt[k]);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return JSON.stringify(value) === JSON.stringify(dflt) ? undefined : value;
}
