// Build step (`npm run build`, after tsc and the precompile steps): bundles the CLI into one
// script with esbuild, then runs a warm-up build through it and records V8's code cache (the
// bytecode of every function the warm-up ran) for bin/kongc to start from.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { loadBundle } from './launch.js';
import { BUNDLE_FILE, CODE_CACHE_FILE, COMPILED_DIR, PACKAGE_ROOT } from './paths.js';

// Modules read their own address from import.meta.url; in the bundle, the bundle's (in dist/src/
// too, so src/paths.ts finds the package root the same way).
const URL_OF_BUNDLE = '__kongc_bundle_url';
buildSync({
  entryPoints: [join(COMPILED_DIR, 'cli.js')],
  outfile: BUNDLE_FILE,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Everything is in: a script run by node:vm has no module loader for `import()` (execa is
  // imported that way, and esbuild turns it into a lazy call within the bundle).
  define: { 'import.meta.url': URL_OF_BUNDLE },
  banner: { js: `var ${URL_OF_BUNDLE} = require('node:url').pathToFileURL(__filename).href;` },
  logLevel: 'error',
});

const { main, script } = loadBundle();
const scratch = mkdtempSync(join(tmpdir(), 'kongc-warmup-'));
const write = process.stderr.write;
try {
  // The warm-up compiles every fixture (between them they reach every stage); warnings are not news.
  process.stderr.write = () => true;
  const inputs = readdirSync(join(PACKAGE_ROOT, 'fixtures'))
    .map((d) => join(PACKAGE_ROOT, 'fixtures', d, 'kong.yaml'))
    .filter((f) => existsSync(f));
  for (const input of inputs) await main(['node', 'kongc', 'build', input, '-o', join(scratch, 'out.conf')]);
} finally {
  process.stderr.write = write;
  process.exitCode = 0;
  rmSync(scratch, { recursive: true, force: true });
}
writeFileSync(CODE_CACHE_FILE, script.createCachedData());
