import { tableToIPC, Table, vectorFromArray, Float64, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import '../../app-objectives';
import { loadBytes } from '../../data/load';
import { seededRandom } from '../../kernels/random';
import { defineObjective } from '../../ml/objectives';
import { hp } from '../../ml/tune/space';
import type { DatasetInfo } from '../../protocol/dataset';
import { InProcessNode } from '../../testing/in-process-node';
import { ArtifactStore } from '../artifact-store';
import type { BlobStore } from '../blob-store';
import { Scheduler } from '../scheduler';
import { runTuneJob } from './tune';
import type { TuneOptions, TuneResult } from './tune-types';

/** Calls of each developer objective, by params: the slots run in this thread, so they can be counted. */
const calls = new Map<string, number>();
defineObjective('test-fails-on-high-x', (params) => {
  const key = JSON.stringify(params);
  calls.set(key, (calls.get(key) ?? 0) + 1);
  const x = params.x as number;
  if (x > 0.7) throw new Error(`x = ${x} is too high`);
  if (x < 0.1) return { loss: NaN };
  return { loss: (x - 0.4) ** 2, extra: x * 2 };
});

async function dataset(): Promise<{ info: DatasetInfo; store: BlobStore; artifacts: ArtifactStore }> {
  const r = seededRandom(9);
  const n = 4000;
  const x1 = Float64Array.from({ length: n }, () => r() * 4 - 2);
  const x2 = Float64Array.from({ length: n }, () => r() * 4 - 2);
  const y = Float64Array.from(x1, (v, i) => 1.5 * v - x2[i]! + (r() - 0.5));
  const table = new Table({ x1: vectorFromArray([...x1], new Float64()), x2: vectorFromArray([...x2], new Float64()), y: vectorFromArray([...y], new Float64()), tag: vectorFromArray(Array.from({ length: n }, (_, i) => `t${i % 3}`), new Utf8()) });
  const loaded = await loadBytes(tableToIPC(table, 'stream'), 'tune.arrow', () => { throw new Error('not parquet'); }, { partitionRows: 1000 });
  const byId = new Map(loaded.partitions.map((p) => [p.ref.id, p.ipc]));
  const artifacts = new ArtifactStore();
  return { info: { ...loaded, partitions: loaded.partitions.map((p) => p.ref), loadMs: 0 }, store: { bytes: (ref) => byId.get(ref.id)!, artifactBytes: (ref) => artifacts.bytes(ref) }, artifacts };
}

async function tune(options: TuneOptions, nodes = [2, 2], lose?: number): Promise<{ result: TuneResult; maxRunning: number; perSlot: Map<string, number>; firstSlots: string[] }> {
  const d = await dataset();
  const scheduler = new Scheduler({ localityWaitMs: 0 });
  const live = nodes.map((slots, i) => new InProcessNode(`n${i}`, slots, d.store));
  live.forEach((n) => scheduler.addNode(n));
  let running = 0;
  let maxRunning = 0;
  const perSlot = new Map<string, number>();
  const firstSlots: string[] = [];
  let committed = 0;
  scheduler.onEvent((e) => {
    if (e.type === 'task-started') {
      running++;
      maxRunning = Math.max(maxRunning, running);
      const k = `${e.nodeId}#${e.slot}`;
      perSlot.set(k, (perSlot.get(k) ?? 0) + 1);
      firstSlots.push(k);
    }
    if (e.type === 'task-committed' || e.type === 'task-failed') running--;
    if (e.type === 'node-lost') running -= e.requeued;
    if (e.type === 'task-committed' && lose !== undefined && ++committed === lose) live[0]!.close('closed by the test');
  });
  const result = await runTuneJob(scheduler, d.artifacts, d.info, d.store.bytes, options);
  return { result, maxRunning, perSlot, firstSlots };
}

const WAIT_SPACE = { ms: 5, x: hp.uniform('x', 0, 1), y: hp.quniform('y', 0, 1, 0.1) };

describe('tune', () => {
  it('finishes exactly maxEvals trials, k at a time, spread over the slots', async () => {
    const { result, maxRunning, perSlot, firstSlots } = await tune({ space: WAIT_SPACE, objective: 'wait', maxEvals: 24, parallelism: 4, seed: 3 });
    // The first four trials, each its own one-task job, go to four different slots: none holds a second while another is idle.
    expect(new Set(firstSlots.slice(0, 4)).size).toBe(4);
    expect(result.trials).toHaveLength(24);
    expect(result.trials.map((t) => t.id)).toEqual([...Array(24).keys()]);
    expect(result.trials.every((t) => t.status === 'ok')).toBe(true);
    expect(result.stopped).toBe('max-evals');
    expect(maxRunning).toBe(4);
    expect(perSlot.size).toBe(4); // every slot ran trials
    const best = Math.min(...result.trials.map((t) => t.loss!));
    expect(result.best!.loss).toBe(best);
    expect(result.trials[result.best!.trial]!.params).toEqual(result.best!.params);
  });

  it('gives the same trials for the same seed with parallelism 1', async () => {
    const a = await tune({ space: WAIT_SPACE, objective: 'wait', maxEvals: 25, parallelism: 1, seed: 5 }, [1]);
    const b = await tune({ space: WAIT_SPACE, objective: 'wait', maxEvals: 25, parallelism: 1, seed: 5 }, [1]);
    expect(b.result.trials.map((t) => t.point)).toEqual(a.result.trials.map((t) => t.point));
    const c = await tune({ space: WAIT_SPACE, objective: 'wait', maxEvals: 25, parallelism: 1, seed: 6 }, [1]);
    expect(c.result.trials.map((t) => t.point)).not.toEqual(a.result.trials.map((t) => t.point));
  });

  it('records a throwing or NaN objective as fail, once, without a retry', async () => {
    calls.clear();
    const { result } = await tune({ space: { x: hp.uniform('x', 0, 1) }, objective: 'test-fails-on-high-x', maxEvals: 30, parallelism: 3, algo: 'random', seed: 2 });
    expect(result.trials).toHaveLength(30);
    const failed = result.trials.filter((t) => t.status === 'fail');
    expect(failed.length).toBeGreaterThan(3);
    for (const t of failed) {
      expect(calls.get(JSON.stringify(t.params))).toBe(1);
      expect(t.message).toMatch(/x = [\d.]+ is too high|a loss of NaN/);
      expect(t.loss).toBeNull();
    }
    expect(result.trials.find((t) => t.status === 'ok')!.metrics.extra).toBeGreaterThan(0);
  });

  it('runs a trial lost with its node again elsewhere and counts it once', async () => {
    const { result } = await tune({ space: { ...WAIT_SPACE, ms: 20 }, objective: 'wait', maxEvals: 20, parallelism: 4, seed: 1 }, [2, 2], 3);
    expect(result.trials).toHaveLength(20);
    expect(result.trials.every((t) => t.status === 'ok')).toBe(true);
    expect(Object.values(result.trialsByNode).reduce((a, b) => a + b, 0)).toBe(20);
    expect(result.trials.slice(3).some((t) => t.node === 'n1')).toBe(true);
  });

  it('stops on a loss threshold, after no improvement, on timeout, and when aborted, keeping finished trials', async () => {
    const threshold = await tune({ space: WAIT_SPACE, objective: 'wait', maxEvals: 200, parallelism: 2, seed: 1, lossThreshold: 0.1 });
    expect(threshold.result.stopped).toBe('loss-threshold');
    expect(threshold.result.best!.loss).toBeLessThanOrEqual(0.1);
    const early = await tune({ space: WAIT_SPACE, objective: 'wait', maxEvals: 500, parallelism: 1, seed: 1, earlyStop: 5 }, [1]);
    expect(early.result.stopped).toBe('early-stop');
    expect(early.result.trials.length).toBeLessThan(500);
    const timed = await tune({ space: { ...WAIT_SPACE, ms: 50 }, objective: 'wait', maxEvals: 500, parallelism: 2, seed: 1, timeoutMs: 300 });
    expect(timed.result.stopped).toBe('timeout');
    expect(timed.result.trials.filter((t) => t.status === 'ok').length).toBeGreaterThan(2);
    expect(timed.result.trials.filter((t) => t.status === 'running')).toHaveLength(0);
    const controller = new AbortController();
    const aborted = await tune({ space: { ...WAIT_SPACE, ms: 30 }, objective: 'wait', maxEvals: 500, parallelism: 2, seed: 1, signal: controller.signal, onTrial: (t) => { if (t.id === 6) controller.abort(); } });
    expect(aborted.result.stopped).toBe('stopped');
    expect(aborted.result.trials.some((t) => t.status === 'cancelled')).toBe(true);
  });

  it('runs a grid once through and stops when it is exhausted', async () => {
    const { result } = await tune({ space: { ms: 1, a: hp.choice('a', [1, 2, 3]), b: hp.randint('b', 0, 2) }, objective: 'wait', algo: 'grid', maxEvals: 100 });
    expect(result.trials).toHaveLength(6);
    expect(result.stopped).toBe('grid-exhausted');
    expect(new Set(result.trials.map((t) => JSON.stringify(t.params))).size).toBe(6);
  });

  it('tunes the glm and mlp objectives on a data sample', async () => {
    const data = { target: 'y', features: ['x1', 'x2'], rows: 2000 };
    const glm = await tune({ space: { l2: hp.loguniform('l2', Math.log(1e-6), Math.log(10)) }, objective: 'glm', maxEvals: 6, parallelism: 2, seed: 1, data });
    expect(glm.result.trials.every((t) => t.status === 'ok')).toBe(true);
    const losses = glm.result.trials.map((t) => ({ l2: t.params.l2 as number, loss: t.loss! }));
    // The noise is uniform(±0.5): variance 1/12, so the held-out loss (MSE / 2) is about 1/24 at a small l2 ...
    expect(Math.min(...losses.map((l) => l.loss))).toBeLessThan(0.06);
    // ... and a heavy penalty underfits.
    const heavy = losses.filter((l) => l.l2 > 1);
    for (const h of heavy) expect(h.loss).toBeGreaterThan(0.06);
    const net = await tune({ space: { units: hp.quniform('units', 4, 16, 4), lr: hp.loguniform('lr', Math.log(1e-3), Math.log(3e-2)), epochs: 2, batchSize: 64 }, objective: 'mlp', maxEvals: 2, parallelism: 2, seed: 1, data });
    expect(net.result.trials.map((t) => t.status)).toEqual(['ok', 'ok']);
    expect(net.result.best!.loss).toBeLessThan(1);
  }, 60_000);

  it('refuses bad options by name', async () => {
    await expect(tune({ space: WAIT_SPACE, objective: 'wait', maxEvals: 0 })).rejects.toThrow(/maxEvals must be a whole number from 1/);
    expect(() => hp.uniform('x', 1, 0)).toThrow(/label 'x' \(uniform\) needs low < high/);
    await expect(tune({ space: { x: { kind: 'uniform', label: 'x', low: 1, high: 0 } }, objective: 'wait', maxEvals: 2 } as TuneOptions)).rejects.toThrow(/label 'x' \(uniform\) needs low < high/);
    await expect(tune({ space: WAIT_SPACE, objective: 'mlp', maxEvals: 2 })).rejects.toThrow(/the mlp objective trains on data/);
    await expect(tune({ space: WAIT_SPACE, objective: 'wait', maxEvals: 2, algo: 'anneal' as 'tpe' })).rejects.toThrow(/algo must be/);
    const missing = await tune({ space: WAIT_SPACE, objective: 'no-such-objective', maxEvals: 2 });
    expect(missing.result.trials.every((t) => t.status === 'fail' && /not defined in this app's slot bundle/.test(t.message))).toBe(true);
  });
});
