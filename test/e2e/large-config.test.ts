// Large generated configs (the benchmark's mix of hosts, paths, methods, headers and regexes):
// nginx accepts them without warnings. nginx sizes its variables table by trying table sizes, and
// with 64-byte buckets it warned "could not build optimal variables_hash" for most configs with more
// than ~700 generated maps.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { benchYaml } from '../../bench/config.js';
import { compileDocuments } from '../../src/compile.js';
import { parseDeclarative } from '../../src/load/document.js';
import { nginxTest } from '../support/nginx.js';

describe('large configs', () => {
  // nginx -t takes ~0.15 s per 1,000 routes.
  for (const routes of [1000, 3000, 6000, 10000]) {
    it(`${routes} routes pass nginx -t without warnings`, () => {
      const { text } = compileDocuments([parseDeclarative('bench.yaml', benchYaml(routes))], { allowDegraded: true });
      const r = nginxTest(text);
      assert.ok(r.ok, r.output.slice(0, 2000));
      assert.doesNotMatch(r.output, /\[warn\]/, r.output.slice(0, 2000));
    });
  }
});
