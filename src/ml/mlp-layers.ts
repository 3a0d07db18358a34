/**
 * An MLP as tfjs layers, rebuilt in a slot from its architecture, with weights set from one flat
 * float32 vector (tfjs weight order: each dense layer's kernel, then its bias).
 */
import * as tf from '@tensorflow/tfjs';
import type { DesignMatrix } from '../kernels/design';
import type { MlpArch } from '../protocol/train';

/** Number of weights of an architecture. */
export function mlpParameterCount(arch: MlpArch): number {
  const sizes = [arch.inputs, ...arch.hidden, arch.outputs];
  let n = 0;
  for (let i = 1; i < sizes.length; i++) n += sizes[i - 1]! * sizes[i]! + sizes[i]!;
  return n;
}

/** Builds the layers; the output layer gives logits (linear activation). */
export function buildMlp(arch: MlpArch): tf.Sequential {
  const model = tf.sequential();
  const widths = [...arch.hidden, arch.outputs];
  widths.forEach((units, i) => {
    const last = i === widths.length - 1;
    model.add(tf.layers.dense({
      units,
      activation: last ? 'linear' : arch.activation,
      ...(i === 0 ? { inputShape: [arch.inputs] } : {}),
      kernelInitializer: 'zeros',
    }));
  });
  return model;
}

/** Sets every weight from a flat vector. */
export function setMlpWeights(model: tf.LayersModel, flat: Float32Array): void {
  let at = 0;
  const tensors = model.getWeights().map((w) => {
    const size = w.size;
    const t = tf.tensor(flat.subarray(at, at + size), w.shape);
    at += size;
    return t;
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** The design rows `rows` as a dense row-major input (one-hot categories expanded to 0/1). */
export function expandRows(m: DesignMatrix, rows: ArrayLike<number>, inputs: number): Float32Array {
  const out = new Float32Array(rows.length * inputs);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const base = r * inputs;
    for (let c = 0; c < m.denseCols; c++) out[base + c] = m.dense[c * m.rows + row]!;
    for (const idx of m.oneHot) {
      const k = idx[row]!;
      if (k >= 0) out[base + k] = 1;
    }
  }
  return out;
}

/** The summed loss of a batch of logits (`head` decides the loss), as a scalar. */
export function batchLossSum(head: MlpArch['head'], logits: tf.Tensor, y: Float64Array, outputs: number): tf.Scalar {
  return tf.tidy(() => {
    if (head === 'softmax') {
      const labels = tf.oneHot(tf.tensor1d(Array.from(y), 'int32'), outputs);
      return tf.losses.softmaxCrossEntropy(labels, logits, undefined, 0, tf.Reduction.SUM) as tf.Scalar;
    }
    const target = tf.tensor2d(Float32Array.from(y), [y.length, 1]);
    if (head === 'logistic') return tf.losses.sigmoidCrossEntropy(target, logits, undefined, 0, tf.Reduction.SUM) as tf.Scalar;
    return tf.mul(0.5, tf.sum(tf.square(tf.sub(logits, target)))) as tf.Scalar;
  });
}

/**
 * Predictions from logits: the value, the probability of class 1, or class probabilities. Read
 * asynchronously: tfjs's webgpu `dataSync` goes through OffscreenCanvases, and thousands of those
 * in a slot's worker lost its WebGPU devices ("A valid external Instance reference no longer
 * exists") within a few hundred MLP tasks in e2e/leaks.spec.ts.
 */
export async function predictionsOf(head: MlpArch['head'], logits: tf.Tensor): Promise<Float64Array> {
  const out = tf.tidy(() => (head === 'softmax' ? tf.softmax(logits) : head === 'logistic' ? tf.sigmoid(logits) : tf.clone(logits)));
  try {
    return Float64Array.from(await out.data());
  } finally {
    out.dispose();
  }
}
