// The whole pipeline in one call: load → validate → model → plan → render.
// Commands (build, diff, apply) use this; it never writes files or runs nginx.
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { InputError, hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { applyDeckInfo } from './load/deck-info.js';
import { applyPluginConfigs } from './load/deck-plugin-configs.js';
import { decodeUtf8, parseDeclarative, type LoadedDocument } from './load/document.js';
import { LIMITS } from './load/limits.js';
import { buildState } from './model/build.js';
import { selectByTags } from './model/select-tags.js';
import { expandInputPaths, fileProblem } from './load/input-files.js';
import { validateSchema } from './validate/schema.js';
import { checkState } from './validate/semantic.js';
import { planConfig, type PlanOptions } from './plan/plan.js';
import type { NginxPlan } from './plan/ir.js';
import type { RouterDecision } from './plan/decide.js';
import { renderPlan, renderStreamPlan } from './render/render.js';
import { renderFile, type WrittenFile } from './render/side-files.js';
import { planStream } from './plan/stream/plan.js';
import { buildHash } from './render/build-marker.js';
import type { StreamPlan } from './plan/ir.js';
import type { KongState } from './model/types.js';

export interface CompileOptions extends PlanOptions {
  /** decK's --select-tag: compile only entities carrying all of these tags. */
  selectTags?: string[];
}

export interface CompileResult {
  state: KongState;
  plan: NginxPlan;
  /** The router's decision in Kong's terms (what `kongc explain` follows). */
  router: RouterDecision;
  text: string;
  /** The include for nginx's stream {} context; null without stream routes and listeners. */
  stream: { plan: StreamPlan; text: string } | null;
  /** The files both includes refer to (CA bundles, certificates, credentials, the njs module), to write before them. */
  files: WrittenFile[];
  /** Warnings (errors throw InputError). */
  diagnostics: Diagnostic[];
}

/**
 * Reads and parses declarative files; throws InputError on unreadable or unparsable input. A file
 * is checked against the size limit before it is read, then decoded as strict UTF-8.
 */
export function loadFiles(paths: string[]): LoadedDocument[] {
  const docs: LoadedDocument[] = [];
  const { files, problems: errors } = expandInputPaths(paths);
  for (const file of files) {
    let buf: Buffer;
    try {
      buf = readCapped(file, LIMITS.fileBytes);
    } catch (e) {
      if (e instanceof InputError) {
        for (const d of e.diagnostics) errors.push(d);
        continue;
      }
      errors.push(fileProblem(file, e));
      continue;
    }
    try {
      docs.push(parseDeclarative(file, decodeUtf8(file, buf)));
    } catch (e) {
      if (e instanceof InputError) for (const d of e.diagnostics) errors.push(d);
      else throw e;
    }
  }
  if (errors.length) throw new InputError(errors);
  return docs;
}

/**
 * Reads at most `cap` bytes (+1 to detect more): a FIFO or device (/dev/zero) cannot make kongc
 * read without end, and a big regular file is refused before it is read.
 */
export function readCapped(file: string, cap: number): Buffer {
  const tooBig = () =>
    new InputError([{ file, line: 0, column: 0, severity: 'error', code: 'limit', path: '', message: `file is larger than ${cap} bytes`, hint: 'split the configuration into several files' }]);
  const st = statSync(file);
  if (st.isFile() && st.size > cap) throw tooBig();
  if (st.isFile()) return readFileSync(file);
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > cap) throw tooBig();
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}

/** Validates and models documents; throws InputError when any error is found. */
export function modelDocuments(docs: LoadedDocument[], options: CompileOptions = {}): { state: KongState; diagnostics: Diagnostic[] } {
  const schemaErrors = docs.flatMap(validateSchema);
  if (schemaErrors.length) throw new InputError(sortDiagnostics(schemaErrors));
  // The schema holds for each default and each entity on its own (it has no rule across fields),
  // so entities with defaults filled in need no second pass.
  const info = applyDeckInfo(docs);
  const pluginConfigs = applyPluginConfigs(docs);
  if (hasErrors(pluginConfigs)) throw new InputError(sortDiagnostics(pluginConfigs));
  const built = buildState(docs, { skipUnsupported: options.skipUnsupported ?? false });
  let state = built.state;
  const diagnostics = [...info, ...built.diagnostics];
  if (options.selectTags?.length) {
    // Selecting needs every reference resolved.
    if (hasErrors(diagnostics)) throw new InputError(sortDiagnostics(diagnostics));
    const selected = selectByTags(state, options.selectTags);
    state = selected.state;
    diagnostics.push(...selected.diagnostics);
  }
  diagnostics.push(...checkState(state, options));
  if (hasErrors(diagnostics)) throw new InputError(sortDiagnostics(diagnostics));
  return { state, diagnostics: sortDiagnostics(diagnostics) };
}

export function compileDocuments(docs: LoadedDocument[], options: CompileOptions = {}): CompileResult {
  const { state, diagnostics } = modelDocuments(docs, options);
  const planned = planConfig(state, options);
  const stream = planStream(state, options);
  const all = [...diagnostics, ...planned.diagnostics, ...stream.diagnostics];
  if (hasErrors(all)) throw new InputError(sortDiagnostics(all));
  const streamText = stream.plan && renderStreamPlan(stream.plan);
  // The http include names the stream build, so that its own hash changes with either.
  if (streamText !== null) planned.plan.streamBuild = buildHash(streamText);
  return {
    state,
    plan: planned.plan,
    router: planned.router,
    text: renderPlan(planned.plan),
    stream: stream.plan && { plan: stream.plan, text: streamText! },
    files: [...planned.plan.files, ...(stream.plan?.files ?? [])].map(renderFile),
    diagnostics: sortDiagnostics(all),
  };
}

export function compileFiles(files: string[], options: CompileOptions = {}): CompileResult {
  return compileDocuments(loadFiles(files), options);
}
