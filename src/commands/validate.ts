// kongc validate: schema and semantic checks only.
import { modelDocuments } from '../compile.js';
import { report, type GlobalOptions } from '../cli.js';
import { planConfig } from '../plan/plan.js';
import { InputError, hasErrors, sortDiagnostics } from '../diagnostics.js';
import { loadInputs } from './inputs.js';

export async function runValidate(files: string[], flags: { skipUnsupported?: boolean; allowDegraded?: boolean }, global: GlobalOptions): Promise<void> {
  const { docs } = await loadInputs(files, undefined);
  // caDir: validate writes nothing; a CA bundle location only matters to build.
  const options = { skipUnsupported: Boolean(flags.skipUnsupported), allowDegraded: Boolean(flags.allowDegraded), listen: ['8000'], caDir: process.cwd() };
  const modeled = modelDocuments(docs, options);
  // Planning finds what nginx cannot express and the router's ambiguities.
  const planned = planConfig(modeled.state, options);
  const all = sortDiagnostics([...modeled.diagnostics, ...planned.diagnostics]);
  if (hasErrors(all)) throw new InputError(all);
  report(all, global.reporter);
  const s = modeled.state;
  process.stderr.write(
    `kongc: ok: ${s.services.length} services, ${s.routes.length} routes, ${s.upstreams.length} upstreams, ${s.upstreams.reduce((n, u) => n + u.targets.length, 0)} targets` +
      (all.length ? `, ${all.length} warning${all.length === 1 ? '' : 's'}` : '') + '\n',
  );
}
