/**
 * An optimizer's complete state at an iteration boundary, so a run can be checkpointed and
 * continued with bit-identical results. Both optimizers are deterministic and keep no state inside
 * a line search across iterations, so the boundary after an accepted point is enough: the accepted
 * point (x, its smooth value and gradient; everything else is recomputed from them with the same
 * arithmetic, hence the same bits), the records so far, the evaluation count and, per optimizer,
 * L-BFGS's (s, y) pairs or GD's next trial step. Everything is a number or a Float64Array, so the
 * state survives a structured clone (IndexedDB) unchanged.
 *
 * @module
 */
import { FabricError } from '../../protocol/errors';
import type { IterationRecord } from './types';

/** An accepted point as a checkpoint keeps it. */
export interface SavedPoint {
  readonly x: Float64Array;
  /** f(x), the smooth part (without the L1 term). */
  readonly smoothValue: number;
  /** ∇f(x), the smooth gradient. */
  readonly grad: Float64Array;
}

interface CommonState {
  /** The last accepted point. */
  readonly point: SavedPoint;
  /** Every record so far, x0 first. */
  readonly history: readonly IterationRecord[];
  /** Objective evaluations spent so far. */
  readonly evaluations: number;
}

/** L-BFGS / OWL-QN: the memory pairs, oldest first. */
export interface LbfgsState extends CommonState {
  readonly optimizer: 'lbfgs';
  readonly memory: { readonly s: readonly Float64Array[]; readonly y: readonly Float64Array[] };
}

/** Gradient descent: the first trial step of the next iteration (Barzilai–Borwein). */
export interface GdState extends CommonState {
  readonly optimizer: 'gd';
  readonly step: number;
}

/** The state of either optimizer. */
export type OptimizerState = LbfgsState | GdState;

function isVector(v: unknown, n: number): v is Float64Array {
  return v instanceof Float64Array && v.length === n;
}

/**
 * Throws `bad-input` unless `state` is a state of `optimizer` for `n` parameters. A checkpoint
 * from another model or optimizer would otherwise continue from nonsense.
 */
export function checkState<S extends OptimizerState>(caller: string, optimizer: S['optimizer'], state: OptimizerState, n: number): S {
  const fail = (what: string): never => {
    throw new FabricError('bad-input', `${caller}: options.resumeFrom ${what}; pass a state captured by ${caller} (onState) on the same problem, or leave resumeFrom out to start from x0.`);
  };
  if (state === null || typeof state !== 'object') return fail('is not an optimizer state');
  if (state.optimizer !== optimizer) return fail(`was captured by the ${String(state.optimizer)} optimizer, not ${optimizer}`);
  const p = state.point;
  if (!p || !isVector(p.x, n) || !isVector(p.grad, n) || !Number.isFinite(p.smoothValue)) return fail(`does not hold a finite point of ${n} parameters`);
  if (!Array.isArray(state.history) || state.history.length === 0) return fail('has no iteration records');
  if (!Number.isInteger(state.evaluations) || state.evaluations < 1) return fail('has no evaluation count');
  if (state.optimizer === 'lbfgs') {
    const { s, y } = state.memory ?? {};
    if (!Array.isArray(s) || !Array.isArray(y) || s.length !== y.length || ![...s, ...y].every((v) => isVector(v, n))) return fail(`has malformed memory pairs for ${n} parameters`);
  } else if (!(state.step > 0)) {
    return fail('has no positive next step');
  }
  return state as S;
}
