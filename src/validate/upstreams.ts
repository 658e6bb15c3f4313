// Semantic checks for upstreams, services' upstream TLS fields and CA certificates:
// Kong's entity checks the JSON Schema cannot express.
import { X509Certificate, createHash } from 'node:crypto';
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js';
import { child, diag, type SourceRef } from '../load/source-map.js';
import { addressProblem, portProblem, splitHostPort } from '../kong/host-syntax.js';
import { pathSyntaxProblem } from '../kong/kong-path.js';
import type { CaCertificate, HashOn, KongState, Upstream } from '../model/types.js';

type Report = (ref: SourceRef, code: DiagnosticCode, message: string, hint?: string) => void;

export interface UpstreamCheckOptions {
  /** Clock for certificate expiry (tests). */
  now?: Date;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export function checkUpstreams(state: KongState, options: UpstreamCheckOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const err: Report = (ref, code, message, hint) => out.push(diag(ref, 'error', code, message, hint));

  for (const up of state.upstreams) checkUpstream(up, err);

  const caById = new Map<string, CaCertificate>();
  const digests = new Map<string, CaCertificate>();
  for (const ca of state.caCertificates) {
    if (ca.id) caById.set(ca.id.toLowerCase(), ca);
    const problem = caProblem(ca.cert, options.now ?? new Date());
    if (typeof problem === 'string') {
      err(child(ca.src, 'cert'), 'ca-certificate', `invalid CA certificate: ${problem}`, 'give one PEM certificate (BEGIN CERTIFICATE … END CERTIFICATE) with the CA basic constraint');
      continue;
    }
    const prev = digests.get(problem.digest);
    if (prev) {
      const at = prev.src.map.locate(prev.src.pointer);
      err(child(ca.src, 'cert'), 'ca-certificate', `duplicate CA certificate (same cert_digest as the one at ${at.file}:${at.line}:${at.column})`, 'Kong keeps cert_digest unique');
    } else digests.set(problem.digest, ca);
  }
  state.caCertificates.forEach((ca) => {
    if (!ca.id) err(ca.src, 'ca-certificate', 'a CA certificate needs an id: services refer to it by id', 'add id: <uuid>');
  });

  for (const s of state.services) {
    if (!s.ca_certificates) continue;
    const ref = child(s.src, 'ca_certificates');
    if (s.protocol !== 'https' && s.protocol !== 'tls') {
      err(ref, 'tls', "ca_certificates apply only to services with protocol 'https'");
      continue;
    }
    s.ca_certificates.forEach((id, i) => {
      if (!caById.has(String(id).toLowerCase())) err(child(ref, i), 'dangling-ref', `CA certificate '${id}' does not exist`, 'declare it under ca_certificates with this id');
    });
  }
  // Mutual TLS: the certificate a service (or, for services without one, their upstream) presents.
  const certificateIds = new Set(state.certificates.filter((c) => c.id).map((c) => c.id!.toLowerCase()));
  const clientCertificate = (id: string | null, ref: SourceRef) => {
    if (id !== null && !certificateIds.has(id.toLowerCase())) err(ref, 'dangling-ref', `certificate '${id}' does not exist`, 'declare it under certificates with this id (the certificate and key presented to the upstream)');
  };
  for (const s of state.services) {
    if (s.client_certificate !== null && s.protocol !== 'https' && s.protocol !== 'tls') {
      err(child(s.src, 'client_certificate'), 'tls', "client_certificate applies only to services with protocol 'https'");
    } else clientCertificate(s.client_certificate, child(s.src, 'client_certificate'));
  }
  for (const up of state.upstreams) clientCertificate(up.client_certificate, child(up.src, 'client_certificate'));
  return out;
}

/** Kong's CA certificate rules: one certificate, the CA basic constraint, not expired. */
export function caProblem(pem: string, now: Date): string | { digest: string } {
  const blocks = pem.match(PEM_CERT) ?? [];
  if (blocks.length === 0) return 'not a PEM certificate';
  if (blocks.length > 1) return 'only one certificate is allowed';
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(blocks[0]!);
  } catch {
    return 'cannot parse the certificate';
  }
  if (!x509.ca) return 'certificate does not appear to be a CA because it is missing the "CA" basic constraint';
  if (new Date(x509.validTo).getTime() < now.getTime()) return 'expired certificate';
  return { digest: createHash('sha256').update(x509.raw).digest('hex') };
}

function checkUpstream(up: Upstream, err: Report): void {
  const f = (...keys: string[]) => child(up.src, ...keys);
  if (up.hash_on === 'none' && up.hash_fallback !== 'none') err(f('hash_fallback'), 'upstream', "hash_fallback must be 'none' when hash_on is 'none'");
  if (up.hash_on === 'cookie' && up.hash_fallback !== 'none') err(f('hash_fallback'), 'upstream', "hash_fallback must be 'none' when hash_on is 'cookie'");
  if (up.hash_on === up.hash_fallback && (['consumer', 'ip', 'path'] as HashOn[]).includes(up.hash_on)) {
    err(f('hash_fallback'), 'upstream', `hash_fallback must differ from hash_on ('${up.hash_on}')`);
  }
  const needs = (on: HashOn, value: string | null, kind: HashOn, field: string) => {
    if (on === kind && !value) err(f(field), 'upstream', `${field} is required when ${field.startsWith('hash_fallback') ? 'hash_fallback' : 'hash_on'} is '${kind}'`);
  };
  needs(up.hash_on, up.hash_on_header, 'header', 'hash_on_header');
  needs(up.hash_fallback, up.hash_fallback_header, 'header', 'hash_fallback_header');
  needs(up.hash_on, up.hash_on_cookie, 'cookie', 'hash_on_cookie');
  needs(up.hash_fallback, up.hash_on_cookie, 'cookie', 'hash_on_cookie');
  needs(up.hash_on, up.hash_on_query_arg, 'query_arg', 'hash_on_query_arg');
  needs(up.hash_fallback, up.hash_fallback_query_arg, 'query_arg', 'hash_fallback_query_arg');
  needs(up.hash_on, up.hash_on_uri_capture, 'uri_capture', 'hash_on_uri_capture');
  needs(up.hash_fallback, up.hash_fallback_uri_capture, 'uri_capture', 'hash_fallback_uri_capture');
  const distinct = (a: string | null, b: string | null, fa: string, fb: string, caseless = false) => {
    if (a && b && (caseless ? a.toLowerCase() === b.toLowerCase() : a === b)) err(f(fb), 'upstream', `${fa} and ${fb} must be distinct`);
  };
  if (up.hash_on === 'header' && up.hash_fallback === 'header') distinct(up.hash_on_header, up.hash_fallback_header, 'hash_on_header', 'hash_fallback_header', true);
  if (up.hash_on === 'query_arg' && up.hash_fallback === 'query_arg') distinct(up.hash_on_query_arg, up.hash_fallback_query_arg, 'hash_on_query_arg', 'hash_fallback_query_arg');
  if (up.hash_on === 'uri_capture' && up.hash_fallback === 'uri_capture') distinct(up.hash_on_uri_capture, up.hash_fallback_uri_capture, 'hash_on_uri_capture', 'hash_fallback_uri_capture');
  for (const field of ['hash_on_cookie', 'hash_on_query_arg', 'hash_fallback_query_arg', 'hash_on_uri_capture', 'hash_fallback_uri_capture'] as const) {
    const v = up[field];
    if (v !== null && /[\x00-\x20\x7f]/.test(v)) err(f(field), 'upstream', `${field} contains whitespace or a control character`);
  }
  const cookiePath = up.hash_on_cookie_path;
  if (pathSyntaxProblem(cookiePath)) {
    err(f('hash_on_cookie_path'), 'upstream', `invalid hash_on_cookie_path '${JSON.stringify(cookiePath).slice(1, -1)}': a path starting with '/', RFC 3986 characters only, no '//'`);
  }
  if (up.host_header !== null) {
    const problem = hostWithOptionalPortProblem(up.host_header);
    if (problem) err(f('host_header'), 'upstream', `invalid host_header '${JSON.stringify(up.host_header).slice(1, -1)}': ${problem}`, 'a hostname or IP address with an optional :port');
  }
}

/** Kong's `host_with_optional_port` typedef. */
export function hostWithOptionalPortProblem(value: string): string | null {
  const hostPort = splitHostPort(value);
  return (hostPort.port === null ? null : portProblem(hostPort.port)) ?? addressProblem(hostPort);
}
