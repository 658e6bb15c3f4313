// Which input files a command works on: the arguments (files, or folders of them), or kong.yaml /
// kong.yml in the current folder; and the flags every compiling command shares.
import { existsSync } from 'node:fs';
import { UsageError, type Diagnostic } from '../diagnostics.js';
import { isListenAddress } from '../render/encoders.js';
import type { LoadedDocument } from '../load/document.js';
import { loadFiles } from '../compile.js';
import type { StreamListen } from '../plan/context.js';

export function defaultInputFiles(files: string[]): string[] {
  if (files.length) return files;
  for (const name of ['kong.yaml', 'kong.yml']) if (existsSync(name)) return [name];
  throw new UsageError('no input: give FILE arguments, or run where kong.yaml or kong.yml exists');
}

/** Loads documents from declarative files or from an admin-call log (`--from-log`). */
export async function loadInputs(files: string[], fromLog: string | undefined, strict = false): Promise<{ docs: LoadedDocument[]; warnings: Diagnostic[] }> {
  if (fromLog) {
    if (files.length) throw new UsageError('give either FILE arguments or --from-log, not both');
    const { replayLogFile, requireState } = await import('../load/admin-log/replay.js');
    const replayed = requireState(replayLogFile(fromLog, { strict }));
    return { docs: [replayed.document], warnings: replayed.diagnostics };
  }
  return { docs: loadFiles(defaultInputFiles(files)), warnings: [] };
}

export function parseListen(values: string[] | undefined, flag = '--listen'): string[] {
  const list = values && values.length ? values : ['8000'];
  for (const v of list) {
    if (!isListenAddress(v)) {
      throw new UsageError(`${flag} ${JSON.stringify(v)}: expected PORT or ADDRESS:PORT (e.g. 8000, 127.0.0.1:8000, [::1]:8000)`);
    }
  }
  return [...new Set(list)];
}

/**
 * `--listen-stream`, as Kong's stream_listen entries: `ADDR`, `ADDR udp` or `ADDR ssl` (ADDR as
 * for --listen). Off unless given, as Kong's stream_listen.
 */
export function parseListenStream(values: string[] | undefined): StreamListen[] {
  const out = new Map<string, StreamListen>();
  for (const v of values ?? []) {
    const [address, ...flags] = v.trim().split(/\s+/);
    const bad = (why: string) => new UsageError(`--listen-stream ${JSON.stringify(v)}: ${why}; expected ADDR, 'ADDR udp' or 'ADDR ssl' (e.g. 9000, '127.0.0.1:9001 udp', '9443 ssl')`);
    if (!address || !isListenAddress(address)) throw bad('the address is not PORT or ADDRESS:PORT');
    const unknown = flags.find((f) => f !== 'udp' && f !== 'ssl');
    if (unknown) throw bad(`'${unknown}' is not a flag kongc knows`);
    const udp = flags.includes('udp');
    const ssl = flags.includes('ssl');
    if (udp && ssl) throw bad('ssl and udp cannot be combined (nginx has no DTLS)');
    out.set(`${address} ${udp} ${ssl}`, { address, udp, ssl });
  }
  return [...out.values()];
}

/** decK tags contain no `,` or `/` (they are Kong's AND/OR in tag filters) and no spaces. */
export function parseSelectTags(values: string[] | undefined): string[] {
  for (const t of values ?? []) {
    if (!t || /[,/\s]/.test(t)) throw new UsageError(`--select-tag ${JSON.stringify(t)}: a tag cannot be empty or hold ',', '/' or spaces; repeat --select-tag for several tags`);
  }
  return [...new Set(values ?? [])];
}
