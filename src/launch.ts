// How bin/kongc starts the CLI: the bundled script (dist/kongc.cjs: one file instead of ~70
// modules to resolve and load) compiled with the V8 code cache `npm run build` recorded after a
// warm-up build, so a run skips parsing and compiling what the warm-up compiled. A cache V8
// rejects (made by another Node.js) only makes the start slower.
import { readFileSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';
import { BUNDLE_FILE, CODE_CACHE_FILE } from './paths.js';

export interface Bundle {
  main(argv: string[]): Promise<void>;
  /** The compiled bundle, to record its code cache from. */
  script: Script;
}

/** Loads and runs the bundle's top level; throws (ENOENT) when the package is not built. */
export function loadBundle(cachedData?: Buffer): Bundle {
  const source = readFileSync(BUNDLE_FILE, 'utf8');
  const script = new Script(Module.wrap(source), { filename: BUNDLE_FILE, cachedData });
  const module = { exports: {} as { main: Bundle['main'] } };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(BUNDLE_FILE), module, BUNDLE_FILE, dirname(BUNDLE_FILE));
  return { main: module.exports.main, script };
}

export function run(argv: string[]): Promise<void> {
  let cache: Buffer | undefined;
  try {
    cache = readFileSync(CODE_CACHE_FILE);
  } catch {
    /* no cache: compile as usual */
  }
  return loadBundle(cache).main(argv);
}
