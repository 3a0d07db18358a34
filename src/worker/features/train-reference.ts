/**
 * The single-machine reference for `train`: the same optimizer over the whole table at once, with
 * no fabric, no partitions and no scheduler. Tests and the e2e check the fabric against it.
 */
import type { Table } from 'apache-arrow';
import { glmLossGrad } from '../../kernels/glm-cpu';
import { parameterCount } from '../../kernels/design';
import { l1Weights, regularizedObjective } from '../../ml/glm-objective';
import type { GlmSpec } from '../../ml/models';
import { minimizeGd } from '../../ml/optim/gd';
import { minimizeLbfgs } from '../../ml/optim/lbfgs';
import type { FeaturePlan } from '../../protocol/train';
import { buildDesign } from './design';

/** Fits `model` to every training row of `table` under `plan`; returns the parameters. */
export async function trainReference(table: Table, plan: FeaturePlan, model: GlmSpec, options: { maxIter?: number; tol?: number } = {}): Promise<Float64Array> {
  const classes = model.kind === 'softmax' ? plan.target.labels.length : model.kind === 'logistic' ? 2 : 1;
  const design = buildDesign(table, plan, 'train', 0);
  const n = parameterCount(model.kind, plan.dim, classes);
  const grad = new Float64Array(n);
  const objective = (x: Float64Array): Promise<{ value: number; grad: Float64Array }> => {
    const loss = glmLossGrad(model.kind, design, x, classes, grad);
    return Promise.resolve(regularizedObjective(loss, grad, design.rows, x, plan.dim, model.l2));
  };
  const minimize = model.optimizer === 'gd' ? minimizeGd : minimizeLbfgs;
  const result = await minimize(objective, new Float64Array(n), {
    maxIter: options.maxIter ?? 100,
    tol: options.tol ?? 1e-6,
    ...(model.l1 > 0 ? { l1: l1Weights(model.kind, plan.dim, classes, model.l1) } : {}),
  });
  return result.x;
}
