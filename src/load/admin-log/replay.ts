// Admin-call log → Kong declarative document: scan the calls, replay them against the simulated
// Admin API, learn ids from recorded responses, and report every call Kong would reject.
import { UUID } from '../../values.js';
import { fileProblem } from '../input-files.js';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { InputError, sortDiagnostics, type Diagnostic, type DiagnosticCode } from '../../diagnostics.js';
import type { LoadedDocument } from '../document.js';
import { LIMITS } from '../limits.js';
import { parseCurl } from './curl.js';
import { toDeclarative } from './declarative.js';
import { parseHttpie } from './httpie.js';
import { destination, parseUrl, type Body } from './request.js';
import { readResponse, type RecordedResponse } from './response.js';
import { scanLog, type LogCommand } from './scanner.js';
import { KINDS } from './schema.js';
import { describeLoss } from './refused.js';
import { AdminApi, formatTarget, type At, type Input, type Outcome, type Row } from './simulator.js';

export interface ReplayOptions {
  /** Calls Kong would reject are errors: throw InputError. */
  strict?: boolean;
  /** Keep entity ids in the output. */
  keepIds?: boolean;
}

export interface ReplayResult {
  document: LoadedDocument;
  diagnostics: Diagnostic[];
  yaml: string;
  /** The error when the replayed state is empty (commands refuse it: requireState). */
  empty: Diagnostic | null;
}

/** Code of diagnostics for calls Kong would reject (the ones --strict makes errors). */
export const REJECTED = 'admin-api';
/** Code of notes about the log itself (skipped calls, unreadable files, ids not learned). */
export const NOTE = 'admin-log';

const IDENTIFYING = ['name', 'username', 'custom_id', 'instance_name', 'target'];

export function replayLogFile(path: string, opts: ReplayOptions = {}): ReplayResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: false }).decode(readFileSync(path));
  } catch (e) {
    throw new InputError([fileProblem(path, e)]);
  }
  return replayLogText(path, text, opts);
}

export function replayLogText(file: string, text: string, opts: ReplayOptions = {}): ReplayResult {
  if (Buffer.byteLength(text, 'utf8') > LIMITS.fileBytes) {
    throw new InputError([{ file, line: 0, column: 0, severity: 'error', code: 'limit', path: '', message: `file is larger than ${LIMITS.fileBytes} bytes` }]);
  }
  const diagnostics: Diagnostic[] = [];
  const warn = (at: At, code: DiagnosticCode, message: string, hint?: string) =>
    diagnostics.push({ file, line: at.line, column: at.column, severity: 'warning', code, path: '', message, ...(hint ? { hint } : {}) });
  const { commands, problems } = scanLog(file, text);
  for (const p of problems) warn(p, NOTE, p.message);
  const api = new AdminApi();
  for (const cmd of commands) replayCommand(api, cmd, warn);

  if (opts.strict && diagnostics.some((d) => d.code === REJECTED)) {
    throw new InputError(sortDiagnostics(diagnostics.map((d) => (d.code === REJECTED ? { ...d, severity: 'error' as const } : d))));
  }
  const empty = Object.values(api.rows).every((rows) => rows.length === 0) ? emptyReplay(file, commands.length, diagnostics) : null;
  const { data, map } = toDeclarative(api, file, opts.keepIds ?? false);
  const yaml = stringify(data, { lineWidth: 0, aliasDuplicateObjects: false });
  return { document: { file, data, map }, diagnostics: sortDiagnostics(diagnostics), yaml, empty };
}

/** For commands: a replay that leaves Kong empty is an error (with the warnings that explain it), never an empty YAML. */
export function requireState(result: ReplayResult): ReplayResult {
  if (result.empty) throw new InputError(sortDiagnostics([...result.diagnostics, result.empty]));
  return result;
}

type Warn = (at: At, code: DiagnosticCode, message: string, hint?: string) => void;

/**
 * A replay that leaves Kong empty is an error, not an empty YAML: placed at the first refused call
 * (typos such as `/servics` are the usual reason), else the first call, else the top of the log.
 */
function emptyReplay(file: string, calls: number, diagnostics: Diagnostic[]): Diagnostic {
  const first = diagnostics.find((d) => d.code === REJECTED) ?? diagnostics[0];
  const at = first ? { line: first.line, column: first.column } : { line: 1, column: 1 };
  const [message, hint] =
    calls === 0
      ? ['no curl or HTTPie command in the log: nothing to replay', 'replay a log of Admin API calls (curl -X POST localhost:8001/services …)']
      : first?.code === REJECTED
        ? ['no call in the log leaves anything in Kong: the replayed configuration would be empty', 'correct the refused calls (the first one is here) and replay the log again']
        : first
          ? ['no call in the log reaches the Admin API: the replayed configuration would be empty', 'replay calls to the Admin API (port 8001 by default), not to the proxy or other services']
          : ['the calls in the log leave Kong empty (everything they create is deleted again)', 'replay a log that ends with the configuration you want'];
  return { file, ...at, severity: 'error', code: REJECTED, path: '', message, hint };
}

function replayCommand(api: AdminApi, cmd: LogCommand, warn: Warn): void {
  const at: At = { line: cmd.line, column: cmd.column };
  const call = cmd.dialect === 'curl' ? parseCurl(cmd.words) : parseHttpie(cmd.words);
  if (typeof call === 'string') return warn(at, NOTE, `${call}; skipped`);
  for (const n of call.notes) warn(at, NOTE, n);
  const url = parseUrl(call.url);
  const dest = destination(url);
  if (!dest.admin) return warn(at, NOTE, `skipped ${call.method} ${call.url}: ${dest.why}`);
  const bodyVars = cmd.unknownVars.filter((v) => !call.url.startsWith('$' + v) && !call.url.startsWith('${' + v + '}'));
  if (bodyVars.length) {
    warn(at, NOTE, `${bodyVars.map((v) => '$' + v).join(', ')} ${bodyVars.length === 1 ? 'is' : 'are'} not set in the log; kept as written`, 'assign the variable earlier in the log (NAME=value) to replay its value');
  }

  const input = toInput(call.body);
  const label = `${call.method} ${url.path}`;
  let out = api.handle(call.method, url.path, input, at);
  if (out.status === 405 && call.method === 'POST' && isEntityUrl(url.path)) {
    // POST on an entity URL: Kong answers 405, but the intent (create it under this name) is plain.
    warn(at, REJECTED, `${label} → 405 Method not allowed; replayed as PUT ${url.path} (an upsert of '${lastSegment(url.path)}')`, `write PUT ${url.path}, or POST to the collection with the name in the body`);
    out = api.handle('PUT', url.path, input, at);
    if (out.status >= 400) refused('PUT', url.path, call.body, out, at, warn);
  } else if (out.status >= 400) {
    refused(call.method, url.path, call.body, out, at, warn);
  } else if (out.note) {
    warn(at, NOTE, `${label} → ${out.status}, ${out.note}`);
  }
  if (out.created) {
    const resp = readResponse(cmd.after);
    learnId(api, out.created, resp, warn);
    learnSecrets(out.created, resp, at, label, warn);
  }
}

/** Credential fields Kong fills with random values when a call leaves them out. */
const GENERATED: Partial<Record<string, string[]>> = {
  keyauth_credentials: ['key'],
  jwt_secrets: ['key', 'secret'],
  hmacauth_credentials: ['secret'],
  oauth2_credentials: ['client_id', 'client_secret'],
};

/**
 * A credential Kong gave a random secret: the recorded response shows it, or nobody can know it.
 * Without it the credential stays in the YAML as Kong would load it (Kong draws a new random value,
 * which no client has), and the call is reported.
 */
function learnSecrets(row: Row, resp: RecordedResponse | null, at: At, label: string, warn: Warn): void {
  const missing = (GENERATED[row.kind] ?? []).filter((f) => row.fields[f] === undefined || row.fields[f] === null);
  if (!missing.length) return;
  const shown = resp && (resp.status === null || resp.status < 400) ? resp : null;
  const unknown = missing.filter((f) => {
    const v = shown?.fields.get(f);
    if (v === undefined || v === '') return true;
    row.fields[f] = v;
    return false;
  });
  if (!unknown.length) return;
  const what = unknown.join(' and ');
  warn(
    at,
    NOTE,
    `${label}: Kong generated a random ${what} for this ${KINDS[row.kind].one}, and the log does not record it: the replay cannot know it, so the credential is written without it (loaded by Kong it gets a new random ${what} that no client holds; kongc cannot compile a credential it does not know)`,
    `give the ${what} in the call (-d ${unknown[0]}=…), or keep Kong's response to the call after it in the log`,
  );
}

/** A refused call: Kong's status and message, what the output lacks because of it, and how to keep it. */
function refused(method: string, path: string, body: Body, out: Outcome, at: At, warn: Warn): void {
  const loss = describeLoss(method, path, body, out);
  warn(at, REJECTED, `${method} ${path} → ${out.status} ${out.message ?? ''}`.trimEnd() + (loss?.message ?? ''), loss?.hint ?? out.hint);
}

function toInput(body: Body): Input {
  switch (body.kind) {
    case 'none':
      return { form: false, value: undefined };
    case 'form':
      return { form: true, pairs: body.pairs };
    case 'object':
      return { form: false, value: body.value };
    case 'json':
      try {
        return { form: false, value: JSON.parse(body.text) as unknown };
      } catch {
        return { form: false, error: 'Cannot parse JSON body' };
      }
  }
}

/** `/services/x`, `/consumers/x`, …: a URL that names one entity of a top-level collection. */
function isEntityUrl(path: string): boolean {
  const segs = path.split('/').filter(Boolean);
  return segs.length === 2 && Object.prototype.hasOwnProperty.call(KINDS, segs[0]!);
}

function lastSegment(path: string): string {
  const segs = path.split('/').filter(Boolean);
  return segs[segs.length - 1] ?? '';
}

/**
 * Takes the id from the response recorded after the call, when the response is about this entity
 * (same name/target/username where it shows one) and the id is not already another entity's.
 */
function learnId(api: AdminApi, row: Row, resp: RecordedResponse | null, warn: Warn): void {
  if (!resp || (resp.status !== null && resp.status >= 400)) return;
  const id = resp.fields.get('id');
  if (!id || !UUID.test(id)) return;
  for (const key of IDENTIFYING) {
    const shown = resp.fields.get(key);
    const mine = row.fields[key];
    if (shown === undefined || mine === undefined) continue;
    if ((key === 'target' ? formatTarget(shown) : shown) !== mine) return;
  }
  const owner = api.findById(id);
  if (owner && owner !== row) {
    warn(
      { line: resp.line, column: 1 },
      NOTE,
      `the recorded response gives id ${id}, which the ${KINDS[owner.kind].one} created at line ${owner.at.line} already has; this ${KINDS[row.kind].one} keeps a generated id`,
    );
    return;
  }
  api.setId(row, id);
}
