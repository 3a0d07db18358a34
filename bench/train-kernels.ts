/**
 * Browser side of the kernel roofline in `npm run bench:train`: Fabric's CPU loss-and-gradient
 * kernel (`glmLossGrad`) against a naive row-major JS loop over the same rows (the baseline) and a
 * one-pass sketch of a faster kernel (to size a fix), all against the memory copy bandwidth of the
 * same page.
 *
 * Bytes per pass are what a kernel must read at least once: the float32 dense columns, the int32
 * one-hot indices and the float64 targets. Anything a kernel writes and reads back (Fabric's
 * per-row residual array, for instance) is its own cost and is not counted, so GB/s over the copy
 * bandwidth says how close a kernel comes to streaming its input once.
 */
import type { DesignMatrix, GlmKind } from '../src/kernels/design';
import { glmLossGrad } from '../src/kernels/glm-cpu';
import { copyBytesPerSecond } from './copy-bandwidth';

/** The same rows as a {@link DesignMatrix}, laid out row by row, for the naive loop. */
export interface RowMajorDesign {
  readonly rows: number;
  readonly denseCols: number;
  /** `dense[r * denseCols + c]`. */
  readonly dense: Float32Array;
  readonly oneHotCols: number;
  /** `oneHot[r * oneHotCols + f]`: a parameter index, or -1. */
  readonly oneHot: Int32Array;
  readonly y: Float64Array;
  readonly dim: number;
}

/** Copies a column-major design into row-major arrays (same values, same bytes). */
export function toRowMajor(m: DesignMatrix): RowMajorDesign {
  const { rows, denseCols } = m;
  const oneHotCols = m.oneHot.length;
  const dense = new Float32Array(rows * denseCols);
  const oneHot = new Int32Array(rows * oneHotCols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < denseCols; c++) dense[r * denseCols + c] = m.dense[c * rows + r]!;
    for (let f = 0; f < oneHotCols; f++) oneHot[r * oneHotCols + f] = m.oneHot[f]![r]!;
  }
  return { rows, denseCols, dense, oneHotCols, oneHot, y: m.y, dim: m.dim };
}

/** Bytes a pass must read: dense float32, one-hot int32, targets float64. */
export function bytesPerPass(m: DesignMatrix): number {
  return m.rows * (4 * m.denseCols + 4 * m.oneHot.length + 8);
}

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * The baseline: loss and gradient sums in one naive loop over the rows, the way one would first
 * write it. Same losses, same float64 accumulation as `glmLossGrad` (linear and logistic only).
 */
export function naiveLossGrad(kind: 'linear' | 'logistic', m: RowMajorDesign, params: Float64Array, grad: Float64Array): number {
  grad.fill(0);
  const { rows, denseCols, dense, oneHotCols, oneHot, y, dim } = m;
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    let z = params[dim - 1]!;
    for (let c = 0; c < denseCols; c++) z += params[c]! * dense[r * denseCols + c]!;
    for (let f = 0; f < oneHotCols; f++) {
      const j = oneHot[r * oneHotCols + f]!;
      if (j >= 0) z += params[j]!;
    }
    let d: number;
    if (kind === 'linear') {
      d = z - y[r]!;
      loss += 0.5 * d * d;
    } else {
      loss += softplus(z) - y[r]! * z;
      d = sigmoid(z) - y[r]!;
    }
    for (let c = 0; c < denseCols; c++) grad[c]! += d * dense[r * denseCols + c]!;
    for (let f = 0; f < oneHotCols; f++) {
      const j = oneHot[r * oneHotCols + f]!;
      if (j >= 0) grad[j]! += d;
    }
    grad[dim - 1]! += d;
  }
  return loss;
}

/**
 * What a faster Fabric kernel could look like, measured beside it: one pass over the rows of the
 * column-major design, every input stream and the dense weight in locals, no per-row temporary
 * array, one exp and one log1p per logistic row. Written for this benchmark's shape only (one
 * dense column, three one-hot columns); {@link measureRoofline} skips it for any other shape.
 */
export function onePassLossGrad(kind: 'linear' | 'logistic', m: DesignMatrix, params: Float64Array, grad: Float64Array): number {
  grad.fill(0);
  const { rows, dense: x, y, dim } = m;
  const [a, b, c] = m.oneHot as [Int32Array, Int32Array, Int32Array];
  const w0 = params[0]!;
  const bias = params[dim - 1]!;
  const linear = kind === 'linear';
  let loss = 0;
  let g0 = 0;
  let gi = 0;
  for (let r = 0; r < rows; r++) {
    const ja = a[r]!;
    const jb = b[r]!;
    const jc = c[r]!;
    const xr = x[r]!;
    const z = bias + w0 * xr + (ja >= 0 ? params[ja]! : 0) + (jb >= 0 ? params[jb]! : 0) + (jc >= 0 ? params[jc]! : 0);
    let d: number;
    if (linear) {
      d = z - y[r]!;
      loss += 0.5 * d * d;
    } else {
      const e = Math.exp(-Math.abs(z));
      loss += (z > 0 ? z : 0) + Math.log1p(e) - y[r]! * z;
      d = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - y[r]!;
    }
    g0 += d * xr;
    gi += d;
    if (ja >= 0) grad[ja]! += d;
    if (jb >= 0) grad[jb]! += d;
    if (jc >= 0) grad[jc]! += d;
  }
  grad[0] = g0;
  grad[dim - 1] = gi;
  return loss;
}

/** The kernels timed: Fabric's, the naive baseline, and the one-pass sketch. */
export type KernelImpl = 'fabric' | 'naive' | 'one-pass';

/** Timings of one kernel over one matrix. */
export interface KernelTiming {
  readonly kind: 'linear' | 'logistic';
  readonly impl: KernelImpl;
  /** Each timed pass, ms, in run order. */
  readonly ms: readonly number[];
  /** Loss of the last pass, to check both kernels compute the same thing. */
  readonly loss: number;
}

/** What the roofline measured. */
export interface RooflineResult {
  readonly rows: number;
  readonly denseCols: number;
  readonly oneHotCols: number;
  readonly bytesPerPass: number;
  readonly copyBytes: number;
  /** `Uint8Array.set` bytes copied per second, median. */
  readonly copyBytesPerSecond: number;
  readonly timings: readonly KernelTiming[];
}

/** Options of {@link measureRoofline}. */
export interface RooflineOptions {
  /** Timed passes per kernel, interleaved round by round. */
  readonly repeats: number;
  /** Untimed passes per kernel first (JIT tiers, page faults). */
  readonly warmups: number;
  readonly copyBytes: number;
  readonly copyRepeats: number;
}

/**
 * Times `glmLossGrad`, the naive loop and the one-pass sketch, linear and logistic, at small parameters (a realistic
 * point mid-training: every exp and log runs on ordinary values), round-robin so that machine
 * noise falls on all of them alike; then the copy bandwidth.
 */
export function measureRoofline(m: DesignMatrix, options: RooflineOptions): RooflineResult {
  const rm = toRowMajor(m);
  const params = new Float64Array(m.dim);
  for (let i = 0; i < params.length; i++) params[i] = 0.05 * Math.sin(i + 1);
  const grad = new Float64Array(m.dim);
  const kinds: readonly ('linear' | 'logistic')[] = ['linear', 'logistic'];
  const onePassFits = m.denseCols === 1 && m.oneHot.length === 3;
  const impls: readonly KernelImpl[] = onePassFits ? ['fabric', 'naive', 'one-pass'] : ['fabric', 'naive'];
  const pass = (kind: GlmKind & ('linear' | 'logistic'), impl: KernelImpl): number =>
    impl === 'fabric' ? glmLossGrad(kind, m, params, 1, grad)
      : impl === 'naive' ? naiveLossGrad(kind, rm, params, grad) : onePassLossGrad(kind, m, params, grad);
  const results = new Map<string, { ms: number[]; loss: number }>();
  for (const kind of kinds) for (const impl of impls) results.set(`${kind}/${impl}`, { ms: [], loss: NaN });
  for (let round = -options.warmups; round < options.repeats; round++) {
    for (const kind of kinds) {
      for (const impl of impls) {
        const t0 = performance.now();
        const loss = pass(kind, impl);
        const ms = performance.now() - t0;
        const entry = results.get(`${kind}/${impl}`)!;
        entry.loss = loss;
        if (round >= 0) entry.ms.push(ms);
      }
    }
  }
  return {
    rows: m.rows,
    denseCols: m.denseCols,
    oneHotCols: m.oneHot.length,
    bytesPerPass: bytesPerPass(m),
    copyBytes: options.copyBytes,
    copyBytesPerSecond: copyBytesPerSecond(options.copyBytes, options.copyRepeats),
    timings: kinds.flatMap((kind) => impls.map((impl) => ({ kind, impl, ...results.get(`${kind}/${impl}`)! }))),
  };
}
