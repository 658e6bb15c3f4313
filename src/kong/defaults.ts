// Kong 3.x defaults, in one place. Everything else reads them from here.

/** An upstream's health checks, as Kong's schema spells them. */
export interface Healthchecks {
  active: {
    type: string;
    timeout: number;
    concurrency: number;
    http_path: string;
    https_sni: string | null;
    https_verify_certificate: boolean;
    headers: Record<string, string[]> | null;
    healthy: { interval: number; http_statuses: number[]; successes: number };
    unhealthy: { interval: number; http_statuses: number[]; tcp_failures: number; timeouts: number; http_failures: number };
  };
  passive: {
    type: string;
    healthy: { http_statuses: number[]; successes: number };
    unhealthy: { http_statuses: number[]; tcp_failures: number; timeouts: number; http_failures: number };
  };
  threshold: number;
}

export const SERVICE_DEFAULTS = {
  protocol: 'http',
  port: 80,
  path: null,
  retries: 5,
  connect_timeout: 60000,
  write_timeout: 60000,
  read_timeout: 60000,
  enabled: true,
  tls_verify: null,
  tls_verify_depth: null,
  ca_certificates: null,
  client_certificate: null,
} as const;

export const ROUTE_DEFAULTS = {
  protocols: ['http', 'https'],
  methods: null,
  hosts: null,
  paths: null,
  headers: null,
  snis: null,
  sources: null,
  destinations: null,
  strip_path: true,
  preserve_host: false,
  regex_priority: 0,
  path_handling: 'v0',
  https_redirect_status_code: 426,
  request_buffering: true,
  response_buffering: true,
} as const;

export const UPSTREAM_DEFAULTS = {
  algorithm: 'round-robin',
  hash_on: 'none',
  hash_fallback: 'none',
  hash_on_header: null,
  hash_fallback_header: null,
  hash_on_cookie: null,
  hash_on_cookie_path: '/',
  hash_on_query_arg: null,
  hash_fallback_query_arg: null,
  hash_on_uri_capture: null,
  hash_fallback_uri_capture: null,
  slots: 10000,
  host_header: null,
  client_certificate: null,
  use_srv_name: false,
} as const;

export function defaultHealthchecks(): Healthchecks {
  return {
    active: {
      type: 'http',
      timeout: 1,
      concurrency: 10,
      http_path: '/',
      https_sni: null,
      https_verify_certificate: true,
      headers: null,
      healthy: { interval: 0, http_statuses: [200, 302], successes: 0 },
      unhealthy: { interval: 0, http_statuses: [429, 404, 500, 501, 502, 503, 504, 505], tcp_failures: 0, timeouts: 0, http_failures: 0 },
    },
    passive: {
      type: 'http',
      healthy: { http_statuses: [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308], successes: 0 },
      unhealthy: { http_statuses: [429, 500, 503], tcp_failures: 0, timeouts: 0, http_failures: 0 },
    },
    threshold: 0,
  };
}

export const TARGET_DEFAULTS = { weight: 100, port: 8000 } as const;

/** Kong 3.x upstream keepalive (kong.conf upstream_keepalive_*). */
export const KEEPALIVE = { poolSize: 512, maxRequests: 10000, idleTimeoutSeconds: 60 } as const;

/** The port a protocol implies when a Host header or URL omits it. */
export function defaultPortFor(protocol: string): number {
  return protocol === 'https' || protocol === 'grpcs' || protocol === 'tls' ? 443 : 80;
}
