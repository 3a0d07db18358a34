/**
 * Browser side of `npm run bench:groups` (bench/groups.ts), loaded by bench/groups.html. One page
 * is one way of fitting one model per group, chosen by its query:
 *
 * - `mode=fabric&slots=N`: a coordinator without the dashboard (like bench/train.html) that loads
 *   the dataset with `fabric.load` and fits through `fabric.groupBy(key).fit`, as a user would.
 * - `mode=sequential`: no Fabric at all. The page loads the same dataset with the loader's own
 *   code (src/data/load.ts: the same partitions, byte for byte), then fits every group in key
 *   order in one loop on its main thread with the functions a slot runs (groupByKey, then per
 *   group buildGroupDesign, gramCpu and fitGroupRows). For diagnosis it also runs that loop on 1
 *   and 2 plain Web Workers (this module again, as a worker: the machine's own ceiling for the
 *   per-group work) and times the stages of Fabric's pipeline one by one in this thread.
 *
 * Dataset: `dataset=flights` (flights-3m; `&rows=N` for its first N rows, re-encoded as Arrow IPC
 * in the page and loaded as bytes by both ways) or `dataset=iot&devices=D&rowsPerDevice=R&seed=S`.
 * Fabric's API is imported only by a Fabric page, so the worker loads none of it.
 */
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import initParquet, { readParquet } from 'parquet-wasm/esm';
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import flightsUrl from '@datasets/flights-3m.parquet?url';
import { shuffleIntoBatches } from '../src/coordinator/group-batches';
import type { GroupFitOptions } from '../src/coordinator/group-by';
import { DEFAULT_GROUP_BUDGET_BYTES } from '../src/coordinator/group-packing';
import { planFitJob } from '../src/coordinator/jobs/fit-groups';
import { synthetic } from '../src/coordinator/synthetic';
import { buildGroupDesign } from '../src/data/group-design';
import { groupByKey, groupTable, type GroupedTable } from '../src/data/group-shuffle';
import { loadBytes, loadTable, type LoadedDataset } from '../src/data/load';
import { sha256Hex } from '../src/data/partition';
import { PARQUET_BATCH_ROWS } from '../src/data/read-table';
import { syntheticIot } from '../src/data/synthetic-iot';
import { gramCpu } from '../src/kernels/gram';
import { seededRandom } from '../src/kernels/random';
import { fitGroupRows } from '../src/ml/group-fit';
import { logisticRegression, ols } from '../src/ml/models';
import type { DatasetInfo } from '../src/protocol/dataset';
import type { FeatureSpec, TargetSpec } from '../src/protocol/train';

/** One fit request, as plain data (Playwright passes JSON). */
export interface GroupsSpec {
  readonly key: string;
  readonly target: TargetSpec | string;
  readonly features: readonly (FeatureSpec | string)[];
  readonly model: { readonly kind: 'logistic'; readonly l2: number } | { readonly kind: 'ols' };
  readonly packing?: { readonly targetRowsPerTask?: number; readonly maxGroupsPerTask?: number };
}

/** Every group's outcome, in key order: what the driver compares across ways. */
export interface GroupOutcomes {
  readonly keys: string[];
  readonly statuses: string[];
  /** Group after group, p per group; null unless the status is ok. */
  readonly coefficients: (number | null)[];
  readonly p: number;
}

/** One fit of every group. */
export interface FitRun {
  /** From the call to having every group's result, measured in the page, ms. */
  readonly wallMs: number;
  /** Grouping the rows by key: Fabric's shuffle (worker, batches written as IPC) or `groupByKey`, ms. */
  readonly shuffleMs: number;
  /** Fabric: tasks; sequential: 0. */
  readonly tasks: number;
  readonly groups: number;
  readonly rows: number;
  /** Sum over groups of the time each fit took (Fabric: on its slot, as `fitMs` reports it), ms. */
  readonly fitMsSum: number;
  /** Sequential: building the groups' designs, ms (inside the slots' tasks for Fabric: not separable). */
  readonly designMs: number;
  /** Fabric: start-to-commit ms of every task, summed (`fabric.on('task')`). */
  readonly taskMsSum: number;
  /** Fabric: groups per node id. */
  readonly groupsByNode: Record<string, number>;
  readonly outcomes: GroupOutcomes;
}

/** The per-group loop (designs and fits, no grouping) on 1 and on 2 plain Web Workers. */
export interface CeilingRun {
  readonly oneMs: number;
  readonly twoMs: number;
}

/** The stages of Fabric's pipeline for one fit, each timed alone in one thread, ms. */
export interface StageTimes {
  /** `groupByKey` alone (what the sequential loop does). */
  readonly groupByKeyMs: number;
  /** `shuffleIntoBatches`, the shuffle worker's whole job: grouping in task order and one Arrow IPC stream per task. */
  readonly shuffleIntoBatchesMs: number;
  /** `tableToIPC` alone over slices of the grouped table as large as the batches: writing the batches. */
  readonly writeMs: number;
  readonly batches: number;
  readonly batchBytes: number;
  /** SHA-256 of every batch: once on the coordinator (`ArtifactStore.put`) and again on the slot. */
  readonly hashMs: number;
  /** `tableFromIPC` of every batch, as each task starts. */
  readonly decodeMs: number;
  /** `buildGroupDesign` over each batch's groups at once, as the slot executor does. */
  readonly batchedDesignMs: number;
  /** `buildGroupDesign` one group at a time, as the sequential loop does. */
  readonly perGroupDesignMs: number;
}

/** What the page holds. */
export interface PageInfo {
  readonly mode: 'fabric' | 'sequential';
  readonly slots: number;
  readonly dataset: string;
  readonly rows: number;
  readonly partitions: number;
  readonly loadMs: number;
}

/** The functions bench/groups.ts calls in the page. */
export interface GroupsBenchApi {
  info(): PageInfo;
  fit(spec: GroupsSpec): Promise<FitRun>;
  /** Sequential page only. */
  ceiling(spec: GroupsSpec): Promise<CeilingRun>;
  /** Sequential page only: Fabric's stages for `slots` slots. */
  stages(spec: GroupsSpec, slots: number): Promise<StageTimes>;
}

declare global {
  interface Window {
    groupsBench: GroupsBenchApi;
    groupsBenchReady: Promise<PageInfo>;
  }
}

function fitOptions(spec: GroupsSpec): GroupFitOptions {
  const model = spec.model.kind === 'logistic' ? logisticRegression({ l2: spec.model.l2 }) : ols();
  return { target: spec.target, features: spec.features, model, ...(spec.packing ? { packing: spec.packing } : {}) };
}

type Job = ReturnType<typeof planFitJob>;

/** Fits groups `groups` (indices in key order) one at a time: the loop every way is measured against. */
function fitGroupsInOrder(grouped: GroupedTable, job: Job, groups: Iterable<number>): { statuses: string[]; coefficients: (number | null)[]; designMs: number; fitMs: number } {
  if (job.model.kind === 'custom' || !job.target) throw new Error('groups bench: a model fit needs a model and a target');
  const model = job.model;
  const target = job.target;
  // As the slot executor does: no features means an intercept-only fit.
  const intercept = job.features.length === 0 || job.intercept;
  const p = job.coefficientNames.length;
  const statuses: string[] = [];
  const coefficients: (number | null)[] = [];
  let designMs = 0;
  let fitMs = 0;
  for (const g of groups) {
    const slice = groupTable(grouped, g);
    const d0 = performance.now();
    const design = buildGroupDesign(slice, [slice.numRows], job.features, target, intercept, job.missing);
    const d1 = performance.now();
    const gram = model.kind === 'linear' ? { result: gramCpu(design.rows), ms: 0 } : undefined;
    const fitted = fitGroupRows(design.rows, model, intercept, gram);
    fitMs += performance.now() - d1;
    designMs += d1 - d0;
    const status = fitted.fits[0]!.status;
    statuses.push(status);
    for (let c = 0; c < p; c++) {
      const v = fitted.coefficients[c]!;
      coefficients.push(status === 'ok' && Number.isFinite(v) ? v : null);
    }
  }
  return { statuses, coefficients, designMs, fitMs };
}

// ---- A plain Web Worker: this module again, running the loop over the groups it is given ----

/** Messages to a ceiling worker; it answers each with `{ ms }` (the loop's time for `fit`, else 0). */
type CeilingMessage =
  | { readonly type: 'hold'; readonly partitions: ArrayBuffer[]; readonly dataset: DatasetInfo }
  | { readonly type: 'group'; readonly spec: GroupsSpec }
  | { readonly type: 'fit'; readonly groups: number[] };

function serveCeiling(): void {
  let held: { tables: Table[]; dataset: DatasetInfo } | undefined;
  let grouped: { job: Job; grouped: GroupedTable } | undefined;
  self.onmessage = (e: MessageEvent<CeilingMessage>) => {
    const m = e.data;
    let ms = 0;
    if (m.type === 'hold') held = { tables: m.partitions.map((b) => tableFromIPC(new Uint8Array(b))), dataset: m.dataset };
    else if (m.type === 'group') {
      const job = planFitJob(held!.dataset, m.spec.key, fitOptions(m.spec));
      grouped = { job, grouped: groupByKey(held!.tables, job.key, { columns: job.columns }) };
    } else {
      const t0 = performance.now();
      fitGroupsInOrder(grouped!.grouped, grouped!.job, m.groups);
      ms = performance.now() - t0;
    }
    self.postMessage({ ms });
  };
}

// ---- The page ----

const params = new URLSearchParams(location.search);
const mode = params.get('mode') === 'sequential' ? 'sequential' : 'fabric';

function intParam(name: string): number {
  const v = Number(params.get(name));
  if (!Number.isInteger(v)) throw new Error(`groups bench page: query ${name} must be a whole number, got ${params.get(name)}`);
  return v;
}

function iotOptions(): { devices: number; rowsPerDevice: number; seed: number } {
  return { devices: intParam('devices'), rowsPerDevice: intParam('rowsPerDevice'), seed: intParam('seed') };
}

/** flights-3m's Parquet bytes, or with `rows=N` its first N rows as Arrow IPC. */
async function flightsBytes(): Promise<{ bytes: Uint8Array; name: string }> {
  await initParquet({ module_or_path: parquetWasmUrl });
  const parquet = new Uint8Array(await (await fetch(flightsUrl)).arrayBuffer());
  if (!params.has('rows')) return { bytes: parquet, name: 'flights-3m.parquet' };
  const rows = intParam('rows');
  const full = tableFromIPC(readParquet(parquet, { batchSize: PARQUET_BATCH_ROWS }).intoIPCStream());
  return { bytes: tableToIPC(full.slice(0, rows), 'stream'), name: `flights-3m, first ${rows} rows` };
}

function notHere(): never {
  throw new Error('groups bench: ceiling and stages run on the sequential page (mode=sequential)');
}

async function startFabric(): Promise<{ info: PageInfo; api: GroupsBenchApi }> {
  const { Fabric } = await import('../src/index');
  const fabric = await Fabric.start({ localSlots: intParam('slots') });
  const t0 = performance.now();
  const load = async (): Promise<DatasetInfo> => {
    if (params.get('dataset') === 'iot') return fabric.load(synthetic.iot(iotOptions()));
    if (!params.has('rows')) return fabric.load('flights-3m');
    const { bytes, name } = await flightsBytes();
    return fabric.load(bytes, { name });
  };
  const dataset = await load();
  const slots = fabric.nodes().find((n) => n.kind === 'local')?.slots ?? 0;
  const info: PageInfo = { mode, slots, dataset: dataset.name, rows: dataset.numRows, partitions: dataset.partitions.length, loadMs: performance.now() - t0 };
  const api: GroupsBenchApi = {
    info: () => info,
    async fit(spec) {
      let taskMsSum = 0;
      const off = fabric.on('task', (t) => (taskMsSum += t.ms));
      try {
        const t0 = performance.now();
        const r = await fabric.groupBy(spec.key).fit(fitOptions(spec));
        const wallMs = performance.now() - t0;
        return {
          wallMs, shuffleMs: r.shuffleMs, tasks: r.tasks, groups: r.rows.length, rows: r.totalRows,
          fitMsSum: r.rows.reduce((s, g) => s + g.fitMs, 0), designMs: NaN, taskMsSum, groupsByNode: { ...r.groupsByNode },
          outcomes: { keys: r.rows.map((g) => g.key), statuses: r.rows.map((g) => g.status), coefficients: r.rows.flatMap((g) => [...g.coefficients]), p: r.coefficientNames.length },
        };
      } finally {
        off();
      }
    },
    ceiling: notHere,
    stages: notHere,
  };
  return { info, api };
}

async function loadHere(): Promise<LoadedDataset> {
  if (params.get('dataset') === 'iot') {
    const o = iotOptions();
    return loadTable(syntheticIot({ ...o, random: seededRandom(o.seed) }).table, `synthetic-iot-${o.devices}x${o.rowsPerDevice}-seed${o.seed}`);
  }
  const { bytes, name } = await flightsBytes();
  return loadBytes(bytes, name, (b) => readParquet(b, { batchSize: PARQUET_BATCH_ROWS }).intoIPCStream());
}

/** Two plain workers holding the dataset; `ask` posts a message and resolves with the worker's ms. */
function startCeilingWorkers(loaded: LoadedDataset, dataset: DatasetInfo): ((w: number, m: CeilingMessage) => Promise<number>) {
  const workers = [0, 1].map((i) => new Worker(new URL('./groups-page.ts', import.meta.url), { type: 'module', name: `groups-bench-ceiling-${i}` }));
  const ask = (w: number, m: CeilingMessage, transfer: Transferable[] = []): Promise<number> => new Promise((resolve, reject) => {
    workers[w]!.onmessage = (e: MessageEvent<{ ms: number }>) => resolve(e.data.ms);
    workers[w]!.onerror = (e) => reject(new Error(`ceiling worker ${w}: ${e.message}`));
    workers[w]!.postMessage(m, transfer);
  });
  const held = Promise.all(workers.map((_, w) => {
    const copies = loaded.partitions.map((part) => part.ipc.slice().buffer);
    return ask(w, { type: 'hold', partitions: copies, dataset }, copies);
  }));
  return async (w, m) => {
    await held;
    return ask(w, m);
  };
}

/** Groups split over two workers by rows, largest first, each to the less loaded (LPT). */
function splitByRows(grouped: GroupedTable): [number[], number[]] {
  const order = grouped.keys.map((_, g) => g).sort((a, b) => (grouped.groupStart[b + 1]! - grouped.groupStart[b]!) - (grouped.groupStart[a + 1]! - grouped.groupStart[a]!));
  const halves: [number[], number[]] = [[], []];
  const load = [0, 0];
  for (const g of order) {
    const w = load[0]! <= load[1]! ? 0 : 1;
    halves[w].push(g);
    load[w]! += grouped.groupStart[g + 1]! - grouped.groupStart[g]!;
  }
  return [halves[0].sort((a, b) => a - b), halves[1].sort((a, b) => a - b)];
}

async function startSequential(): Promise<{ info: PageInfo; api: GroupsBenchApi }> {
  const t0 = performance.now();
  const loaded = await loadHere();
  // The start line of every fit: the partitions in memory as tables, as Fabric's shuffle worker holds them.
  const tables = loaded.partitions.map((part) => tableFromIPC(part.ipc));
  const dataset: DatasetInfo = { id: loaded.id, name: loaded.name, numRows: loaded.numRows, columns: loaded.columns, partitions: loaded.partitions.map((part) => part.ref), loadMs: 0 };
  const info: PageInfo = { mode, slots: 0, dataset: loaded.name, rows: loaded.numRows, partitions: loaded.partitions.length, loadMs: performance.now() - t0 };
  let ask: ReturnType<typeof startCeilingWorkers> | undefined;
  const api: GroupsBenchApi = {
    info: () => info,
    async fit(spec) {
      const job = planFitJob(dataset, spec.key, fitOptions(spec));
      const t0 = performance.now();
      const grouped = groupByKey(tables, job.key, { columns: job.columns });
      const shuffleMs = performance.now() - t0;
      const r = fitGroupsInOrder(grouped, job, grouped.keys.keys());
      const wallMs = performance.now() - t0;
      return {
        wallMs, shuffleMs, tasks: 0, groups: grouped.keys.length, rows: grouped.table.numRows, fitMsSum: r.fitMs, designMs: r.designMs, taskMsSum: NaN, groupsByNode: {},
        outcomes: { keys: [...grouped.keys], statuses: r.statuses, coefficients: r.coefficients, p: job.coefficientNames.length },
      };
    },
    async ceiling(spec) {
      ask ??= startCeilingWorkers(loaded, dataset);
      const job = planFitJob(dataset, spec.key, fitOptions(spec));
      const halves = splitByRows(groupByKey(tables, job.key, { columns: job.columns }));
      await Promise.all([ask(0, { type: 'group', spec }), ask(1, { type: 'group', spec })]);
      const oneMs = await ask(0, { type: 'fit', groups: [...halves[0], ...halves[1]].sort((a, b) => a - b) });
      const t0 = performance.now();
      await Promise.all([ask(0, { type: 'fit', groups: halves[0] }), ask(1, { type: 'fit', groups: halves[1] })]);
      return { oneMs, twoMs: performance.now() - t0 };
    },
    async stages(spec, slots) {
      const job = planFitJob(dataset, spec.key, fitOptions(spec));
      if (!job.target) throw new Error('groups bench: stages need a target');
      const t0 = performance.now();
      const grouped = groupByKey(tables, job.key, { columns: job.columns });
      const t1 = performance.now();
      // The request runGroupJob (src/coordinator/jobs/fit-groups.ts) builds: its working bytes per
      // row, the default budget, and 4 tasks per slot at least (its TASKS_PER_SLOT).
      const p = job.coefficientNames.length;
      const shuffled = shuffleIntoBatches(tables, {
        key: job.key, columns: job.columns, budgetBytes: DEFAULT_GROUP_BUDGET_BYTES, workingBytesPerRow: 8 * (job.features.length + 1) + 4 * p + 8,
        minTasks: 4 * slots, targetRowsPerTask: spec.packing?.targetRowsPerTask, maxGroupsPerTask: spec.packing?.maxGroupsPerTask,
      });
      const t2 = performance.now();
      let r0 = 0;
      for (const b of shuffled.batches) {
        tableToIPC(grouped.table.slice(r0, r0 + b.rows), 'stream');
        r0 += b.rows;
      }
      const writeMs = performance.now() - t2;
      const t2b = performance.now();
      await Promise.all(shuffled.batches.map((b) => sha256Hex(b.ipc)));
      const t3 = performance.now();
      const decoded = shuffled.batches.map((b) => tableFromIPC(b.ipc));
      const t4 = performance.now();
      const intercept = job.features.length === 0 || job.intercept;
      decoded.forEach((t, i) => buildGroupDesign(t, shuffled.batches[i]!.groups.map((g) => shuffled.sizes[g]!), job.features, job.target!, intercept, job.missing));
      const t5 = performance.now();
      for (let g = 0; g < grouped.keys.length; g++) {
        const slice = groupTable(grouped, g);
        buildGroupDesign(slice, [slice.numRows], job.features, job.target, intercept, job.missing);
      }
      const t6 = performance.now();
      return {
        groupByKeyMs: t1 - t0, shuffleIntoBatchesMs: t2 - t1, batches: shuffled.batches.length, batchBytes: shuffled.batches.reduce((s, b) => s + b.ipc.byteLength, 0),
        writeMs, hashMs: t3 - t2b, decodeMs: t4 - t3, batchedDesignMs: t5 - t4, perGroupDesignMs: t6 - t5,
      };
    },
  };
  return { info, api };
}

if (typeof window === 'undefined') serveCeiling();
else {
  window.groupsBenchReady = (mode === 'sequential' ? startSequential() : startFabric()).then(({ info, api }) => {
    window.groupsBench = api;
    return info;
  });
}
