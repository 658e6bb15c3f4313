// The certificate a TLS listener presents when no certificate names the client's SNI (Kong's
// ssl_cert): --default-cert/--default-key, or a self-signed development certificate that kongc
// generates once with openssl and keeps beside the other secret files, so builds stay identical.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { DefaultCertificate } from '../plan/context.js';

export function defaultCertificateSource(flags: { defaultCert?: string; defaultKey?: string }, secretsDir: string | undefined): () => DefaultCertificate {
  return () => {
    if (flags.defaultCert || flags.defaultKey) {
      if (!flags.defaultCert || !flags.defaultKey) return { problem: '--default-cert and --default-key go together', hint: 'give both files' };
      return fromFiles(flags.defaultCert, flags.defaultKey, `the certificate of --default-cert ${flags.defaultCert}`);
    }
    if (!secretsDir) return { problem: 'a TLS listener needs a default certificate, and kongc has nowhere to keep a development one', hint: 'pass --default-cert FILE --default-key FILE, or build with -o FILE' };
    const cert = join(secretsDir, 'kongc-dev-default.crt');
    const key = join(secretsDir, 'kongc-dev-default.key');
    if (!existsSync(cert) || !existsSync(key)) {
      try {
        mkdirSync(secretsDir, { recursive: true });
        execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3650', '-subj', '/CN=localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
        chmodSync(key, 0o600);
      } catch {
        return { problem: 'kongc could not generate a development certificate with openssl', hint: 'install openssl, or pass --default-cert FILE --default-key FILE' };
      }
    }
    const loaded = fromFiles(cert, key, `a self-signed development certificate (CN=localhost, ${cert})`);
    return 'problem' in loaded ? loaded : { ...loaded, development: true };
  };
}

function fromFiles(certFile: string, keyFile: string, origin: string): DefaultCertificate {
  try {
    const x = new X509Certificate(readFileSync(certFile));
    const k = createPrivateKey(readFileSync(keyFile));
    if (!x.checkPrivateKey(k)) return { problem: `${certFile} does not match ${keyFile}`, hint: 'give the key of that certificate' };
    return { chain: x.toString(), key: String(k.export({ format: 'pem', type: 'pkcs8' })), origin, development: false };
  } catch (e) {
    return { problem: `cannot read the default certificate: ${(e as Error).message}`, hint: 'give a PEM certificate and its unencrypted PEM key' };
  }
}
