// Consumers and their credentials: nested under a consumer or top-level with
// a `consumer:` reference, ids as Kong derives them, passwords as Kong stores them.
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../diagnostics.js';
import { child, diag, type SourceRef } from '../load/source-map.js';
import { UUID } from '../values.js';
import type { AclGroup, BasicAuthCredential, Consumer, JwtSecret, KeyAuthCredential } from './types.js';

type Raw = Record<string, unknown>;

/** RFC 4122 version 5 (SHA-1) UUID of `name` in `namespace`, as lua-resty-jit-uuid computes it. */
export function uuid5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Kong's declarative loader gives a consumer with a username this id when the file has none. */
const CONSUMER_NAMESPACE = uuid5('fd02801f-0957-4a15-a55a-c8d9606f30b5', 'consumers');
export function consumerIdFor(username: string): string {
  return uuid5(CONSUMER_NAMESPACE, username);
}

/** A credential collection: its declarative key, and how one entry becomes a model entity. */
const CREDENTIALS = {
  keyauth_credentials: 'keyauth',
  basicauth_credentials: 'basicauth',
  acls: 'acl',
  jwt_secrets: 'jwt',
} as const;
export type CredentialCollection = keyof typeof CREDENTIALS;
export const CREDENTIAL_COLLECTIONS = Object.keys(CREDENTIALS) as CredentialCollection[];

export interface PendingCredential {
  collection: CredentialCollection;
  raw: Raw;
  src: SourceRef;
  /** The consumer it is nested under, or null for a top-level entry (resolved by `ref`). */
  parent: Consumer | null;
  ref: unknown;
  tags: string[] | null;
  /** The file's `_transform` (passwords in plain text unless false). */
  transform: boolean;
}

export function makeConsumer(raw: Raw, src: SourceRef, order: number, tags: string[] | null): Consumer {
  const username = typeof raw.username === 'string' ? raw.username : null;
  const given = typeof raw.id === 'string' ? raw.id : null;
  return {
    kind: 'consumer',
    id: given ?? (username !== null ? consumerIdFor(username) : null),
    idGiven: given !== null,
    tags,
    src,
    order,
    username,
    custom_id: typeof raw.custom_id === 'string' ? raw.custom_id : null,
    keyauthCredentials: [],
    basicauthCredentials: [],
    acls: [],
    jwtSecrets: [],
  };
}

/** Attaches each credential to its consumer; a reference to no consumer is an error. */
export function attachCredentials(pending: PendingCredential[], consumers: Consumer[], order: () => number, out: Diagnostic[]): void {
  const byKey = new Map<string, Consumer>();
  for (const c of consumers) for (const k of [c.id, c.username]) if (k && !byKey.has(k)) byKey.set(k, c);
  for (const p of pending) {
    let consumer = p.parent;
    if (!consumer) {
      const key = typeof p.ref === 'string' ? p.ref : p.ref && typeof p.ref === 'object' ? (((p.ref as Raw).id ?? (p.ref as Raw).username) as string | undefined) : undefined;
      consumer = key === undefined ? null : (byKey.get(key) ?? null);
      if (!consumer) {
        const shown = key === undefined ? JSON.stringify(p.ref ?? null) : `'${key}'`;
        out.push(diag(child(p.src, 'consumer'), 'error', 'dangling-ref', `consumer ${shown} does not exist`, `declare a consumer with ${key && UUID.test(key) ? 'id' : 'username'} ${shown}, or nest the credential under its consumer`));
        continue;
      }
    }
    const base = { id: typeof p.raw.id === 'string' ? p.raw.id : null, tags: p.tags, src: p.src, order: order(), consumer };
    switch (CREDENTIALS[p.collection]) {
      case 'keyauth': {
        const cred: KeyAuthCredential = { ...base, kind: 'keyauth_credential', key: String(p.raw.key ?? ''), ttl: typeof p.raw.ttl === 'number' ? p.raw.ttl : null };
        consumer.keyauthCredentials.push(cred);
        break;
      }
      case 'basicauth': {
        const cred: BasicAuthCredential = { ...base, kind: 'basicauth_credential', username: String(p.raw.username ?? ''), password: String(p.raw.password ?? ''), hashed: !p.transform };
        consumer.basicauthCredentials.push(cred);
        break;
      }
      case 'acl': {
        const cred: AclGroup = { ...base, kind: 'acl', group: String(p.raw.group ?? '') };
        consumer.acls.push(cred);
        break;
      }
      case 'jwt': {
        const str = (k: string) => (typeof p.raw[k] === 'string' ? (p.raw[k] as string) : null);
        const cred: JwtSecret = { ...base, kind: 'jwt_secret', key: str('key'), secret: str('secret'), algorithm: str('algorithm') ?? 'HS256', rsa_public_key: str('rsa_public_key') };
        consumer.jwtSecrets.push(cred);
        break;
      }
    }
  }
}
