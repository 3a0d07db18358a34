/**
 * Browser side of the tfjs baseline in `npm run bench:train`: the same logistic regression as
 * Fabric's, written the plain tfjs way (`tf.sequential`, one dense sigmoid unit, binary
 * cross-entropy, Adam, `model.fit`), on the same rows, features and split, and timed until its
 * held-out log loss reaches a target; and, for reference, the same model trained by a tuned loop
 * (see {@link TfjsLoop}).
 *
 * The input is the design Fabric's slots build (src/worker/features/design.ts, from the plan of a
 * Fabric run), expanded to the dense row-major matrix a dense layer takes: the standardized dense
 * columns, then one 0/1 column per modelled category. The held-out loss is computed here in
 * float64 from the layer's weights over the held-out design, with the formula Fabric's kernel
 * uses (softplus(z) - y z, mean over held-out rows), so both sides are judged by the same ruler.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { DesignMatrix } from '../src/kernels/design';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/**
 * How batches reach the model. `fit`: plain `model.fit(x, y, { shuffle: true })` on tensors of the
 * whole training set; it gathers each batch's rows by index. `slices`: rows shuffled once up front
 * and kept in JS; each batch is a tensor made from a contiguous subarray and passed to
 * `model.trainOnBatch` (a tuned tfjs loop, for reference). Not `tf.slice` of one big tensor: on the
 * wasm backend that copied the whole 480 MB input per batch here (360 ms a batch).
 */
export type TfjsLoop = 'fit' | 'slices';

/** Settings of the tfjs run. */
export interface TfjsFitOptions {
  readonly loop: TfjsLoop;
  /** The tfjs backend: the one Fabric's slots chose. */
  readonly backend: string;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Fabric's λ₂: the objective adds ½ λ₂ ‖w‖² (not on the bias), as tfjs `l2({ l2: λ₂ / 2 })`. */
  readonly l2: number;
  /** Stop once the held-out log loss is at or under this. */
  readonly targetLoss: number;
  /** Stop after this much training time (ms, evaluation time excluded). */
  readonly timeCapMs: number;
  /** Held-out loss every this many batches. */
  readonly evalEveryBatches: number;
  readonly maxEpochs: number;
}

/** One held-out evaluation during the fit. */
export interface TfjsPoint {
  /** Training time so far, ms (evaluations excluded). */
  readonly ms: number;
  readonly batches: number;
  readonly holdoutLoss: number;
}

/** What the tfjs run measured. */
export interface TfjsRun {
  readonly loop: TfjsLoop;
  readonly backend: string;
  /** XNNPACK threads of the wasm backend (0 for other backends). */
  readonly threads: number;
  readonly trainRows: number;
  readonly inputWidth: number;
  /** Expanding to the dense row-major matrix (and, for `fit`, creating the whole-set tensors), ms. */
  readonly prepMs: number;
  readonly points: readonly TfjsPoint[];
  /** Training time until the first evaluation at or under the target, ms; absent if never. */
  readonly reachedMs?: number;
  readonly stoppedBy: 'target' | 'time-cap' | 'epochs';
  /** Time spent in the held-out evaluations, ms (not counted in `points[].ms`). */
  readonly evalMs: number;
  readonly batches: number;
}

/**
 * The design as the dense row-major input of a dense layer (one column per parameter but the
 * intercept) and the targets, with row r written at position `order[r]` when an order is given.
 */
export function expandDense(m: DesignMatrix, order?: Uint32Array): { x: Float32Array; y: Float32Array; width: number } {
  const width = m.dim - 1;
  const x = new Float32Array(m.rows * width);
  const y = new Float32Array(m.rows);
  const at = (r: number): number => (order ? order[r]! : r) * width;
  for (let r = 0; r < m.rows; r++) {
    const base = at(r);
    for (let c = 0; c < m.denseCols; c++) x[base + c] = m.dense[c * m.rows + r]!;
    for (const codes of m.oneHot) {
      const j = codes[r]!;
      if (j >= 0) x[base + j] = 1;
    }
    y[order ? order[r]! : r] = m.y[r]!;
  }
  return { x, y, width };
}

/** A random permutation of 0..n-1 (Fisher-Yates over xorshift32 from `seed`), the same every run. */
export function shuffledOrder(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let s = seed | 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Mean logistic loss over `m`'s rows at weights `w` (length dim - 1) and bias `b`, in float64. */
export function meanLogLoss(m: DesignMatrix, w: Float32Array, b: number): number {
  const z = new Float64Array(m.rows).fill(b);
  for (let c = 0; c < m.denseCols; c++) {
    const wc = w[c]!;
    const off = c * m.rows;
    for (let r = 0; r < m.rows; r++) z[r]! += wc * m.dense[off + r]!;
  }
  for (const codes of m.oneHot) {
    for (let r = 0; r < m.rows; r++) {
      const j = codes[r]!;
      if (j >= 0) z[r]! += w[j]!;
    }
  }
  let loss = 0;
  for (let r = 0; r < m.rows; r++) {
    const zr = z[r]!;
    loss += (zr > 0 ? zr + Math.log1p(Math.exp(-zr)) : Math.log1p(Math.exp(zr))) - m.y[r]! * zr;
  }
  return loss / m.rows;
}

/** Trains the tfjs model until the held-out loss reaches the target, the time cap, or the epochs. */
export async function fitTfjsToTarget(train: DesignMatrix, holdout: DesignMatrix, o: TfjsFitOptions): Promise<TfjsRun> {
  if (!(await tf.setBackend(o.backend))) throw new Error(`tfjs baseline: tf.setBackend('${o.backend}') returned false`);
  await tf.ready();
  const threads = o.backend === 'wasm' ? getThreadsCount() : 0;

  const p0 = performance.now();
  const { x, y, width } = expandDense(train, o.loop === 'slices' ? shuffledOrder(train.rows, 12345) : undefined);
  const whole = o.loop === 'fit' ? { xs: tf.tensor2d(x, [train.rows, width]), ys: tf.tensor2d(y, [train.rows, 1]) } : undefined;
  const prepMs = performance.now() - p0;

  const model = tf.sequential();
  const layer = tf.layers.dense({
    units: 1, inputShape: [width], activation: 'sigmoid', kernelInitializer: 'zeros', biasInitializer: 'zeros',
    ...(o.l2 > 0 ? { kernelRegularizer: tf.regularizers.l2({ l2: o.l2 / 2 }) } : {}),
  });
  model.add(layer);
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'binaryCrossentropy' });

  const points: TfjsPoint[] = [];
  let batches = 0;
  let evalMs = 0;
  let reachedMs: number | undefined;
  let stoppedBy: TfjsRun['stoppedBy'] = 'epochs';
  let t0 = 0;
  /** After each batch: the held-out loss every `evalEveryBatches`; true when training should stop. */
  const afterBatch = (): boolean => {
    batches += 1;
    if (batches % o.evalEveryBatches !== 0) return false;
    const e0 = performance.now();
    const [kernel, bias] = layer.getWeights();
    const loss = meanLogLoss(holdout, kernel!.dataSync() as Float32Array, (bias!.dataSync() as Float32Array)[0]!);
    evalMs += performance.now() - e0;
    const ms = performance.now() - t0 - evalMs;
    points.push({ ms, batches, holdoutLoss: loss });
    if (loss <= o.targetLoss) {
      reachedMs = ms;
      stoppedBy = 'target';
      return true;
    }
    if (ms >= o.timeCapMs) {
      stoppedBy = 'time-cap';
      return true;
    }
    return false;
  };
  try {
    t0 = performance.now();
    if (whole) {
      await model.fit(whole.xs, whole.ys, {
        batchSize: o.batchSize,
        epochs: o.maxEpochs,
        shuffle: true,
        verbose: 0,
        // Never hand the thread back between batches: the fastest tfjs can train here.
        yieldEvery: 'never',
        callbacks: { onBatchEnd: () => { if (afterBatch()) model.stopTraining = true; } },
      });
    } else {
      let stop = false;
      for (let epoch = 0; epoch < o.maxEpochs && !stop; epoch++) {
        for (let start = 0; start < train.rows && !stop; start += o.batchSize) {
          const size = Math.min(o.batchSize, train.rows - start);
          const xb = tf.tensor2d(x.subarray(start * width, (start + size) * width), [size, width]);
          const yb = tf.tensor2d(y.subarray(start, start + size), [size, 1]);
          await model.trainOnBatch(xb, yb);
          tf.dispose([xb, yb]);
          stop = afterBatch();
        }
      }
    }
  } finally {
    if (whole) tf.dispose([whole.xs, whole.ys]);
    model.dispose();
  }
  return {
    loop: o.loop, backend: o.backend, threads, trainRows: train.rows, inputWidth: width, prepMs, points,
    ...(reachedMs !== undefined ? { reachedMs } : {}), stoppedBy, evalMs, batches,
  };
}
