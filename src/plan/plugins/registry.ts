// Every plugin kongc knows, by name. A plugin is one module in this folder; adding one is one line here.
import type { PluginDefinition } from './definition.js';
import { OBSERVERS } from './observers.js';
import { ACL } from './acl.js';
import { BASIC_AUTH } from './basic-auth.js';
import { botDetection } from './bot-detection.js';
import { correlationId } from './correlation-id.js';
import { fileLog } from './file-log.js';
import { cors } from './cors.js';
import { ipRestriction } from './ip-restriction.js';
import { JWT } from './jwt.js';
import { KEY_AUTH } from './key-auth.js';
import { proxyCache } from './proxy-cache.js';
import { rateLimiting } from './rate-limiting.js';
import { requestSizeLimiting } from './request-size-limiting.js';
import { requestTermination } from './request-termination.js';
import { requestTransformer } from './request-transformer.js';
import { responseTransformer } from './response-transformer.js';

const DEFINITIONS: PluginDefinition[] = [
  ...OBSERVERS,
  ACL,
  BASIC_AUTH,
  botDetection,
  correlationId,
  cors,
  fileLog,
  ipRestriction,
  JWT,
  KEY_AUTH,
  proxyCache,
  rateLimiting,
  requestSizeLimiting,
  requestTermination,
  requestTransformer,
  responseTransformer,
];

export const PLUGINS: ReadonlyMap<string, PluginDefinition> = new Map(DEFINITIONS.map((d) => [d.name, d]));

/** Plugins kongc does not compile whose only effect is on requests or responses in flight, or on reporting: `--skip-unsupported` may drop them. */
export const DROPPABLE = new Set([
  'response-transformer-advanced', 'request-transformer-advanced', 'proxy-cache-advanced', 'graphql-proxy-cache-advanced',
  'kafka-log', 'statsd-advanced', 'splunk-log', 'datadog-tracing', 'application-registration',
]);

/** Plugins kongc does not compile that would need JavaScript at request time (njs) if it did. */
export const NEEDS_NJS = new Set(['hmac-auth']);
