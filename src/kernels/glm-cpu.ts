/**
 * CPU reference kernels for generalized linear models: loss and gradient sums, predictions, and
 * the ordered sum of gradient vectors. Inputs are the float32 columns of a {@link DesignMatrix};
 * all accumulation is float64. These define the results every other backend is checked against.
 *
 * Shape: the kernels stream column by column (z for all rows, then the residuals, then one dot
 * product per column) instead of row by row, the fast shape for JS engines: each inner loop walks
 * two typed arrays with stride 1 and no branches.
 *
 * NaN: a NaN in `dense`, `y` or `params` propagates (NaN loss, NaN in every gradient entry the
 * NaN's row or parameter feeds). Callers drop NaN rows upstream; the kernels do not check.
 */
import { FabricError } from '../protocol/errors';
import { checkGlmArgs, checkVectorLengths } from './glm-checks';
import { parameterCount } from './design';
import type { DesignMatrix, GlmKind } from './design';

/**
 * Fills `z` (length `classes * rows`, class-major) with the linear predictor of every row:
 * `z[k * rows + r] = Σ_c params[k*dim + c] * dense[c*rows + r] + Σ_f params[k*dim + oneHot[f][r]]
 * + params[k*dim + dim - 1]`.
 */
function linearPredictor(m: DesignMatrix, params: Float64Array, outputs: number, z: Float64Array): void {
  const { rows, denseCols, dense, dim } = m;
  for (let k = 0; k < outputs; k++) {
    const base = k * dim;
    const zk = k * rows;
    z.fill(params[base + dim - 1]!, zk, zk + rows);
    for (let c = 0; c < denseCols; c++) {
      const w = params[base + c]!;
      const off = c * rows;
      for (let r = 0; r < rows; r++) z[zk + r]! += w * dense[off + r]!;
    }
    for (const codes of m.oneHot) {
      for (let r = 0; r < rows; r++) {
        const j = codes[r]!;
        if (j >= 0) z[zk + r]! += params[base + j]!;
      }
    }
  }
}

/** log(1 + e^z) without overflow for large z or loss of digits for very negative z. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** 1 / (1 + e^-z), evaluated so that neither branch overflows. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * Turns the linear predictors `z` into residuals d(loss)/dz in place and returns the summed loss.
 * For softmax, row r's class k residual is `p_k - [k == y_r]`.
 */
function residualsInPlace(kind: GlmKind, y: Float64Array, rows: number, classes: number, z: Float64Array): number {
  let loss = 0;
  if (kind === 'linear') {
    for (let r = 0; r < rows; r++) {
      const d = z[r]! - y[r]!;
      z[r] = d;
      loss += 0.5 * d * d;
    }
  } else if (kind === 'logistic') {
    for (let r = 0; r < rows; r++) {
      const zr = z[r]!;
      const yr = y[r]!;
      loss += softplus(zr) - yr * zr;
      z[r] = sigmoid(zr) - yr;
    }
  } else {
    for (let r = 0; r < rows; r++) loss += softmaxRowInPlace(y[r]!, r, rows, classes, z);
  }
  return loss;
}

/** Softmax residuals of one row (max-subtracted for stability); returns -log p_y. */
function softmaxRowInPlace(yr: number, r: number, rows: number, classes: number, z: Float64Array): number {
  let max = -Infinity;
  for (let k = 0; k < classes; k++) max = Math.max(max, z[k * rows + r]!);
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += Math.exp(z[k * rows + r]! - max);
  if (Number.isNaN(yr) || Number.isNaN(sum)) {
    for (let k = 0; k < classes; k++) z[k * rows + r] = NaN;
    return NaN;
  }
  if (!Number.isInteger(yr) || yr < 0 || yr >= classes) {
    throw new FabricError(
      'bad-input',
      `glmLossGrad: softmax label y[${r}] is ${yr}; expected an integer class in [0, ${classes}). ` +
        'Encode the target as class indices.',
    );
  }
  const loss = Math.log(sum) + max - z[yr * rows + r]!;
  for (let k = 0; k < classes; k++) {
    const i = k * rows + r;
    z[i] = Math.exp(z[i]! - max) / sum - (k === yr ? 1 : 0);
  }
  return loss;
}

/**
 * Loss and gradient of a GLM over the rows of `m`, both summed over rows (not averaged, no
 * regularization: the caller scales and regularizes). Per-row losses: linear `0.5 (z - y)^2`,
 * logistic `log(1 + e^z) - y z`, softmax `-log softmax(z)_y`. `grad` (length
 * `parameterCount(kind, m.dim, classes)`) is zeroed, then filled; the loss sum is returned.
 * 0 rows give loss 0 and a zero gradient. Throws `bad-input` when a length does not match.
 */
export function glmLossGrad(
  kind: GlmKind,
  m: DesignMatrix,
  params: Float64Array,
  classes: number,
  grad: Float64Array,
): number {
  checkGlmArgs('glmLossGrad', kind, m, params, classes);
  const count = parameterCount(kind, m.dim, classes);
  if (grad.length !== count) {
    throw new FabricError(
      'bad-input',
      `glmLossGrad: grad has length ${grad.length}; expected ${count} (parameterCount of the model). ` +
        'Allocate grad with parameterCount(kind, m.dim, classes).',
    );
  }
  grad.fill(0);
  if (kind !== 'softmax') return fusedLossGrad(kind, m, params, grad);
  const { rows, denseCols, dense, dim } = m;
  const outputs = classes;
  const res = new Float64Array(outputs * rows);
  linearPredictor(m, params, outputs, res);
  const loss = residualsInPlace(kind, m.y, rows, classes, res);
  for (let k = 0; k < outputs; k++) {
    const base = k * dim;
    const rk = k * rows;
    for (let c = 0; c < denseCols; c++) {
      const off = c * rows;
      let s = 0;
      for (let r = 0; r < rows; r++) s += res[rk + r]! * dense[off + r]!;
      grad[base + c] = s;
    }
    let intercept = 0;
    for (let r = 0; r < rows; r++) intercept += res[rk + r]!;
    grad[base + dim - 1] = intercept;
    for (const codes of m.oneHot) {
      for (let r = 0; r < rows; r++) {
        const j = codes[r]!;
        if (j >= 0) grad[base + j]! += res[rk + r]!;
      }
    }
  }
  return loss;
}

/**
 * Linear and logistic loss and gradient in one pass over the rows: each row's predictor, residual,
 * loss and gradient terms are computed while its values are in registers. The column-wise shape
 * (z for all rows, then residuals, then one dot product per column) streamed a rows-long scratch
 * array eleven times for flights-shaped features and ran 3.7x slower (bench/results/train.md).
 * With `grad` null, only the loss is computed (held-out rows).
 */
function fusedLossGrad(kind: 'linear' | 'logistic', m: DesignMatrix, params: Float64Array, grad: Float64Array | null): number {
  const { rows, denseCols, dense, y, dim } = m;
  // The first two dense columns and the first four one-hot features live in locals: loops over
  // a handful of columns per row cost more than the arithmetic (a generic loop ran at 25 ns/row,
  // these locals at about 8 for flights-shaped features). The rest use the generic loops.
  const x0 = denseCols > 0 ? dense.subarray(0, rows) : null;
  const x1 = denseCols > 1 ? dense.subarray(rows, 2 * rows) : null;
  const w0 = denseCols > 0 ? params[0]! : 0;
  const w1 = denseCols > 1 ? params[1]! : 0;
  const [o0, o1, o2, o3] = m.oneHot;
  const moreDense = Math.max(0, denseCols - 2);
  const moreCodes = m.oneHot.slice(4);
  const denseG = new Float64Array(denseCols);
  const bias = params[dim - 1]!;
  const linear = kind === 'linear';
  const withGrad = grad !== null;
  let loss = 0;
  let g0 = 0;
  let g1 = 0;
  let gBias = 0;
  for (let r = 0; r < rows; r++) {
    let z = bias;
    if (x0 !== null) z += w0 * x0[r]!;
    if (x1 !== null) z += w1 * x1[r]!;
    for (let c = 0; c < moreDense; c++) z += params[c + 2]! * dense[(c + 2) * rows + r]!;
    const j0 = o0 === undefined ? -1 : o0[r]!;
    const j1 = o1 === undefined ? -1 : o1[r]!;
    const j2 = o2 === undefined ? -1 : o2[r]!;
    const j3 = o3 === undefined ? -1 : o3[r]!;
    if (j0 >= 0) z += params[j0]!;
    if (j1 >= 0) z += params[j1]!;
    if (j2 >= 0) z += params[j2]!;
    if (j3 >= 0) z += params[j3]!;
    for (const codes of moreCodes) {
      const j = codes[r]!;
      if (j >= 0) z += params[j]!;
    }
    const yr = y[r]!;
    let d: number;
    if (linear) {
      d = z - yr;
      loss += 0.5 * d * d;
    } else {
      // One exp serves both the stable softplus and the stable sigmoid.
      const e = Math.exp(-Math.abs(z));
      loss += (z > 0 ? z : 0) + Math.log1p(e) - yr * z;
      d = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - yr;
    }
    if (!withGrad) continue;
    gBias += d;
    if (x0 !== null) g0 += d * x0[r]!;
    if (x1 !== null) g1 += d * x1[r]!;
    for (let c = 0; c < moreDense; c++) denseG[c + 2]! += d * dense[(c + 2) * rows + r]!;
    if (j0 >= 0) grad[j0]! += d;
    if (j1 >= 0) grad[j1]! += d;
    if (j2 >= 0) grad[j2]! += d;
    if (j3 >= 0) grad[j3]! += d;
    for (const codes of moreCodes) {
      const j = codes[r]!;
      if (j >= 0) grad[j]! += d;
    }
  }
  if (withGrad) {
    if (denseCols > 0) denseG[0] = g0;
    if (denseCols > 1) denseG[1] = g1;
    grad.set(denseG, 0);
    grad[dim - 1] = gBias;
  }
  return loss;
}

/**
 * The summed loss of a GLM over the rows of `m`, without its gradient (for held-out rows).
 * Equals the loss `glmLossGrad` returns.
 */
export function glmLoss(kind: GlmKind, m: DesignMatrix, params: Float64Array, classes: number): number {
  checkGlmArgs('glmLoss', kind, m, params, classes);
  if (kind !== 'softmax') return fusedLossGrad(kind, m, params, null);
  return glmLossGrad(kind, m, params, classes, new Float64Array(parameterCount(kind, m.dim, classes)));
}

/**
 * Predictions of a GLM for every row of `m`: linear `z`, logistic `sigmoid(z)`, softmax the class
 * probabilities row-major (`out[r * classes + k]`). `out`, when given, must have exactly
 * rows x outputs entries and is filled in place.
 */
export function glmPredict(
  kind: GlmKind,
  m: DesignMatrix,
  params: Float64Array,
  classes: number,
  out?: Float64Array,
): Float64Array {
  checkGlmArgs('glmPredict', kind, m, params, classes);
  const { rows } = m;
  const outputs = kind === 'softmax' ? classes : 1;
  const length = outputs * rows;
  if (out !== undefined && out.length !== length) {
    throw new FabricError(
      'bad-input',
      `glmPredict: out has length ${out.length}; expected ${length} (rows x outputs). Omit out to allocate.`,
    );
  }
  const z = new Float64Array(length);
  linearPredictor(m, params, outputs, z);
  const result = out ?? new Float64Array(length);
  if (kind === 'linear') result.set(z);
  else if (kind === 'logistic') for (let r = 0; r < rows; r++) result[r] = sigmoid(z[r]!);
  else {
    for (let r = 0; r < rows; r++) {
      let max = -Infinity;
      for (let k = 0; k < classes; k++) max = Math.max(max, z[k * rows + r]!);
      let sum = 0;
      for (let k = 0; k < classes; k++) sum += Math.exp(z[k * rows + r]! - max);
      for (let k = 0; k < classes; k++) result[r * classes + k] = Math.exp(z[k * rows + r]! - max) / sum;
    }
  }
  return result;
}

/**
 * Elementwise float64 sum of equal-length vectors, added in index order (vector 0, then 1, ...),
 * so the result is the same on every run. With no vectors the result is `out` zeroed, or empty.
 * Throws `bad-input` naming the lengths when two vectors (or `out`) differ in length.
 */
export function sumVectors(vectors: readonly Float64Array[], out?: Float64Array): Float64Array {
  const n = vectors.length > 0 ? checkVectorLengths('sumVectors', vectors) : (out?.length ?? 0);
  if (out !== undefined && out.length !== n) {
    throw new FabricError('bad-input', `sumVectors: out has length ${out.length}; the vectors have length ${n}.`);
  }
  const result = out ?? new Float64Array(n);
  result.fill(0);
  for (const v of vectors) for (let i = 0; i < n; i++) result[i]! += v[i]!;
  return result;
}
