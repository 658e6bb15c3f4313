// kongc explain: which route a request reaches, why, and what nginx sends upstream.
import { modelDocuments } from '../compile.js';
import { InputError, UsageError, hasErrors, sortDiagnostics } from '../diagnostics.js';
import { explainRequest } from '../explain/explain.js';
import { formatExplanation } from '../explain/format.js';
import { parseExplainRequest, RequestError } from '../explain/request.js';
import { planConfig } from '../plan/plan.js';
import { report, type GlobalOptions } from '../report.js';
import { loadInputs, parseSelectTags } from './inputs.js';

export interface ExplainFlags {
  header?: string[];
  format?: 'text' | 'json';
  fromLog?: string;
  skipUnsupported?: boolean;
  withNjs?: boolean;
  allowDegraded?: boolean;
  selectTag?: string[];
}

/** Stands for the TLS listener's default certificate, which explain plans with but never reads. */
const UNREAD_CERTIFICATE = { chain: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n', key: '-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n', origin: 'none (explain)', development: false };

export async function runExplain(args: string[], flags: ExplainFlags, global: GlobalOptions): Promise<void> {
  const spec = args[args.length - 1];
  if (!spec || !spec.includes('://')) throw new UsageError('explain needs a request after the files: kongc explain [FILE...] "GET http://host/path"');
  let request;
  try {
    request = parseExplainRequest(spec, flags.header ?? []);
  } catch (e) {
    if (e instanceof RequestError) throw new UsageError(`explain: ${e.message}`);
    throw e;
  }
  const { docs } = await loadInputs(args.slice(0, -1), flags.fromLog);
  // Nothing is written: credential and CA files only need a place to be named in, and the TLS
  // listener's default certificate (presented to SNIs no certificate names) is never read.
  const options = {
    skipUnsupported: Boolean(flags.skipUnsupported),
    withNjs: Boolean(flags.withNjs),
    allowDegraded: Boolean(flags.allowDegraded),
    listen: ['8000'],
    caDir: process.cwd(),
    secretsDir: process.cwd(),
    selectTags: parseSelectTags(flags.selectTag),
    defaultCertificate: () => UNREAD_CERTIFICATE,
  };
  const modeled = modelDocuments(docs, options);
  const planned = planConfig(modeled.state, options);
  const all = sortDiagnostics([...modeled.diagnostics, ...planned.diagnostics]);
  if (hasErrors(all)) throw new InputError(all);
  report(all, { ...global, quiet: true });
  if (request.tls && !planned.plan.tls) throw new UsageError('explain: this configuration has no TLS listener (it has no certificates, or only client certificates): explain an http:// URL');
  const explanation = explainRequest(request, modeled.state, planned.plan, planned.router);
  process.stdout.write(flags.format === 'json' ? JSON.stringify(explanation, null, 2) + '\n' : formatExplanation(explanation));
}
