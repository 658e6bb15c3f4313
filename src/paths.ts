// Locations of files shipped with kongc (templates, schema), independent of the working directory.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The package root: this file is compiled to dist/src/paths.js, and bundled into dist/src/kongc.cjs (where the bundle's address stands in for the module's). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates');
/** Where `npm run build` puts the compiled modules and the files generated next to them. */
export const COMPILED_DIR = join(PACKAGE_ROOT, 'dist', 'src');
/** The CLI bundled into one script (`npm run build`), and V8's code cache for it. */
export const BUNDLE_FILE = join(COMPILED_DIR, 'kongc.cjs');
export const CODE_CACHE_FILE = join(COMPILED_DIR, 'kongc.code-cache');
export const SCHEMA_FILE = join(PACKAGE_ROOT, 'src', 'validate', 'kong.schema.json');
