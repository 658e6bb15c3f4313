// Is the new config live? `nginx -s reload` exits 0 even when the master fails to load the new
// cycle (a port in use, a file changed meanwhile) and keeps serving the old one. Every kongc
// build answers `location = /__kongc/build` with its hash on loopback, so we ask.
import { connect } from 'node:net';
import { statements } from './nginx-lexer.js';
import { oldAcceptingWorkers } from './nginx-workers.js';
import { sleep } from './sleep.js';

/** The addresses of the `listen` directives in a config (for a restored file, which has no plan). */
export function listenAddressesOf(text: string): string[] {
  const out: string[] = [];
  for (const s of statements(text)) if (s.name === 'listen' && s.words[1]) out.push(s.words[1].text);
  return [...new Set(out)];
}

export interface Probe {
  host: string;
  port: number;
}

/**
 * Where to ask, from the listen addresses: a wildcard or loopback address is reachable on
 * loopback; the endpoint only answers loopback clients, so other specific addresses can't be
 * asked. One address is enough: all listen sockets belong to the same nginx cycle.
 */
export function probeFor(listen: readonly string[]): Probe | null {
  for (const addr of listen) {
    const m = /^(?:(.*):)?(\d+)$/.exec(addr);
    if (!m) continue;
    const host = m[1];
    const port = Number(m[2]);
    if (host === undefined || host === '*' || host === '0.0.0.0' || host === 'localhost' || /^127\./.test(host)) {
      return { host: host && /^127\./.test(host) ? host : '127.0.0.1', port };
    }
    if (host === '[::]' || host === '[::1]') return { host: '::1', port };
  }
  return null;
}

export interface LiveBuild {
  hash: string;
  /** The pid of the nginx worker that answered (X-Kongc-Worker), when the build says. */
  worker: number | null;
}

/**
 * GET /__kongc/build over HTTP/1.0 without a Host header, so nginx picks the default server of
 * that address (where kongc puts the endpoint) whatever server_names the routes declare.
 * Resolves the build served, or null when the answer is not a kongc build hash.
 */
export function fetchLiveBuild(probe: Probe, timeoutMs: number): Promise<LiveBuild | null> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: probe.host, port: probe.port });
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer from ${probe.host}:${probe.port} within ${timeoutMs}ms`)));
    socket.on('connect', () => socket.end('GET /__kongc/build HTTP/1.0\r\n\r\n'));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const res = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] 200 [^\r\n]*\r\n([\s\S]*?\r\n)\r\n([0-9a-f]{16})\n?$/.exec(res);
      if (!m) return resolve(null);
      const worker = /^x-kongc-worker: *(\d+)\r$/im.exec(m[1]!)?.[1];
      resolve({ hash: m[2]!, worker: worker ? Number(worker) : null });
    });
  });
}

/**
 * Polls until the live hash equals `hash` and, when `since` (bootTicks() before a reload) is
 * given, until no worker started before it still accepts connections, so that every connection
 * opened afterwards gets the new build. Returns the last state seen (or error) on timeout.
 */
export async function waitForBuild(
  probe: Probe,
  hash: string,
  opts: { timeoutMs: number; signal?: AbortSignal; since?: number | null },
): Promise<{ ok: true } | { ok: false; last: string }> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = 'no answer';
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const live = await fetchLiveBuild(probe, Math.max(200, Math.min(2000, deadline - Date.now())));
      if (live?.hash === hash) {
        const old = live.worker !== null && opts.since != null ? oldAcceptingWorkers(live.worker, opts.since) : null;
        if (!old?.length) return { ok: true };
        last = `serving build ${hash}, but worker${old.length > 1 ? 's' : ''} ${old.join(', ')} of the previous configuration still accept${old.length > 1 ? '' : 's'} connections`;
      } else {
        last = live ? `serving build ${live.hash}` : 'answered without a kongc build hash';
      }
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() >= deadline) return { ok: false, last };
    await sleep(50, opts.signal);
  }
}
