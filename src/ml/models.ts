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

/**
 * A multilayer perceptron (tfjs layers), trained by synchronous data-parallel mini-batch SGD or
 * Adam: every step, each partition's slot computes the gradient of its share of the global batch.
 */
export interface MlpSpec {
  readonly family: 'mlp';
  /** Output head; chosen from the target when omitted (value → linear, two classes → logistic, more → softmax). */
  readonly kind?: GlmKind | undefined;
  readonly hidden: readonly number[];
  readonly activation: 'relu' | 'tanh' | 'sigmoid';
  readonly optimizer: 'adam' | 'sgd';
  readonly learningRate: number;
  /** Rows per global mini-batch, across all partitions. */
  readonly batchSize: number;
  readonly epochs: number;
  /** L2 penalty on the weights (not the biases), as ½ λ₂ ‖W‖² on the mean loss. */
  readonly l2: number;
  /** Seed of the initial weights and the row order. */
  readonly seed: number;
}

/** Any model `train` accepts. */
export type ModelSpec = GlmSpec | MlpSpec;

/** Options of {@link mlp}. */
export interface MlpOptions {
  readonly kind?: GlmKind;
  readonly hidden?: readonly number[];
  readonly activation?: MlpSpec['activation'];
  readonly optimizer?: MlpSpec['optimizer'];
  readonly learningRate?: number;
  readonly batchSize?: number;
  readonly epochs?: number;
  readonly l2?: number;
  readonly seed?: number;
}

/** An MLP: `mlp({ hidden: [32], epochs: 2 })`. */
export function mlp(o: MlpOptions = {}): MlpSpec {
  const hidden = [...(o.hidden ?? [32])];
  if (!hidden.every((u) => Number.isInteger(u) && u >= 1 && u <= 65_536) || hidden.length > 16) {
    throw new FabricError('bad-input', `mlp: hidden must be up to 16 layer widths, each a whole number from 1 to 65536, got ${JSON.stringify(o.hidden)}`);
  }
  const optimizer = o.optimizer ?? 'adam';
  const spec: MlpSpec = {
    family: 'mlp', kind: o.kind, hidden, activation: o.activation ?? 'relu', optimizer,
    // Adam's customary 1e-3; SGD on standardized inputs takes a larger step.
    learningRate: o.learningRate ?? (optimizer === 'adam' ? 1e-3 : 0.05),
    batchSize: o.batchSize ?? 8192, epochs: o.epochs ?? 2, l2: o.l2 ?? 0, seed: o.seed ?? 1,
  };
  if (!['relu', 'tanh', 'sigmoid'].includes(spec.activation)) throw new FabricError('bad-input', `mlp: activation must be relu, tanh or sigmoid, got ${String(spec.activation)}`);
  if (optimizer !== 'adam' && optimizer !== 'sgd') throw new FabricError('bad-input', `mlp: optimizer must be 'adam' or 'sgd', got ${String(optimizer)}`);
  for (const [name, v, min] of [['learningRate', spec.learningRate, 0], ['batchSize', spec.batchSize, 1], ['epochs', spec.epochs, 1], ['l2', spec.l2, 0]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (name === 'learningRate' && v === 0)) throw new FabricError('bad-input', `mlp: ${name} must be a number ≥ ${min}${name === 'learningRate' ? ' (and not 0)' : ''}, got ${String(v)}`);
  }
  if (!Number.isInteger(spec.batchSize) || !Number.isInteger(spec.epochs)) throw new FabricError('bad-input', 'mlp: batchSize and epochs must be whole numbers');
  return spec;
}

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

/** Ordinary least squares, per group in fitGroups: `linearRegression()` with no penalty. */
export function ols(): GlmSpec {
  return glm('ols', 'linear', {});
}

/** Ridge regression: least squares with an L2 penalty `l2` ≥ 0 (0 is OLS). */
export function ridge(o: { readonly l2: number }): GlmSpec {
  if (typeof o?.l2 !== 'number') throw new FabricError('bad-input', `ridge: options.l2 must be a number ≥ 0, e.g. ridge({ l2: 1e-3 }); got ${JSON.stringify(o)}`);
  return glm('ridge', 'linear', { l2: o.l2 });
}
