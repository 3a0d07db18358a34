import * as tf from '@tensorflow/tfjs';
import { Float64, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { loadBytes } from '../../data/load';
import { glmPredict } from '../../kernels/glm-cpu';
import { seededRandom } from '../../kernels/random';
import { linearRegression, logisticRegression } from '../../ml/models';
import type { DatasetInfo } from '../../protocol/dataset';
import { InProcessNode } from '../../testing/in-process-node';
import { ArtifactStore } from '../artifact-store';
import type { BlobStore } from '../blob-store';
import { Scheduler } from '../scheduler';
import { packModel } from '../../protocol/model-container';
import { prepareLayers, prepareTrained, type PreparedModel } from '../score-model';
import { scoreDesign } from '../../worker/features/score-design';
import { runScoreJob } from './score';
import { startScoreStream } from './score-stream';
import { runTrainJob, type TrainedGlm } from './train';

interface Env { info: DatasetInfo; store: BlobStore; artifacts: ArtifactStore; table: Table; ipc: Map<string, Uint8Array> }

async function env(rows = 12_000): Promise<Env> {
  const r = seededRandom(21);
  const x1 = Array.from({ length: rows }, () => r() * 4 - 2);
  const x2 = Array.from({ length: rows }, () => r() * 4 - 2);
  const city = Array.from({ length: rows }, () => ['a', 'b', 'c'][Math.floor(r() * 3)]!);
  const y = x1.map((v, i) => 2 * v - x2[i]! + (city[i] === 'b' ? 1 : 0) + (r() - 0.5));
  // A missing feature in row 7: scored as NaN, never dropped.
  x1[7] = NaN;
  const table = new Table({ x1: vectorFromArray(x1, new Float64()), x2: vectorFromArray(x2, new Float64()), city: vectorFromArray(city, new Utf8()), y: vectorFromArray(y, new Float64()) });
  const loaded = await loadBytes(tableToIPC(table, 'stream'), 'score.arrow', () => { throw new Error('not parquet'); }, { partitionRows: 3000 });
  const ipc = new Map(loaded.partitions.map((p) => [p.ref.id, p.ipc as Uint8Array]));
  const artifacts = new ArtifactStore();
  return { info: { ...loaded, partitions: loaded.partitions.map((p) => p.ref), loadMs: 0 }, store: { bytes: (ref) => ipc.get(ref.id)! as Uint8Array<ArrayBuffer>, artifactBytes: (ref) => artifacts.bytes(ref) }, artifacts, table, ipc };
}

function nodes(e: Env, slots: number[]): { scheduler: Scheduler; live: InProcessNode[] } {
  const scheduler = new Scheduler({ localityWaitMs: 0 });
  const live = slots.map((s, i) => new InProcessNode(`n${i}`, s, e.store));
  live.forEach((n) => scheduler.addNode(n));
  return { scheduler, live };
}

async function trained(e: Env, logistic: boolean): Promise<TrainedGlm> {
  const { scheduler } = nodes(e, [2]);
  const model = await runTrainJob(scheduler, e.artifacts, e.info, {
    target: logistic ? { column: 'y', threshold: 0 } : 'y', features: ['x1', 'x2', 'onehot(city)'], model: logistic ? logisticRegression({ l2: 1e-3 }) : linearRegression(), missing: 'drop', maxIter: 30,
  });
  if (model.format !== 'fabric-glm') throw new Error('expected a GLM');
  return model;
}

describe('score', () => {
  it('scores every row in input order with the model loaded once per slot, and equals a single-thread pass', async () => {
    const e = await env();
    const model = await trained(e, true);
    const prepared = await prepareTrained(model);
    const { scheduler } = nodes(e, [2, 1]);
    const out = await runScoreJob(scheduler, e.artifacts, e.info, e.store.bytes, prepared, { batchSize: 1000 });
    const { design, missing } = scoreDesign(e.table, model.plan);
    const want = glmPredict('logistic', design, model.params, 2);
    expect(out.rows).toBe(12_000);
    expect(out.names).toEqual(['probability']);
    expect(out.tasks).toBe(12);
    expect(missing[7]).toBe(1);
    expect(out.predictions[7]).toBeNaN();
    for (let r = 0; r < 12_000; r++) if (r !== 7) expect(out.predictions[r]).toBe(want[r]);
    // Loaded once per slot that scored, and sent once per slot: 3 slots.
    expect(out.loads).toBeLessThanOrEqual(3);
    expect(out.modelBytesSent).toBe(out.loads * prepared.bytes.byteLength);
    const table = out.toArrow();
    expect(table.schema.fields.map((f) => f.name)).toEqual(['x1', 'x2', 'city', 'y', 'probability']);
    expect(table.getChild('probability')!.get(42)).toBe(want[42]);
    // A second job on the same slots sends and loads nothing.
    const again = await runScoreJob(scheduler, e.artifacts, e.info, e.store.bytes, prepared, { batchSize: 1000 });
    expect(again.loads).toBe(0);
    expect(again.modelBytesSent).toBe(0);
  });

  it('reloads the model for every batch when asked (the baseline the talk warns about)', async () => {
    const e = await env();
    const prepared = await prepareTrained(await trained(e, false));
    const { scheduler } = nodes(e, [2]);
    const out = await runScoreJob(scheduler, e.artifacts, e.info, e.store.bytes, prepared, { batchSize: 1000, reload: true });
    expect(out.loads).toBe(out.tasks);
    expect(out.modelBytesSent).toBeLessThanOrEqual(2 * prepared.bytes.byteLength);
  });

  it('gives the same output when a node is lost mid-job', async () => {
    const e = await env();
    const prepared = await prepareTrained(await trained(e, true));
    const clean = await runScoreJob(nodes(e, [2, 2]).scheduler, e.artifacts, e.info, e.store.bytes, prepared, { batchSize: 500 });
    const { scheduler, live } = nodes(e, [2, 2]);
    let committed = 0;
    scheduler.onEvent((ev) => { if (ev.type === 'task-committed' && ++committed === 5) live[0]!.close('closed by the test'); });
    const lossy = await runScoreJob(scheduler, e.artifacts, e.info, e.store.bytes, prepared, { batchSize: 500 });
    expect(Array.from(lossy.predictions)).toEqual(Array.from(clean.predictions));
  });

  it('scores a tfjs LayersModel on named columns like model.predict, and names mismatches', async () => {
    const e = await env();
    const net = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [2], activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }), tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })] });
    let saved: tf.io.ModelArtifacts | undefined;
    await net.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const modelJson = { modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: saved!.weightSpecs }] };
    const weights = saved!.weightData as ArrayBuffer;
    const prepared = prepareLayers({ modelJson, shards: { 'group1-shard1of1.bin': weights } }, { columns: ['x1', 'x2'] });
    const out = await runScoreJob(nodes(e, [2]).scheduler, e.artifacts, e.info, e.store.bytes, prepared, { batchSize: 2000 });
    const x = tf.tensor2d(Array.from({ length: 12_000 }, (_, r) => [Number(e.table.getChild('x1')!.get(r)), Number(e.table.getChild('x2')!.get(r))]));
    const want = (net.predict(x) as tf.Tensor).dataSync();
    expect(out.names).toEqual(['prediction']);
    expect(out.predictions[7]).toBeNaN();
    for (let r = 0; r < 12_000; r++) if (r !== 7) expect(Math.abs(out.predictions[r]! - want[r]!)).toBeLessThan(1e-5);

    expect(() => prepareLayers({ modelJson: '{ not json', shards: {} }, { columns: ['x1'] })).toThrow(/model.json is not valid JSON/);
    expect(() => prepareLayers({ modelJson, shards: {} }, { columns: ['x1', 'x2'] })).toThrow(/weight shard group1-shard1of1.bin listed in model.json is missing/);
    expect(() => prepareLayers({ modelJson, shards: { 'group1-shard1of1.bin': weights.slice(0, 8) } }, { columns: ['x1', 'x2'] })).toThrow(/shards hold 8 bytes, but model.json describes/);
    expect(() => prepareLayers({ modelJson, shards: { 'group1-shard1of1.bin': weights } }, { columns: ['x1', 'x2', 'y'] }))
      .toThrow(/the model takes 2 inputs \(its first layer's batch_input_shape\), but columns lists 3: x1, x2, y/);
    // The slot checks again, for a model whose topology does not declare its width.
    const header = { ...prepared.header, inputs: { columns: ['x1', 'x2', 'y'] } };
    const wrong: PreparedModel = { ...prepared, header, bytes: packModel(header, new Uint8Array(weights)) };
    await expect(runScoreJob(nodes(e, [1]).scheduler, e.artifacts, e.info, e.store.bytes, wrong, {})).rejects.toThrow(/the model takes 2 inputs, but the columns \["x1","x2","y"\] give 3/);
    const absent = prepareLayers({ modelJson, shards: { 'group1-shard1of1.bin': weights } }, { columns: ['x1', 'nope'] });
    await expect(runScoreJob(nodes(e, [1]).scheduler, e.artifacts, e.info, e.store.bytes, absent, {})).rejects.toThrow(/input column "nope" is not in/);
  });

  it('streams micro-batches in order with their latency, and says when it cannot keep up', async () => {
    const e = await env();
    const prepared: PreparedModel = await prepareTrained(await trained(e, false));
    const { scheduler } = nodes(e, [2]);
    const stream = startScoreStream(scheduler, e.artifacts, e.info, prepared, { rate: 200_000, batchRows: 1000, rows: 10_000 }, () => undefined);
    const seen: number[] = [];
    for await (const b of stream) {
      expect(b.firstRow).toBe(seen.length === 0 ? 0 : seen.at(-1)! + 1000);
      seen.push(b.firstRow);
      expect(b.latencyMs).toBeGreaterThanOrEqual(0);
    }
    expect(seen).toHaveLength(10);
    const stats = await stream.finished;
    expect(stats.rowsScored).toBe(10_000);
    expect(stats.p99).toBeGreaterThanOrEqual(stats.p50);
    expect(stats.backlogRows).toBe(0);

    // A slowed slot (each batch held 2000 times as long) cannot keep up with 20 batches a second.
    const slow = nodes(e, [1]);
    await slow.live[0]!.setSlowdown(2000);
    const warnings: string[] = [];
    const behind = startScoreStream(slow.scheduler, e.artifacts, e.info, prepared, { rate: 20_000, batchRows: 1000, rows: 12_000 }, (w) => warnings.push(w));
    let sawBehind = false;
    const poll = setInterval(() => { if (behind.stats().fallingBehind) sawBehind = true; }, 20);
    const final = await behind.finished;
    clearInterval(poll);
    expect(sawBehind).toBe(true);
    expect(warnings.join('\n')).toMatch(/not keeping up with 20000 rows\/s.*Nothing is dropped/);
    expect(final.rowsScored).toBe(12_000);
  }, 60_000);
});
