// Locations of files shipped with kongc (templates, schema), independent of the working directory.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The package root: this file is compiled to dist/src/paths.js. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates');
export const SCHEMA_FILE = join(PACKAGE_ROOT, 'src', 'validate', 'kong.schema.json');
