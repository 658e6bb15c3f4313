// The Kong state behind a rendered config, as kongc keeps it beside the target: every entity by
// kind and key (its name, else its id), with the fields Kong knows it by and references by name.
// Canonical JSON (sorted keys, sorted entities) so equal states are equal bytes; secrets are
// replaced by a digest, so the file can say "changed" without holding the secret.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Consumer, KongState, Plugin } from '../model/types.js';
import { writeFileAtomic } from './atomic-write.js';

export const STATE_FORMAT = 'kongc-state/1';

export interface EntityRecord {
  kind: string;
  /** Unique within its kind: what old and new states are matched by. */
  key: string;
  /** How a human calls it: the name, the id, or the target address. */
  name: string;
  /** The owner shown after the name, e.g. "service orders"; null when none. */
  parent: string | null;
  fields: Record<string, unknown>;
}

export interface StateFile {
  format: typeof STATE_FORMAT;
  /** The build hash of the rendered config this state produced. */
  build: string | null;
  entities: EntityRecord[];
}

interface KindSpec {
  kind: string;
  list: (s: KongState) => readonly object[];
  /** Fields that are references or bookkeeping, not configuration. */
  omit: readonly string[];
  /** Replaces references by their owners' names. */
  refs?: (e: never) => Record<string, unknown>;
  /** Display name and key; the default is name, else id, else a digest of `fields`. */
  ident?: (e: never, fields: Record<string, unknown>) => { name: string; key: string; parent: string | null };
}

interface Named {
  name?: string | null;
  id: string | null;
}

/** How another entity refers to this one: its name, else its id. */
function refName(e: Named | null | undefined): string | null {
  return e ? (e.name ?? e.id ?? null) : null;
}

// Fields every model entity carries that describe the input, not the configuration.
const BOOKKEEPING = ['kind', 'src', 'order'];

/**
 * One entry per kind of entity, in the order they are listed. A new kind in the model (plugins,
 * consumers) is one more entry here; its secrets are masked by field name below.
 */
const KINDS: readonly KindSpec[] = [
  { kind: 'service', list: (s) => s.services, omit: [] },
  {
    kind: 'route',
    list: (s) => s.routes,
    omit: ['service', 'hostsListed'],
    refs: (r: KongState['routes'][number]) => ({ service: refName(r.service) }),
    ident: (r: KongState['routes'][number], fields) => ({ ...nameOrId(r, fields), parent: r.service ? `service ${refName(r.service)}` : null }),
  },
  { kind: 'upstream', list: (s) => s.upstreams, omit: ['targets'] },
  {
    kind: 'target',
    list: (s) => s.upstreams.flatMap((u) => u.targets),
    omit: ['upstream', 'host', 'port'],
    refs: (t: KongState['upstreams'][number]['targets'][number]) => ({ upstream: refName(t.upstream) }),
    // Kong keys a target by upstream and address.
    ident: (t: KongState['upstreams'][number]['targets'][number]) => ({
      name: t.target,
      key: `${refName(t.upstream)}/${t.target}`,
      parent: `upstream ${refName(t.upstream)}`,
    }),
  },
  { kind: 'ca_certificate', list: (s) => s.caCertificates, omit: [] },
  // Keys are secrets (masked by name); SNIs are listed by name (each points back at its certificate).
  { kind: 'certificate', list: (s) => s.certificates, omit: ['snis'], refs: (c: KongState['certificates'][number]) => ({ snis: c.snis.map((x) => x.name).sort() }) },
  {
    kind: 'consumer',
    list: (s) => s.consumers,
    omit: ['keyauthCredentials', 'basicauthCredentials', 'acls', 'jwtSecrets', 'idGiven'],
    ident: (c: Consumer) => ({ name: consumerName(c), key: consumerName(c), parent: null }),
  },
  credentialKind('keyauth_credential', (c) => c.keyauthCredentials, (k) => k.id),
  credentialKind('basicauth_credential', (c) => c.basicauthCredentials, (b) => b.username),
  credentialKind('acl', (c) => c.acls, (a) => a.group),
  credentialKind('jwt_secret', (c) => c.jwtSecrets, (j) => j.id),
  {
    kind: 'plugin',
    list: (s) => s.plugins,
    omit: ['route', 'service', 'consumer'],
    refs: (p: Plugin) => ({ route: refName(p.route), service: refName(p.service), consumer: p.consumer ? consumerName(p.consumer) : null }),
    // Kong keys an instance by its name and scope (one per name, route, service and consumer).
    ident: (p: Plugin) => {
      const scope = [p.route ? `route ${refName(p.route)}` : null, p.service ? `service ${refName(p.service)}` : null, p.consumer ? `consumer ${consumerName(p.consumer)}` : null].filter(Boolean).join(', ') || 'global';
      return { name: p.instance_name ?? p.name, key: `${p.name}|${scope}`, parent: scope };
    },
  },
];

function consumerName(c: Consumer): string {
  return c.username ?? c.custom_id ?? c.id ?? '(consumer)';
}

/** A credential kind: keyed within its consumer by `own` (else a digest of its masked fields). */
function credentialKind<T extends { consumer: Consumer; id: string | null }>(kind: string, of: (c: Consumer) => T[], own: (t: T) => string | null): KindSpec {
  return {
    kind,
    list: (s) => s.consumers.flatMap(of),
    omit: ['consumer'],
    refs: (t: T) => ({ consumer: consumerName(t.consumer) }),
    ident: (t: T, fields: Record<string, unknown>) => {
      const mine = own(t) ?? `#${sha256(JSON.stringify(fields)).slice(0, 8)}`;
      return { name: mine, key: `${consumerName(t.consumer)}/${mine}`, parent: `consumer ${consumerName(t.consumer)}` };
    },
  };
}

export const KIND_ORDER: readonly string[] = KINDS.map((k) => k.kind);

/** Name, else id, else a digest of the fields (the entity then shows as removed and added when it changes). */
function nameOrId(e: Named, fields: Record<string, unknown>): { name: string; key: string } {
  const id = e.name ?? e.id;
  if (id) return { name: id, key: id };
  const digest = `#${sha256(JSON.stringify(fields)).slice(0, 8)}`;
  return { name: `(unnamed ${digest})`, key: digest };
}

// Field names whose values are secrets wherever they appear (credentials, plugin configs).
const SECRET = /(^|_)(password|secret|token|key|private_key|api_key|client_secret|credential)s?$/i;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A masked value: enough to tell that a secret changed, not what it is. */
export function maskSecret(value: unknown): string {
  return `<secret sha256:${sha256(JSON.stringify(value)).slice(0, 12)}>`;
}

export function isMasked(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith('<secret sha256:');
}

/** Sorted keys, secrets masked, cycles (entity back-references) and `omit` left out. */
function canonical(value: unknown, omit: ReadonlySet<string> = new Set(), field = ''): unknown {
  if (field && SECRET.test(field) && value !== null && value !== undefined) return maskSecret(value);
  if (Array.isArray(value)) return value.map((v) => canonical(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (omit.has(k) || v === undefined) continue;
      out[k] = canonical(v, new Set(), k);
    }
    return out;
  }
  return value;
}

export function stateOf(state: KongState, build: string | null): StateFile {
  const entities: EntityRecord[] = [];
  for (const spec of KINDS) {
    const omit = new Set([...BOOKKEEPING, ...spec.omit]);
    for (const e of spec.list(state)) {
      // References are left out as objects and put back as names.
      const own = canonical(e, omit) as Record<string, unknown>;
      const fields = canonical({ ...own, ...(spec.refs?.(e as never) ?? {}) }) as Record<string, unknown>;
      const ident = spec.ident ? spec.ident(e as never, fields) : { ...nameOrId(e as Named, fields), parent: null };
      entities.push({ kind: spec.kind, key: ident.key, name: ident.name, parent: ident.parent, fields });
    }
  }
  return { format: STATE_FORMAT, build, entities: sortEntities(entities) };
}

function sortEntities(list: EntityRecord[]): EntityRecord[] {
  const rank = (k: string) => (KIND_ORDER.indexOf(k) + 1 || KIND_ORDER.length + 1);
  return [...list].sort((a, b) => rank(a.kind) - rank(b.kind) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Sorted keys all the way down; the fields are masked already (stateOf). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

export function serializeState(state: StateFile): string {
  return JSON.stringify(sortKeys(state), null, 2) + '\n';
}

/** The state in `text`, or null when it is not a kongc state file. */
export function parseState(text: string): StateFile | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  const s = v as Partial<StateFile> | null;
  if (!s || s.format !== STATE_FORMAT || !Array.isArray(s.entities)) return null;
  const ok = s.entities.every((e) => e && typeof e.kind === 'string' && typeof e.key === 'string' && typeof e.name === 'string' && e.fields && typeof e.fields === 'object');
  return ok ? { format: STATE_FORMAT, build: typeof s.build === 'string' ? s.build : null, entities: s.entities } : null;
}

/** Beside the target, hidden so that an `include dir/*` never loads it. */
export function statePath(configPath: string): string {
  const name = basename(configPath);
  return join(dirname(configPath), `${name.startsWith('.') ? '' : '.'}${name}.kong-state.json`);
}

/** The state kept for `configPath` (the target or a backup), or null when none or unreadable. */
export function readStateFor(configPath: string): StateFile | null {
  try {
    return parseState(readFileSync(statePath(configPath), 'utf8'));
  } catch {
    return null;
  }
}

/** Mode 0600: the entities may hold masked secrets and internal addresses. */
export function writeStateFor(configPath: string, state: StateFile | string | null): void {
  if (state === null) {
    if (existsSync(statePath(configPath))) rmSync(statePath(configPath), { force: true });
    return;
  }
  writeFileAtomic(statePath(configPath), typeof state === 'string' ? state : serializeState(state), 0o600);
}
