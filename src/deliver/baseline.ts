// What a new Kong state is compared with: the state kept beside the target, when it still
// describes the installed file (same build), or nothing at all when no file is installed yet.
import { readFileSync } from 'node:fs';
import { readStateFor, STATE_FORMAT, type StateFile } from './kong-state.js';
import { buildHash } from '../render/build-marker.js';

export const EMPTY_STATE: StateFile = { format: STATE_FORMAT, build: null, entities: [] };

/** state null: no comparison possible, and `note` says why. */
export function baselineFor(target: string): { state: StateFile | null; note: string | null } {
  let installed: string;
  try {
    installed = readFileSync(target, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: EMPTY_STATE, note: null };
    return { state: null, note: `cannot read ${target}: ${(e as Error).message}` };
  }
  const kept = readStateFor(target);
  const hash = buildHash(installed);
  if (kept && kept.build !== null && kept.build === hash) return { state: kept, note: null };
  if (kept) return { state: null, note: `the Kong state kept beside ${target} is for build ${kept.build}, but the installed file is ${hash ? `build ${hash}` : 'not a kongc build'} (changed by hand?); no entity diff` };
  return { state: null, note: `no Kong state is kept beside ${target} (it was not installed by kongc apply); no entity diff, pass --from-state to compare with a known state` };
}
