// request-termination: answers every request (or those carrying the trigger header or query
// argument) itself, last in Kong's order. nginx: a fixed answer (named location) jumped to from the
// route's rewrite-phase chain.
import { onlyForChosenConsumers } from './consumer-gate.js';
import type { FixedResponse } from '../ir.js';
import { shortHash } from '../names.js';
import { checkReturnStatus, checkText, HEADER_NAME, once } from './answers.js';
import type { PluginDefinition } from './definition.js';

interface Config {
  status_code: number;
  message?: string;
  content_type?: string;
  body?: string;
  echo: boolean;
  trigger?: string;
}

/** Kong's messages for a terminated request without one (request-termination/handler.lua). */
const DEFAULT_MESSAGES: Record<number, string> = {
  401: 'Unauthorized',
  404: 'Not found',
  405: 'Method not allowed',
  500: 'An unexpected error occurred',
  502: 'Bad Gateway',
  503: 'Service unavailable',
};

/** A Lua string as lua-cjson encodes it (Kong's `{"message":…}`): `/` is escaped too. */
export function cjsonString(s: string): string {
  return '"' + s.replace(/["\\/\x00-\x1f\x7f]/g, (c) => {
    const named: Record<string, string> = { '"': '\\"', '\\': '\\\\', '/': '\\/', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
  }) + '"';
}

const present = (v: string | undefined): v is string => typeof v === 'string' && v.length > 0;

export const requestTermination: PluginDefinition<Config> = {
  name: 'request-termination',
  priority: 2,
  tier: 'stock',
  role: 'gate',
  phase: 'rewrite',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      status_code: { type: 'integer', minimum: 100, maximum: 599, default: 503 },
      message: { type: 'string' },
      content_type: { type: 'string' },
      body: { type: 'string' },
      echo: { type: 'boolean', default: false },
      trigger: HEADER_NAME,
    },
  },
  check(config, ctx) {
    // Kong's custom_validator, in its words.
    if (present(config.message) && (present(config.content_type) || present(config.body))) ctx.error(ctx.at('message'), 'message cannot be used with content_type or body');
    if (present(config.content_type) && !present(config.body)) ctx.error(ctx.at('content_type'), 'content_type requires a body');
    if (config.echo && (present(config.content_type) || present(config.body))) ctx.error(ctx.at('echo'), 'echo cannot be used with content_type and body');
    if (config.echo) {
      ctx.error(ctx.at('echo'), 'echo: the JSON copy of the request (headers, query, body, matched route) needs code at request time, which stock nginx does not run', 'remove echo, or terminate with a message or body');
    }
    checkReturnStatus(ctx, ctx.at('status_code'), 'status_code', config.status_code);
    if (config.message !== undefined) checkText(ctx, ctx.at('message'), 'message', config.message);
    if (config.body !== undefined) checkText(ctx, ctx.at('body'), 'body', config.body);
    if (config.content_type !== undefined) checkText(ctx, ctx.at('content_type'), 'content_type', config.content_type, 512);
  },
  lower(use, ctx) {
    const c = use.config;
    let response: Omit<FixedResponse, 'name' | 'purpose'>;
    if (c.body !== undefined) {
      // A raw body; Content-Type only when content_type is set (Kong's proxy has default_type '').
      response = { status: c.status_code, contentType: present(c.content_type) ? c.content_type : null, body: c.body ? [{ text: c.body }] : null, headers: [] };
    } else {
      const message = c.message ?? DEFAULT_MESSAGES[c.status_code];
      response = message === undefined
        ? { status: c.status_code, contentType: null, body: null, headers: [] }
        : { status: c.status_code, contentType: 'application/json; charset=utf-8', body: [{ text: `{"message":${cjsonString(message)}}` }], headers: [] };
    }
    const name = `@kongc_terminate_${shortHash(JSON.stringify(response), 10)}`;
    const target = ctx.response({ ...response, name, purpose: `request-termination: status ${c.status_code}` });
    if (!c.trigger) return { steps: onlyForChosenConsumers(use, ctx, [{ kind: 'answer', target }]) };
    if (once(use.plugin, 'request-termination')) ctx.approximate(
      ctx.at(use, 'trigger'),
      `${use.label}: trigger '${c.trigger}': nginx sees an empty header as no header, so a request sending '${c.trigger}' with an empty value is not terminated (Kong terminates it); the query argument is matched as sent, before percent-decoding`,
      'send the trigger header with a value',
    );
    const header = 'http_' + c.trigger.toLowerCase().replace(/-/g, '_');
    return {
      steps: onlyForChosenConsumers(use, ctx, [
        { kind: 'if', check: { variable: header, op: '!=', operand: '' }, then: [{ kind: 'answer', target }] },
        // `?name`, `?name=` and `?name=v` all count, as in Kong's query table.
        { kind: 'if', check: { variable: 'args', op: '~', operand: `(?:^|&)${c.trigger.replace(/-/g, '\\-')}(?:=|&|\\z)` }, then: [{ kind: 'answer', target }] },
      ]),
    };
  },
};
