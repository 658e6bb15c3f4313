// Plugins that change no response: metrics, tracing and log shipping. nginx has its own ways to
// report; kongc compiles the rest of the config and says what to use instead, once per instance.
import type { PluginDefinition } from './definition.js';

const ANY_CONFIG = { type: 'object' };

function observer(name: string, priority: number, instead: string): PluginDefinition {
  return { name, priority, tier: 'stock', role: 'observe', schema: ANY_CONFIG, instead };
}

const STUB_STATUS = "nginx's stub_status module (connection and request counters) or an exporter reading nginx's access log (e.g. nginx-prometheus-exporter)";
const ACCESS_LOG = "nginx's access_log (with a log_format, or syslog:server=… to ship it)";

export const OBSERVERS: PluginDefinition[] = [
  observer('prometheus', 13, STUB_STATUS),
  observer('zipkin', 100000, "nginx's $request_id in a request header (proxy_set_header), or the OpenTelemetry module (nginx-module-otel), which nginx-light does not include"),
  observer('opentelemetry', 14, "the OpenTelemetry module (nginx-module-otel), which nginx-light does not include"),
  observer('datadog', 10, STUB_STATUS),
  observer('statsd', 11, STUB_STATUS),
  observer('http-log', 12, `${ACCESS_LOG} read by a log shipper`),
  observer('tcp-log', 7, `${ACCESS_LOG} read by a log shipper`),
  observer('udp-log', 8, `${ACCESS_LOG} with syslog:server=HOST:PORT`),
  observer('syslog', 4, `${ACCESS_LOG} with syslog:server=…`),
  observer('loggly', 6, `${ACCESS_LOG} with syslog:server=logs-01.loggly.com`),
];
