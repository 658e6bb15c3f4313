// bin/kongc runs the bundled CLI with the V8 code cache the build recorded: both must be current.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadBundle } from '../../src/launch.js';
import { BUNDLE_FILE, CODE_CACHE_FILE, COMPILED_DIR } from '../../src/paths.js';

describe('the bundled CLI', () => {
  it('is built after the modules it bundles', () => {
    for (const module of ['cli.js', 'compile.js', join('plan', 'decide.js'), join('render', 'templates.precompiled.cjs')]) {
      assert.ok(statSync(BUNDLE_FILE).mtimeMs >= statSync(join(COMPILED_DIR, module)).mtimeMs, `${module} is newer than the bundle`);
    }
  });

  it('starts from a code cache V8 accepts', () => {
    const { main, script } = loadBundle(readFileSync(CODE_CACHE_FILE));
    assert.equal(script.cachedDataRejected, false);
    assert.equal(typeof main, 'function');
  });
});
