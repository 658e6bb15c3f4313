// The plan is a pure function of the state: planning the same state twice gives the same plan
// and the same diagnostics (no memo outlives a plan).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDeclarative } from '../../src/load/document.js';
import { buildState } from '../../src/model/build.js';
import { planConfig } from '../../src/plan/plan.js';

describe('planConfig', () => {
  it('is repeatable on one state', () => {
    const { state } = buildState([parseDeclarative('kong.yaml', readFileSync('fixtures/seed/kong.yaml', 'utf8'))]);
    const first = planConfig(state);
    const second = planConfig(state);
    assert.deepEqual(second.plan, first.plan);
    assert.deepEqual(second.diagnostics, first.diagnostics);
    assert.ok(first.diagnostics.some((d) => d.code === 'host-header'));
  });
});
