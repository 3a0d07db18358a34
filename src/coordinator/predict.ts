/**
 * Real-time `predict`: one record answered by a model kept hot on a slot of the coordinator's own
 * machine, bypassing the scheduler's queue: the row goes to the slot as a one-row Arrow table,
 * and the slot keeps the model loaded between calls. Latencies are kept for p50 and p99.
 */
import { makeData, makeVector, Null, Table, tableToIPC, type Vector } from 'apache-arrow';
import { boolVector, dateVector, float64Vector, utf8Vector } from '../data/arrow-vectors';
import { FabricError } from '../protocol/errors';
import type { ScoreParams, ScoreResult } from '../protocol/score';
import type { TaskRequest } from '../protocol/slot-api';
import type { ArtifactRef } from '../protocol/dataset';
import type { ArtifactStore } from './artifact-store';
import type { ExecutorNode } from './executor-node';
import { predictionsOf } from './jobs/score';
import { percentile } from './jobs/score-stream';
import type { PredictStats } from './jobs/score-types';
import type { PreparedModel } from './score-model';

/** Latencies kept for the statistics. */
const KEEP = 10_000;

/** A record to predict: column name to value. */
export type PredictRow = Readonly<Record<string, number | string | boolean | Date | null>>;

/** One value as a one-row vector of its type (a null has the Null type, as Arrow infers it). */
function vectorOf(v: number | string | boolean | Date | null): Vector {
  if (v === null) return makeVector(makeData({ type: new Null(), length: 1, nullCount: 1 }));
  if (typeof v === 'number') return float64Vector([v]);
  if (typeof v === 'string') return utf8Vector([v]);
  if (typeof v === 'boolean') return boolVector([v]);
  return dateVector([v]);
}

/** One record as Arrow IPC: numbers as Float64, text as Utf8, dates as Date (ms), booleans as Bool. */
export function rowIpc(row: PredictRow): Uint8Array {
  if (!row || typeof row !== 'object' || Object.keys(row).length === 0) throw new FabricError('bad-input', `predict: row must be an object of column values, e.g. { distance: 500, origin: 'SFO' }; got ${JSON.stringify(row)}`);
  const columns: Record<string, Vector> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v !== null && !['number', 'string', 'boolean'].includes(typeof v) && !(v instanceof Date)) throw new FabricError('bad-input', `predict: column "${k}" has a ${typeof v}; values must be numbers, text, booleans, Dates or null`);
    columns[k] = vectorOf(v);
  }
  return tableToIPC(new Table(columns), 'stream');
}

/** Real-time predictions on one slot of a node. */
export class Predictor {
  private readonly latencies: number[] = [];
  private readonly refs = new WeakMap<PreparedModel, Promise<ArtifactRef>>();
  private seq = 0;

  constructor(private readonly artifacts: ArtifactStore) {}

  /** Predicts one row on `node`'s slot 0; resolves with the row's outputs. */
  async predict(node: ExecutorNode, model: PreparedModel, row: PredictRow): Promise<Float64Array> {
    const t0 = performance.now();
    // Hashing a 10 MB model took about 15 ms: done once per model, not per call.
    let pending = this.refs.get(model);
    if (!pending) this.refs.set(model, (pending = this.artifacts.put(model.bytes, { durable: true })));
    const ref = await pending;
    const params: ScoreParams = { model: ref.id, start: 0, end: 1, inline: true, reload: false };
    const task: TaskRequest = { taskId: `predict-${++this.seq}`, kind: 'score', params, partitions: [], artifacts: [ref], binary: [rowIpc(row)] };
    const out = await node.execute(0, task);
    const values = predictionsOf(out.result as ScoreResult, out.binary[0], 1, node.id);
    this.latencies.push(performance.now() - t0);
    if (this.latencies.length > KEEP) this.latencies.splice(0, KEEP / 2);
    return values;
  }

  /** p50 and p99 of the latencies so far, ms. */
  stats(): PredictStats {
    return { count: this.latencies.length, p50: percentile(this.latencies, 0.5), p99: percentile(this.latencies, 0.99) };
  }
}
