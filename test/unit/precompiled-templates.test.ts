// The build ships the Handlebars templates precompiled; they must be current (the goldens then
// prove they render as reviewed).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { PRECOMPILED_TEMPLATES, templateSources } from '../../src/render/render.js';

describe('precompiled templates', () => {
  it('were generated from the current template sources, every one of them', () => {
    const pre = createRequire(import.meta.url)(join(PACKAGE_ROOT, 'dist', 'src', 'render', PRECOMPILED_TEMPLATES));
    const { sources, hash } = templateSources();
    assert.equal(pre.hash, hash);
    assert.deepEqual(Object.keys(pre.templates).sort(), Object.keys(sources).sort());
  });
});
