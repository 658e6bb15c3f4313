// A raw HTTP client for tests: sends the path and Host header exactly as given (fetch cannot).
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
}

export function request(
  port: number,
  path: string,
  opts: { method?: string; host?: string | null; headers?: Record<string, string | string[]>; body?: string | Buffer; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { ...(opts.headers ?? {}) };
    if (opts.host !== null) headers.host = opts.host ?? 'localhost';
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers, agent: false, setHost: false, insecureHTTPParser: true },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`timeout: ${opts.method ?? 'GET'} ${path}`)));
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/**
 * One of Kong's own JSON error bodies, without the request id Kong 3.x adds to each (checked here:
 * 32 hex digits), so that tests compare the message.
 */
export function kongError(reply: Reply): Record<string, unknown> {
  const { request_id: id, ...rest } = reply.json() as Record<string, unknown>;
  assert.match(String(id), /^[0-9a-f]{32}$/, `request_id in ${reply.body}`);
  return rest;
}
