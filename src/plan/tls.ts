// Upstream TLS of https services: SNI, verification, the CA bundle file built
// from the service's ca_certificates, and the client certificate presented for mutual TLS. Pure:
// the files are returned as GeneratedFiles, and `kongc build` writes them (README "Upstream TLS
// and CA files").
import { posix } from 'node:path';
import { loadCertificateMaterial } from '../model/certificate-material.js';
import type { CaCertificate, Certificate, Service, Upstream } from '../model/types.js';
import type { GeneratedFile } from './ir.js';
import { label, type PlanContext } from './context.js';
import { sideFileName } from './names.js';
import { clientCertificateOf } from './upstreams.js';

/** The trust store used for tls_verify without ca_certificates (Kong's `lua_ssl_trusted_certificate = system`, Debian path). */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface ServiceTls {
  verify: boolean;
  verifyDepth: number | null;
  trustedCertificate: string | null;
  /** The client certificate (chain) and key files presented to the upstream, or null. */
  clientCertificate: { id: string; cert: string; key: string } | null;
}

export class TlsFiles {
  readonly files: GeneratedFile[] = [];
  private readonly byService = new Map<Service, ServiceTls>();
  private readonly caById: Map<string, CaCertificate>;
  private readonly certificateById: Map<string, Certificate>;
  private readonly clientFiles = new Map<Certificate, { files: ServiceTls['clientCertificate']; generated: GeneratedFile[] }>();

  constructor(
    private readonly ctx: PlanContext,
    caCertificates: CaCertificate[],
    certificates: Certificate[],
  ) {
    this.caById = new Map(caCertificates.filter((c) => c.id).map((c) => [c.id!.toLowerCase(), c]));
    this.certificateById = new Map(certificates.filter((c) => c.id).map((c) => [c.id!.toLowerCase(), c]));
  }

  /**
   * TLS settings of an https service (`upstream`: the Kong upstream its host names, if any);
   * diagnostics are reported once per service.
   */
  forService(svc: Service, upstream: Upstream | null): ServiceTls {
    const hit = this.byService.get(svc);
    if (hit) return hit;
    const tls = this.plan(svc, upstream);
    this.byService.set(svc, tls);
    return tls;
  }

  private plan(svc: Service, upstream: Upstream | null): ServiceTls {
    const ctx = this.ctx;
    const what = label('service', svc, ctx.key(svc));
    const verify = svc.tls_verify === true;
    const cas = (svc.ca_certificates ?? []).map((id) => this.caById.get(String(id).toLowerCase())).filter((c): c is CaCertificate => c !== undefined);
    const base = { verify, verifyDepth: svc.tls_verify_depth, clientCertificate: this.clientCertificate(svc, upstream) };
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
    else this.files.push({ kind: 'text', path, content, usedBy: [ctx.key(svc)] });
    return { ...base, trustedCertificate: path };
  }

  /**
   * Kong presents the service's client_certificate, else (balancer: fallback_upstream_client_cert)
   * its upstream's. The chain and key go to side files only nginx reads (mode 0600), named by
   * content, one pair per certificate however many services present it.
   */
  private clientCertificate(svc: Service, upstream: Upstream | null): ServiceTls['clientCertificate'] {
    const ctx = this.ctx;
    const id = clientCertificateOf(svc, upstream);
    if (id === null) return null;
    const cert = this.certificateById.get(id);
    if (!cert) return null; // reported by validation
    const owner = svc.client_certificate !== null ? svc : upstream!;
    const known = this.clientFiles.get(cert);
    if (known) {
      for (const f of known.generated) f.usedBy.push(ctx.key(svc));
      return known.files;
    }
    let files: ServiceTls['clientCertificate'] = null;
    const generated: GeneratedFile[] = [];
    const dir = ctx.options.secretsDir ?? ctx.options.caDir;
    const material = loadCertificateMaterial(cert).material;
    if (!dir) {
      ctx.error(
        ctx.field(owner, 'client_certificate'),
        'ca-file',
        `${label(owner.kind, owner, ctx.key(owner))}: kongc writes the client certificate and its key to files only nginx reads (proxy_ssl_certificate, mode 0600), and has nowhere to write them`,
        'build with -o FILE (the files go next to it) or --secrets-dir DIR',
      );
    } else if (material) {
      const side = (what: string, content: string) => {
        const path = posix.join(dir, `${sideFileName(what, content)}.pem`);
        generated.push({ kind: 'text', path, content, secret: true, usedBy: [ctx.key(svc)] });
        return path;
      };
      files = { id, cert: side('client-cert', material.main.chain), key: side('client-key', material.main.key) };
    }
    for (const f of generated) this.files.push(f);
    this.clientFiles.set(cert, { files, generated });
    return files;
  }
}
