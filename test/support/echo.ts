// Small echo backends on 127.0.0.1 for end-to-end tests: each answers with what it received.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoReply {
  backend: string;
  method: string;
  /** The request target exactly as received (path and query). */
  url: string;
  host: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body's bytes, base64: what a binary body was, byte for byte. */
  bodyBase64: string;
}

export interface EchoBackend {
  name: string;
  port: number;
  /** Requests received so far. */
  hits: number;
  /** Delay (ms) before answering; set per test to provoke timeouts. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startEcho(name: string, opts: { port?: number; delayMs?: number } = {}): Promise<EchoBackend> {
  const backend: EchoBackend = {
    name,
    port: 0,
    hits: 0,
    delayMs: opts.delayMs ?? 0,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer((req: IncomingMessage, res) => {
    backend.hits++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply: EchoReply = {
        backend: name,
        method: req.method ?? '',
        url: req.url ?? '',
        host: req.headers.host,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        bodyBase64: Buffer.concat(chunks).toString('base64'),
      };
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json', 'x-echo-backend': name });
        res.end(JSON.stringify(reply));
      };
      if (backend.delayMs > 0) setTimeout(send, backend.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  backend.port = (server.address() as AddressInfo).port;
  return backend;
}

export async function startEchos(names: string[]): Promise<Record<string, EchoBackend>> {
  const out: Record<string, EchoBackend> = {};
  for (const n of names) out[n] = await startEcho(n);
  return out;
}
