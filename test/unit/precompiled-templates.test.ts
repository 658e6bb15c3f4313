// The build ships the Handlebars templates precompiled; they must be current (the goldens then
// prove they render as reviewed).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { PRECOMPILED_TEMPLATES, assembledTemplate, templateSources } from '../../src/render/render.js';

describe('precompiled templates', () => {
  it('were generated from the current template sources', () => {
    const pre = createRequire(import.meta.url)(join(PACKAGE_ROOT, 'dist', 'src', 'render', PRECOMPILED_TEMPLATES));
    assert.equal(pre.hash, templateSources().hash);
    assert.equal(typeof pre.template.main, 'function');
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
