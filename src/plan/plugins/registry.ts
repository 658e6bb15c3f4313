// Every plugin kongc knows, by name. A plugin is one module in this folder; adding one is one line here.
import type { PluginDefinition } from './definition.js';
import { OBSERVERS } from './observers.js';
import { proxyCache } from './proxy-cache.js';
import { fileLog } from './file-log.js';

const DEFINITIONS: PluginDefinition[] = [...OBSERVERS, proxyCache, fileLog];

export const PLUGINS: ReadonlyMap<string, PluginDefinition> = new Map(DEFINITIONS.map((d) => [d.name, d]));

/** Plugins kongc does not compile whose only effect is on requests or responses in flight, or on reporting: `--skip-unsupported` may drop them. */
export const DROPPABLE = new Set([
  'response-transformer-advanced', 'request-transformer-advanced', 'proxy-cache-advanced', 'graphql-proxy-cache-advanced',
  'kafka-log', 'statsd-advanced', 'splunk-log', 'datadog-tracing', 'application-registration',
]);

/** Plugins that need JavaScript at request time (the njs tier), which this build of kongc does not compile. */
export const NEEDS_NJS = new Set(['jwt', 'hmac-auth']);
