// Checks shared by the plugins that answer a request themselves (rate-limiting, ip-restriction,
// request-size-limiting, request-termination, bot-detection): which statuses nginx can send the
// way Kong does, and which texts can go into a body.
import { LIMITS } from '../../load/limits.js';
import type { SourceRef } from '../../load/source-map.js';

/** Kong's header_name typedef (JSON Schema). */
export const HEADER_NAME = { type: 'string', pattern: '^[A-Za-z0-9_-]+$', maxLength: 256, 'x-hint': "allowed characters are A-Z, a-z, 0-9, '_', and '-'" };

interface Reporter {
  error(ref: SourceRef, message: string, hint?: string): void;
}

/**
 * Statuses kongc or nginx give a meaning of their own: 418 and 419 are kongc's internal jumps,
 * 444 closes the connection without an answer, 494–499 are nginx's own request errors.
 */
const NGINX_SPECIAL = new Set([418, 419, 444, 494, 495, 496, 497, 498, 499]);
/** nginx's own proxy failures, answered by the server's error pages (Kong's 502/503/504). */
const PROXY_FAILURES = new Set([502, 503, 504]);
/** `return` reads its text as the Location of a redirect for these. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * A status a plugin answers through `error_page` (limit_req_status, client_max_body_size): nginx
 * accepts 400–599 there, and the codes kongc or nginx already use would mix answers up.
 */
export function checkErrorPageStatus(r: Reporter, ref: SourceRef, field: string, status: number): boolean {
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    r.error(ref, `${field} ${status}: nginx answers a refused request with a status from 400 to 599`, 'use 429 (Kong\'s default) or another 4xx/5xx status');
    return false;
  }
  if (NGINX_SPECIAL.has(status) || PROXY_FAILURES.has(status)) {
    const why = PROXY_FAILURES.has(status)
      ? "nginx's own proxy failures use it (answered as Kong's bad gateway/unavailable/timeout errors), so the two answers would mix"
      : status === 444 ? 'nginx closes the connection without an answer for it' : 'kongc or nginx uses it internally';
    r.error(ref, `${field} ${status}: ${why}`, 'choose another 4xx/5xx status');
    return false;
  }
  return true;
}

/** A status a plugin answers with `return` (a body of its own): no 1xx, no redirects, no nginx specials. */
export function checkReturnStatus(r: Reporter, ref: SourceRef, field: string, status: number): boolean {
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    r.error(ref, `${field} ${status}: nginx answers with a final status from 200 to 599`, 'use a 2xx, 4xx or 5xx status');
    return false;
  }
  if (REDIRECTS.has(status)) {
    r.error(ref, `${field} ${status}: nginx's return sends a redirect for this status (its text becomes the Location header), not a body`, 'use a 2xx, 4xx or 5xx status');
    return false;
  }
  if (status === 444 || (status >= 494 && status <= 499)) {
    r.error(ref, `${field} ${status}: nginx gives this status a meaning of its own`, 'choose another status');
    return false;
  }
  return true;
}

/** Text that goes into a response body or header: nginx cannot quote control characters. */
export function checkText(r: Reporter, ref: SourceRef, field: string, value: string, limit = LIMITS.valueBytes - 200): boolean {
  if (/[\x00-\x1f\x7f]/.test(value)) {
    r.error(ref, `${field}: contains a control character (a newline, tab …), which kongc cannot write into nginx's configuration`, 'remove it');
    return false;
  }
  if (Buffer.byteLength(value, 'utf8') > limit) {
    r.error(ref, `${field}: longer than ${limit} bytes, more than one nginx value holds`, 'shorten it');
    return false;
  }
  return true;
}

const said = new WeakMap<object, Set<string>>();

/** True the first time for this instance and topic: a plugin lowered on many routes warns once. */
export function once(plugin: object, topic: string): boolean {
  let topics = said.get(plugin);
  if (!topics) said.set(plugin, (topics = new Set()));
  if (topics.has(topic)) return false;
  topics.add(topic);
  return true;
}
