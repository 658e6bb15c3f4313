// Build step (`npm run build`): precompiles the Handlebars templates next to the compiled renderer,
// stamped with a hash of their sources so stale templates are never used.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { PRECOMPILED_TEMPLATES, assembledTemplate, compileTemplateSpec, templateSources } from './render.js';

const { sources, hash } = templateSources();
writeFileSync(
  fileURLToPath(new URL(`./${PRECOMPILED_TEMPLATES}`, import.meta.url)),
  `module.exports = { hash: ${JSON.stringify(hash)}, template: ${compileTemplateSpec(Handlebars, assembledTemplate(sources))} };\n`,
);
