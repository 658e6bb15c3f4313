// Backends and clients for stream tests: TCP, UDP and TLS echo servers that answer `<name>:<bytes>`
// (so a test sees which backend a connection reached), and clients that send bytes and collect
// the answer. Everything on 127.0.0.0/8.
import { createSocket } from 'node:dgram';
import { connect as netConnect, createServer, type Server } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';

export interface StreamBackend {
  name: string;
  port: number;
  close(): Promise<void>;
}

function listening(server: Server, name: string): Promise<StreamBackend> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({ name, port, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

/** A TCP server that answers every chunk it receives with `<name>:<chunk>`. */
export function startTcpEcho(name: string): Promise<StreamBackend> {
  const server = createServer((socket) => {
    socket.on('data', (d) => socket.write(`${name}:${d.toString()}`));
    socket.on('error', () => socket.destroy());
  });
  return listening(server, name);
}

/** A TLS server (certificate and key in PEM) that answers like startTcpEcho. */
export function startTlsEcho(name: string, cert: string, key: string): Promise<StreamBackend> {
  const server = createTlsServer({ cert, key }, (socket) => {
    socket.on('data', (d) => socket.write(`${name}:${d.toString()}`));
    socket.on('error', () => socket.destroy());
  });
  return listening(server as unknown as Server, name);
}

/** A UDP server that answers every datagram with `<name>:<datagram>`. */
export function startUdpEcho(name: string): Promise<StreamBackend> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, from) => socket.send(`${name}:${msg.toString()}`, from.port, from.address));
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve({ name, port: socket.address().port, close: () => new Promise((r) => socket.close(() => r())) })));
}

/** What the client got back for `text` before the answer was complete or the connection closed ('' when closed at once). */
export type Answer = { text: string; closed: boolean };

function collect(socket: NodeJS.ReadWriteStream & { destroy(): void; setTimeout(ms: number, cb: () => void): void }, text: string, expectLength: number): Promise<Answer> {
  return new Promise((resolve) => {
    let got = '';
    const done = (closed: boolean) => {
      socket.destroy();
      resolve({ text: got, closed });
    };
    socket.setTimeout(5000, () => done(false));
    socket.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.length >= expectLength) done(false);
    });
    socket.on('error', () => done(true));
    socket.on('end', () => done(true));
    socket.on('close', () => done(true));
    socket.write(text);
  });
}

/** Sends `text` over TCP (from `localAddress`, default 127.0.0.1) and returns the answer of `expectLength` characters. */
export function tcpExchange(host: string, port: number, text: string, expectLength: number, localAddress = '127.0.0.1'): Promise<Answer> {
  const socket = netConnect({ host, port, localAddress });
  return new Promise((resolve) => socket.once('connect', () => resolve(collect(socket, text, expectLength))).once('error', () => resolve({ text: '', closed: true })));
}

/** A TLS exchange with SNI `servername` (none when undefined); also the subject CN of the certificate presented. */
export function tlsExchange(port: number, servername: string | undefined, text: string, expectLength: number): Promise<Answer & { cn: string | null }> {
  return new Promise((resolve) => {
    const socket: TLSSocket = tlsConnect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const cn = socket.getPeerCertificate().subject?.CN ?? null;
      void collect(socket, text, expectLength).then((a) => resolve({ ...a, cn: cn === null ? null : String(cn) }));
    });
    socket.once('error', () => resolve({ text: '', closed: true, cn: null }));
  });
}

/** Sends one datagram and waits for one answer (null after a second without one). */
export function udpExchange(port: number, text: string): Promise<string | null> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.close();
      resolve(null);
    }, 2000);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg.toString());
    });
    socket.send(text, port, '127.0.0.1');
  });
}
