// A gate bound to consumers (Kong: a plugin with `consumer` set, or a route/service instance that
// some consumers override) answers only for the chosen consumers' requests. nginx's `if` takes one
// condition, so "chosen AND the gate's own condition" is spelled with one variable per instance:
// it starts as the choice ("1" or ""), the gate's condition appends "1", and "11" answers.
import type { PluginStep } from '../ir.js';
import type { LowerContext, PluginUse } from './definition.js';

export function onlyForChosenConsumers(use: PluginUse<unknown>, ctx: LowerContext, steps: PluginStep[]): PluginStep[] {
  const choice = ctx.consumerChoice(use);
  if (!choice) return steps;
  const both = `kongc_gate_${use.key}`;
  return steps.flatMap((step): PluginStep[] => {
    if (step.kind === 'answer') return [{ kind: 'if', check: { variable: choice, op: '=', operand: '1' }, then: [step] }];
    if (step.kind !== 'if' || step.then.some((a) => a.kind !== 'answer')) throw new Error(`consumer-bound gate step ${step.kind} is not an answer`);
    return [
      { kind: 'set', variable: both, value: [{ variable: choice }] },
      { kind: 'if', check: step.check, then: [{ kind: 'set', variable: both, value: [{ variable: both }, { text: '1' }] }] },
      { kind: 'if', check: { variable: both, op: '=', operand: '11' }, then: step.then },
    ];
  });
}
