// Kong's TLS listener: the certificate presented is chosen by SNI as Kong chooses it (exact name,
// then `*.x`, then `x.*`, then the SNI `*`, then the default certificate), which is what nginx's
// `hostnames` map on $ssl_server_name does. The PEM text lives in side files only nginx reads
// (mode 0600, read by the master when it loads the config), never in the include.
import { loadCertificateMaterial, type KeyPair } from '../model/certificate-material.js';
import type { KongState } from '../model/types.js';
import type { SourceRef } from '../load/source-map.js';
import type { CertificatePair, GeneratedFile, MapBlock, MapEntry, MapValue, TlsListener } from './ir.js';
import { pemPartVariable, secretMapFile, VARIABLES } from './names.js';
import type { PlanContext } from './context.js';

export interface TlsPlan {
  listener: TlsListener | null;
  maps: MapBlock[];
  files: GeneratedFile[];
}

/** PEM only: base64 lines and markers, so a quoted nginx string holds them as they are. */
const SAFE_PEM = /^[A-Za-z0-9+/=\n -]+$/;

/** The most bytes of PEM in one map value, well within nginx's 4,096-byte token with its quotes. */
const PEM_PART_BYTES = 3_800;

export function planTlsListener(ctx: PlanContext, state: KongState): TlsPlan {
  // A certificate only ever presented to upstreams (a client_certificate bound to no SNI) calls for no listener.
  const clientCertificates = new Set([...state.services, ...state.upstreams].flatMap((e) => (e.client_certificate === null ? [] : [e.client_certificate.toLowerCase()])));
  const served = state.certificates.some((c) => c.snis.length > 0 || !c.id || !clientCertificates.has(c.id.toLowerCase()));
  const listen = ctx.options.listenTls?.length ? ctx.options.listenTls : served ? ['8443'] : [];
  if (!listen.length) return { listener: null, maps: [], files: [] };
  const selection = planCertificateSelection(ctx, state);
  return selection ? { listener: { listen, pairs: selection.pairs }, maps: selection.maps, files: selection.files } : { listener: null, maps: [], files: [] };
}

/** The certificate (and cert_alt) a TLS handshake presents, chosen by SNI: maps on $ssl_server_name and their side files. */
export interface CertificateSelection {
  maps: MapBlock[];
  files: GeneratedFile[];
  /** The pairs a handshake presents: one, or two when some certificate has a cert_alt. */
  pairs: CertificatePair[];
}

/**
 * The maps any TLS terminating listener (http or stream) uses with `ssl_certificate data:$var`;
 * null after reporting why there can be none (at the first certificate, else at `at`). The same
 * certificates give the same side files.
 */
export function planCertificateSelection(ctx: PlanContext, state: KongState, at?: SourceRef): CertificateSelection | null {
  const first = state.certificates[0] ?? (at && { src: at });
  // A problem with no entity to point at (a TLS listener asked for on the command line) names the file.
  const report = (severity: 'error' | 'warning', message: string, hint: string) =>
    first
      ? (severity === 'error' ? ctx.error(first.src, 'tls', message, hint) : ctx.warn(first.src, 'tls', message, hint))
      : ctx.diagnostics.push({ file: '', line: 0, column: 0, severity, code: 'tls', path: '', message, hint });
  const dir = ctx.options.secretsDir ?? ctx.options.caDir;
  if (!dir) {
    report('error', 'kongc writes certificates and keys to files that only nginx reads (mode 0600), and has nowhere to write them', 'build with -o FILE (the files go next to it) or --secrets-dir DIR');
    return null;
  }
  const fallback = ctx.options.defaultCertificate?.() ?? { problem: 'a TLS listener needs a default certificate for clients whose SNI no certificate names', hint: 'pass --default-cert FILE --default-key FILE' };
  if ('problem' in fallback) {
    report('error', fallback.problem, fallback.hint);
    return null;
  }
  // Entries by SNI; `*` is the default before the default certificate.
  const main = new Map<string, KeyPair>();
  const alt = new Map<string, KeyPair>();
  let star: { main: KeyPair; alt: KeyPair | null } | null = null;
  for (const c of state.certificates) {
    const { material } = loadCertificateMaterial(c);
    if (!material) continue; // reported by validation
    for (const sni of c.snis) {
      const name = sni.name.toLowerCase();
      if (name === '*') star = { main: material.main, alt: material.alt };
      else {
        main.set(name, material.main);
        if (material.alt) alt.set(name, material.alt);
      }
    }
  }
  const defaultPair = { chain: fallback.chain, key: fallback.key };
  const hasAlt = alt.size > 0 || Boolean(star?.alt);
  const names = [...main.keys()].sort();
  const files: GeneratedFile[] = [];
  const maps: MapBlock[] = [];
  const includeStats = { entries: names.length, longestKey: Math.max(0, ...names.map((n) => n.length)) };
  /** The maps for one PEM per SNI (a chain or a key, of the main or the alt pair): the variables holding its parts. */
  const select = (base: string, what: 'chain' | 'key', useAlt: boolean, purpose: string): MapValue => {
    const pick = (name: string) => (useAlt ? alt.get(name) ?? main.get(name)! : main.get(name)!);
    const fallbackPem = (star ? (useAlt ? star.alt ?? star.main : star.main) : defaultPair)[what];
    const parts = new Map(names.map((name) => [name, pemParts(pick(name)[what])]));
    const defaultParts = pemParts(fallbackPem);
    const count = Math.max(defaultParts.length, ...[...parts.values()].map((p) => p.length));
    const value: MapValue = [{ text: 'data:' }];
    for (let k = 0; k < count; k++) {
      const variable = pemPartVariable(base, k);
      const entries: MapEntry[] = names.map((name) => ({ match: 'exact', key: name, value: pemValue(parts.get(name)![k] ?? '') }));
      const file = secretMapFile(dir, 'tls', 'TLS certificates by SNI', entries, pemValue(defaultParts[k] ?? ''));
      files.push(file);
      maps.push({ variable, source: [{ variable: 'ssl_server_name' }], hostnames: true, include: file.path, includeStats, defaultInInclude: true, entries: [], default: [], purpose: k === 0 ? purpose : `${purpose} (part ${k + 1})` });
      value.push({ variable });
    }
    return value;
  };
  const pairs: CertificatePair[] = [
    {
      certificate: select(VARIABLES.tlsCert, 'chain', false, 'the certificate presented for the SNI, chosen as Kong chooses it'),
      key: select(VARIABLES.tlsKey, 'key', false, "that certificate's key"),
    },
  ];
  if (hasAlt) {
    pairs.push({
      certificate: select(VARIABLES.tlsCertAlt, 'chain', true, "the SNI's cert_alt (the same certificate when it has none)"),
      key: select(VARIABLES.tlsKeyAlt, 'key', true, "that certificate's key"),
    });
  }
  if (!star && fallback.development) {
    report('warning', `clients whose SNI no certificate names get ${fallback.origin}, which no client trusts`, 'for production pass --default-cert FILE --default-key FILE, or bind a certificate to the SNI *');
  }
  return { maps, files, pairs };
}

/**
 * A PEM in parts of whole lines, each short enough for one nginx token (nginx reads no token longer
 * than 4,096 bytes, and a certificate chain can be longer): joined, the parts are the PEM.
 */
function pemParts(pem: string): string[] {
  const body = pem.replace(/\r/g, '');
  if (!SAFE_PEM.test(body)) throw new Error('certificate text outside the PEM alphabet');
  const parts: string[] = [];
  let part = '';
  for (const line of body.split(/(?<=\n)/)) {
    if (part && part.length + line.length > PEM_PART_BYTES) {
      parts.push(part);
      part = '';
    }
    part += line;
  }
  if (part) parts.push(part);
  return parts;
}

/** PEM text as a map value: its lines, and its line breaks as separators. */
function pemValue(text: string): MapValue {
  const value: MapValue = [];
  text.split('\n').forEach((line, i) => {
    if (i > 0) value.push({ separator: true });
    if (line) value.push({ text: line });
  });
  return value;
}
