/**
 * `score`: predictions for a batch of rows with a model kept in the slot (the pandas iterator
 * UDF's point: load once per worker, not per batch). The model artifact is parsed and loaded into
 * tfjs (or read as GLM parameters) the first time a slot sees it and kept in the slot's memo until
 * the artifact is evicted; `reload` loads it for the one task and drops it, the baseline the talk
 * warns about. GLMs score on the GEMV kernel (CPU or WGSL, whichever the slot measured faster);
 * tfjs models on the slot's chosen tfjs backend.
 */
import * as tf from '@tensorflow/tfjs';
import { tableFromIPC, type Table } from 'apache-arrow';
import { scoreCpu } from '../../kernels/gemv';
import { chooseScoreBackend } from '../../kernels/gemv-choice';
import { scoreGpu } from '../../kernels/gemv-runner';
import type { DesignMatrix, GlmKind } from '../../kernels/design';
import { unpackModel } from '../../protocol/model-container';
import { FabricError } from '../../protocol/errors';
import type { ModelHeader, ScoreParams, ScoreResult } from '../../protocol/score';
import { columnInputs, scoreDesign } from '../features/score-design';
import { expandRows } from '../../ml/mlp-layers';
import type { ExecutorContext, ExecutorOutput } from './registry';

/** Rows per tfjs forward pass: bounds the input tensor's memory (8192 × 1000 inputs = 32 MB). */
const PREDICT_CHUNK = 8192;

/** A model as a slot holds it. */
interface LoadedModel {
  readonly header: ModelHeader;
  readonly glm?: Float64Array;
  readonly layers?: tf.LayersModel;
  /** Called when the artifact is evicted, to free the tfjs weights. */
  dispose(): void;
}

/** Loads a model artifact: parses the header and, for tfjs models, builds the layers with their weights. */
async function loadModel(bytes: Uint8Array): Promise<LoadedModel> {
  const { header, weights } = unpackModel(bytes);
  if (header.type === 'glm') {
    const glm = new Float64Array(weights.slice().buffer);
    return { header, glm, dispose: () => undefined };
  }
  const weightData = weights.slice().buffer;
  let layers: tf.LayersModel;
  try {
    layers = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: header.modelTopology as tf.io.ModelJSON['modelTopology'], weightSpecs: header.weightSpecs as tf.io.WeightsManifestEntry[], weightData }));
  } catch (e) {
    throw new FabricError('bad-input', `score: the tfjs model could not be built from its model.json: ${(e as Error).message}`);
  }
  return { header, layers, dispose: () => layers.dispose() };
}

/** The slot's copy of model `id`, loaded at its first use; `reload` loads a fresh one that the caller disposes. */
async function modelOf(ctx: ExecutorContext, id: string, reload: boolean): Promise<{ model: LoadedModel; loaded: boolean; loadMs: number }> {
  const key = `${id}|model`;
  const held = reload ? undefined : (ctx.memo.get(key) as Promise<LoadedModel> | undefined);
  if (held) return { model: await held, loaded: false, loadMs: 0 };
  const t0 = performance.now();
  const loading = loadModel(ctx.artifact(id));
  if (!reload) {
    ctx.memo.set(key, loading);
    loading.catch(() => ctx.memo.delete(key));
  }
  const model = await loading;
  return { model, loaded: true, loadMs: performance.now() - t0 };
}

/**
 * GLM predictions on the GEMV kernel the slot measured faster (once, on its first batch; CPU
 * without a WebGPU device). On SwiftShader the CPU wins by 5 to 10 times (src/kernels/gemv-choice.ts).
 */
async function scoreGlm(ctx: ExecutorContext, kind: GlmKind, m: DesignMatrix, params: Float64Array, classes: number): Promise<{ values: Float64Array; engine: string }> {
  const device = ctx.gpu;
  if (!device) return { values: scoreCpu(kind, m, params, classes), engine: 'cpu' };
  let choice = ctx.memo.get('score-backend') as ReturnType<typeof chooseScoreBackend> | undefined;
  if (!choice) ctx.memo.set('score-backend', (choice = chooseScoreBackend(device, { kind, m, params, classes })));
  return (await choice).chosen === 'webgpu'
    ? { values: await scoreGpu(device, kind, m, params, classes), engine: 'webgpu' }
    : { values: scoreCpu(kind, m, params, classes), engine: 'cpu' };
}

/** The model's input width, checked against what the data gives it. */
function checkWidth(layers: tf.LayersModel, width: number, what: string): void {
  const shape = layers.inputs[0]?.shape;
  const expects = shape?.[shape.length - 1];
  if (shape?.length !== 2 || typeof expects !== 'number') throw new FabricError('bad-input', `score: the model's input has shape ${JSON.stringify(shape)}; Fabric scores models with one input of shape [batch, features]`);
  if (expects !== width) throw new FabricError('bad-input', `score: the model takes ${expects} inputs, but ${what} give ${width}; pass the columns the model was trained on, in order`);
}

/** Predictions of a tfjs model, row-major, with its head's link applied; read with `data()` (see mlp-layers.ts). */
async function predictLayers(layers: tf.LayersModel, head: string, x: Float32Array, rows: number, width: number): Promise<{ values: Float64Array; outputs: number }> {
  const shape = layers.outputs[0]?.shape;
  const outputs = typeof shape?.[shape.length - 1] === 'number' ? (shape[shape.length - 1] as number) : 1;
  const values = new Float64Array(rows * outputs);
  for (let start = 0; start < rows; start += PREDICT_CHUNK) {
    const count = Math.min(PREDICT_CHUNK, rows - start);
    const out = tf.tidy(() => {
      // One forward pass per chunk: tfjs-layers' predict otherwise runs batches of 32 rows, which
      // took about 5x as long per row in bench:score.
      const logits = layers.predict(tf.tensor2d(x.subarray(start * width, (start + count) * width), [count, width]), { batchSize: count }) as tf.Tensor;
      return head === 'logistic' ? tf.sigmoid(logits) : head === 'softmax' ? tf.softmax(logits) : logits;
    });
    try {
      values.set(await out.data(), start * outputs);
    } finally {
      out.dispose();
    }
  }
  return { values, outputs };
}

/** The rows of the task: a slice of its partition, or inline Arrow IPC. */
function rowsOf(params: ScoreParams, ctx: ExecutorContext): Table {
  if (params.inline) {
    const ipc = ctx.binary[0];
    if (!ipc) throw new FabricError('bad-input', 'score: inline rows need Arrow IPC in binary[0]');
    return tableFromIPC(ipc);
  }
  const table = ctx.tables[0];
  if (!table || ctx.tables.length !== 1) throw new FabricError('bad-input', `score: expects one partition per task, got ${ctx.tables.length}`);
  if (params.end < params.start || params.end > table.numRows) throw new FabricError('bad-input', `score: rows ${params.start} to ${params.end} are outside the partition's ${table.numRows}`);
  return table.slice(params.start, params.end);
}

/** Runs one `score` task. */
export async function runScore(params: ScoreParams, ctx: ExecutorContext): Promise<ExecutorOutput<ScoreResult>> {
  const { model, loaded, loadMs } = await modelOf(ctx, params.model, params.reload);
  try {
    const table = rowsOf(params, ctx);
    const rows = table.numRows;
    const { header } = model;
    let values: Float64Array;
    let outputs: number;
    let missing: Uint8Array;
    let engine: string;
    if ('plan' in header.inputs) {
      const built = scoreDesign(table, header.inputs.plan);
      missing = built.missing;
      if (header.type === 'glm') {
        outputs = header.kind === 'softmax' ? header.classes : 1;
        ({ values, engine } = await scoreGlm(ctx, header.kind, built.design, model.glm!, header.classes));
      } else {
        const width = header.inputs.plan.dim - 1;
        checkWidth(model.layers!, width, 'the feature plan\'s inputs');
        ({ values, outputs } = await predictLayers(model.layers!, header.head, expandRows(built.design, Int32Array.from({ length: rows }, (_, i) => i), width), rows, width));
        engine = `tfjs-${tf.getBackend()}`;
      }
    } else {
      const columns = header.inputs.columns;
      const inputs = columnInputs(table, columns);
      missing = inputs.missing;
      if (header.type === 'glm') throw new FabricError('bad-input', 'score: a GLM artifact must carry its feature plan');
      checkWidth(model.layers!, columns.length, `the columns ${JSON.stringify(columns)}`);
      ({ values, outputs } = await predictLayers(model.layers!, header.head, inputs.x, rows, columns.length));
      engine = `tfjs-${tf.getBackend()}`;
    }
    for (let r = 0; r < rows; r++) if (missing[r]) values.fill(NaN, r * outputs, (r + 1) * outputs);
    return { result: { rows, outputs, loaded, loadMs, engine }, binary: [new Uint8Array(values.buffer)] };
  } finally {
    if (params.reload) model.dispose();
  }
}
