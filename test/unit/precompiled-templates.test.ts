// The build ships the Handlebars templates precompiled; they must be current (the goldens then
// prove they render as reviewed).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import Handlebars from 'handlebars';
import { PRECOMPILED_TEMPLATES, assembledTemplate, compileTemplateSpec, templateSources } from '../../src/render/render.js';

describe('precompiled templates', () => {
  it('were generated from the current template sources', () => {
    const pre = createRequire(import.meta.url)(join(PACKAGE_ROOT, 'dist', 'src', 'render', PRECOMPILED_TEMPLATES));
    assert.equal(pre.hash, templateSources().hash);
    assert.equal(typeof pre.template.main, 'function');
  });

  it('are the code a compile now gives (the fallback when templates changed after the build)', () => {
    const pre = createRequire(import.meta.url)(join(PACKAGE_ROOT, 'dist', 'src', 'render', PRECOMPILED_TEMPLATES));
    const now = new Function(`return ${compileTemplateSpec(Handlebars, assembledTemplate(templateSources().sources))}`)();
    const code = (spec: Record<string, unknown>) => Object.keys(spec).sort().map((k) => `${k}: ${String(spec[k])}`).join('\n');
    assert.equal(code(now), code(pre.template));
    // Fields are read as plain properties and helper calls carry no source locations.
    assert.doesNotMatch(code(now), /lookupProperty\(depth0,"[A-Za-z]|"loc":/);
  });

  it('are assembled into one: every template is used, each partial line replaced by its file', () => {
    const { sources } = templateSources();
    const main = assembledTemplate(sources);
    assert.doesNotMatch(main, /\{\{>/);
    for (const name of Object.keys(sources).filter((n) => n !== 'main')) {
      assert.ok(main.includes(assembledTemplate(sources, name)), `${name}.hbs is not part of the assembled template`);
    }
    assert.throws(() => assembledTemplate({ main: '{{> nope}}\n' }), /no template nope\.hbs/);
    assert.throws(() => assembledTemplate({ main: '{{> main}}\n' }), /too deeply/);
  });
});
