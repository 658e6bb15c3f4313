// The Admin API's view of each entity: field types (for form-value inference and type errors),
// Kong's validators with Kong's messages, required/unique fields, defaults (from src/model/defaults.ts).
import { defaultHealthchecks, ROUTE_DEFAULTS, SERVICE_DEFAULTS, TARGET_DEFAULTS, UPSTREAM_DEFAULTS } from '../../kong/defaults.js';
import { addressProblem, portProblem, splitHostPort, wildcardProblem, withoutWildcard } from '../../kong/host-syntax.js';
import { pathSyntaxProblem } from '../../kong/kong-path.js';
import { isHostname, isIPv4, isIPv6, parseTarget } from '../../kong/target-address.js';
import { isPlainObject as isObject } from '../../values.js';

/** The simulator's and the declarative writer's test for a JSON object (values.ts isPlainObject). */
export { isObject };

export type FieldType =
  | { t: 'string' | 'integer' | 'number' | 'boolean' }
  /** Free-form value (plugin config): numbers and booleans inferred loosely from form strings. */
  | { t: 'any' }
  | { t: 'array' | 'set'; of: FieldType }
  | { t: 'map'; values: FieldType }
  /** `rest`: the type of fields not listed (plugin config: read loosely); without it they are kept as given. */
  | { t: 'record'; fields: Record<string, FieldType>; rest?: FieldType }
  | { t: 'foreign'; ref: Kind };

export type Kind =
  | 'services' | 'routes' | 'upstreams' | 'targets' | 'consumers' | 'plugins' | 'certificates' | 'snis' | 'ca_certificates'
  | 'keyauth_credentials' | 'basicauth_credentials' | 'acls' | 'jwt_secrets' | 'hmacauth_credentials' | 'oauth2_credentials';

type Validator = (v: unknown) => string | null;

export interface KindDef {
  kind: Kind;
  /** Singular, for messages ("service"). */
  one: string;
  /** Endpoint key: the field a non-UUID URL segment names. */
  key: string | null;
  fields: Record<string, FieldType>;
  /** Validators per field; for arrays/sets they run on each element. */
  validators: Record<string, Validator>;
  required: string[];
  unique: string[];
  /** Kong's defaults for a new entity, given the fields it was created with. */
  defaults(given: Record<string, unknown>): Record<string, unknown>;
  /** Entity-level checks (`@entity` errors). */
  check?(e: Record<string, unknown>): string[];
}

const S = { t: 'string' } as const;
const I = { t: 'integer' } as const;
const N = { t: 'number' } as const;
const B = { t: 'boolean' } as const;
const ANY = { t: 'any' } as const;
const set = (of: FieldType): FieldType => ({ t: 'set', of });
const arr = (of: FieldType): FieldType => ({ t: 'array', of });
const TAGS = set(S);
/** Fields Kong returns and accepts back in a JSON body; replay ignores their values. */
const META = { id: S, created_at: N, updated_at: N };

/** Plugin defaults (Kong 3.x plugins schema). Not in src/model/defaults.ts, which has no plugin model yet. */
export const PLUGIN_DEFAULTS = { enabled: true, protocols: ['grpc', 'grpcs', 'http', 'https'] } as const;

const oneOf = (...opts: (string | number)[]): Validator => (v) => (opts.includes(v as string) ? null : `expected one of: ${opts.join(', ')}`);
const between = (lo: number, hi: number): Validator => (v) => (typeof v === 'number' && (v < lo || v > hi) ? `value should be between ${lo} and ${hi}` : null);

const utf8Name: Validator = (v) =>
  typeof v === 'string' && /[\x00-\x7f]/.test(v.replace(/[A-Za-z0-9.\-_~]/g, ''))
    ? `invalid value '${v}': the only accepted ascii characters are alphanumerics or ., -, _, and ~`
    : null;

const tag: Validator = (v) =>
  typeof v === 'string' && /[\x00-\x1f\x7f,/]/.test(v) ? `invalid tag '${v}': expected printable ascii (except \`,\` and \`/\`) or valid utf-8 sequences` : null;

/** typedefs.host: hostname or IP, no port. */
const host: Validator = (v) => {
  if (typeof v !== 'string') return null;
  const hostPort = splitHostPort(v);
  if (addressProblem(hostPort)) return `invalid value: ${v}`;
  return hostPort.port !== null ? 'must not have a port' : null;
};

/** typedefs.wildcard_host with optional port (route hosts, SNIs without the port); a lone `*` is Kong's too. */
const wildcardHost = (allowPort: boolean): Validator => (v) => {
  if (typeof v !== 'string') return null;
  const hostPort = splitHostPort(v);
  const wildcard = hostPort.host === '*' ? null : wildcardProblem(hostPort.host);
  if (wildcard === 'several') return 'only one wildcard must be specified';
  if (wildcard === 'placement') return 'wildcard must be leftmost or rightmost character';
  if (addressProblem({ ...hostPort, host: withoutWildcard(hostPort.host) })) return `invalid value: ${v}`;
  if (hostPort.port !== null && (!allowPort || portProblem(hostPort.port))) return allowPort ? `invalid port number` : 'must not have a port';
  return null;
};

/** typedefs.path, in Kong's words. */
const servicePath: Validator = (v) => {
  if (typeof v !== 'string') return null;
  const problem = pathSyntaxProblem(v);
  switch (problem?.kind) {
    case undefined:
      return null;
    case 'start':
      return 'should start with: /';
    case 'empty-segment':
      return 'must not have empty segments';
    case 'characters':
      return `invalid path: '${v}' (characters outside of the reserved list of RFC 3986 found)`;
    case 'percent':
      return `invalid url-encoded value: '${problem.escape}'`;
  }
};

const routePath: Validator = (v) => {
  if (typeof v !== 'string') return null;
  if (!v.startsWith('/') && !v.startsWith('~/')) return 'should start with: / (fixed path) or ~/ (regex path)';
  if (v.includes('//')) return 'must not have empty segments';
  return null;
};

const upstreamName: Validator = (v) => {
  if (typeof v !== 'string') return null;
  const { host: h, port } = splitHostPort(v);
  if (isIPv4(h) || isIPv6(h) || isIPv6(v)) return `Invalid name ('${v}'); no ip addresses allowed`;
  if (port !== null) return `Invalid name ('${v}'); no port allowed`;
  return isHostname(v) ? null : `Invalid name ('${v}'); must be a valid hostname`;
};

const target: Validator = (v) => (typeof v === 'string' && 'error' in parseTarget(v, TARGET_DEFAULTS.port) ? `Invalid target ('${v}'); not a valid hostname or ip address` : null);

const HTTP_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp'];
const HASH_ON = ['none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'];
const TIMEOUT = between(1, 2 ** 31 - 2);

/** Kong's healthchecks record, typed from the defaults so the two cannot drift apart. */
function typeOf(v: unknown): FieldType {
  if (Array.isArray(v)) return arr(typeof v[0] === 'number' ? I : S);
  if (v && typeof v === 'object') return { t: 'record', fields: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeOf(x)])) };
  if (typeof v === 'number') return N;
  if (typeof v === 'boolean') return B;
  return S;
}
const HEALTHCHECKS = typeOf(defaultHealthchecks());
(HEALTHCHECKS as { fields: Record<string, FieldType> }).fields.active = {
  t: 'record',
  fields: { ...((HEALTHCHECKS as { fields: Record<string, { fields: Record<string, FieldType> }> }).fields.active!.fields), headers: { t: 'map', values: arr(S) } },
};

function nonNull(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]));
}

function filled(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function routeMatchers(e: Record<string, unknown>): string[] {
  const protocols = Array.isArray(e.protocols) ? (e.protocols as string[]) : [];
  const need = (fields: string[], proto: string) =>
    fields.some((f) => filled(e[f])) ? [] : [`must set one of ${fields.map((f) => `'${f}'`).join(', ')} when 'protocols' is '${proto}'`];
  const errors: string[] = [];
  if (filled(e.snis) && !protocols.some((p) => ['grpcs', 'https', 'tls', 'tls_passthrough'].includes(p))) {
    errors.push("'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'");
  }
  if (protocols.includes('https')) return [...errors, ...need(['methods', 'hosts', 'headers', 'paths', 'snis'], 'https')];
  if (protocols.includes('http')) return [...errors, ...need(['methods', 'hosts', 'headers', 'paths'], 'http')];
  if (protocols.includes('grpcs')) return [...errors, ...need(['hosts', 'headers', 'paths', 'snis'], 'grpcs')];
  if (protocols.includes('grpc')) return [...errors, ...need(['hosts', 'headers', 'paths'], 'grpc')];
  if (protocols.includes('tls_passthrough')) return [...errors, ...need(['snis'], 'tls_passthrough')];
  for (const p of ['tcp', 'tls', 'udp']) if (protocols.includes(p)) return [...errors, ...need(['sources', 'destinations', 'snis'], p)];
  return errors;
}

function credential(kind: Kind, one: string, key: string | null, fields: Record<string, FieldType>, required: string[], unique: string[]): KindDef {
  return { kind, one, key, fields: { ...META, ...fields, tags: TAGS, consumer: { t: 'foreign', ref: 'consumers' } }, validators: { tags: tag }, required, unique, defaults: () => ({}) };
}

export const KINDS: Record<Kind, KindDef> = {
  services: {
    kind: 'services',
    one: 'service',
    key: 'name',
    fields: {
      ...META, name: S, protocol: S, host: S, port: I, path: S, retries: I, connect_timeout: I, write_timeout: I, read_timeout: I,
      tags: TAGS, client_certificate: { t: 'foreign', ref: 'certificates' }, tls_verify: B, tls_verify_depth: I, ca_certificates: arr(S),
      enabled: B, url: S,
    },
    validators: {
      name: utf8Name, protocol: oneOf(...HTTP_PROTOCOLS), host, port: between(0, 65535), path: servicePath, retries: between(0, 32767),
      connect_timeout: TIMEOUT, write_timeout: TIMEOUT, read_timeout: TIMEOUT, tls_verify_depth: between(0, 64), tags: tag,
    },
    required: ['host'],
    unique: ['name'],
    defaults: () => nonNull(SERVICE_DEFAULTS),
  },
  routes: {
    kind: 'routes',
    one: 'route',
    key: 'name',
    fields: {
      ...META, name: S, protocols: set(S), methods: set(S), hosts: arr(S), paths: arr(S), headers: { t: 'map', values: arr(S) },
      snis: set(S), sources: set({ t: 'record', fields: { ip: S, port: I } }), destinations: set({ t: 'record', fields: { ip: S, port: I } }),
      strip_path: B, preserve_host: B, regex_priority: I, path_handling: S, https_redirect_status_code: I, request_buffering: B,
      response_buffering: B, tags: TAGS, service: { t: 'foreign', ref: 'services' },
    },
    validators: {
      name: utf8Name, protocols: oneOf(...HTTP_PROTOCOLS), methods: (v) => (typeof v === 'string' && !/^[A-Z]+$/.test(v) ? `invalid value: ${v}` : null),
      hosts: wildcardHost(true), paths: routePath, snis: wildcardHost(false), path_handling: oneOf('v0', 'v1'),
      https_redirect_status_code: oneOf(426, 301, 302, 307, 308), tags: tag,
    },
    required: [],
    unique: ['name'],
    defaults: (given) => {
      const d = nonNull(ROUTE_DEFAULTS);
      // grpc routes cannot strip the path: Kong's default flips to false for them.
      const protocols = Array.isArray(given.protocols) ? (given.protocols as string[]) : [];
      if (protocols.some((p) => p === 'grpc' || p === 'grpcs')) d.strip_path = false;
      return d;
    },
    check: (e) => {
      const errors = routeMatchers(e);
      const headers = e.headers;
      if (headers && typeof headers === 'object') {
        for (const k of Object.keys(headers)) {
          if (k.toLowerCase() === 'host') errors.push("cannot contain 'host' header, which must be specified in the 'hosts' attribute");
          else if (!/^[A-Za-z0-9\-_]+$/.test(k)) errors.push(`bad header name '${k}', allowed characters are A-Z, a-z, 0-9, '_', and '-'`);
        }
      }
      return errors;
    },
  },
  upstreams: {
    kind: 'upstreams',
    one: 'upstream',
    key: 'name',
    fields: {
      ...META, name: S, algorithm: S, hash_on: S, hash_fallback: S, hash_on_header: S, hash_fallback_header: S, hash_on_cookie: S,
      hash_on_cookie_path: S, hash_on_query_arg: S, hash_fallback_query_arg: S, hash_on_uri_capture: S, hash_fallback_uri_capture: S,
      slots: I, healthchecks: HEALTHCHECKS, host_header: S, client_certificate: { t: 'foreign', ref: 'certificates' }, use_srv_name: B,
      tags: TAGS,
    },
    validators: {
      name: upstreamName, algorithm: oneOf('round-robin', 'consistent-hashing', 'least-connections', 'latency'), hash_on: oneOf(...HASH_ON),
      hash_fallback: oneOf(...HASH_ON), slots: between(10, 65536), hash_on_cookie_path: servicePath, tags: tag,
    },
    required: ['name'],
    unique: ['name'],
    defaults: () => ({ ...nonNull(UPSTREAM_DEFAULTS), healthchecks: defaultHealthchecks() }),
  },
  targets: {
    kind: 'targets',
    one: 'target',
    key: 'target',
    fields: { ...META, target: S, weight: I, tags: TAGS, upstream: { t: 'foreign', ref: 'upstreams' } },
    validators: { target, weight: between(0, 65535), tags: tag },
    required: ['target'],
    unique: [],
    defaults: () => ({ weight: TARGET_DEFAULTS.weight }),
  },
  consumers: {
    kind: 'consumers',
    one: 'consumer',
    key: 'username',
    fields: { ...META, username: S, custom_id: S, tags: TAGS },
    validators: { tags: tag },
    required: [],
    unique: ['username', 'custom_id'],
    defaults: () => ({}),
    check: (e) => (filled(e.username) || filled(e.custom_id) ? [] : ["at least one of these fields must be non-empty: 'custom_id', 'username'"]),
  },
  plugins: {
    kind: 'plugins',
    one: 'plugin',
    key: 'instance_name',
    fields: {
      ...META, name: S, instance_name: S, config: ANY, protocols: set(S), enabled: B, tags: TAGS, ordering: ANY,
      service: { t: 'foreign', ref: 'services' }, route: { t: 'foreign', ref: 'routes' }, consumer: { t: 'foreign', ref: 'consumers' },
    },
    validators: { instance_name: utf8Name, protocols: oneOf(...HTTP_PROTOCOLS), tags: tag },
    required: ['name'],
    unique: ['instance_name'],
    defaults: () => ({ enabled: PLUGIN_DEFAULTS.enabled, protocols: [...PLUGIN_DEFAULTS.protocols] }),
  },
  certificates: {
    kind: 'certificates',
    one: 'certificate',
    key: null,
    fields: { ...META, cert: S, key: S, cert_alt: S, key_alt: S, tags: TAGS, snis: arr(S) },
    validators: { tags: tag, snis: wildcardHost(false) },
    required: ['cert', 'key'],
    unique: [],
    defaults: () => ({}),
  },
  snis: {
    kind: 'snis',
    one: 'sni',
    key: 'name',
    fields: { ...META, name: S, tags: TAGS, certificate: { t: 'foreign', ref: 'certificates' } },
    validators: { name: wildcardHost(false), tags: tag },
    required: ['name', 'certificate'],
    unique: ['name'],
    defaults: () => ({}),
  },
  ca_certificates: {
    kind: 'ca_certificates',
    one: 'CA certificate',
    key: null,
    fields: { ...META, cert: S, cert_digest: S, tags: TAGS },
    validators: { tags: tag },
    required: ['cert'],
    unique: [],
    defaults: () => ({}),
  },
  keyauth_credentials: credential('keyauth_credentials', 'key-auth credential', 'key', { key: S, ttl: I }, [], ['key']),
  basicauth_credentials: credential('basicauth_credentials', 'basic-auth credential', 'username', { username: S, password: S }, ['username'], ['username']),
  acls: credential('acls', 'ACL', 'group', { group: S }, ['group'], []),
  jwt_secrets: credential('jwt_secrets', 'JWT secret', 'key', { key: S, secret: S, algorithm: S, rsa_public_key: S }, [], ['key']),
  hmacauth_credentials: credential('hmacauth_credentials', 'HMAC credential', 'username', { username: S, secret: S }, ['username'], ['username']),
  oauth2_credentials: credential('oauth2_credentials', 'OAuth2 credential', 'client_id', { name: S, client_id: S, client_secret: S, redirect_uris: arr(S), hash_secret: B, client_type: S }, ['name'], ['client_id']),
};

/** `/consumers/{c}/<segment>` → credential kind. */
export const CREDENTIAL_ENDPOINTS: Record<string, Kind> = {
  'key-auth': 'keyauth_credentials',
  'basic-auth': 'basicauth_credentials',
  acls: 'acls',
  jwt: 'jwt_secrets',
  'hmac-auth': 'hmacauth_credentials',
  oauth2: 'oauth2_credentials',
};

const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** Kong's infer_value: form strings become the schema's types; a single string for an array field is wrapped. */
export function infer(v: unknown, t: FieldType): unknown {
  if (typeof v === 'string') {
    if (v === '') return null;
    switch (t.t) {
      case 'integer':
      case 'number':
        return NUMERIC.test(v) ? Number(v) : v;
      case 'boolean':
        return v === 'true' ? true : v === 'false' ? false : v;
      case 'array':
      case 'set':
        return [infer(v, t.of)];
      case 'any':
        return loose(v);
      default:
        return v;
    }
  }
  if (Array.isArray(v)) {
    if (t.t === 'array' || t.t === 'set') return v.map((e) => infer(e, t.of));
    if (t.t === 'any') return v.map((e) => infer(e, ANY));
    return v;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      const ft = t.t === 'record' ? (Object.prototype.hasOwnProperty.call(t.fields, k) ? t.fields[k] : t.rest) : t.t === 'map' ? t.values : t.t === 'any' ? ANY : undefined;
      Object.defineProperty(out, k, { value: ft ? infer(x, ft) : x, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return v;
}

/** Without a plugin schema, form values that read as booleans or numbers are taken as such. */
function loose(v: string): unknown {
  if (v === 'true') return true;
  if (v === 'false') return false;
  return NUMERIC.test(v) && String(Number(v)) === v.trim() ? Number(v) : v;
}

export type FieldErrors = Map<string, string>;

/** Type errors and validator errors of one field value, as dotted paths (`protocols.1`, `healthchecks.active.timeout`). */
export function validateField(path: string, v: unknown, t: FieldType, validator: Validator | undefined, out: FieldErrors): void {
  if (v === null || v === undefined) return;
  const fail = (msg: string): void => {
    out.set(path, msg);
  };
  switch (t.t) {
    case 'string':
      if (typeof v !== 'string') return fail('expected a string');
      break;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) return fail('expected an integer');
      break;
    case 'number':
      if (typeof v !== 'number') return fail('expected a number');
      break;
    case 'boolean':
      if (typeof v !== 'boolean') return fail('expected a boolean');
      break;
    case 'array':
    case 'set':
      if (!Array.isArray(v)) return fail(t.t === 'array' ? 'expected an array' : 'expected a set');
      v.forEach((e, i) => validateField(`${path}.${i + 1}`, e, t.of, validator, out));
      return;
    case 'map':
      if (!isObject(v)) return fail('expected a map');
      for (const [k, x] of Object.entries(v)) validateField(`${path}.${k}`, x, t.values, undefined, out);
      break;
    case 'record':
      if (!isObject(v)) return fail('expected a record');
      for (const [k, x] of Object.entries(v)) {
        const ft = t.fields[k];
        if (!ft) out.set(`${path}.${k}`, 'unknown field');
        else validateField(`${path}.${k}`, x, ft, undefined, out);
      }
      return;
    case 'foreign':
      if (!isObject(v)) return fail('expected a record');
      return;
    case 'any':
      return;
  }
  const err = validator?.(v);
  if (err) fail(err);
}

/** Kong's schema-violation message: `@entity` errors first, then fields sorted by name. */
export function schemaViolation(entity: string[], fields: FieldErrors): string {
  const parts = [...entity, ...[...fields.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, m]) => `${k}: ${m}`)];
  return parts.length === 1 ? `schema violation (${parts[0]})` : `${parts.length} schema violations (${parts.join('; ')})`;
}
