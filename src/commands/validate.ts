// kongc validate: schema and semantic checks only.
import { modelDocuments } from '../compile.js';
import { report, type GlobalOptions } from '../report.js';
import { planConfig } from '../plan/plan.js';
import { InputError, hasErrors, sortDiagnostics } from '../diagnostics.js';
import { loadInputs, parseSelectTags } from './inputs.js';
import { counted } from '../text.js';

export async function runValidate(files: string[], flags: { skipUnsupported?: boolean; withNjs?: boolean; allowDegraded?: boolean; strict?: boolean; selectTag?: string[] }, global: GlobalOptions): Promise<void> {
  const selectTags = parseSelectTags(flags.selectTag);
  const { docs } = await loadInputs(files, undefined);
  // caDir: validate writes nothing; a CA bundle location only matters to build.
  const options = { skipUnsupported: Boolean(flags.skipUnsupported), withNjs: Boolean(flags.withNjs), allowDegraded: Boolean(flags.allowDegraded), listen: ['8000'], caDir: process.cwd(), strict: Boolean(flags.strict), selectTags };
  const modeled = modelDocuments(docs, options);
  // Planning finds what nginx cannot express and the router's ambiguities.
  const planned = planConfig(modeled.state, options);
  const all = sortDiagnostics([...modeled.diagnostics, ...planned.diagnostics]);
  if (hasErrors(all)) throw new InputError(all);
  report(all, global);
  const s = modeled.state;
  const counts = [counted(s.services.length, 'service'), counted(s.routes.length, 'route'), counted(s.upstreams.length, 'upstream'), counted(s.upstreams.reduce((n, u) => n + u.targets.length, 0), 'target')];
  if (s.consumers.length) counts.push(counted(s.consumers.length, 'consumer'));
  const enabled = s.plugins.filter((p) => p.enabled).length;
  if (enabled) counts.push(counted(enabled, 'plugin'));
  if (all.length) counts.push(counted(all.length, 'warning'));
  if (global.reporter !== 'json') process.stderr.write(`kongc: ok: ${counts.join(', ')}\n`);
}
