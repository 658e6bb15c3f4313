// Build step (`npm run build`): writes the JSON Schema's validator as ajv standalone code next to
// the compiled schema module, stamped with the schema's hash so a stale file is never used.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import standalone from 'ajv/dist/standalone/index.js';
import { COMPILED_DIR } from '../paths.js';
import { PRECOMPILED_VALIDATOR, schemaCompiler, schemaHash, schemaJson } from './schema.js';

const ajv = schemaCompiler(true);
const validate = ajv.compile(JSON.parse(schemaJson()));
const code = `${standalone.default(ajv, validate)}\nmodule.exports.schemaHash = ${JSON.stringify(schemaHash())};\n`;
writeFileSync(join(COMPILED_DIR, 'validate', PRECOMPILED_VALIDATOR), code);
