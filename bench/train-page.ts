/**
 * Browser side of `npm run bench:train`. bench/train.ts adds this module to a coordinator page
 * (`/`, or bench/train.html, its twin without the dashboard; both put the public API on
 * `window.fabricReady`) and calls the functions on `window.trainBench`: Fabric trains through the
 * same `fabric.train` a user calls; the tfjs baseline (bench/train-tfjs.ts) and the kernel
 * roofline (bench/train-kernels.ts) run in the same page on the same rows.
 */
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import initParquet, { readParquet } from 'parquet-wasm/esm';
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import flightsUrl from '@datasets/flights-3m.parquet?url';
import type { Fabric } from '../src/index';
import type { DesignMatrix } from '../src/kernels/design';
import { linearRegression, logisticRegression } from '../src/ml/models';
import type { FeaturePlan, TargetSpec } from '../src/protocol/train';
import { buildDesign } from '../src/worker/features/design';
import { measureRoofline, type RooflineOptions, type RooflineResult } from './train-kernels';
import { fitTfjsToTarget, type TfjsFitOptions, type TfjsRun } from './train-tfjs';

/** The training request, as plain data (Playwright passes JSON). */
export interface TrainSpec {
  readonly kind: 'logistic' | 'linear';
  readonly l2: number;
  readonly maxIter: number;
  readonly target: TargetSpec | string;
  readonly features: readonly string[];
}

/** One optimizer iteration, as the bench reads it. */
export interface RunPoint {
  readonly iteration: number;
  readonly evaluations: number;
  /** Since the train() call, ms. */
  readonly ms: number;
  readonly holdoutLoss: number;
}

/** One `fabric.train` call. */
export interface FabricRun {
  readonly slots: number;
  readonly ms: number;
  readonly trainRows: number;
  readonly holdoutRows: number;
  readonly dim: number;
  readonly reason: string;
  readonly history: readonly RunPoint[];
  /** Start-to-commit ms of every task committed during the run, as `fabric.on('task')` reports it. */
  readonly taskMs: readonly number[];
}

/** Where the running `train` call is: its last iteration, as `onIteration` reported it. */
export interface TrainProgress {
  readonly iteration: number;
  readonly evaluations: number;
  /** Since the train() call, ms. */
  readonly ms: number;
}

/** The local node as `fabric.nodes()` shows it. */
export interface SlotInfo {
  readonly slots: number;
  /** The tfjs backend the slots chose (their probe). */
  readonly backend: string;
  readonly gflops: number;
  /** The model kernel the slots chose (cpu or webgpu, measured), and the measurement behind it. */
  readonly kernel: string;
  readonly kernelReason: string;
}

/** The subset both sides of the tfjs comparison train on. */
export interface SubsetInfo {
  readonly rows: number;
  readonly partitions: number;
  /** Fetching and decoding flights-3m in this page, slicing and re-encoding, ms. */
  readonly prepareMs: number;
  /** `fabric.load` of the subset's Arrow IPC, ms. */
  readonly loadMs: number;
}

/** The design of the subset under the last run's plan, as the slots build it. */
export interface DesignInfo {
  readonly trainRows: number;
  readonly holdoutRows: number;
  readonly dim: number;
  readonly denseCols: number;
  readonly oneHotCols: number;
  /** `buildDesign` over the whole subset, ms, train and held-out sides. */
  readonly buildTrainMs: number;
  readonly buildHoldoutMs: number;
}

/** The functions bench/train.ts calls in the page. */
export interface TrainBenchApi {
  slotInfo(): Promise<SlotInfo>;
  setLocalSlots(count: number): Promise<SlotInfo>;
  train(spec: TrainSpec): Promise<FabricRun>;
  /** The running (or last) train call's progress, for a driver that samples the browser meanwhile. */
  progress(): TrainProgress;
  /** Loads the first `rows` rows of flights-3m into Fabric (replacing its dataset) and keeps them here. */
  loadSubset(rows: number, partitionRows: number): Promise<SubsetInfo>;
  /** Builds the subset's design under the plan of the last `train`. */
  buildDesigns(): DesignInfo;
  fitTfjs(options: TfjsFitOptions): Promise<TfjsRun>;
  roofline(options: RooflineOptions): RooflineResult;
}

declare global {
  interface Window {
    trainBench: TrainBenchApi;
  }
}

let subset: Table | undefined;
let lastPlan: FeaturePlan | undefined;
let designs: { train: DesignMatrix; holdout: DesignMatrix } | undefined;
let progress: TrainProgress = { iteration: -1, evaluations: 0, ms: 0 };

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`train bench: ${what} is not ready yet`);
  return value;
}

async function fabric(): Promise<Fabric> {
  return need(window.fabricReady, 'window.fabricReady (open the coordinator page /)');
}

async function slotInfo(): Promise<SlotInfo> {
  const local = (await fabric()).nodes().find((n) => n.kind === 'local');
  return {
    slots: local?.slots ?? 0, backend: local?.backend ?? 'none', gflops: local?.gflops ?? 0,
    kernel: local?.kernel ?? 'none', kernelReason: local?.kernelReason ?? '',
  };
}

window.trainBench = {
  slotInfo,

  async setLocalSlots(count) {
    await (await fabric()).setLocalSlots(count);
    return slotInfo();
  },

  async train(spec) {
    const f = await fabric();
    const slots = (await slotInfo()).slots;
    const taskMs: number[] = [];
    const off = f.on('task', (t) => taskMs.push(t.ms));
    progress = { iteration: -1, evaluations: 0, ms: 0 };
    try {
      const model = spec.kind === 'logistic' ? logisticRegression({ l2: spec.l2 }) : linearRegression({ l2: spec.l2 });
      const m = await f.train({
        target: spec.target, features: spec.features, model, maxIter: spec.maxIter,
        onIteration: (it) => (progress = { iteration: it.iteration, evaluations: it.evaluations, ms: it.ms }),
      });
      lastPlan = m.plan;
      designs = undefined;
      return {
        slots, ms: m.ms, trainRows: m.plan.counts.trainRows, holdoutRows: m.plan.counts.holdoutRows,
        dim: m.plan.dim, reason: m.reason, taskMs,
        history: m.history.map((h) => ({ iteration: h.iteration, evaluations: h.evaluations, ms: h.ms, holdoutLoss: h.holdoutLoss })),
      };
    } finally {
      off();
    }
  },

  progress: () => progress,

  async loadSubset(rows, partitionRows) {
    const t0 = performance.now();
    await initParquet({ module_or_path: parquetWasmUrl });
    const bytes = new Uint8Array(await (await fetch(flightsUrl)).arrayBuffer());
    const full = tableFromIPC(readParquet(bytes, { batchSize: 65_536 }).intoIPCStream());
    // Re-read from its own bytes, so the subset does not keep the whole 3M-row table alive.
    const ipc = tableToIPC(full.slice(0, rows), 'stream');
    subset = tableFromIPC(ipc);
    const t1 = performance.now();
    const info = await (await fabric()).load(ipc, { name: `flights-3m, first ${rows} rows`, partitionRows });
    return { rows: info.numRows, partitions: info.partitions.length, prepareMs: t1 - t0, loadMs: performance.now() - t1 };
  },

  buildDesigns() {
    const table = need(subset, 'the subset (call loadSubset)');
    const plan = need(lastPlan, 'a feature plan (call train on the subset)');
    const t0 = performance.now();
    const train = buildDesign(table, plan, 'train', 0);
    const t1 = performance.now();
    const holdout = buildDesign(table, plan, 'holdout', 0);
    const t2 = performance.now();
    designs = { train, holdout };
    return {
      trainRows: train.rows, holdoutRows: holdout.rows, dim: train.dim, denseCols: train.denseCols, oneHotCols: train.oneHot.length,
      buildTrainMs: t1 - t0, buildHoldoutMs: t2 - t1,
    };
  },

  fitTfjs(options) {
    const d = need(designs, 'the designs (call buildDesigns)');
    return fitTfjsToTarget(d.train, d.holdout, options);
  },

  roofline(options) {
    return measureRoofline(need(designs, 'the designs (call buildDesigns)').train, options);
  },
};
