/**
 * Browser side of `npm run bench:score` (bench/score.ts), loaded by bench/score.html. One page
 * holds both sides of every comparison: a coordinator without the dashboard (`Fabric.start` with
 * `?slots=N` local slots, no room) that scores through the public API a user calls
 * (`fabric.model`, `score`, `scoreStream`, `predict`), and the plain tfjs way on the page's main
 * thread (columns read into a tensor, `model.predict` in chunks) over the same rows and the same
 * `tf.LayersModel`. `?rows=N` keeps the first N rows of flights-3m (the whole 3,000,000 by default).
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import initParquet, { readParquet } from 'parquet-wasm/esm';
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import flightsUrl from '@datasets/flights-3m.parquet?url';
import '@tensorflow/tfjs-backend-webgpu';
import { Fabric, type PreparedModel, type StreamStats } from '../src/index';
import { runScore } from '../src/worker/executors/score';
import { columnInputs } from '../src/worker/features/score-design';

setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });

/**
 * `embedding`: the headline's ~10.5 MB model with little compute per row (distance → a 262,144 ×
 * 10 embedding → dense 16 relu → dense 1 sigmoid). `mlp`: real compute per row on two columns
 * (2 → 64 → 64 → 1, about 4,400 multiply-adds a row) and 17 KB of weights.
 */
export type ModelKind = 'embedding' | 'mlp';
/** Rows of the embedding table: 262,144 × 10 float32 = 10.5 MB, most of the model's bytes. */
const EMBED_ROWS = 262_144;
/** flights-3m's own partition size, so a subset is partitioned as the whole dataset is. */
const PARTITION_ROWS = 100_000;

/** The page once its slots are up and the rows are loaded. */
export interface PageInfo {
  /** The tfjs backend the slots chose (their probe), and the one the page's baseline uses (the same). */
  readonly slots: number; readonly slotBackend: string; readonly pageBackend: string;
  /** XNNPACK threads of the page's wasm backend (0 for other backends). */
  readonly pageThreads: number;
  readonly rows: number; readonly partitions: number; readonly loadMs: number;
}
/** A model built in the page and prepared for Fabric. */
export interface ModelInfo { readonly id: string; readonly kind: ModelKind; readonly columns: readonly string[]; readonly params: number; readonly artifactBytes: number }
/** One `fabric.score` call, timed in the page from the call to its return (the last prediction). */
export interface ScoreRun { readonly wallMs: number; readonly rows: number; readonly tasks: number; readonly loads: number; readonly modelBytesSent: number }
/** The baseline's predict call per chunk. `plain`: `model.predict(x)`, as users often write it: tfjs-layers then runs
 * batches of 32 rows. `batched`: `model.predict(x, { batchSize: chunk })`, one pass per chunk, as the slot's executor calls it. */
export type PredictCall = 'plain' | 'batched';
/** The plain tfjs way over the same rows: input matrix from the Arrow columns, then `model.predict` in chunks. */
export interface TfjsRun { readonly buildMs: number; readonly predictMs: number; readonly wallMs: number; readonly rows: number }
/** One stream at one rate; `everBehind`: `stats().fallingBehind` was true at some batch; `maxBacklog`: the largest backlog seen, rows. */
export interface StreamRun { readonly rate: number; readonly batchRows: number; readonly rows: number; readonly wallMs: number; readonly stats: StreamStats; readonly everBehind: boolean; readonly maxBacklog: number }
/** `fabric.predict` latencies, ms, measured in the page around each call. */
export interface PredictRun { readonly calls: number; readonly p50: number; readonly p99: number; readonly mean: number; readonly max: number; readonly apiStats: { count: number; p50: number; p99: number } }
/** One `score` task run by the slot's own executor on the page's main thread, by phase, ms (fastest of the repeats). */
export interface TaskCost { readonly rows: number; readonly inputMs: number; readonly taskMs: number; readonly loadMs: number }

/** The functions bench/score.ts calls in the page. */
export interface ScoreBenchApi {
  buildModel(kind: ModelKind, seed: number): Promise<ModelInfo>;
  /** `batchSize` undefined: Fabric's default. */
  score(id: string, options: { batchSize?: number; reload: boolean }): Promise<ScoreRun>;
  tfjsPredict(id: string, options: { chunkRows: number; call: PredictCall }): Promise<TfjsRun>;
  /** Largest |tfjs − Fabric| over every row, between the model's last `batched` baseline and its last `score` (NaN without both). */
  compare(id: string): number;
  stream(id: string, options: { rate: number; batchRows: number; rows: number }): Promise<StreamRun>;
  predict(id: string, options: { calls: number; warmup: number }): Promise<PredictRun>;
  taskCost(id: string, options: { rows: number; reload: boolean; repeats: number }): Promise<TaskCost>;
  forget(id: string): void;
}

declare global {
  interface Window { scoreBench: ScoreBenchApi; scoreReady: Promise<PageInfo> }
}

let fabric: Fabric;
let table: Table;
const models = new Map<string, { kind: ModelKind; columns: string[]; layers: tf.LayersModel; prepared: PreparedModel }>();
/** `score` and batched-baseline predictions by model id, to check one against the other (dropped by `forget`). */
const scored = new Map<string, Float64Array>();
const baseline = new Map<string, Float32Array>();
let seq = 0;

function modelOf(id: string): NonNullable<ReturnType<typeof models.get>> {
  const m = models.get(id);
  if (!m) throw new Error(`score bench: no model ${id} (call buildModel)`);
  return m;
}

const quantile = (xs: number[], q: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN; };

/** The model, with seeded initializers, so every run builds the same weights for a seed. */
function buildLayers(kind: ModelKind, seed: number): tf.LayersModel {
  const glorot = (s: number) => tf.initializers.glorotUniform({ seed: s });
  if (kind === 'embedding') {
    return tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: EMBED_ROWS, outputDim: 10, inputShape: [1], embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: glorot(seed + 1) }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: glorot(seed + 2) }),
    ] });
  }
  // Raw inputs (distance up to ~5,000 miles, delay in minutes): a first layer of weights ~1e-3 keeps
  // the sigmoid off its flat ends, so the baseline-against-Fabric check compares real values.
  return tf.sequential({ layers: [
    tf.layers.dense({ units: 64, activation: 'relu', inputShape: [2], kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 1e-3, seed }) }),
    tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: glorot(seed + 1) }),
    tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: glorot(seed + 2) }),
  ] });
}

/** model.json and its one shard, as `tf.LayersModel.save()` writes them. */
async function filesOf(layers: tf.LayersModel): Promise<{ modelJson: object; shards: Record<string, Uint8Array> }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await layers.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  // tfjs may hand the weights over as several buffers; the shard is their concatenation.
  const data = saved!.weightData!;
  const bin = new Uint8Array(await new Blob(Array.isArray(data) ? data : [data]).arrayBuffer());
  return { modelJson: { format: 'layers-model', modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: saved!.weightSpecs }] }, shards: { 'weights.bin': bin } };
}

/** What a user writes: each column read from Arrow into one row-major float32 matrix. */
function inputMatrix(columns: readonly string[]): Float32Array {
  const rows = table.numRows;
  const x = new Float32Array(rows * columns.length);
  columns.forEach((name, j) => {
    const values = table.getChild(name)!.toArray() as ArrayLike<number | bigint>;
    for (let r = 0; r < rows; r++) x[r * columns.length + j] = Number(values[r]);
  });
  return x;
}

window.scoreBench = {
  async buildModel(kind, seed) {
    const layers = buildLayers(kind, seed);
    const columns = kind === 'embedding' ? ['distance'] : ['distance', 'delay'];
    const prepared = await fabric.model(await filesOf(layers), { columns, name: `${kind} seed ${seed}` });
    // One small prediction, so the baseline's first timed call does not set up tfjs's kernels.
    tf.tidy(() => (layers.predict(tf.zeros([64, columns.length])) as tf.Tensor).dataSync());
    const id = `${kind}-${seed}-${++seq}`;
    models.set(id, { kind, columns, layers, prepared });
    return { id, kind, columns, params: layers.countParams(), artifactBytes: prepared.bytes.byteLength };
  },

  async score(id, { batchSize, reload }) {
    const t0 = performance.now();
    const out = await fabric.score(modelOf(id).prepared, batchSize === undefined ? { reload } : { batchSize, reload });
    scored.set(id, out.predictions);
    return { wallMs: performance.now() - t0, rows: out.rows, tasks: out.tasks, loads: out.loads, modelBytesSent: out.modelBytesSent };
  },

  async tfjsPredict(id, { chunkRows, call }) {
    const m = modelOf(id);
    const rows = table.numRows;
    const width = m.columns.length;
    const t0 = performance.now();
    const x = inputMatrix(m.columns);
    const t1 = performance.now();
    const y = new Float32Array(rows);
    for (let start = 0; start < rows; start += chunkRows) {
      const count = Math.min(chunkRows, rows - start);
      const chunk = (): tf.Tensor => tf.tensor2d(x.subarray(start * width, (start + count) * width), [count, width]);
      y.set(tf.tidy(() => (m.layers.predict(chunk(), call === 'batched' ? { batchSize: count } : {}) as tf.Tensor).dataSync() as Float32Array), start);
    }
    const t2 = performance.now();
    if (call === 'batched') baseline.set(id, y);
    return { buildMs: t1 - t0, predictMs: t2 - t1, wallMs: t2 - t0, rows };
  },

  compare(id) {
    const [a, b] = [scored.get(id), baseline.get(id)];
    return a && b ? a.reduce((max, v, r) => Math.max(max, Math.abs(v - b[r]!)), 0) : NaN;
  },

  async stream(id, { rate, batchRows, rows }) {
    const s = fabric.scoreStream(modelOf(id).prepared, { rate, batchRows, rows });
    const t0 = performance.now();
    let [everBehind, maxBacklog] = [false, 0];
    for await (const b of s) {
      everBehind ||= s.stats().fallingBehind;
      maxBacklog = Math.max(maxBacklog, b.backlogRows);
    }
    return { rate, batchRows, rows: s.stats().rowsScored, wallMs: performance.now() - t0, stats: s.stats(), everBehind, maxBacklog };
  },

  async predict(id, { calls, warmup }) {
    const m = modelOf(id);
    // Rows spread over the data, so no call repeats the last one's values.
    const cols = m.columns.map((c) => table.getChild(c)!);
    const rowAt = (i: number): Record<string, number> => Object.fromEntries(m.columns.map((c, j) => [c, Number(cols[j]!.get((i * 7919) % table.numRows))]));
    for (let i = 0; i < warmup; i++) await fabric.predict(m.prepared, rowAt(i));
    const ms: number[] = [];
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      await fabric.predict(m.prepared, rowAt(warmup + i));
      ms.push(performance.now() - t0);
    }
    return { calls, p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), mean: ms.reduce((a, b) => a + b, 0) / calls, max: Math.max(...ms), apiStats: fabric.predictStats() };
  },

  async taskCost(id, { rows, reload, repeats }) {
    const m = modelOf(id);
    const slice = table.slice(0, rows);
    const memo = new Map<string, unknown>();
    const ctx = { tables: [slice], partitions: [], binary: [], memo, artifact: () => m.prepared.bytes };
    const [input, task, load]: [number[], number[], number[]] = [[], [], []];
    for (let i = 0; i <= repeats; i++) {
      const t0 = performance.now();
      columnInputs(slice, m.columns);
      const t1 = performance.now();
      const out = await runScore({ model: id, start: 0, end: rows, inline: false, reload }, ctx);
      const t2 = performance.now();
      if (i === 0) continue; // the first run loads the model (cached runs) and warms the kernels
      input.push(t1 - t0);
      task.push(t2 - t1);
      load.push(out.result.loadMs);
    }
    for (const v of memo.values()) void Promise.resolve(v).then((lm) => (lm as { dispose(): void }).dispose());
    return { rows, inputMs: Math.min(...input), taskMs: Math.min(...task), loadMs: Math.min(...load) };
  },

  forget(id) {
    models.get(id)?.layers.dispose();
    for (const byId of [models, scored, baseline]) byId.delete(id);
  },
};

async function start(): Promise<PageInfo> {
  const params = new URLSearchParams(location.search);
  fabric = await Fabric.start({ localSlots: Number(params.get('slots') ?? 2), room: false });
  await initParquet({ module_or_path: parquetWasmUrl });
  const full = tableFromIPC(readParquet(new Uint8Array(await (await fetch(flightsUrl)).arrayBuffer()), { batchSize: 65_536 }).intoIPCStream());
  const rows = Math.min(full.numRows, Number(params.get('rows') ?? full.numRows));
  // Re-read from its own bytes: the kept table holds its rows in one place, and Fabric loads the same bytes.
  const ipc = tableToIPC(full.slice(0, rows), 'stream');
  table = tableFromIPC(ipc);
  const t0 = performance.now();
  const info = await fabric.load(ipc, { name: rows === full.numRows ? 'flights-3m' : `flights-3m, first ${rows} rows`, partitionRows: PARTITION_ROWS });
  const loadMs = performance.now() - t0;
  const local = fabric.nodes().find((n) => n.kind === 'local');
  const slotBackend = local?.backend.split(/[ ,]/)[0] ?? 'none';
  if (!(await tf.setBackend(slotBackend))) throw new Error(`score bench: tf.setBackend('${slotBackend}') failed in the page`);
  await tf.ready();
  return { slots: local?.slots ?? 0, slotBackend: local?.backend ?? 'none', pageBackend: tf.getBackend(), pageThreads: tf.getBackend() === 'wasm' ? getThreadsCount() : 0, rows: info.numRows, partitions: info.partitions.length, loadMs };
}

window.scoreReady = start();
