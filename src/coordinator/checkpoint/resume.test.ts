/**
 * Jobs interrupted and resumed through the checkpoint store (IndexedDB, in memory here): the
 * resumed train job ends with the very parameters of an uninterrupted run, and the resumed tune
 * job with the same trial set. The "reload" is a job that dies mid-run with its checkpoint kept;
 * the resume runs on a fresh scheduler with other nodes, as a reloaded page would.
 */
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import '../../app-objectives';
import { loadBytes } from '../../data/load';
import { seededRandom } from '../../kernels/random';
import { logisticRegression, mlp } from '../../ml/models';
import { hp } from '../../ml/tune/space';
import type { DatasetInfo } from '../../protocol/dataset';
import { FabricError } from '../../protocol/errors';
import { InProcessNode } from '../../testing/in-process-node';
import { cpuAggregator } from '../aggregator';
import { ArtifactStore } from '../artifact-store';
import type { BlobStore } from '../blob-store';
import { Scheduler } from '../scheduler';
import { runTrainJob, type TrainedModel, type TrainOptions } from '../jobs/train';
import { runTuneJob } from '../jobs/tune';
import type { TuneOptions, TuneResult } from '../jobs/tune-types';
import type { Checkpoint, CheckpointDataset } from './checkpoint-types';
import { Checkpoints } from './checkpoints';

interface Data { info: DatasetInfo; store: BlobStore; artifacts: ArtifactStore; ref: CheckpointDataset }

async function data(): Promise<Data> {
  const r = seededRandom(21);
  const n = 12_000;
  const x1 = Float64Array.from({ length: n }, () => r() * 4 - 2);
  const x2 = Float64Array.from({ length: n }, () => r() * 4 - 2);
  const y = Float64Array.from(x1, (v, i) => 1.5 * v - x2[i]! + (r() - 0.5) * 2);
  const city = Array.from({ length: n }, (_, i) => ['a', 'b', 'c'][(i * 7) % 3]!);
  const loaded = await loadBytes(tableToIPC(tableFromArrays({ x1, x2, y, city }), 'stream'), 'resume.arrow', () => { throw new Error('not parquet'); }, { partitionRows: 2000 });
  const bytes = new Map(loaded.partitions.map((p) => [p.ref.id, p.ipc]));
  const artifacts = new ArtifactStore();
  const info: DatasetInfo = { ...loaded, partitions: loaded.partitions.map((p) => p.ref), loadMs: 0 };
  return { info, artifacts, store: { bytes: (ref) => bytes.get(ref.id)!, artifactBytes: (ref) => artifacts.bytes(ref) }, ref: { identity: { kind: 'builtin', name: 'resume.arrow' }, id: info.id, name: info.name } };
}

/** A fresh scheduler with nodes of `slots` slots each, as a (re)loaded page has. */
function cluster(d: Data, slots: number[]): Scheduler {
  const s = new Scheduler({ localityWaitMs: 0 });
  slots.forEach((k, i) => s.addNode(new InProcessNode(`n${i}`, k, d.store)));
  return s;
}

const crash = new FabricError('worker-lost', 'simulated page reload');

/** Runs `options` whole; then again, dying after `k` iterations; then resumes from the stored checkpoint. */
async function trainInterrupted(options: TrainOptions, k: number): Promise<{ whole: TrainedModel; resumed: TrainedModel; saved: Checkpoint & { kind: 'train' }; after: number; reported: number[] }> {
  const d = await data();
  const whole = await runTrainJob(cluster(d, [2]), d.artifacts, d.info, options, cpuAggregator);
  const checkpoints = new Checkpoints(new IDBFactory());
  const first = checkpoints.track({ kind: 'train', options: { ...options, checkpoint: { every: 1 } } }, d.ref)!;
  const dying = { ...options, checkpoint: { every: 1 }, onIteration: (it: { iteration: number }) => { if (it.iteration === k) throw crash; } };
  const error = await runTrainJob(cluster(d, [1, 2]), d.artifacts, d.info, dying, cpuAggregator, first.checkpointing).catch((e: unknown) => e);
  expect(error).toBe(crash);
  await first.end(error);
  const [summary, ...others] = await checkpoints.list();
  expect(others).toHaveLength(0);
  const saved = await checkpoints.get(summary!.id);
  if (saved.kind !== 'train') throw new Error('expected a train checkpoint');
  const again = checkpoints.track({ kind: 'train', options: saved.options, from: saved }, d.ref)!;
  expect(again.id).toBe(saved.id);
  const reported: number[] = [];
  const resumed = await runTrainJob(cluster(d, [3]), d.artifacts, d.info, { ...saved.options, onIteration: (it) => reported.push(it.iteration) }, cpuAggregator, again.checkpointing);
  await again.end();
  const after = (await checkpoints.list()).length;
  return { whole, resumed, saved, after, reported };
}

describe('resume a train job from its checkpoint', () => {
  it('logistic regression (L-BFGS) ends with bit-identical parameters and the same history', async () => {
    const options: TrainOptions = { target: { column: 'y', threshold: 0 }, features: ['x1', 'x2', 'onehot(city)'], model: logisticRegression({ l2: 1e-3 }), maxIter: 25, tol: 1e-12, seed: 4 };
    const { whole, resumed, saved, after, reported } = await trainInterrupted(options, 6);
    expect(reported, 'the live view hears the checkpoint\'s iterations first, then the new ones').toEqual(whole.history.map((h) => h.iteration));
    expect(saved.kind).toBe('train');
    expect(saved.state.history.at(-1)!.iteration).toBe(5); // the crash came in iteration 6's callback
    expect(saved.state.family === 'glm' && saved.state.optimizer.optimizer).toBe('lbfgs');
    expect(whole.history.length - 1).toBeGreaterThan(8);
    expect(Array.from(resumed.params)).toEqual(Array.from(whole.params));
    expect(resumed.history.map((h) => [h.iteration, h.trainLoss, h.evaluations])).toEqual(whole.history.map((h) => [h.iteration, h.trainLoss, h.evaluations]));
    expect(resumed.reason).toBe(whole.reason);
    expect(after, 'a finished job deletes its checkpoint').toBe(0);
  });

  it('an MLP (Adam) ends with bit-identical weights', async () => {
    const options: TrainOptions = { target: 'y', features: ['x1', 'x2'], model: mlp({ hidden: [6], epochs: 2, batchSize: 1500, learningRate: 0.01, seed: 5 }) };
    const { whole, resumed, saved } = await trainInterrupted(options, 9);
    expect(saved.state.family).toBe('mlp');
    expect(whole.history.length).toBeGreaterThan(9);
    expect(Array.from(resumed.params)).toEqual(Array.from(whole.params));
    expect(resumed.history.map((h) => h.trainLoss)).toEqual(whole.history.map((h) => h.trainLoss));
  });
});

/** Runs a search whole; then again, stopped after `k` finished trials with its checkpoint kept; then resumed. */
async function tuneInterrupted(options: TuneOptions, k: number): Promise<{ whole: TuneResult; resumed: TuneResult; pending: number }> {
  const d = await data();
  const whole = await runTuneJob(cluster(d, [2, 2]), d.artifacts, d.info, d.store.bytes, options);
  const checkpoints = new Checkpoints(new IDBFactory());
  const withCheckpoint = { ...options, checkpoint: { every: 1 } };
  const first = checkpoints.track({ kind: 'tune', options: withCheckpoint }, d.ref)!;
  const reload = new AbortController();
  let done = 0;
  await runTuneJob(cluster(d, [1, 2]), d.artifacts, d.info, d.store.bytes, { ...withCheckpoint, signal: reload.signal, onTrial: (t) => {
    if (t.status !== 'running' && ++done === k) reload.abort();
  } }, first.checkpointing);
  await first.end(crash);
  const saved = await checkpoints.get(first.id);
  if (saved.kind !== 'tune') throw new Error('expected a tune checkpoint');
  const again = checkpoints.track({ kind: 'tune', options: saved.options, from: saved }, d.ref)!;
  const resumed = await runTuneJob(cluster(d, [3]), d.artifacts, d.info, d.store.bytes, saved.options, again.checkpointing);
  await again.end();
  expect(await checkpoints.list()).toHaveLength(0);
  return { whole, resumed, pending: saved.state.pending.length };
}

const trialSet = (r: TuneResult) => r.trials.map((t) => ({ id: t.id, params: t.params, status: t.status, loss: t.loss }));

describe('resume a tune job from its checkpoint', () => {
  const space = { ms: 1, x: hp.uniform('x', -2, 2), y: hp.quniform('y', 0, 1, 0.1), z: hp.choice('z', [0, 1, 2]) };

  it('TPE continues with the same suggestions: the same trial set, maxEvals exact', async () => {
    const options: TuneOptions = { space, objective: 'wait', algo: 'tpe', maxEvals: 14, parallelism: 1, seed: 8, tpe: { nStartupJobs: 4 } };
    const { whole, resumed, pending } = await tuneInterrupted(options, 7);
    expect(pending).toBe(1); // the trial that was running when the page went: run again, counted once
    expect(resumed.trials).toHaveLength(14);
    expect(trialSet(resumed)).toEqual(trialSet(whole));
    expect(resumed.best).toEqual(whole.best);
  });

  it('random search with 3 trials at once: every trial id has the same params, none counted twice', async () => {
    const options: TuneOptions = { space, objective: 'wait', algo: 'random', maxEvals: 20, parallelism: 3, seed: 3 };
    const { whole, resumed, pending } = await tuneInterrupted(options, 8);
    expect(pending).toBeGreaterThan(0);
    expect(resumed.trials.map((t) => t.id)).toEqual([...Array(20).keys()]);
    expect(trialSet(resumed)).toEqual(trialSet(whole));
    expect(resumed.stopped).toBe('max-evals');
  });
});
