// The types of Kong 3.x's plugin config fields (each plugin's schema.lua), for the plugins kongc
// compiles: a form value (`config.minute=5`, `config.origins=*`) becomes what Kong's arguments
// decoder makes of it: a number, a boolean, an array of one string, or a string kept as written.
// Fields not listed here are read loosely (numbers and booleans by their look).
import type { FieldType } from './schema.js';

const S: FieldType = { t: 'string' };
const I: FieldType = { t: 'integer' };
const N: FieldType = { t: 'number' };
const B: FieldType = { t: 'boolean' };
const STRINGS: FieldType = { t: 'array', of: S };
const INTEGERS: FieldType = { t: 'array', of: I };
const rec = (fields: Record<string, FieldType>): FieldType => ({ t: 'record', fields });

/** request-/response-transformer: `{body|json, headers, querystring, …}` each an array of strings. */
const LISTS = rec({ body: STRINGS, headers: STRINGS, querystring: STRINGS, json: STRINGS, json_types: STRINGS });

const REDIS = rec({ host: S, port: I, timeout: I, username: S, password: S, database: I, ssl: B, ssl_verify: B, server_name: S });

export const PLUGIN_CONFIG_FIELDS: Record<string, Record<string, FieldType>> = {
  'rate-limiting': {
    second: N, minute: N, hour: N, day: N, month: N, year: N, limit_by: S, header_name: S, path: S, policy: S,
    fault_tolerant: B, redis: REDIS, hide_client_headers: B, error_code: N, error_message: S, sync_rate: N,
    redis_host: S, redis_port: I, redis_password: S, redis_username: S, redis_ssl: B, redis_ssl_verify: B, redis_server_name: S, redis_timeout: I, redis_database: I,
  },
  cors: {
    origins: STRINGS, headers: STRINGS, exposed_headers: STRINGS, methods: STRINGS, max_age: N,
    credentials: B, private_network: B, preflight_continue: B, allow_origin_absent: B,
  },
  jwt: {
    uri_param_names: STRINGS, cookie_names: STRINGS, header_names: STRINGS, key_claim_name: S, secret_is_base64: B,
    claims_to_verify: STRINGS, anonymous: S, run_on_preflight: B, maximum_expiration: N, realm: S,
  },
  'key-auth': { key_names: STRINGS, hide_credentials: B, anonymous: S, key_in_header: B, key_in_query: B, key_in_body: B, run_on_preflight: B, realm: S },
  'basic-auth': { anonymous: S, hide_credentials: B, realm: S },
  acl: { allow: STRINGS, deny: STRINGS, hide_groups_header: B, always_use_authenticated_groups: B, include_consumer_groups: B },
  'ip-restriction': { allow: STRINGS, deny: STRINGS, status: N, message: S },
  'request-size-limiting': { allowed_payload_size: I, size_unit: S, require_content_length: B },
  'request-termination': { status_code: I, message: S, content_type: S, body: S, echo: B, trigger: S },
  'request-transformer': { http_method: S, remove: LISTS, rename: LISTS, replace: rec({ body: STRINGS, headers: STRINGS, querystring: STRINGS, uri: S }), add: LISTS, append: LISTS },
  'response-transformer': { remove: LISTS, rename: LISTS, replace: LISTS, add: LISTS, append: LISTS },
  'correlation-id': { header_name: S, generator: S, echo_downstream: B },
  'proxy-cache': {
    response_code: INTEGERS, request_method: STRINGS, content_type: STRINGS, cache_ttl: I, strategy: S, cache_control: B,
    ignore_uri_case: B, storage_ttl: I, memory: rec({ dictionary_name: S }), vary_query_params: STRINGS, vary_headers: STRINGS,
    response_headers: rec({ age: B, 'X-Cache-Status': B, 'X-Cache-Key': B }),
  },
  'file-log': { path: S, reopen: B, custom_fields_by_lua: { t: 'map', values: S } },
  'bot-detection': { allow: STRINGS, deny: STRINGS },
  // Observers kongc reports on (their config is not compiled, but is typed as Kong types it).
  prometheus: { per_consumer: B, status_code_metrics: B, latency_metrics: B, bandwidth_metrics: B, upstream_health_metrics: B, ai_metrics: B, wasm_metrics: B },
  'http-log': { http_endpoint: S, method: S, content_type: S, timeout: N, keepalive: N, retry_count: I, queue_size: I, flush_timeout: N, headers: { t: 'map', values: S }, custom_fields_by_lua: { t: 'map', values: S } },
  'tcp-log': { host: S, port: I, timeout: N, keepalive: N, tls: B, tls_sni: S, custom_fields_by_lua: { t: 'map', values: S } },
  'udp-log': { host: S, port: I, timeout: N, custom_fields_by_lua: { t: 'map', values: S } },
  syslog: { log_level: S, successful_severity: S, client_errors_severity: S, server_errors_severity: S, facility: S, custom_fields_by_lua: { t: 'map', values: S } },
  statsd: { host: S, port: I, prefix: S, hostname_in_prefix: B, udp_packet_size: N, use_tcp: B, allow_status_codes: STRINGS, consumer_identifier_default: S, service_identifier_default: S, workspace_identifier_default: S },
  datadog: { host: S, port: I, prefix: S, service_name_tag: S, status_tag: S, consumer_tag: S, retry_count: I, queue_size: I, flush_timeout: N },
  zipkin: { http_endpoint: S, sample_ratio: N, default_service_name: S, include_credential: B, traceid_byte_count: I, header_type: S, default_header_type: S, tags_header: S, local_service_name: S, connect_timeout: I, send_timeout: I, read_timeout: I, http_span_name: S, phase_duration_flavor: S },
  opentelemetry: { endpoint: S, traces_endpoint: S, logs_endpoint: S, headers: { t: 'map', values: S }, batch_span_count: I, batch_flush_delay: I, connect_timeout: I, send_timeout: I, read_timeout: I, header_type: S, sampling_rate: N },
  loggly: { host: S, port: I, key: S, tags: STRINGS, log_level: S, successful_severity: S, client_errors_severity: S, server_errors_severity: S, timeout: N },
};

/** The type of a plugin's `config` for Kong's form decoding: a record when the plugin is listed, else free-form. */
export function pluginConfigType(name: unknown): FieldType {
  const fields = typeof name === 'string' ? PLUGIN_CONFIG_FIELDS[name] : undefined;
  return fields ? { t: 'record', fields, rest: { t: 'any' } } : { t: 'any' };
}
