// The build ships the schema's validator precompiled (ajv standalone); it must judge documents
// exactly as the schema compiled at run time does (a stale one is not used: stale-build.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { PRECOMPILED_VALIDATOR, schemaCompiler, schemaJson } from '../../src/validate/schema.js';

describe('precompiled schema validator', () => {
  const generated = createRequire(import.meta.url)(join(PACKAGE_ROOT, 'dist', 'src', 'validate', PRECOMPILED_VALIDATOR));
  const runtime = schemaCompiler().compile(JSON.parse(schemaJson()));

  it('reports the same errors as the runtime-compiled schema', () => {
    const docs = [
      { _format_version: '3.0', services: [{ name: 'ok', host: 'a.test', routes: [{ paths: ['/a'] }] }] },
      { _format_version: '3.0', services: [{ name: 'a;b', host: 'x y', port: 'eighty', routes: [{ paths: ['nope'], bogus: 1 }] }] },
      { _format_version: '9.9', upstreams: [{ name: 'u', algorithm: 'random', targets: [{ target: 't', weight: -1 }] }] },
    ];
    for (const doc of docs) {
      assert.equal(generated(doc), runtime(doc));
      const shape = (errors: { keyword: string; instancePath: string }[] | null) => (errors ?? []).map((e) => `${e.keyword} ${e.instancePath}`);
      assert.deepEqual(shape(generated.errors), shape(runtime.errors ?? null));
    }
  });
});
