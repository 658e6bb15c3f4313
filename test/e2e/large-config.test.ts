// Large generated configs (the benchmark's mix of hosts, paths, methods, headers and regexes):
// nginx accepts them without warnings. nginx sizes its variables table by trying table sizes, and
// kongc's ~0.7 maps per route made it warn "could not build optimal variables_hash" at most sizes
// from 1,000 routes up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { benchYaml } from '../../bench/config.js';
import { compileDocuments } from '../../src/compile.js';
import { parseDeclarative } from '../../src/load/document.js';
import { nginxTest } from '../support/nginx.js';

describe('large configs', () => {
  // Sizes where the table sizing used to fail (each nginx -t takes ~0.1 s per 1,000 routes).
  for (const routes of [1000, 2000, 4000, 5000]) {
    it(`${routes} routes pass nginx -t without warnings`, () => {
      const { text } = compileDocuments([parseDeclarative('bench.yaml', benchYaml(routes))], { allowDegraded: true });
      assert.match(text, /^variables_hash_bucket_size 128;$/m);
      const r = nginxTest(text);
      assert.ok(r.ok, r.output.slice(0, 2000));
      assert.doesNotMatch(r.output, /\[warn\]/, r.output.slice(0, 2000));
    });
  }
});
