// Uniqueness Kong's database enforces on consumers and their credentials, as positioned errors.
// A key-auth key is a secret: its duplicate is reported by position only. jwt_secrets: a public
// key where Kong's entity check requires one, and one Kong can read.
import { createPublicKey } from 'node:crypto';
import { child, diag, type SourceRef } from '../load/source-map.js';
import type { Diagnostic } from '../diagnostics.js';
import type { KongState } from '../model/types.js';

function where(ref: SourceRef): string {
  const at = ref.map.locate(ref.pointer);
  return `${at.file}:${at.line}:${at.column}`;
}

export function checkConsumers(state: KongState): Diagnostic[] {
  const out: Diagnostic[] = [];
  const unique = <T>(items: T[], keyOf: (t: T) => string | null, refOf: (t: T) => SourceRef, message: (k: string, first: string) => string, hint: string) => {
    const first = new Map<string, SourceRef>();
    for (const it of items) {
      const k = keyOf(it);
      if (k === null) continue;
      const prev = first.get(k);
      if (prev) out.push(diag(refOf(it), 'error', 'duplicate-name', message(k, where(prev)), hint));
      else first.set(k, refOf(it));
    }
  };
  const consumers = state.consumers;
  unique(consumers, (c) => c.username, (c) => child(c.src, 'username'), (k, at) => `duplicate consumer username '${k}' (first declared at ${at})`, 'consumer usernames must be unique');
  unique(consumers, (c) => c.custom_id, (c) => child(c.src, 'custom_id'), (k, at) => `duplicate consumer custom_id '${k}' (first declared at ${at})`, 'consumer custom_ids must be unique');
  const keys = consumers.flatMap((c) => c.keyauthCredentials);
  unique(keys, (k) => (k.key === '' ? null : k.key), (k) => child(k.src, 'key'), (_k, at) => `key-auth key is not unique: the credential at ${at} has the same key`, 'each key-auth key must be unique (Kong refuses the config)');
  const basics = consumers.flatMap((c) => c.basicauthCredentials);
  unique(basics, (b) => b.username, (b) => child(b.src, 'username'), (k, at) => `duplicate basic-auth username '${k}' (first declared at ${at})`, 'basic-auth usernames must be unique');
  const jwts = consumers.flatMap((c) => c.jwtSecrets);
  unique(jwts, (j) => j.key, (j) => child(j.src, 'key'), (_k, at) => `jwt key is not unique: the jwt_secret at ${at} has the same key`, 'each jwt_secret key must be unique (Kong refuses the config)');
  for (const j of jwts) {
    if (j.rsa_public_key === null) {
      if (KEY_REQUIRED.test(j.algorithm)) out.push(diag(child(j.src, 'algorithm'), 'error', 'credential', `a jwt_secret with algorithm ${j.algorithm} needs rsa_public_key (Kong refuses the config)`, "add the consumer's public key (PEM) as rsa_public_key"));
      continue;
    }
    try {
      createPublicKey(j.rsa_public_key);
    } catch {
      out.push(diag(child(j.src, 'rsa_public_key'), 'error', 'credential', `rsa_public_key: invalid key (${KEY_REQUIRED.test(j.algorithm) ? 'Kong refuses the config' : 'Kong answers 500 to every token of this credential'})`, 'give a PEM public key (-----BEGIN PUBLIC KEY-----)'));
    }
  }
  return out;
}

/** Algorithms whose jwt_secrets Kong's schema requires an rsa_public_key for (ES* only fail at request time without one). */
const KEY_REQUIRED = /^(?:RS256|RS384|RS512|PS256|PS384|PS512|EdDSA)$/;
