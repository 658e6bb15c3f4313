// kongc build: compile to nginx text (or the plan as JSON), to stdout or atomically to a file.
import { compileDocuments, type CompileOptions } from '../compile.js';
import { report, type GlobalOptions } from '../report.js';
import { writeFileAtomic } from '../deliver/atomic-write.js';
import { checkWithNginx } from '../deliver/nginx-check.js';
import { pcreJitWarning } from '../deliver/pcre-jit.js';
import { CommandFailure } from '../diagnostics.js';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { GeneratedFile, NginxPlan, StreamPlan } from '../plan/ir.js';
import { renderFile, type WrittenFile } from '../render/side-files.js';
import { loadInputs, parseListen, parseListenStream, parseSelectTags } from './inputs.js';
import { writeOutput } from './output.js';
import { defaultCertificateSource } from './default-certificate.js';

/** The TLS listener's flags, shared by every command that compiles. */
export interface TlsFlags {
  listenTls?: string[];
  defaultCert?: string;
  defaultKey?: string;
  /** Kong's stream_listen entries (tcp, `udp`, `ssl`). */
  listenStream?: string[];
}

export interface BuildFlags extends TlsFlags {
  output?: string;
  /** Where the stream {} include goes (tcp, tls, udp routes). */
  streamOutput?: string;
  listen?: string[];
  fromLog?: string;
  check?: boolean;
  nginx?: string;
  format?: 'nginx' | 'json';
  skipUnsupported?: boolean;
  withNjs?: boolean;
  allowDegraded?: boolean;
  kongHeaders?: boolean;
  strict?: boolean;
  caDir?: string;
  secretsDir?: string;
  stateDir?: string;
  selectTag?: string[];
}

export function compileOptions(flags: BuildFlags): CompileOptions {
  const secretsDir = flags.secretsDir ? resolve(flags.secretsDir) : undefined;
  const caDir = flags.caDir ? resolve(flags.caDir) : flags.output ? dirname(resolve(flags.output)) : undefined;
  return {
    listen: parseListen(flags.listen),
    listenTls: flags.listenTls?.length ? parseListen(flags.listenTls, '--listen-tls') : undefined,
    listenStream: parseListenStream(flags.listenStream),
    streamOutput: Boolean(flags.streamOutput),
    defaultCertificate: defaultCertificateSource(flags, secretsDir ?? caDir),
    selectTags: parseSelectTags(flags.selectTag),
    skipUnsupported: Boolean(flags.skipUnsupported),
    withNjs: Boolean(flags.withNjs),
    allowDegraded: Boolean(flags.allowDegraded),
    kongHeaders: Boolean(flags.kongHeaders),
    // CA bundles (service ca_certificates) go to --ca-dir, else next to -o; on stdout there is no place for them.
    caDir,
    // Credential files likewise: --secrets-dir, else --ca-dir, else next to -o.
    secretsDir,
    // Folders nginx keeps state in (proxy-cache): --state-dir, else --ca-dir, else next to -o.
    stateDir: flags.stateDir ? resolve(flags.stateDir) : undefined,
    strict: Boolean(flags.strict),
  };
}

/**
 * Writes the files the config refers to (CA bundles) before the config itself, so nginx never
 * sees a config whose files are missing. Names are content hashes: an existing file with the
 * same name has the same content and is left alone.
 */
export function writeGeneratedFiles(files: WrittenFile[], socketDir: string | null = null): void {
  // nginx binds the stream include's internal sockets there, and its workers connect to them.
  if (socketDir) mkdirSync(socketDir, { recursive: true, mode: 0o755 });
  for (const f of files) {
    if (existsSync(f.path) && readFileSync(f.path, 'utf8') === f.content) {
      // A secret file someone loosened goes back to owner-only.
      if (f.secret && (statSync(f.path).mode & 0o077) !== 0) chmodSync(f.path, 0o600);
      continue;
    }
    mkdirSync(dirname(f.path), { recursive: true, mode: 0o700 });
    writeFileAtomic(f.path, f.content, f.secret ? 0o600 : undefined);
  }
}

/** The plan as review JSON: a credential file shows its path and size, never its content. */
export function planJson(plan: NginxPlan): string {
  return (
    JSON.stringify(plan, (key, value: unknown) => {
      if (key === 'files' && Array.isArray(value)) {
        return (value as GeneratedFile[]).map((f) => {
          if (!f.secret) return f;
          const { path, kind, usedBy } = f;
          return { path, kind, secret: true, usedBy, content: `(credentials, ${Buffer.byteLength(renderFile(f).content)} bytes, not shown)` };
        });
      }
      return value;
    }, 2) + '\n'
  );
}

export async function runBuild(files: string[], flags: BuildFlags, global: GlobalOptions): Promise<void> {
  const options = compileOptions(flags);
  const { docs, warnings } = await loadInputs(files, flags.fromLog, flags.strict);
  const result = compileDocuments(docs, options);
  report([...warnings, ...result.diagnostics], global);
  const out = flags.format === 'json' ? planJson(result.stream ? withStream(result.plan, result.stream.plan) : result.plan) : result.text;
  if (flags.format !== 'json') writeGeneratedFiles(result.files, result.stream?.plan.socketDir);
  if (flags.check && flags.format !== 'json') {
    const check = await checkWithNginx(result.text, { nginx: flags.nginx ?? 'nginx', plan: result.plan, stream: result.stream?.text });
    if (!check.ok) throw new CommandFailure(`nginx -t rejected the generated configuration:\n${check.message}`);
    process.stderr.write('kongc: nginx -t accepted the configuration\n');
    const jit = await pcreJitWarning({ nginx: flags.nginx ?? 'nginx' });
    if (jit) process.stderr.write(`kongc: warning: ${jit}\n`);
  }
  // The stream include first: the http include's arrival is what a watcher of -o reacts to.
  if (flags.streamOutput && flags.format !== 'json') writeOutput(flags.streamOutput, result.stream?.text ?? '', '--stream-output');
  if (flags.output) writeOutput(flags.output, out);
  else process.stdout.write(out);
}

/** The review JSON with the stream plan beside the http one. */
function withStream(plan: NginxPlan, stream: StreamPlan): NginxPlan & { stream: StreamPlan } {
  const both = Object.create(Object.getPrototypeOf(plan), Object.getOwnPropertyDescriptors(plan)) as NginxPlan & { stream: StreamPlan };
  both.stream = stream;
  return both;
}
