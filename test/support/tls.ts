// Test certificates made with the openssl CLI: a CA, a server and a client certificate it signs, a
// non-CA certificate.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  caCert: string;
  /** A second, unrelated CA. */
  otherCaCert: string;
  /** Signed by caCert for `serverName` (CN and subjectAltName). */
  serverCert: string;
  serverKey: string;
  /** Signed by caCert for TLS clients (CN kongc-client): the certificate a mutual-TLS backend accepts. */
  clientCert: string;
  clientKey: string;
  /** A self-signed certificate without the CA basic constraint, and its key. */
  leafCert: string;
  leafKey: string;
}

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

export function makePki(serverName: string): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'kongc-pki-'));
  try {
    const ca = (name: string) =>
      openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '36500', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    ca('kongc-test-ca');
    ca('kongc-other-ca');
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${serverName}`]);
    writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=DNS:${serverName}\nbasicConstraints=CA:FALSE\n`);
    openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'kongc-test-ca.crt', '-CAkey', 'kongc-test-ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '36500', '-extfile', 'ext.cnf']);
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=kongc-client']);
    writeFileSync(join(dir, 'client.cnf'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
    openssl(dir, ['x509', '-req', '-in', 'client.csr', '-CA', 'kongc-test-ca.crt', '-CAkey', 'kongc-test-ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '36500', '-extfile', 'client.cnf']);
    openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.crt', '-days', '36500', '-subj', '/CN=leaf', '-addext', 'basicConstraints=critical,CA:FALSE']);
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return { caCert: read('kongc-test-ca.crt'), otherCaCert: read('kongc-other-ca.crt'), serverCert: read('server.crt'), serverKey: read('server.key'), clientCert: read('client.crt'), clientKey: read('client.key'), leafCert: read('leaf.crt'), leafKey: read('leaf.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
