// A faithful, in-memory Kong 3.x Admin API: endpoints, POST/PUT/PATCH/DELETE semantics,
// foreign keys, unique constraints, defaults, and Kong's status codes and messages for rejected calls.
import { mergeDeep, UUID } from '../../values.js';
import { parseServiceUrl } from '../../kong/service-url.js';
import { TARGET_DEFAULTS } from '../../kong/defaults.js';
import { parseTarget } from '../../kong/target-address.js';
import { decodeFormPairs } from './form.js';
import { pluginConfigType } from './plugin-fields.js';
import { CREDENTIAL_ENDPOINTS, infer, isObject, KINDS, schemaViolation, validateField, type FieldErrors, type Kind } from './schema.js';

export interface At {
  line: number;
  column: number;
}

export interface Row {
  kind: Kind;
  id: string;
  /** Stored fields with Kong's defaults applied; foreign keys live in `refs`. */
  fields: Record<string, unknown>;
  refs: Partial<Record<'service' | 'route' | 'consumer' | 'upstream' | 'certificate' | 'client_certificate', Row>>;
  /** Call that last changed each field, and the entity as a whole. */
  fieldAt: Map<string, At>;
  at: At;
  /** Creation number: a stable identity for composite unique keys. */
  seq: number;
}

/** A request body as the Admin API receives it. */
export type Input = { form: true; pairs: [string, string][] } | { form: false; value: unknown } | { form: false; error: string };

export interface Outcome {
  status: number;
  /** Kong's message for a rejected call. */
  message?: string;
  hint?: string;
  /** Accepted, but worth telling (DELETE of nothing, …). */
  note?: string;
  /** The entity a POST/PUT created (for learning its id from a recorded response). */
  created?: Row;
  /** A 409: the entity that already holds the unique key, and the fields the refused call would have written. */
  conflict?: { existing: Row; fields: Record<string, unknown> };
}

const TOP: Record<string, Kind> = {
  services: 'services', routes: 'routes', upstreams: 'upstreams', consumers: 'consumers', plugins: 'plugins',
  certificates: 'certificates', snis: 'snis', ca_certificates: 'ca_certificates',
};
/** Nested collections: parent kind → URL segment → child kind, and the child's foreign key to the parent. */
const NESTED: Partial<Record<Kind, Record<string, Kind>>> = {
  services: { routes: 'routes', plugins: 'plugins' },
  routes: { plugins: 'plugins' },
  consumers: { plugins: 'plugins', ...CREDENTIAL_ENDPOINTS },
  upstreams: { targets: 'targets' },
  certificates: { snis: 'snis' },
};
const FK_OF: Partial<Record<Kind, keyof Row['refs']>> = { services: 'service', routes: 'route', consumers: 'consumer', upstreams: 'upstream', certificates: 'certificate' };
/** Read-only endpoints that exist but change nothing. */
const READ_ONLY = new Set(['status', 'tags', 'schemas', 'config', 'endpoints', 'timers', 'clustering', 'debug', 'key-auths', 'basic-auths', 'acls', 'jwts', 'hmac-auths', 'oauth2', 'oauth2_tokens', 'vaults', 'consumer_groups', 'keys', 'key-sets']);

/** The service fields the `url` shorthand sets. */
const URL_FIELDS = ['protocol', 'host', 'port', 'path'];
const NOT_FOUND: Outcome = { status: 404, message: 'Not found' };
const NOT_ALLOWED: Outcome = { status: 405, message: 'Method not allowed' };

export class AdminApi {
  /** Every kind's rows (a kind added to Kind must be added here). */
  readonly rows: Record<Kind, Row[]> = {
    services: [], routes: [], upstreams: [], targets: [], consumers: [], plugins: [], certificates: [], snis: [], ca_certificates: [],
    keyauth_credentials: [], basicauth_credentials: [], acls: [], jwt_secrets: [], hmacauth_credentials: [], oauth2_credentials: [],
  };
  private generated = 0;
  private created = 0;
  /** Unique keys (`services|name|"x"`, `targets|<upstream seq>|"h:p"`) → row; ids → row. Keeps long logs linear. */
  private readonly uniqueIndex = new Map<string, Row>();
  private readonly ids = new Map<string, Row>();

  /** Replays one call. `path` is the URL path (query already removed). */
  handle(method: string, path: string, input: Input, at: At): Outcome {
    const segs = path.split('/').filter(Boolean).map(decodeSegment);
    if (segs.length === 0) return method === 'GET' || method === 'HEAD' ? { status: 200 } : NOT_ALLOWED;
    const [a, b, c, d] = segs as [string, string?, string?, string?];
    if (a === 'apis') {
      return { status: 404, message: 'Not found', hint: "Kong 0.x '/apis' endpoint, removed in Kong 1.0: kongc cannot replay it; rewrite the call as /services and /routes" };
    }
    const kind = TOP[a];
    if (!kind) return READ_ONLY.has(a) && method === 'GET' ? { status: 200 } : notFound(a, Object.keys(TOP), '/');
    const read = method === 'GET' || method === 'HEAD';

    if (segs.length === 1) {
      if (read) return { status: 200 };
      return method === 'POST' ? this.create(kind, input, {}, at) : NOT_ALLOWED;
    }
    const row = this.find(kind, b!);
    if (segs.length === 2) {
      if (read) return row ? { status: 200 } : NOT_FOUND;
      if (method === 'PUT') return this.upsert(kind, b!, row, input, {}, at);
      if (method === 'PATCH') return row ? this.update(row, input, at) : NOT_FOUND;
      if (method === 'DELETE') return row ? this.remove(row) : { status: 204, note: `nothing deleted: no ${KINDS[kind].one} '${b}'${placeholder(b!) ? ` (${placeholder(b!)})` : ''}` };
      return NOT_ALLOWED;
    }
    if (!row) {
      const hint = placeholder(b!);
      return hint ? { ...NOT_FOUND, hint } : NOT_FOUND;
    }
    const childKind = NESTED[kind]?.[c!];
    if (!childKind) {
      // `/routes/{r}/service`, `/upstreams/{u}/health`, `/upstreams/{u}/targets/all`: readable, not replayed.
      if (read) return { status: 200 };
      if (method === 'DELETE' && segs.length === 3) return NOT_ALLOWED;
      return notFound(c!, Object.keys(NESTED[kind] ?? {}), `/${a}/${b}/`);
    }
    const fk = FK_OF[kind]!;
    if (segs.length === 3) {
      if (read) return { status: 200 };
      return method === 'POST' ? this.create(childKind, input, { [fk]: row }, at) : NOT_ALLOWED;
    }
    const child = this.find(childKind, d!, row);
    if (segs.length === 4) {
      if (read) return child ? { status: 200 } : NOT_FOUND;
      if (method === 'PUT') return this.upsert(childKind, d!, child, input, { [fk]: row }, at);
      if (method === 'PATCH') return child ? this.update(child, input, at, { [fk]: row }) : NOT_FOUND;
      if (method === 'DELETE') return child ? this.remove(child) : { status: 204, note: `nothing deleted: no ${KINDS[childKind].one} '${d}'` };
      return NOT_ALLOWED;
    }
    // `/upstreams/{u}/targets/{t}/healthy|unhealthy[/{address}]`: health state, not configuration.
    if (childKind === 'targets' && method === 'POST' && /^(un)?healthy$/.test(segs[segs.length - 1]!)) return child ? { status: 204 } : NOT_FOUND;
    return read ? (child ? { status: 200 } : NOT_FOUND) : NOT_FOUND;
  }

  /** Entity by id or endpoint key; nested lookups only see the parent's children. */
  find(kind: Kind, key: string, parent?: Row): Row | undefined {
    const def = KINDS[kind];
    const owned = (r: Row | undefined) => (r && r.kind === kind && (!parent || Object.values(r.refs).includes(parent)) ? r : undefined);
    if (UUID.test(key)) return owned(this.ids.get(key.toLowerCase()));
    if (!def.key) return undefined;
    if (kind === 'targets') return parent ? owned(this.uniqueIndex.get(targetKey(parent, formatTarget(key)))) : undefined;
    if (def.unique.includes(def.key)) return owned(this.uniqueIndex.get(uniqueKey(kind, def.key, key)));
    return this.rows[kind].find((r) => r.fields[def.key!] === key && owned(r));
  }

  findById(id: string): Row | undefined {
    return this.ids.get(id.toLowerCase());
  }

  /** Gives a row the id Kong reported for it (learned from a recorded response). */
  setId(row: Row, id: string): void {
    this.ids.delete(row.id.toLowerCase());
    row.id = id;
    this.ids.set(id.toLowerCase(), row);
  }

  private create(kind: Kind, input: Input, forced: Row['refs'], at: At): Outcome {
    const built = this.build(kind, input, forced, undefined);
    if ('status' in built) return built;
    const bodyId = built.given.id;
    let id: string;
    if (typeof bodyId === 'string') {
      if (!UUID.test(bodyId)) return { status: 400, message: schemaViolation([], new Map([['id', 'expected a valid UUID']])) };
      if (this.findById(bodyId)) return { status: 400, message: `primary key violation on key '{id="${bodyId}"}'` };
      id = bodyId;
    } else id = this.newId();
    const conflict = this.uniqueConflict(kind, built.fields, built.refs, undefined);
    if (conflict) return conflict;
    const row = this.store(kind, id, built, at);
    const snis = this.createSnis(row, built.fields, at);
    if (snis) return snis;
    return { status: 201, created: row };
  }

  /** PUT: the body is a whole new entity; the URL key wins over the body; an existing row keeps its id. */
  private upsert(kind: Kind, key: string, existing: Row | undefined, input: Input, forced: Row['refs'], at: At): Outcome {
    const def = KINDS[kind];
    const keyIsId = UUID.test(key);
    if (!keyIsId && !def.key) return NOT_FOUND;
    const built = this.build(kind, input, forced, keyIsId ? { id: key } : { [def.key!]: kind === 'targets' ? formatTarget(key) : key });
    if ('status' in built) return built;
    const conflict = this.uniqueConflict(kind, built.fields, built.refs, existing);
    if (conflict) return conflict;
    if (existing) {
      this.unindex(existing);
      existing.fields = built.fields;
      existing.refs = built.refs;
      existing.fieldAt = new Map(Object.keys(built.given).flatMap((k) => (k === 'url' ? URL_FIELDS : [k]).map((f) => [f, at] as const)));
      existing.at = at;
      this.index(existing);
      return { status: 200 };
    }
    if (keyIsId && this.findById(key)) return { status: 400, message: `primary key violation on key '{id="${key}"}'` };
    const row = this.store(kind, keyIsId ? key : this.newId(), built, at);
    const snis = this.createSnis(row, built.fields, at);
    return snis ?? { status: 200, created: row };
  }

  /** PATCH: only the given fields change; records (config, healthchecks) merge. */
  private update(row: Row, input: Input, at: At, forced: Row['refs'] = {}): Outcome {
    const parsed = this.parseInput(row.kind, input, row.fields.name);
    if ('status' in parsed) return parsed;
    const merged: Record<string, unknown> = { ...row.fields };
    const given = parsed.value;
    const { refs, error } = this.resolveRefs(row.kind, given, { ...row.refs, ...forced });
    if (error) return error;
    for (const [k, v] of Object.entries(given)) {
      if (KINDS[row.kind].fields[k]?.t === 'foreign') continue;
      merged[k] = isObject(v) && isObject(merged[k]) ? mergeDeep(merged[k] as Record<string, unknown>, v) : v;
    }
    const shaped = this.shape(row.kind, merged, given);
    if ('rejected' in shaped) return shaped.rejected;
    const conflict = this.uniqueConflict(row.kind, shaped.fields, refs, row);
    if (conflict) return conflict;
    this.unindex(row);
    row.fields = shaped.fields;
    row.refs = refs;
    this.index(row);
    for (const k of Object.keys(given)) for (const f of k === 'url' ? URL_FIELDS : [k]) row.fieldAt.set(f, at);
    row.at = at;
    return { status: 200 };
  }

  private remove(row: Row): Outcome {
    if (row.kind === 'services' && this.rows.routes.some((r) => r.refs.service === row)) {
      return { status: 400, message: "an existing 'routes' entity references this 'services' entity" };
    }
    const doomed = new Set<Row>([row]);
    // Cascades: plugins of a service/route/consumer, targets of an upstream, SNIs of a certificate, credentials.
    for (let grew = true; grew; ) {
      grew = false;
      for (const list of Object.values(this.rows)) {
        for (const r of list) {
          if (!doomed.has(r) && Object.values(r.refs).some((p) => doomed.has(p!)) && r.kind !== 'routes') {
            doomed.add(r);
            grew = true;
          }
        }
      }
    }
    for (const r of doomed) this.unindex(r);
    for (const k of Object.keys(this.rows) as Kind[]) this.rows[k] = this.rows[k].filter((r) => !doomed.has(r));
    return { status: 204 };
  }

  /** Body → validated entity fields (defaults applied) and resolved references. */
  private build(kind: Kind, input: Input, forced: Row['refs'], urlKey: Record<string, unknown> | undefined): { fields: Record<string, unknown>; refs: Row['refs']; given: Record<string, unknown> } | Outcome {
    const parsed = this.parseInput(kind, input);
    if ('status' in parsed) return parsed;
    const given = { ...parsed.value, ...(urlKey ?? {}) };
    const { refs, error } = this.resolveRefs(kind, given, forced);
    if (error) return error;
    const def = KINDS[kind];
    const plain = Object.fromEntries(Object.entries(given).filter(([k, v]) => v !== null && def.fields[k]?.t !== 'foreign'));
    const defaults = def.defaults(plain);
    const fields: Record<string, unknown> = { ...defaults };
    for (const [k, v] of Object.entries(plain)) fields[k] = isObject(v) && isObject(defaults[k]) ? mergeDeep(defaults[k] as Record<string, unknown>, v) : v;
    const shaped = this.shape(kind, fields, given);
    if ('rejected' in shaped) return shaped.rejected;
    return { fields: shaped.fields, refs, given };
  }

  /** Body → plain object; form bodies decoded and typed per the schema like Kong's arguments decoder. */
  private parseInput(kind: Kind, input: Input, pluginName?: unknown): { value: Record<string, unknown> } | Outcome {
    if ('error' in input) return { status: 400, message: input.error };
    const def = KINDS[kind];
    if (input.form) {
      const decoded = decodeFormPairs(input.pairs);
      // A plugin's config is typed by that plugin's schema (the name given, else the stored plugin's).
      const fields = kind === 'plugins' ? { ...def.fields, config: pluginConfigType(typeof decoded.name === 'string' ? decoded.name : pluginName) } : def.fields;
      return { value: infer(decoded, { t: 'record', fields }) as Record<string, unknown> };
    }
    if (input.value === undefined || input.value === null) return { value: {} };
    if (!isObject(input.value)) return { status: 400, message: schemaViolation([], new Map([['@entity', 'expected an input table']])) };
    return { value: input.value };
  }

  /** Foreign keys: `service.id=…`, `service.name=…`, `{"service":{"id":…}}`; the URL's parent wins. */
  private resolveRefs(kind: Kind, given: Record<string, unknown>, forced: Row['refs']): { refs: Row['refs']; error?: Outcome } {
    const def = KINDS[kind];
    const refs: Row['refs'] = { ...forced };
    for (const [field, t] of Object.entries(def.fields)) {
      if (t.t !== 'foreign' || !(field in given) || field in forced) continue;
      const fk = field as keyof Row['refs'];
      const v = given[field];
      if (v === null) {
        delete refs[fk];
        continue;
      }
      if (!isObject(v)) return { refs, error: { status: 400, message: schemaViolation([], new Map([[field, 'expected a record']])) } };
      const parentKind = t.ref;
      if (typeof v.id === 'string') {
        const hit = this.rows[parentKind].find((r) => r.id.toLowerCase() === String(v.id).toLowerCase());
        if (!hit) {
          return {
            refs,
            error: {
              status: 400,
              message: `the foreign key '{id="${v.id}"}' does not reference an existing '${parentKind}' entity.`,
              hint: `no ${KINDS[parentKind].one} with this id was created earlier in the log, nor shown in a recorded response; refer to it by name (${field}.${KINDS[parentKind].key}=…)`,
            },
          };
        }
        refs[fk] = hit;
        continue;
      }
      const keyField = KINDS[parentKind].key;
      const keyValue = keyField ? v[keyField] : undefined;
      if (typeof keyValue !== 'string') return { refs, error: { status: 400, message: schemaViolation([], new Map([[`${field}.id`, 'missing primary key']])) } };
      const hit = this.find(parentKind, keyValue);
      if (!hit || UUID.test(keyValue)) {
        if (hit) {
          refs[fk] = hit;
          continue;
        }
        return {
          refs,
          error: {
            status: 400,
            message: `foreign key unresolved (${field}.${keyField}: the foreign key cannot be resolved with '{${keyField}="${keyValue}"}' for an existing '${parentKind}' entity)`,
          },
        };
      }
      refs[fk] = hit;
    }
    return { refs };
  }

  /** Shorthands (service url, upstream hash_on/algorithm), target normalization, then validation. */
  private shape(kind: Kind, fields: Record<string, unknown>, given: Record<string, unknown>): { fields: Record<string, unknown> } | { rejected: Outcome } {
    const def = KINDS[kind];
    const out = { ...fields };
    const errors: FieldErrors = new Map();
    if (kind === 'services' && 'url' in out) {
      const url = out.url;
      delete out.url;
      if (typeof url === 'string') {
        const parsed = parseServiceUrl(url);
        if ('error' in parsed) errors.set('url', parsed.error);
        else Object.assign(out, { protocol: parsed.protocol, host: parsed.host, port: parsed.port, path: parsed.path });
      } else if (url !== null) errors.set('url', 'expected a string');
    }
    if (kind === 'upstreams') {
      if (typeof given.hash_on === 'string' && given.algorithm === undefined) out.algorithm = given.hash_on === 'none' ? 'round-robin' : 'consistent-hashing';
      if ((given.algorithm === 'least-connections' || given.algorithm === 'latency') && given.hash_on === undefined) out.hash_on = 'none';
    }
    if (kind === 'targets' && typeof out.target === 'string') {
      const formatted = formatTarget(out.target);
      if (formatted !== null) out.target = formatted;
    }
    for (const k of Object.keys(given)) if (!def.fields[k]) errors.set(k, 'unknown field');
    for (const [k, v] of Object.entries(out)) {
      const t = def.fields[k];
      if (!t || t.t === 'foreign') continue;
      if (v === null) delete out[k];
      else validateField(k, v, t, def.validators[k], errors);
    }
    for (const r of def.required) if (out[r] === undefined || out[r] === null) errors.set(r, 'required field missing');
    const entity = errors.size ? [] : (def.check?.(out) ?? []);
    if (errors.size || entity.length) return { rejected: { status: 400, message: schemaViolation(entity, errors) } };
    delete out.id;
    delete out.created_at;
    delete out.updated_at;
    return { fields: out };
  }

  /** Kong's unique constraints for an entity with these fields: index key and the 409 Kong would answer. */
  private uniqueKeys(kind: Kind, fields: Record<string, unknown>, refs: Row['refs']): { key: string; conflict: Outcome }[] {
    const keys: { key: string; conflict: Outcome }[] = [];
    for (const u of KINDS[kind].unique) {
      const v = fields[u];
      if (typeof v === 'string' || typeof v === 'number') keys.push({ key: uniqueKey(kind, u, v), conflict: { status: 409, message: `UNIQUE violation detected on '{${u}=${lua(v)}}'` } });
    }
    if (kind === 'targets' && refs.upstream) {
      keys.push({
        key: targetKey(refs.upstream, String(fields.target)),
        conflict: { status: 409, message: `UNIQUE violation detected on '{target=${lua(fields.target)}}'`, hint: 'Kong 3.x keeps one row per target: change its weight with PATCH or PUT /upstreams/{upstream}/targets/{target} (posting it again only worked in Kong < 2.2)' },
      });
    }
    if (kind === 'plugins') {
      const ref = (r: Row | undefined) => (r ? `{id="${r.id}"}` : 'null');
      const seq = (r: Row | undefined) => (r ? r.seq : '-');
      keys.push({
        key: `plugins|${JSON.stringify(fields.name)}|${seq(refs.service)}|${seq(refs.route)}|${seq(refs.consumer)}`,
        conflict: { status: 409, message: `UNIQUE violation detected on '{consumer=${ref(refs.consumer)},name=${lua(fields.name)},route=${ref(refs.route)},service=${ref(refs.service)}}'` },
      });
    }
    return keys;
  }

  private uniqueConflict(kind: Kind, fields: Record<string, unknown>, refs: Row['refs'], self: Row | undefined): Outcome | null {
    for (const { key, conflict } of this.uniqueKeys(kind, fields, refs)) {
      const hit = this.uniqueIndex.get(key);
      if (hit && hit !== self) return { ...conflict, conflict: { existing: hit, fields } };
    }
    return null;
  }

  private index(row: Row): void {
    this.ids.set(row.id.toLowerCase(), row);
    for (const { key } of this.uniqueKeys(row.kind, row.fields, row.refs)) this.uniqueIndex.set(key, row);
  }

  private unindex(row: Row): void {
    if (this.ids.get(row.id.toLowerCase()) === row) this.ids.delete(row.id.toLowerCase());
    for (const { key } of this.uniqueKeys(row.kind, row.fields, row.refs)) if (this.uniqueIndex.get(key) === row) this.uniqueIndex.delete(key);
  }

  private store(kind: Kind, id: string, built: { fields: Record<string, unknown>; refs: Row['refs']; given: Record<string, unknown> }, at: At): Row {
    const fieldAt = new Map<string, At>();
    for (const k of Object.keys(built.given)) for (const f of k === 'url' ? URL_FIELDS : [k]) fieldAt.set(f, at);
    const row: Row = { kind, id, fields: built.fields, refs: built.refs, fieldAt, at, seq: ++this.created };
    this.rows[kind].push(row);
    this.index(row);
    return row;
  }

  /** `snis` on a certificate is an Admin API convenience: it creates SNI entities. */
  private createSnis(cert: Row, fields: Record<string, unknown>, at: At): Outcome | null {
    const snis = fields.snis;
    if (cert.kind !== 'certificates' || !Array.isArray(snis)) return null;
    delete cert.fields.snis;
    for (const name of snis as string[]) {
      if (this.uniqueIndex.has(uniqueKey('snis', 'name', name))) {
        this.unindex(cert);
        this.rows.certificates = this.rows.certificates.filter((c) => c !== cert);
        return { status: 409, message: `UNIQUE violation detected on '{name=${lua(name)}}'` };
      }
    }
    for (const name of snis as string[]) {
      const sni: Row = { kind: 'snis', id: this.newId(), fields: { name }, refs: { certificate: cert }, fieldAt: new Map([['name', at]]), at, seq: ++this.created };
      this.rows.snis.push(sni);
      this.index(sni);
    }
    return null;
  }

  /** Deterministic ids (no randomness in output): a counter in UUID shape. */
  private newId(): string {
    this.generated++;
    return `00000000-0000-4000-8000-${this.generated.toString(16).padStart(12, '0')}`;
  }
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Kong's 404 for an endpoint that does not exist, with the endpoint the call probably meant (a typo). */
function notFound(segment: string, endpoints: string[], before: string): Outcome {
  const near = endpoints.find((e) => editDistance(e, segment) <= 2);
  return near ? { ...NOT_FOUND, hint: `Kong's Admin API has no '${before}${segment}' endpoint; did you mean '${before}${near}'?` } : NOT_FOUND;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** Docs write `{route_id}` or `<service-id>` where the reader should put a real value. */
function placeholder(key: string): string | null {
  return /^[<{].*[>}]$/.test(key) ? `'${key}' looks like a placeholder the reader was meant to replace` : null;
}

/** Targets are stored as Kong formats them: `host:port`, default port 8000, IPv6 in brackets. */
export function formatTarget(t: string): string {
  const p = parseTarget(t, TARGET_DEFAULTS.port);
  if ('error' in p) return t;
  return p.type === 'ipv6' ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`;
}

function uniqueKey(kind: Kind, field: string, value: unknown): string {
  return `${kind}|${field}|${JSON.stringify(value)}`;
}

function targetKey(upstream: Row, target: string): string {
  return `targets|${upstream.seq}|${JSON.stringify(target)}`;
}

/** Lua-style rendering of a value inside Kong's messages (penlight pretty.write, compact). */
function lua(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : String(v);
}

