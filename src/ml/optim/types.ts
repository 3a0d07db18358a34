/**
 * The contract shared by Fabric's optimizers ({@link minimizeLbfgs} in `lbfgs.ts`, {@link minimizeGd}
 * in `gd.ts`). An objective is one distributed pass over every partition, so it is async and
 * expensive: the optimizers count every call and spend as few as they can.
 *
 * Convergence, exactly as implemented (both optimizers). With `f_k` the reported objective at the
 * accepted point of iteration k (it includes the L1 term when `l1` is given) and `g_k` its gradient
 * (the OWL-QN pseudo-gradient, i.e. the minimum-norm subgradient, when `l1` is given):
 * - gradient test, checked at every accepted point including the start x0:
 *   `‖g_k‖₂ ≤ gradTol · max(1, |f_k|)`;
 * - value test, checked after every accepted step (k ≥ 1):
 *   `|f_{k−1} − f_k| ≤ valueTol · max(|f_{k−1}|, |f_k|)`.
 * Either test passing stops the run with reason `'tol'` (Breeze, which MLlib calls, also stops on
 * either). Differences from Breeze's `defaultConvergenceCheck`: Breeze compares `f_k` with the worst
 * of the last 20 values relative to `|f_0|`, which costs up to 20 extra passes over the data after
 * progress has stalled; Breeze floors the gradient threshold at 1e-8 and we do not, so tight
 * tolerances are honoured. A tolerance of 0 turns its test off.
 *
 * @module
 */
import type { FabricError } from '../../protocol/errors';
import type { OptimizerState } from './state';

/** The value and gradient of a smooth function at `x`. The optimizer never mutates `x` after the call. */
export interface ObjectiveResult {
  /** f(x). A non-finite value at a trial point is read as "step too long" (see {@link StopReason}). */
  readonly value: number;
  /** ∇f(x), the same length as x. The optimizer copies it, so the objective may reuse its buffer. */
  readonly grad: Float64Array;
}

/**
 * The smooth part of the function to minimise, usually a distributed pass over all partitions.
 * L2 regularisation belongs in here; L1 goes in the `l1` option, because it is not differentiable.
 */
export type Objective = (x: Float64Array) => Promise<ObjectiveResult>;

/**
 * Why a run stopped.
 * - `'tol'`: the gradient or value test passed (see the module comment). `converged` is true.
 * - `'maxIter'`: `maxIter` iterations were taken.
 * - `'stopped'`: `onIteration` returned false.
 * - `'line-search'`: no step along the search direction decreased the objective enough, nor (L-BFGS,
 *   as Breeze does) along the steepest-descent direction tried once after it with the memory reset. This almost always means `x` is optimal to
 *   machine precision for a tolerance that asked for more; rarely, that the gradient does not match
 *   the value.
 *
 * NaN policy: a non-finite value or gradient at x0, or at every trial point of a line search,
 * rejects with `FabricError('bad-input')`. A non-finite result at some trial point (overflow in exp
 * for a long step, say) only shortens the step. Abort rejects with `FabricError('cancelled')`.
 */
export type StopReason = 'tol' | 'maxIter' | 'stopped' | 'line-search';

/** One accepted point, as passed to `onIteration` and kept in {@link MinimizeResult.history}. */
export interface IterationRecord {
  /** 0 for the start point x0, then 1, 2, … for each accepted step. */
  readonly iteration: number;
  /** The objective at this point, including the L1 term when `l1` is given. */
  readonly value: number;
  /** ‖g‖₂ of the (pseudo-)gradient at this point, the quantity the gradient test uses. */
  readonly gradNorm: number;
  /** The accepted step length α along the search direction (0 for iteration 0). */
  readonly step: number;
  /** Objective evaluations so far, cumulative, including every line-search trial. */
  readonly evaluations: number;
}

/** Options every optimizer takes. */
export interface MinimizeOptions {
  /** Most iterations (accepted steps) to take, an integer ≥ 0. Default 100, as MLlib's `maxIter`. */
  readonly maxIter?: number;
  /** Sets both `valueTol` and `gradTol`. Default 1e-6, as MLlib's `tol`. */
  readonly tol?: number;
  /** Relative change of the objective value that counts as converged; 0 turns the test off. */
  readonly valueTol?: number;
  /** Gradient norm, relative to max(1, |f|), that counts as converged; 0 turns the test off. */
  readonly gradTol?: number;
  /**
   * Per-coordinate L1 weights λ: the minimised function is f(x) + Σ λᵢ|xᵢ|. A number applies to every
   * coordinate; a Float64Array (length n, entries ≥ 0) gives each its own, with 0 for coordinates
   * that are not penalised such as the intercept. Absent or all zero: plain smooth minimisation.
   */
  readonly l1?: number | Float64Array;
  /** Most objective evaluations in one line search, an integer ≥ 1. Default 20. */
  readonly maxLineSearch?: number;
  /**
   * Called at x0 and after every accepted step, and awaited. Returning false (or a promise of false)
   * stops the run with reason `'stopped'` (unless that point also converged: `'tol'` wins);
   * anything else continues. An error it throws rejects the run.
   */
  readonly onIteration?: (record: IterationRecord) => void | boolean | Promise<void | boolean>;
  /** Aborting rejects the run with a {@link FabricError} of code `'cancelled'`, even mid-evaluation. */
  readonly signal?: AbortSignal;
  /**
   * Called after every accepted point that does not end the run (after `onIteration`), with a
   * function that captures the optimizer's complete state there. Call it before returning, and
   * only when the state is wanted (a checkpoint): it copies the point and the memory.
   */
  readonly onState?: (capture: () => OptimizerState) => void;
  /**
   * Continue from a state captured by `onState` on the same problem and options, instead of
   * evaluating `x0` (which still gives the dimension). The run then takes exactly the steps the
   * uninterrupted run took after that point, bit for bit.
   */
  readonly resumeFrom?: OptimizerState;
}

/** What a run returns. */
export interface MinimizeResult {
  /** The best point found (the last accepted one). */
  readonly x: Float64Array;
  /** The objective at `x`, including the L1 term when `l1` is given. */
  readonly value: number;
  /** ‖g‖₂ of the (pseudo-)gradient at `x`. */
  readonly gradNorm: number;
  /** Accepted steps taken. */
  readonly iterations: number;
  /** Objective evaluations spent, including x0 and every line-search trial. */
  readonly evaluations: number;
  /** True exactly when `reason` is `'tol'`. */
  readonly converged: boolean;
  /** Why the run stopped. */
  readonly reason: StopReason;
  /** One record per accepted point, starting with x0 (so `history.length === iterations + 1`). */
  readonly history: IterationRecord[];
}
