/**
 * Checks and fills in {@link MinimizeOptions} and the start point once, before the first (expensive)
 * objective evaluation, so a wrong argument fails fast with a message that says how to fix it.
 *
 * @module
 */
import { FabricError } from '../../protocol/errors';
import type { OptimizerState } from './state';
import type { IterationRecord, MinimizeOptions } from './types';

/** Default `maxIter`: MLlib's default for LogisticRegression and LinearRegression. */
const DEFAULT_MAX_ITER = 100;
/** Default `tol`: MLlib's default convergence tolerance for LogisticRegression and LinearRegression. */
const DEFAULT_TOL = 1e-6;
/**
 * Default `maxLineSearch`. Breeze's strong Wolfe search allows 10 bracketing plus 10 zoom steps; we
 * share one budget of the same total. Our tests never need more than 6 on a well-scaled problem.
 */
const DEFAULT_MAX_LINE_SEARCH = 20;

/** {@link MinimizeOptions} after checking, with defaults filled in and `l1` expanded per coordinate. */
export interface ResolvedOptions {
  readonly maxIter: number;
  readonly valueTol: number;
  readonly gradTol: number;
  /** Per-coordinate L1 weights, or null when no coordinate is penalised. */
  readonly l1: Float64Array | null;
  readonly maxLineSearch: number;
  readonly onIteration: ((record: IterationRecord) => void | boolean | Promise<void | boolean>) | undefined;
  readonly signal: AbortSignal | undefined;
  readonly onState: ((capture: () => OptimizerState) => void) | undefined;
  readonly resumeFrom: OptimizerState | undefined;
}

function badInput(caller: string, message: string): FabricError {
  return new FabricError('bad-input', `${caller}: ${message}`);
}

/** Throws `bad-input` unless `value` is an integer ≥ `min`. */
export function checkInteger(caller: string, name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw badInput(caller, `${name} must be an integer ≥ ${min}; received ${String(value)}.`);
  }
  return value;
}

function checkTolerance(caller: string, name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw badInput(caller, `${name} must be a finite number ≥ 0 (0 turns its test off); received ${String(value)}.`);
  }
  return value;
}

/** Throws `bad-input` unless `x0` is a non-empty Float64Array of finite numbers. Returns a copy. */
export function checkStartPoint(caller: string, x0: Float64Array): Float64Array {
  if (!(x0 instanceof Float64Array)) {
    throw badInput(caller, `x0 must be a Float64Array; received ${Object.prototype.toString.call(x0)}. Wrap it: new Float64Array(values).`);
  }
  if (x0.length === 0) throw badInput(caller, 'x0 is empty; there must be at least one parameter to optimise.');
  for (let i = 0; i < x0.length; i++) {
    if (!Number.isFinite(x0[i]!)) throw badInput(caller, `x0[${i}] is ${x0[i]}; every start value must be finite.`);
  }
  return x0.slice();
}

function expandL1(caller: string, l1: number | Float64Array | undefined, n: number): Float64Array | null {
  if (l1 === undefined) return null;
  let weights: Float64Array;
  if (typeof l1 === 'number') {
    if (!Number.isFinite(l1) || l1 < 0) throw badInput(caller, `options.l1 must be a finite number ≥ 0; received ${l1}.`);
    weights = new Float64Array(n).fill(l1);
  } else if (l1 instanceof Float64Array) {
    if (l1.length !== n) {
      throw badInput(caller, `options.l1 has ${l1.length} weights but x0 has ${n} parameters; give one weight per parameter (0 for the intercept).`);
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(l1[i]!) || l1[i]! < 0) throw badInput(caller, `options.l1[${i}] is ${l1[i]}; weights must be finite and ≥ 0.`);
    }
    weights = l1.slice();
  } else {
    throw badInput(caller, `options.l1 must be a number or a Float64Array; received ${typeof l1}.`);
  }
  return weights.some((w) => w > 0) ? weights : null;
}

/** Checks `options` against a problem of `n` parameters and fills in the defaults. */
export function resolveOptions(caller: string, options: MinimizeOptions, n: number): ResolvedOptions {
  const tol = checkTolerance(caller, 'options.tol', options.tol ?? DEFAULT_TOL);
  if (options.onIteration !== undefined && typeof options.onIteration !== 'function') {
    throw badInput(caller, `options.onIteration must be a function; received ${typeof options.onIteration}.`);
  }
  if (options.onState !== undefined && typeof options.onState !== 'function') {
    throw badInput(caller, `options.onState must be a function; received ${typeof options.onState}.`);
  }
  return {
    maxIter: checkInteger(caller, 'options.maxIter', options.maxIter ?? DEFAULT_MAX_ITER, 0),
    valueTol: checkTolerance(caller, 'options.valueTol', options.valueTol ?? tol),
    gradTol: checkTolerance(caller, 'options.gradTol', options.gradTol ?? tol),
    l1: expandL1(caller, options.l1, n),
    maxLineSearch: checkInteger(caller, 'options.maxLineSearch', options.maxLineSearch ?? DEFAULT_MAX_LINE_SEARCH, 1),
    onIteration: options.onIteration,
    signal: options.signal,
    onState: options.onState,
    resumeFrom: options.resumeFrom,
  };
}
