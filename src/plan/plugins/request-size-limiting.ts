// request-size-limiting: refuses a body larger than allowed_payload_size (413, or 417 when the
// client waits for `100 Continue`), and with require_content_length a request that has neither a
// Content-Length nor a chunked body (411). nginx: a rewrite-phase check of Content-Length (a
// regex for the numbers above the limit), and client_max_body_size for chunked bodies, measured as
// nginx reads them; error_page sends its 413 to Kong's answer.
import type { MapValue } from '../ir.js';
import type { PluginDefinition } from './definition.js';

interface Config {
  allowed_payload_size: number;
  size_unit: 'megabytes' | 'kilobytes' | 'bytes';
  require_content_length: boolean;
}

/** Binary factors, as Kong's handler multiplies (despite its docs' "128000000 bytes"). */
const FACTORS = { megabytes: 1048576, kilobytes: 1024, bytes: 1 } as const;

/** A PCRE matching the decimal numbers (leading zeros allowed) greater than `n`. */
export function greaterThan(n: number): string {
  const d = String(n);
  const alternatives = [`[1-9][0-9]{${d.length},}`];
  for (let i = 0; i < d.length; i++) {
    const digit = Number(d[i]);
    if (digit === 9) continue;
    const rest = d.length - i - 1;
    alternatives.push(`${d.slice(0, i)}[${digit + 1}-9]${rest ? `[0-9]{${rest}}` : ''}`);
  }
  return `^0*(?:${alternatives.join('|')})\\z`;
}

export const requestSizeLimiting: PluginDefinition<Config> = {
  name: 'request-size-limiting',
  priority: 951,
  tier: 'stock',
  role: 'gate',
  // A Content-Length over client_max_body_size is refused when nginx picks the location, before any check.
  phase: 'find-config',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      allowed_payload_size: { type: 'integer', default: 128 },
      size_unit: { enum: ['megabytes', 'kilobytes', 'bytes'], default: 'megabytes' },
      require_content_length: { type: 'boolean', default: false },
    },
  },
  check(config, ctx) {
    if (config.allowed_payload_size <= 0) {
      ctx.error(
        ctx.at('allowed_payload_size'),
        `allowed_payload_size ${config.allowed_payload_size}: nginx cannot refuse every body (its client_max_body_size 0 means no limit)`,
        'allow at least 1 byte; to refuse requests with a body, use request-termination on the route',
      );
    } else if (config.allowed_payload_size * FACTORS[config.size_unit] > Number.MAX_SAFE_INTEGER / 2) {
      ctx.error(ctx.at('allowed_payload_size'), `allowed_payload_size ${config.allowed_payload_size} ${config.size_unit}: larger than nginx can count`, 'use a smaller size');
    }
  },
  lower(use, ctx) {
    const c = use.config;
    if (use.consumers.only !== null || use.consumers.except.length) {
      const who = use.consumers.only ? 'is bound to a consumer' : 'shares routes with a consumer-bound instance';
      ctx.error(ctx.at(use), `${use.label} ${who}: nginx's body limit (client_max_body_size) is one per location, it cannot depend on the consumer`, 'bind request-size-limiting to a route, a service or globally');
      return {};
    }
    const bytes = c.allowed_payload_size * FACTORS[c.size_unit];
    const tooLarge = ctx.kongError(413, 'Request size limit exceeded');
    const expectation = ctx.kongError(417, 'Request size limit exceeded');
    // Kong answers 417 instead when the client waits for `100 Continue` (Expect, trimmed, any case).
    const answer = ctx.map({
      variable: 'kongc_rsl_answer',
      source: [{ variable: 'http_expect' }],
      entries: [{ match: 'regex', caseless: true, pattern: '^\\s*100-continue\\s*\\z', value: [{ text: expectation }] }],
      default: [{ text: tooLarge }],
      purpose: "request-size-limiting: Kong's 417 when the client sent Expect: 100-continue, else 413",
    });
    const steps = [];
    if (c.require_content_length) {
      // Kong: no numeric Content-Length and a Transfer-Encoding other than exactly `chunked` → 411.
      const lengthless = ctx.map({
        variable: 'kongc_rsl_lengthless',
        source: [{ variable: 'http_content_length' }, { separator: true }, { variable: 'http_transfer_encoding' }] as MapValue,
        entries: [
          { match: 'regex', caseless: false, pattern: '^[0-9]+\\n', value: [] },
          { match: 'regex', caseless: false, pattern: '^\\nchunked\\z', value: [] },
        ],
        default: [{ text: '1' }],
        purpose: 'request-size-limiting: 1 when the request has no valid Content-Length and is not chunked',
      });
      steps.push({ kind: 'if' as const, check: { variable: lengthless, op: '=' as const, operand: '1' }, then: [{ kind: 'answer' as const, target: ctx.kongError(411, 'A valid Content-Length header is required') }] });
    }
    // Content-Length: decided here, before nginx reads the body (it sends no 100 Continue first).
    steps.push({ kind: 'if' as const, check: { variable: 'http_content_length', op: '~' as const, operand: greaterThan(bytes) }, then: [{ kind: 'answer' as const, target: `$${answer}` }] });
    return {
      steps,
      directives: [{ name: 'client_max_body_size', args: [{ bytes }] }],
      errorPages: [{ codes: [413], target: `$${answer}` }],
    };
  },
};
