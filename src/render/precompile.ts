// Build step (`npm run build`): precompiles the Handlebars templates next to the compiled renderer,
// stamped with a hash of their sources so stale templates are never used.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { COMPILED_DIR } from '../paths.js';
import { PRECOMPILED_TEMPLATES, assembledTemplate, compileTemplateSpec, handlebarsCompiler, templateModule, templateSources } from './render.js';

const { sources, hash } = templateSources();
writeFileSync(
  join(COMPILED_DIR, 'render', PRECOMPILED_TEMPLATES),
  templateModule(hash, compileTemplateSpec(handlebarsCompiler(Handlebars), assembledTemplate(sources))),
);
