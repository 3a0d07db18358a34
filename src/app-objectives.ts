/**
 * The app's own tune objectives, compiled into every slot (local Web Workers and volunteer tabs
 * load the same bundle). Add yours here with `defineObjective`; run one with
 * `fabric.tune({ space, objective: 'branin', maxEvals: 60 })`.
 */
import { defineObjective } from './ml/objectives';
import { branin } from './ml/tune/test-functions';

/** An example: the Branin function of x1 ∈ [-5, 10], x2 ∈ [0, 15] (minimum 0.397887), hyperopt's classic test. */
defineObjective('branin', (params) => {
  const { x1, x2 } = params;
  if (typeof x1 !== 'number' || typeof x2 !== 'number') throw new Error(`branin needs numbers x1 and x2, got ${JSON.stringify(params)}`);
  return { loss: branin({ x1, x2 }) };
});
