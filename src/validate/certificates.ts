// Certificates and SNIs as Kong checks them: the PEM parses, the key matches, cert_alt has another
// key type, an SNI name is a host name with at most one wildcard label and names one certificate.
import type { Diagnostic } from '../diagnostics.js';
import { child, diag } from '../load/source-map.js';
import { loadCertificateMaterial } from '../model/certificate-material.js';
import type { KongState, Sni } from '../model/types.js';

/** Kong's wildcard_host for SNIs: labels of letters, digits and '-', one '*' as the whole first or last label; or '*'. */
const SNI_NAME = /^(?:\*|(?:\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?:\.\*)?)$/i;

export function checkCertificates(state: KongState, now: Date = new Date(), env: NodeJS.ProcessEnv = process.env): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byName = new Map<string, Sni>();
  for (const c of state.certificates) {
    const { material, problems } = loadCertificateMaterial(c, env);
    for (const p of problems) out.push(diag(child(c.src, p.field), 'error', 'tls', p.message, p.hint));
    for (const pair of material ? [material.main, material.alt] : []) {
      if (pair && new Date(pair.leaf.validTo) < now) {
        out.push(diag(child(c.src, pair === material!.main ? 'cert' : 'cert_alt'), 'warning', 'tls', `certificate expired on ${new Date(pair.leaf.validTo).toISOString().slice(0, 10)} (${pair.leaf.subject.replace(/\n/g, ', ')})`, 'clients will refuse it: renew it'));
      }
    }
    for (const sni of c.snis) {
      const ref = sni.src;
      if (!SNI_NAME.test(sni.name) || (sni.name.startsWith('*.') && sni.name.endsWith('.*')) || /^[0-9.]+$/.test(sni.name)) {
        out.push(diag(ref, 'error', 'tls', `invalid SNI name ${JSON.stringify(sni.name)}: a host name (no IP address, no port) with at most one '*' as its whole first or last label`, 'e.g. api.example.com, *.example.com, example.*'));
        continue;
      }
      const key = sni.name.toLowerCase();
      const prev = byName.get(key);
      if (prev) {
        const at = prev.src.map.locate(prev.src.pointer);
        out.push(diag(ref, 'error', 'tls', `SNI ${JSON.stringify(sni.name)} is already bound to a certificate (at ${at.file}:${at.line}:${at.column})`, 'an SNI names one certificate: remove one of them'));
      } else byName.set(key, sni);
    }
  }
  return out;
}
