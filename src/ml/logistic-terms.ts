/**
 * The per-row terms of logistic regression shared by IRLS (irls.ts): input checks, and one pass
 * that evaluates the objective and fills the IRLS weights and residuals. Evaluated from z = xβ
 * in forms that neither overflow nor lose digits: log(1 + e^z) as z + log1p(e^−z) for z > 0.
 */
import { FabricError } from '../protocol/errors';

function fail(fn: string, message: string): never {
  throw new FabricError('bad-input', `${fn}: ${message}`);
}

/** The options checked by {@link checkLogisticInput}. */
interface CheckedOptions {
  readonly l2?: number;
  readonly ridgeMask?: ArrayLike<number>;
  readonly maxIter?: number;
  readonly tol?: number;
}

/**
 * Throws `bad-input` naming `fn` unless the shapes, options and labels are usable; NaN and
 * Infinity are not errors here but a status. Returns the row count, the number of y = 1 rows,
 * and whether every value is finite.
 */
export function checkLogisticInput(
  fn: string,
  x: Float32Array,
  y: Float64Array,
  p: number,
  options: CheckedOptions,
): { n: number; positives: number; finite: boolean } {
  if (!Number.isInteger(p) || p < 1) fail(fn, `p must be an integer ≥ 1; received ${p}.`);
  if (!(x instanceof Float32Array)) fail(fn, 'x must be a Float32Array (row-major n × p).');
  if (!(y instanceof Float64Array)) fail(fn, 'y must be a Float64Array of 0/1 labels; wrap it: Float64Array.from(y).');
  const n = y.length;
  if (x.length !== n * p) fail(fn, `x has length ${x.length}; expected n × p = ${n} × ${p} = ${n * p}.`);
  const l2 = options.l2 ?? 0;
  if (!(l2 >= 0) || !Number.isFinite(l2)) fail(fn, `options.l2 must be a finite number ≥ 0; received ${l2}.`);
  const mask = options.ridgeMask;
  if (mask !== undefined) {
    if (mask.length !== p) fail(fn, `options.ridgeMask has ${mask.length} entries but p is ${p}; give one per coefficient (0 for the intercept).`);
    for (let i = 0; i < p; i++) {
      if (!(mask[i]! >= 0) || !Number.isFinite(mask[i]!)) fail(fn, `options.ridgeMask[${i}] is ${mask[i]}; multipliers must be finite and ≥ 0.`);
    }
  }
  const maxIter = options.maxIter ?? 1;
  if (!Number.isInteger(maxIter) || maxIter < 1) fail(fn, `options.maxIter must be an integer ≥ 1; received ${maxIter}.`);
  const tol = options.tol ?? 0;
  if (!(tol >= 0) || !Number.isFinite(tol)) fail(fn, `options.tol must be a finite number ≥ 0; received ${tol}.`);
  let positives = 0;
  let finite = true;
  for (let r = 0; r < n; r++) {
    const v = y[r]!;
    if (v === 1) positives++;
    else if (Number.isNaN(v)) finite = false;
    else if (v !== 0) fail(fn, `y[${r}] is ${v}; logistic targets must be 0 or 1. Encode the target as 0/1 first.`);
  }
  for (let i = 0; i < x.length && finite; i++) finite = Number.isFinite(x[i]!);
  return { n, positives, finite };
}

/**
 * Fills `z` with Xβ, `w` with the IRLS weights μ(1 − μ) and `resid` with μ − y (μ = sigmoid(z)),
 * and returns the objective on the sum scale: Σ [log(1 + e^z) − y·z] + ½ Σ penalty_i β_i².
 */
export function objectiveAt(
  x: Float32Array,
  y: Float64Array,
  p: number,
  beta: Float64Array,
  penalty: Float64Array,
  z: Float64Array,
  w: Float64Array,
  resid: Float64Array,
): number {
  let value = 0;
  for (let i = 0; i < p; i++) value += 0.5 * penalty[i]! * beta[i]! * beta[i]!;
  for (let r = 0, a = 0; r < y.length; r++, a += p) {
    let zr = 0;
    for (let c = 0; c < p; c++) zr += x[a + c]! * beta[c]!;
    z[r] = zr;
    // e = e^{−|z|} never overflows; μ and log(1 + e^z) follow from it on either side of 0.
    const e = Math.exp(-Math.abs(zr));
    const mu = zr >= 0 ? 1 / (1 + e) : e / (1 + e);
    value += (zr > 0 ? zr : 0) + Math.log1p(e) - y[r]! * zr;
    w[r] = e / ((1 + e) * (1 + e)); // μ(1 − μ), without the cancellation in 1 − μ near 1
    resid[r] = mu - y[r]!;
  }
  return value;
}
