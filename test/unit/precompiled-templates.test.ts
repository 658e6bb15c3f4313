// The build ships the Handlebars templates precompiled: the same code a compile now gives (a stale
// one is not used: stale-build.test.ts; the goldens prove they render as reviewed).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import Handlebars from 'handlebars';
import { BLOCK_HELPERS, ENCODER_HELPERS, PRECOMPILED_TEMPLATES, assembledTemplate, compileTemplateSpec, handlebarsCompiler, templateSources, templateSpecOf } from '../../src/render/render.js';

describe('precompiled templates', () => {
  it("use Handlebars' compiler internals only at the exact version pinned in package.json", () => {
    // compileTemplateSpec subclasses JavaScriptCompiler and calls setupHelper/push/source: not public
    // API, so the dependency is pinned and a change of version or of those members fails here.
    const require = createRequire(import.meta.url);
    const pinned = require(join(PACKAGE_ROOT, 'package.json')).dependencies.handlebars;
    assert.equal(require('handlebars/package.json').version, pinned);
    const proto = handlebarsCompiler(Handlebars).JavaScriptCompiler.prototype;
    for (const member of ['nameLookup', 'invokeKnownHelper', 'setupHelper', 'push', 'compiler'] as const) assert.equal(typeof proto[member], 'function', member);
  });

  it('are the code a compile now gives (the fallback when templates changed after the build)', () => {
    const pre = createRequire(import.meta.url)(join(PACKAGE_ROOT, 'dist', 'src', 'render', PRECOMPILED_TEMPLATES));
    const now = templateSpecOf(compileTemplateSpec(handlebarsCompiler(Handlebars), assembledTemplate(templateSources().sources)));
    const code = (spec: object) => Object.entries(spec).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}: ${String(v)}`).join('\n');
    assert.equal(code(now), code(pre.template(ENCODER_HELPERS, BLOCK_HELPERS)));
    // Fields are read as plain properties, block helper calls carry no source locations, and
    // encoders are called as plain functions (not as helpers with an options object).
    const text = code(now);
    assert.doesNotMatch(text, /lookupProperty\(depth0,"[A-Za-z]|"loc":/);
    assert.match(text, /encoders\.val\(depth0\.guard\.signature\)/);
    for (const name of Object.keys(ENCODER_HELPERS)) assert.doesNotMatch(text, new RegExp(`helpers\\.${name}\\b|"name":"${name}"`), name);
    // Block helpers are kongc's own, not Handlebars' wrapped registry.
    assert.match(text, /blocks\.if\.call\(/);
    assert.doesNotMatch(text, /helpers\.(?:if|each|eq)\b|helpers\["if"\]/);
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
