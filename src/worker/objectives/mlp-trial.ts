/**
 * The built-in `mlp` objective: a tfjs MLP trained on the sample's training rows with Adam, on
 * the slot's chosen tfjs backend, and scored on the held-out rows (mean log loss, mean squared
 * error ÷ 2, or mean cross-entropy, the same losses as `train`). Initial weights and the row order
 * come from the trial's seed, so a trial run again elsewhere gives the same loss on the same backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { DesignMatrix } from '../../kernels/design';
import { seededRandom } from '../../kernels/random';
import { batchLossSum, expandRows, predictionsOf } from '../../ml/mlp-layers';
import { auc } from '../../ml/metrics';
import { mlpTrialParams, type MlpTrialParams } from '../../ml/tune/mlp-params';
import type { SampleDesign } from '../features/sample-design';

/** Rows per forward pass when scoring: bounds the expanded input's memory. */
const EVAL_CHUNK = 8192;

function buildModel(p: MlpTrialParams, inputs: number, outputs: number, seed: number): tf.Sequential {
  const model = tf.sequential();
  for (let i = 0; i < p.layers; i++) {
    model.add(tf.layers.dense({
      units: p.units, activation: p.activation,
      ...(i === 0 ? { inputShape: [inputs] } : {}),
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
      ...(p.l2 > 0 ? { kernelRegularizer: tf.regularizers.l2({ l2: p.l2 }) } : {}),
    }));
    if (p.dropout > 0) model.add(tf.layers.dropout({ rate: p.dropout, seed: seed + 100 + i }));
  }
  model.add(tf.layers.dense({ units: outputs, activation: 'linear', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 99 }) }));
  return model;
}

function shuffled(n: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const random = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Mean loss and predictions of `m` under `model`. */
async function evaluate(model: tf.Sequential, head: SampleDesign['kind'], m: DesignMatrix, inputs: number, outputs: number): Promise<{ loss: number; scores: Float64Array }> {
  let loss = 0;
  const scores = new Float64Array(m.rows * (head === 'softmax' ? outputs : 1));
  for (let start = 0; start < m.rows; start += EVAL_CHUNK) {
    const rows = Int32Array.from({ length: Math.min(EVAL_CHUNK, m.rows - start) }, (_, i) => start + i);
    const x = tf.tensor2d(expandRows(m, rows, inputs), [rows.length, inputs]);
    const logits = model.predict(x) as tf.Tensor;
    const sum = batchLossSum(head, logits, m.y.subarray(start, start + rows.length), outputs);
    try {
      // data(), not dataSync(): see predictionsOf in mlp-layers.ts.
      loss += (await sum.data())[0]!;
      scores.set(await predictionsOf(head, logits), start * (head === 'softmax' ? outputs : 1));
    } finally {
      tf.dispose([x, logits, sum]);
    }
  }
  return { loss: m.rows > 0 ? loss / m.rows : NaN, scores };
}

/** Trains and evaluates one MLP trial. */
export async function runMlpTrial(params: Readonly<Record<string, unknown>>, d: SampleDesign, seed: number): Promise<{ loss: number; metrics: Record<string, number> }> {
  const p = mlpTrialParams(params);
  const inputs = d.plan.dim - 1;
  const outputs = d.kind === 'softmax' ? d.classes : 1;
  const model = buildModel(p, inputs, outputs, seed);
  const optimizer = tf.train.adam(p.lr);
  try {
    const m = d.train;
    let trainLoss = NaN;
    for (let epoch = 0; epoch < p.epochs; epoch++) {
      const order = shuffled(m.rows, (seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
      let sum = 0;
      for (let start = 0; start < m.rows; start += p.batchSize) {
        const rows = order.subarray(start, Math.min(start + p.batchSize, m.rows));
        const y = Float64Array.from(rows, (r) => m.y[r]!);
        const x = tf.tensor2d(expandRows(m, rows, inputs), [rows.length, inputs]);
        const cost = optimizer.minimize(() => {
          const data = tf.div(batchLossSum(d.kind, model.apply(x, { training: true }) as tf.Tensor, y, outputs), rows.length) as tf.Scalar;
          // The kernels' L2 terms (tfjs keeps layer regularizers as functions in model.losses).
          const penalty = model.losses.length > 0 ? tf.addN(model.losses.map((fn) => fn())) : tf.scalar(0);
          return tf.add(data, penalty) as tf.Scalar;
        }, true)!;
        try {
          sum += (await cost.data())[0]! * rows.length;
        } finally {
          tf.dispose([x, cost]);
        }
        // Yield between batches so the slot stays responsive to the page (pings, cancels).
        if ((start / p.batchSize) % 64 === 63) await new Promise((r) => setTimeout(r, 0));
      }
      trainLoss = sum / Math.max(1, m.rows);
    }
    const held = await evaluate(model, d.kind, d.holdout, inputs, outputs);
    const metrics: Record<string, number> = { trainLoss };
    if (d.kind === 'logistic' && d.holdout.rows > 0) metrics.auc = auc(d.holdout.y, held.scores);
    return { loss: held.loss, metrics };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
