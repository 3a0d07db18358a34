/**
 * The contract of `fabric.score`, `fabric.scoreStream` and `fabric.predict` (Spark's pandas
 * iterator UDF, and the talk's three ways to deploy a model: batch, streaming, real time).
 *
 * ```ts
 * const out = await fabric.score(model, { batchSize: 25_000 });
 * const stream = fabric.scoreStream(model, { rate: 50_000 });
 * for await (const b of stream) console.log(b.firstRow, b.latencyMs);
 * const p = await fabric.predict(model, { distance: 500, date: new Date(), origin: 'SFO' });
 * ```
 */
import type { Table } from 'apache-arrow';
import type { TrainedModel } from './train';
import type { PreparedModel } from '../score-model';

/** What can be scored with: a model trained on the page, or a prepared one (a tfjs LayersModel via `fabric.model(...)`). */
export type ScorableModel = TrainedModel | PreparedModel;

/** Options of `fabric.score`. */
export interface ScoreOptions {
  /** Rows per task (25,000). Each slot receives the model once and scores every batch sent to it. */
  readonly batchSize?: number;
  /** Load the model for every batch instead of once per slot (the baseline the talk warns about). */
  readonly reload?: boolean;
  /** Called as batches finish, at most a few times a second. */
  readonly onProgress?: (p: ScoreProgress) => void;
  readonly signal?: AbortSignal;
}

/** Progress of a batch scoring job. */
export interface ScoreProgress {
  readonly rowsDone: number;
  readonly rows: number;
  readonly ms: number;
  readonly rowsPerSecond: number;
}

/** What `fabric.score` returns: predictions for every input row, in input order. */
export interface ScoreOutput {
  readonly rows: number;
  /** Prediction columns: `prediction`, `probability`, or `p(<class>)` per class. */
  readonly names: readonly string[];
  /** `rows × names.length`, row-major; NaN where a row had a missing feature. */
  readonly predictions: Float64Array;
  readonly ms: number;
  readonly rowsPerSecond: number;
  readonly tasks: number;
  /** How many times a slot loaded the model (once per slot that scored, unless `reload`). */
  readonly loads: number;
  /** Model bytes sent to slots. */
  readonly modelBytesSent: number;
  /** Rows scored per node id. */
  readonly rowsByNode: Readonly<Record<string, number>>;
  /** What computed the predictions, with task counts ('cpu', 'webgpu', 'tfjs-wasm', …). */
  readonly engines: Readonly<Record<string, number>>;
  /** The input columns with the prediction columns added, as an Arrow table. */
  toArrow(): Table;
}

/** Options of `fabric.scoreStream`: the loaded dataset replayed in row order as micro-batches. */
export interface StreamOptions {
  /** Arrival rate, rows per second. */
  readonly rate: number;
  /** Rows per micro-batch (rate / 10: a batch every 100 ms). */
  readonly batchRows?: number;
  /** First row replayed (0). */
  readonly startRow?: number;
  /** Rows replayed (to the end of the dataset). */
  readonly rows?: number;
  readonly signal?: AbortSignal;
}

/** One scored micro-batch. */
export interface ScoredBatch {
  readonly index: number;
  readonly firstRow: number;
  readonly rows: number;
  /** `rows × outputs` row-major. */
  readonly predictions: Float64Array;
  /** From the batch's arrival to its predictions back on the coordinator, ms. */
  readonly latencyMs: number;
  /** Rows arrived but not yet scored when this batch was scored. */
  readonly backlogRows: number;
  readonly node: string;
}

/** Live statistics of a stream. */
export interface StreamStats {
  readonly batches: number;
  readonly rowsArrived: number;
  readonly rowsScored: number;
  readonly backlogRows: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** Rows scored per second over the last few seconds. */
  readonly throughput: number;
  /** True while the backlog keeps growing: the fabric cannot keep up with the rate. */
  readonly fallingBehind: boolean;
  readonly done: boolean;
}

/** A running stream: iterate it for scored batches in order; `stats()` at any time. */
export interface ScoreStream extends AsyncIterable<ScoredBatch> {
  stats(): StreamStats;
  /** Stops arrivals; batches already arrived are still scored and yielded. */
  stop(): void;
  /** Resolves when every arrived batch is scored. */
  readonly finished: Promise<StreamStats>;
}

/** Latency of real-time predictions so far. */
export interface PredictStats {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
}
