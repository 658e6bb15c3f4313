// Kong's own error responses (kong.response.error and kong/error_handlers.lua, Kong 3.10): the
// format follows the request's Accept header (JSON, HTML, XML or plain text), each body carries the
// request id. kongc answers them from named locations, one per error and format.
import type { KongError, MapValue } from './ir.js';
import { VARIABLES } from './names.js';

export type ErrorFormat = 'json' | 'html' | 'xml' | 'text';

const CONTENT_TYPES: Record<ErrorFormat, string> = {
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  text: 'text/plain; charset=utf-8',
};

/** Kong's templates (kong/tools/http.lua), `%s` = message, `%r` = request id. */
const TEMPLATES: Record<ErrorFormat, string> = {
  json: '{\n  "message":"%s",\n  "request_id":"%r"\n}',
  html: '<!doctype html>\n<html>\n  <head>\n    <meta charset="utf-8">\n    <title>Error</title>\n  </head>\n  <body>\n    <h1>Error</h1>\n    <p>%s.</p>\n    <p>request_id: %r</p>\n  </body>\n</html>\n',
  xml: '<?xml version="1.0" encoding="UTF-8"?>\n<error>\n  <message>%s</message>\n  <requestid>%r</requestid>\n</error>\n',
  text: '%s\nrequest_id: %r\n',
};

/**
 * A body as literal text, newlines and nginx's $request_id (32 hex digits, as Kong's request id).
 * The message is text, or text and variables (`IP address not allowed: $remote_addr`).
 */
export function errorBody(format: ErrorFormat, message: string | MapValue): MapValue {
  const parts: MapValue = typeof message === 'string' ? [{ text: message }] : message;
  const out: MapValue = [];
  TEMPLATES[format].split('\n').forEach((line, i) => {
    if (i) out.push({ separator: true });
    line.split('%r').forEach((piece, j) => {
      if (j) out.push({ variable: 'request_id' });
      const at = piece.indexOf('%s');
      if (at < 0) {
        if (piece) out.push({ text: piece });
        return;
      }
      if (at > 0) out.push({ text: piece.slice(0, at) });
      for (const part of parts) if (!('text' in part) || part.text) out.push(part);
      if (piece.length > at + 2) out.push({ text: piece.slice(at + 2) });
    });
  });
  return out;
}

/**
 * `response`: errors Kong's router and balancer raise (kong.response.error): the Accept header's
 * format, JSON without one. `upstream`: nginx's own proxy failures, which Kong's error handler
 * answers: Accept, else the request's Content-Type, else text (error_default_type).
 */
export function kongError(name: string, status: number, message: string | MapValue, formats: 'response' | 'upstream', headers: [string, string][] = []): KongError {
  const format = formats === 'response' ? VARIABLES.errorFormat : VARIABLES.upstreamErrorFormat;
  return {
    name,
    jump: [{ text: `${name}_` }, { variable: format }],
    variants: (Object.keys(TEMPLATES) as ErrorFormat[]).map((f) => ({ name: `${name}_${f}`, status, contentType: CONTENT_TYPES[f], body: errorBody(f, message), headers })),
  };
}
