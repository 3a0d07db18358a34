/**
 * The MLP task kinds. `mlp-gradient` computes loss and gradient sums of this partition's share of
 * one global mini-batch (synchronous data-parallel SGD/Adam: the coordinator sums the shares in
 * partition order and steps); `mlp-predict` predicts one side of the split for the metrics.
 */
import * as tf from '@tensorflow/tfjs';
import type { DesignMatrix } from '../../kernels/design';
import { seededRandom } from '../../kernels/random';
import { FabricError } from '../../protocol/errors';
import type { GlmPredictResult, MlpArch, MlpGradientParams, MlpGradientResult, MlpPredictParams } from '../../protocol/train';
import { batchLossSum, buildMlp, expandRows, mlpParameterCount, predictionsOf, setMlpWeights } from '../../ml/mlp-layers';
import type { ExecutorContext, ExecutorOutput } from './registry';
import { designOf } from './train';

/** Rows per forward pass when evaluating many rows: bounds the expanded input's memory. */
const EVAL_CHUNK = 4096;

function modelOf(ctx: ExecutorContext, arch: MlpArch): tf.Sequential {
  const key = `mlp|${JSON.stringify(arch)}`;
  let model = ctx.memo.get(key) as tf.Sequential | undefined;
  if (!model) {
    model = buildMlp(arch);
    ctx.memo.set(key, model);
  }
  return model;
}

function weightsOf(ctx: ExecutorContext, arch: MlpArch): Float32Array {
  const bytes = ctx.binary[0];
  const expected = mlpParameterCount(arch);
  if (!bytes || bytes.byteLength !== expected * 4) {
    throw new FabricError('bad-input', `mlp: expected ${expected} float32 weights (${expected * 4} bytes), got ${bytes?.byteLength ?? 0} bytes`);
  }
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** A seeded permutation of 0..n-1 (mulberry32 + Fisher–Yates), the same in every slot. */
function permutation(n: number, seed: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  const rand = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = p[i]!;
    p[i] = p[j]!;
    p[j] = tmp;
  }
  return p;
}

/**
 * Forward passes over every row of `m` in chunks of {@link EVAL_CHUNK}: `visit` gets each
 * chunk's logits and first row; the tensors are freed after it settles.
 */
async function forwardInChunks(model: tf.Sequential, arch: MlpArch, m: DesignMatrix, visit: (logits: tf.Tensor, start: number, count: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < m.rows; start += EVAL_CHUNK) {
    const rows = Int32Array.from({ length: Math.min(EVAL_CHUNK, m.rows - start) }, (_, i) => start + i);
    const x = tf.tensor2d(expandRows(m, rows, arch.inputs), [rows.length, arch.inputs]);
    const logits = model.apply(x) as tf.Tensor;
    try {
      await visit(logits, start, rows.length);
    } finally {
      tf.dispose([x, logits]);
    }
  }
}

/** Loss sum of every row of `m` (forward passes only). */
async function lossOver(model: tf.Sequential, arch: MlpArch, m: DesignMatrix): Promise<number> {
  let loss = 0;
  await forwardInChunks(model, arch, m, async (logits, start, count) => {
    const sum = batchLossSum(arch.head, logits, m.y.subarray(start, start + count), arch.outputs);
    try {
      loss += (await sum.data())[0]!;
    } finally {
      sum.dispose();
    }
  });
  return loss;
}

/**
 * `mlp-gradient`: sums over this partition's share of step `step` of epoch `epoch`. Values are
 * read with `data()`, never `dataSync()` (see predictionsOf in mlp-layers.ts).
 */
export async function runMlpGradient(params: MlpGradientParams, ctx: ExecutorContext): Promise<ExecutorOutput<MlpGradientResult>> {
  const arch = params.arch;
  const m = designOf(ctx, params.plan, 'train');
  const model = modelOf(ctx, arch);
  setMlpWeights(model, weightsOf(ctx, arch));
  const ref = ctx.partitions[0]!;
  const permKey = `${params.plan}|${ref.id}|perm|${params.seed}|${params.epoch}`;
  let perm = ctx.memo.get(permKey) as Int32Array | undefined;
  if (!perm) {
    perm = permutation(m.rows, (params.seed ^ Math.imul(params.epoch + 1, 0x9e3779b1) ^ Math.imul(ref.index + 1, 0x85ebca6b)) >>> 0);
    ctx.memo.set(permKey, perm);
  }
  const from = Math.floor((params.step * m.rows) / params.steps);
  const to = Math.floor(((params.step + 1) * m.rows) / params.steps);
  const rows = perm.subarray(from, to);
  const grad = new Float64Array(mlpParameterCount(arch));
  let loss = 0;
  if (rows.length > 0) {
    const y = Float64Array.from(rows, (r) => m.y[r]!);
    const x = tf.tensor2d(expandRows(m, rows, arch.inputs), [rows.length, arch.inputs]);
    // LayerVariable keeps its tf.Variable in `val`; tfjs exposes no public accessor for it.
    const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const { value, grads } = tf.variableGrads(() => batchLossSum(arch.head, model.apply(x) as tf.Tensor, y, arch.outputs), vars);
    try {
      loss = (await value.data())[0]!;
      let at = 0;
      for (const v of vars) {
        const g = await grads[v.name]!.data();
        grad.set(g, at);
        at += g.length;
      }
    } finally {
      tf.dispose([x, value, ...Object.values(grads)]);
    }
  }
  let holdoutRows = 0;
  let holdoutLoss = 0;
  if (params.holdoutLoss) {
    const held = designOf(ctx, params.plan, 'holdout');
    holdoutRows = held.rows;
    holdoutLoss = await lossOver(model, arch, held);
  }
  return { result: { rows: rows.length, loss, holdoutRows, holdoutLoss }, binary: [new Uint8Array(grad.buffer)] };
}

/** `mlp-predict`: predictions and encoded targets of one side of the split. */
export async function runMlpPredict(params: MlpPredictParams, ctx: ExecutorContext): Promise<ExecutorOutput<GlmPredictResult>> {
  const arch = params.arch;
  const m = designOf(ctx, params.plan, params.split);
  const model = modelOf(ctx, arch);
  setMlpWeights(model, weightsOf(ctx, arch));
  const out = new Float64Array(m.rows * (arch.head === 'softmax' ? arch.outputs : 1));
  let at = 0;
  await forwardInChunks(model, arch, m, async (logits) => {
    const p = await predictionsOf(arch.head, logits);
    out.set(p, at);
    at += p.length;
  });
  return { result: { rows: m.rows }, binary: [new Uint8Array(out.buffer), new Uint8Array(m.y.slice().buffer)] };
}
