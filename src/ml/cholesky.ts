/**
 * Float64 Cholesky for the small symmetric positive definite systems of per-group fits: the
 * normal equations of OLS and ridge (ols-from-gram.ts) and IRLS's Newton steps (irls.ts). p is
 * at most a few dozen, so the O(p³/3) factorization is nothing next to the O(n·p²) Gram.
 *
 * Rank deficiency is detected, not papered over: column k's pivot (its squared distance from the
 * span of columns 0..k−1, in the XᵀX metric) is compared with its own diagonal (its squared
 * length). The ratio is 1 − R²_k of regressing column k on the columns before it, the classical
 * "tolerance" of regression (1/VIF), so the test does not depend on the units of any column.
 * A duplicated column gives a ratio of about 1e-16; {@link PIVOT_TOLERANCE} flags it.
 */
import { FabricError } from '../protocol/errors';

/**
 * Default relative pivot tolerance: column k is singular when its pivot is ≤ 1e-10 of its
 * diagonal, i.e. R² > 1 − 1e-10 against the columns before it. Why 1e-10: solving the normal
 * equations in float64 loses about the condition number of XᵀX, up to ~1/tolerance = 1e10 from
 * this column alone, which still leaves about 6 significant digits of 16; a duplicated float32
 * column measures about 1e-16, far below.
 */
export const PIVOT_TOLERANCE = 1e-10;

/** Options of {@link factorSpd} and {@link solveSpd}. */
export interface SpdOptions {
  /** λ ≥ 0 added to the diagonal (times `ridgeMask[i]`) before factoring. Default 0. */
  readonly ridge?: number;
  /**
   * Per-diagonal multipliers of `ridge`, length p, each ≥ 0: 0 leaves an entry unpenalized (the
   * intercept, usually). Default: every entry gets λ.
   */
  readonly ridgeMask?: ArrayLike<number>;
  /** Relative pivot tolerance (see {@link PIVOT_TOLERANCE}). */
  readonly pivotTolerance?: number;
}

/** Why a matrix could not be factored. */
export interface Singular {
  readonly singular: true;
  /** The column whose pivot failed. */
  readonly pivot: number;
  /** In words, for the results table. */
  readonly reason: string;
}

function fail(fn: string, message: string): never {
  throw new FabricError('bad-input', `${fn}: ${message}`);
}

/** Checks the shapes and options shared by the functions here; returns the ridge per diagonal. */
function checkSystem(fn: string, a: Float64Array, p: number, options: SpdOptions): Float64Array {
  if (!Number.isInteger(p) || p < 1) fail(fn, `p must be an integer ≥ 1; received ${p}.`);
  if (!(a instanceof Float64Array) || a.length !== p * p) {
    fail(fn, `a must be a Float64Array of p × p = ${p * p} entries (row-major); received length ${a?.length}.`);
  }
  const ridge = options.ridge ?? 0;
  if (!(ridge >= 0) || !Number.isFinite(ridge)) fail(fn, `ridge must be a finite number ≥ 0; received ${ridge}.`);
  const mask = options.ridgeMask;
  if (mask !== undefined && mask.length !== p) {
    fail(fn, `ridgeMask has ${mask.length} entries but p is ${p}; give one per coefficient (0 for the intercept).`);
  }
  const tol = options.pivotTolerance ?? PIVOT_TOLERANCE;
  if (!(tol >= 0 && tol < 1)) fail(fn, `pivotTolerance must be in [0, 1); received ${tol}.`);
  const added = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    const m = mask === undefined ? 1 : mask[i]!;
    if (!(m >= 0) || !Number.isFinite(m)) fail(fn, `ridgeMask[${i}] is ${m}; multipliers must be finite and ≥ 0.`);
    added[i] = ridge * m;
  }
  return added;
}

/**
 * The lower Cholesky factor L (row-major p × p, LLᵀ = A + diag(ridge · mask)) of the symmetric
 * matrix `a`, reading only its lower triangle; or why it is singular: a NaN, a negative or zero
 * diagonal, or a pivot at or below `pivotTolerance` of its diagonal (see the module comment).
 * Throws `bad-input` for wrong shapes or options.
 */
export function factorSpd(a: Float64Array, p: number, options: SpdOptions = {}): { l: Float64Array } | Singular {
  const added = checkSystem('factorSpd', a, p, options);
  const tol = options.pivotTolerance ?? PIVOT_TOLERANCE;
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    const li = i * p;
    for (let j = 0; j < i; j++) {
      const lj = j * p;
      let s = a[li + j]!;
      for (let k = 0; k < j; k++) s -= l[li + k]! * l[lj + k]!;
      l[li + j] = s / l[lj + j]!;
    }
    const diagonal = a[li + i]! + added[i]!;
    let d = diagonal;
    for (let k = 0; k < i; k++) d -= l[li + k]! * l[li + k]!;
    if (!(d > tol * diagonal) || !Number.isFinite(d)) return singular(i, d, diagonal, tol);
    l[li + i] = Math.sqrt(d);
  }
  return { l };
}

function singular(i: number, d: number, diagonal: number, tol: number): Singular {
  let reason: string;
  if (!Number.isFinite(d)) reason = `column ${i}: the matrix holds NaN or Infinity`;
  else if (diagonal < 0) reason = `column ${i}: its diagonal is ${diagonal}; the matrix is not positive semi-definite`;
  else if (diagonal === 0) reason = `column ${i} is all zeros`;
  else {
    reason = `column ${i} is (nearly) a linear combination of the columns before it: its pivot is ` +
      `${(d / diagonal).toExponential(1)} of its diagonal (tolerance ${tol})`;
  }
  return { singular: true, pivot: i, reason };
}

/** Solves L Lᵀ x = b given the factor from {@link factorSpd}, into `out` (may be `b`). */
export function solveWithFactor(l: Float64Array, b: Float64Array, p: number, out = new Float64Array(p)): Float64Array {
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * p + k]! * out[k]!;
    out[i] = s / l[i * p + i]!;
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = out[i]!;
    for (let k = i + 1; k < p; k++) s -= l[k * p + i]! * out[k]!;
    out[i] = s / l[i * p + i]!;
  }
  return out;
}

/**
 * Solves (A + diag(ridge · mask)) x = b for symmetric positive definite A (row-major p × p, only
 * the lower triangle is read) by Cholesky in float64. Returns `{ x }`, or `{ singular, pivot,
 * reason }` when A is rank deficient to the pivot tolerance (see the module comment): add ridge
 * or drop the named column. Throws `bad-input` for wrong shapes or options.
 */
export function solveSpd(
  a: Float64Array,
  b: Float64Array,
  p: number,
  options: SpdOptions = {},
): { readonly x: Float64Array } | Singular {
  if (!(b instanceof Float64Array) || b.length !== p) {
    fail('solveSpd', `b must be a Float64Array of p = ${p} entries; received length ${b?.length}.`);
  }
  const factor = factorSpd(a, p, options);
  if ('singular' in factor) return factor;
  return { x: solveWithFactor(factor.l, b, p) };
}
