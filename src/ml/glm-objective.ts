/**
 * The training objective of a GLM from its loss and gradient sums: the mean loss over training
 * rows plus ½ λ₂ ‖w‖² on every weight but the intercepts. The fabric and the single-machine
 * reference both go through here, so they minimise exactly the same function.
 */
import type { GlmKind } from '../kernels/design';
import { parameterCount } from '../kernels/design';

/** True for intercept positions (the last parameter of each class block). */
export function isIntercept(index: number, dim: number): boolean {
  return index % dim === dim - 1;
}

/** Value and gradient of the regularized mean loss, from sums over `rows` training rows. */
export function regularizedObjective(lossSum: number, gradSum: Float64Array, rows: number, w: Float64Array, dim: number, l2: number): { value: number; grad: Float64Array } {
  const grad = new Float64Array(gradSum.length);
  let penalty = 0;
  for (let i = 0; i < grad.length; i++) {
    grad[i] = gradSum[i]! / rows;
    if (l2 > 0 && !isIntercept(i, dim)) {
      grad[i]! += l2 * w[i]!;
      penalty += w[i]! * w[i]!;
    }
  }
  return { value: lossSum / rows + 0.5 * l2 * penalty, grad };
}

/** Per-parameter L1 weights: λ₁ everywhere but the intercepts. */
export function l1Weights(kind: GlmKind, dim: number, classes: number, l1: number): Float64Array {
  const w = new Float64Array(parameterCount(kind, dim, classes));
  for (let i = 0; i < w.length; i++) w[i] = isIntercept(i, dim) ? 0 : l1;
  return w;
}
