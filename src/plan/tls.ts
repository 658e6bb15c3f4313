// Upstream TLS of https services (KONG.md §1.2): SNI, verification, and the CA bundle file built
// from the service's ca_certificates. Pure: the bundle is returned as a GeneratedFile, and
// `kongc build` writes it (README "Upstream TLS and CA files").
import { posix } from 'node:path';
import type { CaCertificate, Service } from '../model/types.js';
import type { GeneratedFile } from './ir.js';
import { label, type PlanContext } from './context.js';
import { sideFileName } from './names.js';

/** The trust store used for tls_verify without ca_certificates (Kong's `lua_ssl_trusted_certificate = system`, Debian path). */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface ServiceTls {
  verify: boolean;
  verifyDepth: number | null;
  trustedCertificate: string | null;
}

export class TlsFiles {
  readonly files: GeneratedFile[] = [];
  private readonly byService = new Map<Service, ServiceTls>();
  private readonly caById: Map<string, CaCertificate>;

  constructor(
    private readonly ctx: PlanContext,
    caCertificates: CaCertificate[],
  ) {
    this.caById = new Map(caCertificates.filter((c) => c.id).map((c) => [c.id!.toLowerCase(), c]));
  }

  /** TLS settings of an https service; diagnostics are reported once per service. */
  forService(svc: Service): ServiceTls {
    const hit = this.byService.get(svc);
    if (hit) return hit;
    const tls = this.plan(svc);
    this.byService.set(svc, tls);
    return tls;
  }

  private plan(svc: Service): ServiceTls {
    const ctx = this.ctx;
    const what = label('service', svc, ctx.key(svc));
    const verify = svc.tls_verify === true;
    const cas = (svc.ca_certificates ?? []).map((id) => this.caById.get(String(id).toLowerCase())).filter((c): c is CaCertificate => c !== undefined);
    const base = { verify, verifyDepth: svc.tls_verify_depth };
    if (!verify) {
      if (cas.length) {
        ctx.warn(ctx.field(svc, 'ca_certificates'), 'tls', `${what}: ca_certificates are only used to verify the upstream certificate, and tls_verify is not true (as in Kong, they have no effect)`, 'set tls_verify: true');
      }
      return { ...base, trustedCertificate: null };
    }
    if (!cas.length) {
      ctx.warn(
        ctx.field(svc, 'tls_verify'),
        'tls',
        `${what}: without ca_certificates Kong verifies the upstream certificate against the trust store of kong.conf (lua_ssl_trusted_certificate, default 'system'); kongc uses ${SYSTEM_CA_BUNDLE}`,
        'add ca_certificates to trust specific CAs',
      );
      return { ...base, trustedCertificate: SYSTEM_CA_BUNDLE };
    }
    const dir = ctx.options.caDir;
    if (!dir) {
      ctx.error(
        ctx.field(svc, 'ca_certificates'),
        'ca-file',
        `${what}: kongc writes ca_certificates to a PEM file that nginx reads (proxy_ssl_trusted_certificate), and has nowhere to write it`,
        'build with -o FILE (the bundle goes next to it) or --ca-dir DIR',
      );
      return { ...base, trustedCertificate: null };
    }
    const content = cas.map((c) => c.cert.trim() + '\n').join('');
    const name = `${sideFileName('ca', content)}.pem`;
    const path = posix.join(dir, name);
    const existing = this.files.find((f) => f.path === path);
    if (existing) existing.usedBy.push(ctx.key(svc));
    else this.files.push({ path, content, usedBy: [ctx.key(svc)] });
    return { ...base, trustedCertificate: path };
  }
}
