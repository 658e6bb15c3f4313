// Loaded documents → KongState: flatten nesting, apply defaults, expand `url`, resolve references.
import { mergeDeep, UUID } from '../values.js';
import type { Diagnostic } from '../diagnostics.js';
import type { LoadedDocument } from '../load/document.js';
import { child, diag, type SourceRef } from '../load/source-map.js';
import { defaultHealthchecks, defaultPortFor, ROUTE_DEFAULTS, SERVICE_DEFAULTS, TARGET_DEFAULTS, UPSTREAM_DEFAULTS } from '../kong/defaults.js';
import { migrateLegacyPath } from '../kong/kong-path.js';
import { parseServiceUrl } from '../kong/service-url.js';
import { parseTarget } from '../kong/target-address.js';
import { attachCredentials, CREDENTIAL_COLLECTIONS, makeConsumer, type PendingCredential } from './consumers.js';
import type { CaCertificate, Certificate, Consumer, Healthchecks, KongState, Plugin, Route, Service, Target, Upstream } from './types.js';

export interface BuildOptions {
  /** Entities kongc cannot compile become warnings instead of errors. */
  skipUnsupported?: boolean;
}

type Raw = Record<string, unknown>;


/** Top-level collections kongc accepts but does not compile (yet). */
const UNSUPPORTED_COLLECTIONS: Record<string, string> = {
  consumer_groups: 'consumer group',
  vaults: 'vault',
  partials: 'partial',
  key_sets: 'key set',
  keys: 'key',
  filter_chains: 'filter chain',
  custom_entities: 'custom entity',
  hmacauth_credentials: 'HMAC credential',
  oauth2_credentials: 'OAuth2 credential',
  mtls_auth_credentials: 'mTLS credential',
};

export function buildState(docs: LoadedDocument[], options: BuildOptions = {}): { state: KongState; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const unsupportedSeverity = options.skipUnsupported ? 'warning' : 'error';
  const unsupported = (ref: SourceRef, what: string) =>
    diagnostics.push(
      diag(ref, unsupportedSeverity, 'unsupported', `${what} is not compiled by kongc`, options.skipUnsupported ? 'ignored because of --skip-unsupported' : 'remove it, or pass --skip-unsupported to compile the rest and ignore it'),
    );
  let order = 0;
  const services: Service[] = [];
  const routes: Route[] = [];
  const upstreams: Upstream[] = [];
  const caCertificates: CaCertificate[] = [];
  const certificates: Certificate[] = [];
  const pendingSnis: { raw: Raw; src: SourceRef; selectTags: string[] }[] = [];
  const pendingRoutes: { raw: Raw; src: SourceRef; legacy: boolean; parent: Service | null; ref: unknown; selectTags: string[] }[] = [];
  const pendingTargets: { raw: Raw; src: SourceRef; parent: Upstream | null; ref: unknown; selectTags: string[] }[] = [];

  const consumers: Consumer[] = [];
  const pendingCredentials: PendingCredential[] = [];
  const pendingPlugins: PendingPlugin[] = [];
  /** Plugins nested under an entity are bound to it; their own `service:`/`route:`/`consumer:` add the rest. */
  const plugins = (list: unknown, src: SourceRef, owner: Partial<Pick<PendingPlugin, 'route' | 'service' | 'consumer'>>, selectTags: string[]) => {
    if (!Array.isArray(list)) return;
    list.forEach((raw: Raw, i) => pendingPlugins.push({ raw, src: child(src, i), route: null, service: null, consumer: null, ...owner, order: order++, selectTags }));
  };

  for (const doc of docs) {
    const data = (doc.data ?? {}) as Raw;
    const root: SourceRef = { map: doc.map, pointer: '' };
    const version = data._format_version;
    if (version === undefined) {
      diagnostics.push(diag(root, 'warning', 'format-version', 'missing _format_version; assuming "3.0"', 'add `_format_version: "3.0"` (Kong refuses files without it)'));
    }
    const legacy = version === '1.1' || version === '2.1';
    const selectTags = Array.isArray((data._info as Raw | undefined)?.select_tags) ? ((data._info as Raw).select_tags as string[]) : [];

    const list = (key: string): Raw[] => (Array.isArray(data[key]) ? (data[key] as Raw[]) : []);

    list('services').forEach((raw, i) => {
      const src = child(root, 'services', i);
      const svc = makeService(raw, src, order++, selectTags, diagnostics);
      services.push(svc);
      (Array.isArray(raw.routes) ? (raw.routes as Raw[]) : []).forEach((r, j) =>
        pendingRoutes.push({ raw: r, src: child(src, 'routes', j), legacy, parent: svc, ref: undefined, selectTags }),
      );
      plugins(raw.plugins, child(src, 'plugins'), { service: svc }, selectTags);
    });
    list('routes').forEach((raw, i) =>
      pendingRoutes.push({ raw, src: child(root, 'routes', i), legacy, parent: null, ref: raw.service ?? null, selectTags }),
    );
    list('upstreams').forEach((raw, i) => {
      const src = child(root, 'upstreams', i);
      const up = makeUpstream(raw, src, order++, selectTags);
      upstreams.push(up);
      (Array.isArray(raw.targets) ? (raw.targets as Raw[]) : []).forEach((t, j) =>
        pendingTargets.push({ raw: t, src: child(src, 'targets', j), parent: up, ref: undefined, selectTags }),
      );
    });
    list('ca_certificates').forEach((raw, i) =>
      caCertificates.push({
        kind: 'ca_certificate',
        id: pick(raw, 'id', null),
        tags: tagsOf(raw, selectTags),
        src: child(root, 'ca_certificates', i),
        order: order++,
        cert: String(raw.cert ?? ''),
        cert_digest: pick(raw, 'cert_digest', null),
      }),
    );
    list('certificates').forEach((raw, i) => {
      const src = child(root, 'certificates', i);
      const cert: Certificate = {
        kind: 'certificate',
        id: pick(raw, 'id', null),
        tags: tagsOf(raw, selectTags),
        src,
        order: order++,
        cert: String(raw.cert ?? ''),
        key: String(raw.key ?? ''),
        cert_alt: pick(raw, 'cert_alt', null),
        key_alt: pick(raw, 'key_alt', null),
        snis: [],
      };
      certificates.push(cert);
      (Array.isArray(raw.snis) ? raw.snis : []).forEach((sni: unknown, j) => {
        const named = typeof sni === 'string' ? { name: sni } : (sni as Raw);
        cert.snis.push({ kind: 'sni', id: pick(named, 'id', null), tags: tagsOf(named, selectTags), src: child(src, 'snis', j), order: order++, name: String(named.name), certificate: cert });
      });
    });
    list('snis').forEach((raw, i) => pendingSnis.push({ raw, src: child(root, 'snis', i), selectTags }));
    list('targets').forEach((raw, i) => pendingTargets.push({ raw, src: child(root, 'targets', i), parent: null, ref: raw.upstream, selectTags }));
    list('consumers').forEach((raw, i) => {
      const src = child(root, 'consumers', i);
      const consumer = makeConsumer(raw, src, order++, tagsOf(raw, selectTags));
      if (consumer.username === null && consumer.custom_id === null) {
        diagnostics.push(diag(src, 'error', 'consumer', "at least one of these fields must be non-empty: 'custom_id', 'username'", 'give the consumer a username (Kong derives its id from it)'));
      }
      consumers.push(consumer);
      for (const collection of CREDENTIAL_COLLECTIONS) {
        (Array.isArray(raw[collection]) ? (raw[collection] as Raw[]) : []).forEach((c, j) =>
          pendingCredentials.push({ collection, raw: c, src: child(src, collection, j), parent: consumer, ref: undefined, tags: tagsOf(c, selectTags), transform: data._transform !== false }),
        );
      }
      if (Array.isArray(raw.groups) && raw.groups.length) unsupported(child(src, 'groups'), 'consumer groups (Kong Enterprise)');
      plugins(raw.plugins, child(src, 'plugins'), { consumer }, selectTags);
    });
    for (const collection of CREDENTIAL_COLLECTIONS) {
      list(collection).forEach((c, i) =>
        pendingCredentials.push({ collection, raw: c, src: child(root, collection, i), parent: null, ref: c.consumer, tags: tagsOf(c, selectTags), transform: data._transform !== false }),
      );
    }
    plugins(data.plugins, child(root, 'plugins'), {}, selectTags);
    for (const [key, what] of Object.entries(UNSUPPORTED_COLLECTIONS)) {
      list(key).forEach((_e, i) => unsupported(child(root, key, i), what));
    }
  }

  const serviceByKey = indexBy(services, (s) => [s.id, s.name]);
  for (const p of pendingRoutes) {
    let service = p.parent;
    if (!service && p.ref !== null && p.ref !== undefined) {
      service = resolve(serviceByKey, p.ref, child(p.src, 'service'), 'service', diagnostics);
    }
    const route = makeRoute(p.raw, p.src, order++, service, p.legacy, p.selectTags, diagnostics);
    routes.push(route);
    plugins(p.raw.plugins, child(p.src, 'plugins'), { route }, p.selectTags);
  }

  const upstreamByKey = indexBy(upstreams, (u) => [u.id, u.name]);
  for (const p of pendingTargets) {
    const up = p.parent ?? resolve(upstreamByKey, p.ref, child(p.src, 'upstream'), 'upstream', diagnostics);
    if (!up) continue;
    const target = makeTarget(p.raw, p.src, order++, up, p.selectTags, diagnostics);
    if (target) up.targets.push(target);
  }

  const certificateById = indexBy(certificates, (c) => [c.id?.toLowerCase() ?? null]);
  for (const p of pendingSnis) {
    const ref = p.raw.certificate;
    const id = typeof ref === 'string' ? ref : ref && typeof ref === 'object' ? (ref as Raw).id : undefined;
    const cert = resolve(certificateById, typeof id === 'string' ? id.toLowerCase() : id, child(p.src, 'certificate'), 'certificate', diagnostics);
    if (cert) cert.snis.push({ kind: 'sni', id: pick(p.raw, 'id', null), tags: tagsOf(p.raw, p.selectTags), src: p.src, order: order++, name: String(p.raw.name), certificate: cert });
  }

  attachCredentials(pendingCredentials, consumers, () => order++, diagnostics);
  const pluginList = resolvePlugins(pendingPlugins, { services: serviceByKey, routes: indexBy(routes, (r) => [r.id, r.name]), consumers: indexBy(consumers, (c) => [c.id, c.username]) }, diagnostics);

  return { state: { services, routes, upstreams, caCertificates, certificates, consumers, plugins: pluginList }, diagnostics };
}

interface PendingPlugin {
  raw: Raw;
  src: SourceRef;
  route: Route | null;
  service: Service | null;
  consumer: Consumer | null;
  order: number;
  selectTags: string[];
}

/** Binds each plugin to the entities it names (`service:`, `route:`, `consumer:` by name or id). */
function resolvePlugins(
  pending: PendingPlugin[],
  index: { services: Map<string, Service>; routes: Map<string, Route>; consumers: Map<string, Consumer> },
  out: Diagnostic[],
): Plugin[] {
  const plugins: Plugin[] = [];
  for (const p of pending) {
    const ref = <T>(key: 'service' | 'route' | 'consumer', map: Map<string, T>): T | null | undefined => {
      const v = p.raw[key];
      if (v === undefined || v === null) return null;
      return resolve(map, key === 'consumer' && v && typeof v === 'object' ? ((v as Raw).id ?? (v as Raw).username) : v, child(p.src, key), key, out) ?? undefined;
    };
    const service = p.service ?? ref('service', index.services);
    const route = p.route ?? ref('route', index.routes);
    const consumer = p.consumer ?? ref('consumer', index.consumers);
    if (service === undefined || route === undefined || consumer === undefined) continue;
    plugins.push({
      kind: 'plugin',
      id: pick(p.raw, 'id', null),
      tags: tagsOf(p.raw, p.selectTags),
      src: p.src,
      order: p.order,
      name: String(p.raw.name),
      instance_name: pick(p.raw, 'instance_name', null),
      enabled: p.raw.enabled !== false,
      protocols: pick(p.raw, 'protocols', null),
      config: (p.raw.config && typeof p.raw.config === 'object' ? p.raw.config : {}) as Record<string, unknown>,
      route,
      service,
      consumer,
    });
  }
  return plugins;
}

function indexBy<T>(items: T[], keys: (t: T) => (string | null)[]): Map<string, T> {
  const m = new Map<string, T>();
  for (const it of items) for (const k of keys(it)) if (k && !m.has(k)) m.set(k, it);
  return m;
}

function resolve<T>(index: Map<string, T>, ref: unknown, at: SourceRef, kind: string, out: Diagnostic[]): T | null {
  let key: string | undefined;
  if (typeof ref === 'string') key = ref;
  else if (ref && typeof ref === 'object') key = ((ref as Raw).id ?? (ref as Raw).name) as string | undefined;
  const hit = key === undefined ? undefined : index.get(key);
  if (!hit) {
    const shown = key === undefined ? JSON.stringify(ref) : `'${key}'`;
    out.push(
      diag(at, 'error', 'dangling-ref', `${kind} ${shown} does not exist`, `declare a ${kind} with ${key !== undefined && UUID.test(key) ? 'id' : 'name'} ${shown}, or fix the reference`),
    );
    return null;
  }
  return hit;
}

function tagsOf(raw: Raw, selectTags: string[]): string[] | null {
  const own = Array.isArray(raw.tags) ? (raw.tags as string[]) : [];
  const all = [...new Set([...own, ...selectTags])];
  return all.length ? all : null;
}

/** A foreign key written as `id`, `{id: …}` (or `{name: …}`): the key as given, checked by validation. */
function foreignId(ref: unknown): string | null {
  if (typeof ref === 'string') return ref;
  if (ref && typeof ref === 'object') {
    const key = (ref as Raw).id ?? (ref as Raw).name;
    return typeof key === 'string' ? key : null;
  }
  return null;
}

function pick<T>(raw: Raw, key: string, fallback: T): T {
  const v = raw[key];
  return v === undefined || v === null ? fallback : (v as T);
}

function makeService(raw: Raw, src: SourceRef, order: number, selectTags: string[], out: Diagnostic[]): Service {
  let protocol = pick(raw, 'protocol', SERVICE_DEFAULTS.protocol as string);
  let host = pick(raw, 'host', '');
  let port = pick(raw, 'port', SERVICE_DEFAULTS.port as number);
  let path = pick<string | null>(raw, 'path', null);
  if (typeof raw.url === 'string') {
    const parsed = parseServiceUrl(raw.url);
    if ('error' in parsed) {
      out.push(diag(child(src, 'url'), 'error', 'service-url', `invalid url: ${parsed.error}`, 'write a URL like http://api.internal:8080/base'));
    } else {
      // Kong expands the shorthand over the separate fields: the url's protocol, host and port
      // win, and its path too when it has one. Say so where a field says otherwise.
      const fromUrl: Record<string, unknown> = { protocol: parsed.protocol, host: parsed.host, port: parsed.port, ...(parsed.path !== null ? { path: parsed.path } : {}) };
      for (const [k, v] of Object.entries(fromUrl)) {
        if (raw[k] !== undefined && raw[k] !== null && raw[k] !== v) {
          out.push(diag(child(src, k), 'warning', 'service-url', `${k} ${JSON.stringify(raw[k])} is overridden by the url (${JSON.stringify(v)}), as Kong does`, `remove '${k}' or make it agree with the url`));
        }
      }
      protocol = parsed.protocol;
      host = parsed.host;
      port = parsed.port;
      if (parsed.path !== null) path = parsed.path;
    }
  } else if (!host) {
    out.push(diag(src, 'error', 'schema', "missing required field 'host'", "set 'host' (and 'port', 'protocol', 'path') or the 'url' shorthand"));
  }
  return {
    kind: 'service',
    id: pick(raw, 'id', null),
    name: pick(raw, 'name', null),
    tags: tagsOf(raw, selectTags),
    src,
    order,
    protocol: protocol as Service['protocol'],
    host,
    port,
    path,
    retries: pick(raw, 'retries', SERVICE_DEFAULTS.retries as number),
    connect_timeout: pick(raw, 'connect_timeout', SERVICE_DEFAULTS.connect_timeout as number),
    write_timeout: pick(raw, 'write_timeout', SERVICE_DEFAULTS.write_timeout as number),
    read_timeout: pick(raw, 'read_timeout', SERVICE_DEFAULTS.read_timeout as number),
    enabled: pick(raw, 'enabled', SERVICE_DEFAULTS.enabled as boolean),
    tls_verify: pick(raw, 'tls_verify', null),
    tls_verify_depth: pick(raw, 'tls_verify_depth', null),
    ca_certificates: pick(raw, 'ca_certificates', null),
    client_certificate: foreignId(raw.client_certificate),
  };
}

function makeRoute(raw: Raw, src: SourceRef, order: number, service: Service | null, legacy: boolean, selectTags: string[], out: Diagnostic[]): Route {
  let paths = pick<string[] | null>(raw, 'paths', null);
  if (legacy && paths) {
    paths = paths.map((p, i) => {
      const migrated = typeof p === 'string' ? migrateLegacyPath(p) : p;
      if (migrated !== p) {
        out.push(diag(child(src, 'paths', i), 'warning', 'path-migration', `path '${p}' from a pre-3.0 file is read as '${migrated}' (Kong's 3.0 migration)`, `write '${migrated}' and set _format_version: "3.0"`));
      }
      return migrated;
    });
  }
  const protocols = pick<string[]>(raw, 'protocols', [...ROUTE_DEFAULTS.protocols]);
  const isGrpc = protocols.some((p) => p === 'grpc' || p === 'grpcs');
  return {
    kind: 'route',
    id: pick(raw, 'id', null),
    name: pick(raw, 'name', null),
    tags: tagsOf(raw, selectTags),
    src,
    order,
    protocols: protocols as Route['protocols'],
    methods: emptyToNull(pick(raw, 'methods', null)),
    hosts: emptyToNull(pick(raw, 'hosts', null)),
    hostsListed: Array.isArray(raw.hosts),
    paths: emptyToNull(paths),
    headers: raw.headers && Object.keys(raw.headers as object).length ? (raw.headers as Record<string, string[]>) : null,
    snis: emptyToNull(pick(raw, 'snis', null)),
    sources: emptyToNull(pick(raw, 'sources', null)),
    destinations: emptyToNull(pick(raw, 'destinations', null)),
    strip_path: pick(raw, 'strip_path', isGrpc ? false : ROUTE_DEFAULTS.strip_path),
    preserve_host: pick(raw, 'preserve_host', ROUTE_DEFAULTS.preserve_host as boolean),
    regex_priority: pick(raw, 'regex_priority', ROUTE_DEFAULTS.regex_priority as number),
    path_handling: pick(raw, 'path_handling', ROUTE_DEFAULTS.path_handling) as Route['path_handling'],
    https_redirect_status_code: pick(raw, 'https_redirect_status_code', ROUTE_DEFAULTS.https_redirect_status_code) as Route['https_redirect_status_code'],
    request_buffering: pick(raw, 'request_buffering', ROUTE_DEFAULTS.request_buffering as boolean),
    response_buffering: pick(raw, 'response_buffering', ROUTE_DEFAULTS.response_buffering as boolean),
    service,
  };
}

function emptyToNull<T>(v: T[] | null): T[] | null {
  return v && v.length ? v : null;
}

function makeUpstream(raw: Raw, src: SourceRef, order: number, selectTags: string[]): Upstream {
  const hc = mergeDeep(defaultHealthchecks(), (raw.healthchecks ?? {}) as Raw);
  const hashOn = pick(raw, 'hash_on', UPSTREAM_DEFAULTS.hash_on as string);
  // Kong's shorthand: a hash_on other than none means consistent hashing.
  const algorithm = raw.algorithm ?? (hashOn !== 'none' ? 'consistent-hashing' : UPSTREAM_DEFAULTS.algorithm);
  return {
    kind: 'upstream',
    id: pick(raw, 'id', null),
    name: raw.name as string,
    tags: tagsOf(raw, selectTags),
    src,
    order,
    algorithm: algorithm as Upstream['algorithm'],
    hash_on: hashOn as Upstream['hash_on'],
    hash_fallback: pick(raw, 'hash_fallback', UPSTREAM_DEFAULTS.hash_fallback) as Upstream['hash_fallback'],
    hash_on_header: pick(raw, 'hash_on_header', null),
    hash_fallback_header: pick(raw, 'hash_fallback_header', null),
    hash_on_cookie: pick(raw, 'hash_on_cookie', null),
    hash_on_cookie_path: pick(raw, 'hash_on_cookie_path', UPSTREAM_DEFAULTS.hash_on_cookie_path as string),
    hash_on_query_arg: pick(raw, 'hash_on_query_arg', null),
    hash_fallback_query_arg: pick(raw, 'hash_fallback_query_arg', null),
    hash_on_uri_capture: pick(raw, 'hash_on_uri_capture', null),
    hash_fallback_uri_capture: pick(raw, 'hash_fallback_uri_capture', null),
    slots: pick(raw, 'slots', UPSTREAM_DEFAULTS.slots as number),
    healthchecks: hc,
    host_header: pick(raw, 'host_header', null),
    client_certificate: foreignId(raw.client_certificate),
    use_srv_name: pick(raw, 'use_srv_name', UPSTREAM_DEFAULTS.use_srv_name as boolean),
    targets: [],
  };
}

function makeTarget(raw: Raw, src: SourceRef, order: number, upstream: Upstream, selectTags: string[], out: Diagnostic[]): Target | null {
  const parsed = parseTarget(String(raw.target), TARGET_DEFAULTS.port);
  if ('error' in parsed) {
    out.push(diag(child(src, 'target'), 'error', 'target', `target '${String(raw.target)}': ${parsed.error}`, 'write host[:port], IPv4[:port] or [IPv6][:port]'));
    return null;
  }
  return {
    kind: 'target',
    id: pick(raw, 'id', null),
    tags: tagsOf(raw, selectTags),
    src,
    order,
    target: String(raw.target),
    host: parsed.host,
    port: parsed.port,
    weight: pick(raw, 'weight', TARGET_DEFAULTS.weight as number),
    upstream,
  };
}

export { defaultPortFor };
