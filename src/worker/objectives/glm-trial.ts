/**
 * The built-in `glm` objective: logistic, linear or softmax regression (by the target) on the
 * sample's training rows, by L-BFGS (OWL-QN with l1) on the CPU, with the loss measured on the
 * held-out rows: mean log loss, mean squared error ÷ 2, or mean cross-entropy, as `train` reports.
 */
import { glmLoss, glmLossGrad } from '../../kernels/glm-cpu';
import { parameterCount } from '../../kernels/design';
import { l1Weights, regularizedObjective } from '../../ml/glm-objective';
import { minimizeLbfgs } from '../../ml/optim/lbfgs';
import { flattenParams } from '../../ml/tune/mlp-params';
import { FabricError } from '../../protocol/errors';
import type { SampleDesign } from '../features/sample-design';

function param(p: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const v = p[name] ?? fallback;
  if (typeof v !== 'number' || !(v >= min && v <= max)) throw new FabricError('bad-input', `glm objective: ${name} must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return v;
}

/** Fits and evaluates one GLM trial: params l2 (0), l1 (0), maxIter (100). */
export async function runGlmTrial(params: Readonly<Record<string, unknown>>, d: SampleDesign): Promise<{ loss: number; metrics: Record<string, number> }> {
  const p = flattenParams(params);
  const l2 = param(p, 'l2', 0, 0, 1e6);
  const l1 = param(p, 'l1', 0, 0, 1e6);
  const maxIter = Math.round(param(p, 'maxIter', 100, 1, 10_000));
  const n = parameterCount(d.kind, d.plan.dim, d.classes);
  const grad = new Float64Array(n);
  const objective = async (x: Float64Array): Promise<{ value: number; grad: Float64Array }> => {
    const loss = glmLossGrad(d.kind, d.train, x, d.classes, grad);
    return regularizedObjective(loss, grad.slice(), d.train.rows, x, d.plan.dim, l2);
  };
  const result = await minimizeLbfgs(objective, new Float64Array(n), { maxIter, ...(l1 > 0 ? { l1: l1Weights(d.kind, d.plan.dim, d.classes, l1) } : {}) });
  const held = d.holdout.rows > 0 ? glmLoss(d.kind, d.holdout, result.x, d.classes) / d.holdout.rows : NaN;
  return { loss: held, metrics: { trainLoss: result.value, iterations: result.iterations } };
}
