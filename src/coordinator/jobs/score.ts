/**
 * The batch `score` job: the dataset's partitions cut into batches of `batchSize` rows, one
 * `score` task each, named with the model artifact. A slot receives the model once (the node
 * sends an artifact only to a slot that does not hold it) and loads it once; with queue depth 2 it
 * already holds its next batch while it scores the current one, so the link and the kernel
 * overlap. Predictions come back as float64 and are placed by row, so the output has every input
 * row once and in order, whichever node scored it and however often a node was lost.
 */
import { makeVector, Table, tableFromIPC, type Vector } from 'apache-arrow';
import type { DatasetInfo, PartitionRef } from '../../protocol/dataset';
import { FabricError } from '../../protocol/errors';
import type { ModelHeader, ScoreParams, ScoreResult } from '../../protocol/score';
import type { TaskRequest } from '../../protocol/slot-api';
import type { ArtifactStore } from '../artifact-store';
import type { Scheduler } from '../scheduler';
import type { PreparedModel } from '../score-model';
import type { ScoreOptions, ScoreOutput } from './score-types';
import { numericAgreement } from '../agreement';

/** Default rows per task: a quarter of flights-3m's 100k-row partitions, so 2 slots get 120 batches to balance. */
export const DEFAULT_SCORE_BATCH = 25_000;
/** Progress callbacks at most this often. */
const PROGRESS_MS = 200;

let jobSeq = 0;

/** The prediction columns of a model. */
export function predictionNames(header: ModelHeader, outputs: number): string[] {
  const kind = header.type === 'glm' ? header.kind : header.head;
  if (outputs === 1) return [kind === 'logistic' ? 'probability' : 'prediction'];
  return Array.from({ length: outputs }, (_, k) => `p(${header.labels[k] ?? k})`);
}

/** The rows of every batch: `[start, end)` within each partition. */
export function batchesOf(partitions: readonly PartitionRef[], batchSize: number): { ref: PartitionRef; start: number; end: number }[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new FabricError('bad-input', `score: batchSize must be a whole number of at least 1, got ${batchSize}`);
  return partitions.flatMap((ref) => Array.from({ length: Math.ceil(ref.numRows / batchSize) }, (_, b) => ({ ref, start: b * batchSize, end: Math.min(ref.numRows, (b + 1) * batchSize) })));
}

/** Reads a result's float64 predictions, checked against its row and output counts. */
export function predictionsOf(result: ScoreResult, bytes: Uint8Array | undefined, rows: number, from: string): Float64Array {
  if (result.rows !== rows || !bytes || bytes.byteLength !== rows * result.outputs * 8) {
    throw new FabricError('schema-mismatch', `score: ${from} returned ${result.rows} rows and ${bytes?.byteLength ?? 0} bytes; expected ${rows} rows of ${result.outputs} float64 outputs`);
  }
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Scores every row of `dataset` with `model`. */
export async function runScoreJob(scheduler: Scheduler, artifacts: ArtifactStore, dataset: DatasetInfo, partitionBytes: (ref: PartitionRef) => Uint8Array, model: PreparedModel, options: ScoreOptions): Promise<ScoreOutput> {
  const t0 = performance.now();
  const batches = batchesOf(dataset.partitions, options.batchSize ?? DEFAULT_SCORE_BATCH);
  const ref = await artifacts.put(model.bytes, { durable: true });
  const job = ++jobSeq;
  const sentBefore = artifacts.bytesSent(ref);
  const tasks: TaskRequest[] = batches.map((b, i) => {
    const params: ScoreParams = { model: ref.id, start: b.start, end: b.end, inline: false, reload: options.reload ?? false };
    return { taskId: `score-${job}-${i}`, kind: 'score', params, partitions: [b.ref], artifacts: [ref] };
  });
  const rows = dataset.numRows;
  let rowsDone = 0;
  let last = 0;
  const byTask = new Map(tasks.map((t, i) => [t.taskId, batches[i]!]));
  const off = scheduler.onEvent((e) => {
    const b = e.type === 'task-committed' ? byTask.get(e.taskId) : undefined;
    if (!b || !options.onProgress) return;
    rowsDone += b.end - b.start;
    const now = performance.now();
    if (now - last < PROGRESS_MS && rowsDone < rows) return;
    last = now;
    options.onProgress({ rowsDone, rows, ms: Math.round(now - t0), rowsPerSecond: rowsDone / ((now - t0) / 1000) });
  });
  let outcomes;
  try {
    outcomes = await scheduler.run({ tasks, signal: options.signal, agree: numericAgreement() });
  } finally {
    off();
  }
  let outputs = 0;
  let predictions = new Float64Array(0);
  let loads = 0;
  const rowsByNode: Record<string, number> = {};
  const engines: Record<string, number> = {};
  tasks.forEach((t, i) => {
    const o = outcomes.get(t.taskId)!;
    const r = o.result as ScoreResult;
    const b = batches[i]!;
    if (i === 0) {
      outputs = r.outputs;
      predictions = new Float64Array(rows * outputs);
    }
    if (r.outputs !== outputs) throw new FabricError('schema-mismatch', `score: ${o.nodeId} returned ${r.outputs} outputs per row, others ${outputs}`);
    predictions.set(predictionsOf(r, o.binary[0], b.end - b.start, o.nodeId), (b.ref.rowStart + b.start) * outputs);
    if (r.loaded) loads++;
    rowsByNode[o.nodeId] = (rowsByNode[o.nodeId] ?? 0) + r.rows;
    engines[r.engine] = (engines[r.engine] ?? 0) + 1;
  });
  const ms = Math.round(performance.now() - t0);
  const names = predictionNames(model.header, Math.max(outputs, 1));
  return {
    rows, names, predictions, ms, rowsPerSecond: rows / (ms / 1000), tasks: tasks.length, loads,
    modelBytesSent: artifacts.bytesSent(ref) - sentBefore, rowsByNode, engines,
    toArrow: () => outputTable(dataset, partitionBytes, names, predictions),
  };
}

/** The input columns with the predictions added. */
function outputTable(dataset: DatasetInfo, partitionBytes: (ref: PartitionRef) => Uint8Array, names: readonly string[], predictions: Float64Array): Table {
  const input = new Table(dataset.partitions.flatMap((ref) => tableFromIPC(partitionBytes(ref)).batches));
  const columns: Record<string, Vector> = {};
  for (const f of input.schema.fields) columns[f.name] = input.getChild(f.name)!;
  const outputs = names.length;
  names.forEach((name, k) => {
    const col = new Float64Array(dataset.numRows);
    for (let r = 0; r < dataset.numRows; r++) col[r] = predictions[r * outputs + k]!;
    columns[name in columns ? `${name}_predicted` : name] = makeVector(col);
  });
  return new Table(columns);
}
