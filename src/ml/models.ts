/**
 * Model specs for `train`: what to fit and how. Builders check their arguments, so a bad value
 * fails at the call, with the argument named.
 */
import type { GlmKind } from '../kernels/design';
import { FabricError } from '../protocol/errors';

/** A generalized linear model, fitted full-batch as MLlib does. */
export interface GlmSpec {
  readonly family: 'glm';
  readonly kind: GlmKind;
  /** L2 penalty λ₂: the objective adds ½ λ₂ ‖w‖² (intercepts are not penalized). */
  readonly l2: number;
  /** L1 penalty λ₁: the objective adds λ₁ ‖w‖₁ (intercepts are not penalized). */
  readonly l1: number;
  /** L-BFGS (OWL-QN when l1 > 0), as MLlib; or gradient descent (proximal when l1 > 0). */
  readonly optimizer: 'lbfgs' | 'gd';
}

/** Any model `train` accepts. */
export type ModelSpec = GlmSpec;

/** Options common to the GLM builders. */
export interface GlmOptions {
  readonly l2?: number;
  readonly l1?: number;
  readonly optimizer?: 'lbfgs' | 'gd';
}

function glm(fn: string, kind: GlmKind, o: GlmOptions): GlmSpec {
  const l2 = o.l2 ?? 0;
  const l1 = o.l1 ?? 0;
  const optimizer = o.optimizer ?? 'lbfgs';
  for (const [name, v] of [['l2', l2], ['l1', l1]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new FabricError('bad-input', `${fn}: ${name} must be a finite number ≥ 0, got ${String(v)}`);
  }
  if (optimizer !== 'lbfgs' && optimizer !== 'gd') throw new FabricError('bad-input', `${fn}: optimizer must be 'lbfgs' or 'gd', got ${String(optimizer)}`);
  return { family: 'glm', kind, l2, l1, optimizer };
}

/** Least-squares linear regression (`delay` in minutes). */
export function linearRegression(o: GlmOptions = {}): GlmSpec {
  return glm('linearRegression', 'linear', o);
}

/** Logistic regression for a two-class target (`delay > 15`). */
export function logisticRegression(o: GlmOptions = {}): GlmSpec {
  return glm('logisticRegression', 'logistic', o);
}

/** Softmax (multinomial logistic) regression for a target with several classes. */
export function softmaxRegression(o: GlmOptions = {}): GlmSpec {
  return glm('softmaxRegression', 'softmax', o);
}
