// A certificate entity's PEM text, read as Kong reads it: `{vault://env/NAME}` references resolved
// from the environment, the certificate chain and key parsed, and written back in a normal form
// (base64 lines between BEGIN/END markers only), which is also what nginx is given.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { Certificate } from './types.js';

export interface KeyPair {
  /** The chain, leaf first, as normalized PEM. */
  chain: string;
  key: string;
  leaf: X509Certificate;
  keyType: string;
}

export interface CertificateMaterial {
  main: KeyPair;
  alt: KeyPair | null;
}

export interface MaterialProblem {
  field: 'cert' | 'key' | 'cert_alt' | 'key_alt';
  message: string;
  hint: string;
}

const ENV_VAULT = /^\{vault:\/\/env\/([A-Za-z0-9_-]+)\}$/;

/** `{vault://env/my-cert}` → the value of MY_CERT; other text as is; a problem in words otherwise. */
function resolveValue(value: string, env: NodeJS.ProcessEnv): { value: string } | { problem: string; hint: string } {
  const m = ENV_VAULT.exec(value.trim());
  if (m) {
    const name = m[1]!.toUpperCase().replace(/-/g, '_');
    const v = env[name];
    if (v === undefined || v === '') return { problem: `the environment variable ${name} (from ${value.trim()}) is not set`, hint: `export ${name} with the PEM text before building` };
    return { value: v };
  }
  if (value.includes('{vault://')) return { problem: 'only env vault references ({vault://env/NAME}) are resolved by kongc', hint: 'use {vault://env/NAME}, or put the PEM text in the file' };
  return { value };
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

export function loadCertificateMaterial(c: Certificate, env: NodeJS.ProcessEnv = process.env): { material: CertificateMaterial | null; problems: MaterialProblem[] } {
  const problems: MaterialProblem[] = [];
  const main = pair(c.cert, c.key, 'cert', 'key', env, problems);
  let alt: KeyPair | null = null;
  if ((c.cert_alt === null) !== (c.key_alt === null)) {
    problems.push({ field: c.cert_alt === null ? 'key_alt' : 'cert_alt', message: "'cert_alt' and 'key_alt' go together", hint: 'give both, or neither' });
  } else if (c.cert_alt !== null && c.key_alt !== null) {
    alt = pair(c.cert_alt, c.key_alt, 'cert_alt', 'key_alt', env, problems);
    if (alt && main && alt.keyType === main.keyType) {
      problems.push({ field: 'cert_alt', message: `cert_alt must have a different key type than cert (both are ${main.keyType})`, hint: 'pair an RSA certificate with an ECDSA one' });
    }
  }
  return { material: main && !problems.length ? { main, alt } : null, problems };
}

function pair(certText: string, keyText: string, certField: 'cert' | 'cert_alt', keyField: 'key' | 'key_alt', env: NodeJS.ProcessEnv, problems: MaterialProblem[]): KeyPair | null {
  const certValue = resolveValue(certText, env);
  const keyValue = resolveValue(keyText, env);
  if ('problem' in certValue) problems.push({ field: certField, message: certValue.problem, hint: certValue.hint });
  if ('problem' in keyValue) problems.push({ field: keyField, message: keyValue.problem, hint: keyValue.hint });
  if ('problem' in certValue || 'problem' in keyValue) return null;
  const certs: X509Certificate[] = [];
  for (const m of certValue.value.matchAll(PEM_BLOCK)) {
    if (m[1] !== 'CERTIFICATE') continue;
    try {
      certs.push(new X509Certificate(m[0]));
    } catch {
      problems.push({ field: certField, message: 'invalid certificate: the PEM block does not parse', hint: 'give the PEM certificate (BEGIN CERTIFICATE … END CERTIFICATE)' });
      return null;
    }
  }
  if (!certs.length) {
    problems.push({ field: certField, message: 'invalid certificate: no PEM certificate found', hint: 'give the PEM certificate (BEGIN CERTIFICATE … END CERTIFICATE), leaf first' });
    return null;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyValue.value);
  } catch {
    problems.push({ field: keyField, message: 'invalid key: not an unencrypted PEM private key', hint: 'give the PEM private key (BEGIN PRIVATE KEY …), without a passphrase' });
    return null;
  }
  const leaf = certs[0]!;
  if (!leaf.checkPrivateKey(key)) {
    problems.push({ field: keyField, message: `certificate does not match key`, hint: `give the key of the certificate for ${leaf.subject.replace(/\n/g, ', ')}` });
    return null;
  }
  const keyType = key.asymmetricKeyType === 'ec' ? 'ECDSA' : (key.asymmetricKeyType ?? 'unknown').toUpperCase();
  return { chain: certs.map((x) => x.toString()).join(''), key: String(key.export({ format: 'pem', type: 'pkcs8' })), leaf, keyType };
}
