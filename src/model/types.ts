// Kong entities as kongc understands them: Kong 3.x fields with Kong's defaults applied.
import type { SourceRef } from '../load/source-map.js';
import type { Healthchecks } from '../kong/defaults.js';

export type { Healthchecks };

export type Protocol = 'http' | 'https' | 'grpc' | 'grpcs' | 'tcp' | 'tls' | 'udp' | 'tls_passthrough';

interface Entity {
  id: string | null;
  tags: string[] | null;
  /** Where the entity was declared. */
  src: SourceRef;
  /** Declaration order across all inputs; stable tie-breaker. */
  order: number;
}

export interface Service extends Entity {
  kind: 'service';
  name: string | null;
  protocol: Protocol;
  host: string;
  port: number;
  path: string | null;
  retries: number;
  connect_timeout: number;
  write_timeout: number;
  read_timeout: number;
  enabled: boolean;
  tls_verify: boolean | null;
  tls_verify_depth: number | null;
  ca_certificates: string[] | null;
  /** The id of the certificate presented to the upstream (mutual TLS), as written. */
  client_certificate: string | null;
}

export interface Route extends Entity {
  kind: 'route';
  name: string | null;
  protocols: Protocol[];
  methods: string[] | null;
  hosts: string[] | null;
  /** `hosts` was given as a list, even an empty one (Kong's priority counts `[]` as plain hosts). */
  hostsListed: boolean;
  paths: string[] | null;
  headers: Record<string, string[]> | null;
  snis: string[] | null;
  sources: unknown[] | null;
  destinations: unknown[] | null;
  strip_path: boolean;
  preserve_host: boolean;
  regex_priority: number;
  path_handling: 'v0' | 'v1';
  https_redirect_status_code: 426 | 301 | 302 | 307 | 308;
  request_buffering: boolean;
  response_buffering: boolean;
  service: Service | null;
}

export type HashOn = 'none' | 'consumer' | 'ip' | 'header' | 'cookie' | 'path' | 'query_arg' | 'uri_capture';


export interface Upstream extends Entity {
  kind: 'upstream';
  name: string;
  algorithm: 'round-robin' | 'consistent-hashing' | 'least-connections' | 'latency';
  hash_on: HashOn;
  hash_fallback: HashOn;
  hash_on_header: string | null;
  hash_fallback_header: string | null;
  hash_on_cookie: string | null;
  hash_on_cookie_path: string;
  hash_on_query_arg: string | null;
  hash_fallback_query_arg: string | null;
  hash_on_uri_capture: string | null;
  hash_fallback_uri_capture: string | null;
  slots: number;
  healthchecks: Healthchecks;
  host_header: string | null;
  /** The id of the certificate presented to targets when the service names none (mutual TLS). */
  client_certificate: string | null;
  use_srv_name: boolean;
  targets: Target[];
}

export interface Target extends Entity {
  kind: 'target';
  /** As written, e.g. `10.0.0.1:8080`, `[::1]`, `api.internal`. */
  target: string;
  /** Host without brackets (IPv6 expanded as Kong stores it is not needed for nginx). */
  host: string;
  port: number;
  weight: number;
  upstream: Upstream;
}

/** A CA certificate: one PEM certificate services trust for their upstream TLS. */
export interface CaCertificate extends Entity {
  kind: 'ca_certificate';
  cert: string;
  cert_digest: string | null;
}

/** A server certificate Kong presents on TLS listeners, chosen by SNI. */
export interface Certificate extends Entity {
  kind: 'certificate';
  /** PEM as written, or as a `{vault://env/NAME}` reference resolved at build time. */
  cert: string;
  key: string;
  cert_alt: string | null;
  key_alt: string | null;
  snis: Sni[];
}

/** A server name (exact, `*.x`, `x.*`, or `*`) bound to a certificate. */
export interface Sni extends Entity {
  kind: 'sni';
  name: string;
  certificate: Certificate;
}

/** A consumer: who an authentication plugin identified, with its credentials. */
export interface Consumer extends Entity {
  kind: 'consumer';
  /** Kong's id: given, or derived from the username as Kong derives it (UUIDv5); null without either. */
  id: string | null;
  /** The id came from the file (not derived). */
  idGiven: boolean;
  username: string | null;
  custom_id: string | null;
  keyauthCredentials: KeyAuthCredential[];
  basicauthCredentials: BasicAuthCredential[];
  acls: AclGroup[];
  jwtSecrets: JwtSecret[];
}

export interface KeyAuthCredential extends Entity {
  kind: 'keyauth_credential';
  consumer: Consumer;
  key: string;
  ttl: number | null;
}

export interface BasicAuthCredential extends Entity {
  kind: 'basicauth_credential';
  consumer: Consumer;
  username: string;
  password: string;
  /** `_transform: false`: the password is Kong's stored hash (hex sha1 of password ‖ consumer id). */
  hashed: boolean;
}

export interface AclGroup extends Entity {
  kind: 'acl';
  consumer: Consumer;
  group: string;
}

export interface JwtSecret extends Entity {
  kind: 'jwt_secret';
  consumer: Consumer;
  key: string | null;
  secret: string | null;
  algorithm: string;
  rsa_public_key: string | null;
}

/** One plugin instance, with its scope resolved. `config` is as written; plugins/config.ts checks it and fills defaults. */
export interface Plugin extends Entity {
  kind: 'plugin';
  name: string;
  instance_name: string | null;
  enabled: boolean;
  protocols: Protocol[] | null;
  config: Record<string, unknown>;
  route: Route | null;
  service: Service | null;
  consumer: Consumer | null;
}

/** The whole configuration after load, defaults and reference resolution. */
export interface KongState {
  services: Service[];
  routes: Route[];
  upstreams: Upstream[];
  caCertificates: CaCertificate[];
  certificates: Certificate[];
  consumers: Consumer[];
  /** Every plugin instance, enabled or not, in declaration order. */
  plugins: Plugin[];
}
