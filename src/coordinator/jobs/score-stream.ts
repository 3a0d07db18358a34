/**
 * Streaming `score`: the loaded dataset replayed in row order as micro-batches arriving at a set
 * rate, each scored as it arrives (one `score` task over a slice of a cached partition, so only a
 * few bytes cross the link per batch). Latency runs from a batch's arrival to its predictions
 * being back. Nothing is dropped: when the fabric cannot keep up, batches wait, the backlog grows,
 * and the stream says so (`fallingBehind`).
 */
import type { DatasetInfo } from '../../protocol/dataset';
import { FabricError } from '../../protocol/errors';
import type { ScoreParams, ScoreResult } from '../../protocol/score';
import type { ArtifactStore } from '../artifact-store';
import type { Scheduler } from '../scheduler';
import type { PreparedModel } from '../score-model';
import { predictionsOf } from './score';
import type { ScoredBatch, ScoreStream, StreamOptions, StreamStats } from './score-types';

/**
 * The backlog counts as growing when it is more than a batch above what it was this many arrivals
 * ago (one second at 10 batches/s): completions between arrivals make it saw-toothed, so a rise
 * from one arrival to the next says little.
 */
const GROWING_ARRIVALS = 10;
/** Throughput is measured over this window, ms. */
const THROUGHPUT_WINDOW_MS = 3000;

let streamSeq = 0;

/** The q-quantile (nearest rank) of `values`. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Starts a stream over `dataset`. */
export function startScoreStream(scheduler: Scheduler, artifacts: ArtifactStore, dataset: DatasetInfo, model: PreparedModel, options: StreamOptions, onWarn: (text: string) => void): ScoreStream {
  const rate = options.rate;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new FabricError('bad-input', `scoreStream: rate must be a positive number of rows per second, got ${rate}`);
  const batchRows = options.batchRows ?? Math.max(1, Math.round(rate / 10));
  if (!Number.isInteger(batchRows) || batchRows < 1) throw new FabricError('bad-input', `scoreStream: batchRows must be a whole number of at least 1, got ${batchRows}`);
  const first = options.startRow ?? 0;
  const total = Math.min(options.rows ?? dataset.numRows - first, dataset.numRows - first);
  if (!Number.isInteger(first) || first < 0 || first >= dataset.numRows || !(total > 0)) throw new FabricError('bad-input', `scoreStream: startRow ${first} and rows ${options.rows} select no rows of ${dataset.name} (${dataset.numRows} rows)`);
  const id = ++streamSeq;
  const stop = new AbortController();
  options.signal?.addEventListener('abort', () => stop.abort(), { once: true });
  const latencies: number[] = [];
  const scoredTimes: { at: number; rows: number }[] = [];
  const ready = new Map<number, ScoredBatch>();
  let waiting: (() => void) | undefined;
  let arrived = 0;
  let scored = 0;
  let batches = 0;
  let behind = false;
  const backlogs: number[] = [];
  let warned = false;
  let arrivalsDone = false;
  let failure: FabricError | undefined;
  let startedAt = performance.now();
  let resolveFinished!: (s: StreamStats) => void;
  const finished = new Promise<StreamStats>((r) => (resolveFinished = r));
  const wake = (): void => {
    waiting?.();
    waiting = undefined;
  };

  const stats = (): StreamStats => {
    const now = performance.now();
    const recent = scoredTimes.filter((s) => now - s.at <= THROUGHPUT_WINDOW_MS);
    const span = recent.length > 1 ? (now - recent[0]!.at) / 1000 : 0;
    const done = arrivalsDone && scored === arrived;
    // Once done, the rate over the whole stream; while running, over the last few seconds.
    const whole = scoredTimes.length > 1 ? (scoredTimes.at(-1)!.at - startedAt) / 1000 : 0;
    return {
      batches, rowsArrived: arrived, rowsScored: scored, backlogRows: arrived - scored,
      p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99),
      throughput: done ? (whole > 0 ? scored / whole : 0) : span > 0 ? recent.reduce((s, r) => s + r.rows, 0) / span : 0,
      fallingBehind: behind && !done, done,
    };
  };

  void (async () => {
    const ref = await artifacts.put(model.bytes, { durable: true });
    const t0 = performance.now();
    startedAt = t0;
    let row = first;
    let index = 0;
    while (row < first + total && !stop.signal.aborted) {
      // The batch stops at its partition's end, so a task reads one cached partition.
      const part = dataset.partitions.find((p) => row >= p.rowStart && row < p.rowStart + p.numRows)!;
      const end = Math.min(row + batchRows, part.rowStart + part.numRows, first + total);
      const due = t0 + ((row - first) / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (stop.signal.aborted) break;
      // A batch arrived when it was due, even if this loop releases it late (the delay is part of
      // its latency); a timer that fires a little early releases it early, and it counts from then.
      const arrival = Math.min(due, performance.now());
      const b = index++;
      const firstRow = row;
      const rows = end - row;
      arrived += rows;
      const backlog = arrived - scored;
      backlogs.push(backlog);
      if (backlogs.length > GROWING_ARRIVALS) backlogs.shift();
      behind = backlogs.length === GROWING_ARRIVALS && backlog > backlogs[0]! + batchRows && backlog > 2 * batchRows;
      if (behind && !warned) {
        warned = true;
        onWarn(`scoreStream: the fabric is not keeping up with ${rate} rows/s: ${backlog} rows are waiting and the backlog is growing. Nothing is dropped; add slots or lower the rate.`);
      }
      const params: ScoreParams = { model: ref.id, start: firstRow - part.rowStart, end: end - part.rowStart, inline: false, reload: false };
      const taskId = `stream-${id}-${b}`;
      void scheduler.run({ tasks: [{ taskId, kind: 'score', params, partitions: [part], artifacts: [ref] }] }).then((outcomes) => {
        const o = outcomes.get(taskId)!;
        const r = o.result as ScoreResult;
        const latencyMs = performance.now() - arrival;
        scored += rows;
        batches++;
        latencies.push(latencyMs);
        scoredTimes.push({ at: performance.now(), rows });
        if (scoredTimes.length > 10_000) scoredTimes.splice(0, 5_000);
        ready.set(b, { index: b, firstRow, rows, predictions: predictionsOf(r, o.binary[0], rows, o.nodeId), latencyMs, backlogRows: arrived - scored, node: o.nodeId });
        wake();
        if (arrivalsDone && scored === arrived) resolveFinished(stats());
      }, (e: unknown) => {
        failure ??= FabricError.from(e);
        onWarn(`scoreStream: batch ${b} failed: [${failure.code}] ${failure.message}`);
        stop.abort();
        wake();
        resolveFinished(stats());
      });
      row = end;
    }
    arrivalsDone = true;
    wake();
    if (scored === arrived) resolveFinished(stats());
  })();

  return {
    stats,
    stop: () => stop.abort(),
    finished,
    async *[Symbol.asyncIterator](): AsyncIterator<ScoredBatch> {
      let next = 0;
      for (;;) {
        const b = ready.get(next);
        if (b) {
          ready.delete(next++);
          yield b;
          continue;
        }
        if (failure) throw failure;
        if (arrivalsDone && scored === arrived && ready.size === 0) return;
        await new Promise<void>((r) => (waiting = r));
      }
    },
  };
}
