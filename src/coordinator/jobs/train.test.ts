import { tableFromArrays, type Table } from 'apache-arrow';
import { seededRandom } from '../../kernels/random';
import { describe, expect, it } from 'vitest';
import { loadBytes } from '../../data/load';
import { logisticRegression, linearRegression, softmaxRegression, type GlmSpec } from '../../ml/models';
import type { DatasetInfo } from '../../protocol/dataset';
import { trainReference } from '../../worker/features/train-reference';
import { ArtifactStore } from '../artifact-store';
import type { BlobStore } from '../blob-store';
import { Scheduler } from '../scheduler';
import { InProcessNode } from '../../testing/in-process-node';
import { runTrainJob, type TrainedGlm, type TrainedModel, type TrainOptions } from './train';
import { tableToIPC } from 'apache-arrow';

/** A seeded generator, so every failure reproduces. */
const rng = seededRandom;

const CITIES = ['ams', 'ber', 'cph', 'dub', 'edi'];
/** True effects: y = 2 + 1.5 x1 - 0.75 x2 + city effect + noise (city 'ams' is 0). */
const CITY_EFFECT: Record<string, number> = { ams: 0, ber: 0.5, cph: -1, dub: 1.25, edi: -0.25 };

function synthetic(rows: number, seed: number): Table {
  const r = rng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const x1 = new Float64Array(rows);
  const x2 = new Float64Array(rows);
  const y = new Float64Array(rows);
  const city: string[] = [];
  for (let i = 0; i < rows; i++) {
    x1[i] = 3 + 2 * gauss();
    x2[i] = -1 + 0.5 * gauss();
    // 'ams' most frequent, so it is the reference level.
    const c = CITIES[Math.min(4, Math.floor(r() * r() * 6))]!;
    city.push(c);
    y[i] = 2 + 1.5 * x1[i]! - 0.75 * x2[i]! + CITY_EFFECT[c]! + 0.3 * gauss();
  }
  const label = Float64Array.from(y, (v) => (v > 6 ? 1 : 0));
  return tableFromArrays({ x1, x2, y, label, city });
}

async function dataset(table: Table, partitionRows: number): Promise<{ info: DatasetInfo; store: BlobStore }> {
  const loaded = await loadBytes(tableToIPC(table, 'stream'), 'synthetic.arrow', () => { throw new Error('not parquet'); }, { partitionRows });
  const bytes = new Map(loaded.partitions.map((p) => [p.ref.id, p.ipc]));
  const artifacts = new ArtifactStore();
  const store: BlobStore & { artifacts: ArtifactStore } = {
    artifacts,
    bytes: (ref) => bytes.get(ref.id)!,
    artifactBytes: (ref) => artifacts.bytes(ref),
  };
  return { info: { ...loaded, partitions: loaded.partitions.map((p) => p.ref), loadMs: 0 }, store };
}

async function trainAny(nodes: number[], table: Table, options: TrainOptions): Promise<TrainedModel> {
  const { info, store } = await dataset(table, 5000);
  const scheduler = new Scheduler({ localityWaitMs: 0 });
  nodes.forEach((slots, i) => scheduler.addNode(new InProcessNode(`n${i}`, slots, store)));
  return runTrainJob(scheduler, (store as unknown as { artifacts: ArtifactStore }).artifacts, info, options);
}

async function trainOn(nodes: number[], table: Table, options: TrainOptions): Promise<TrainedGlm> {
  const trained = await trainAny(nodes, table, options);
  if (trained.format !== 'fabric-glm') throw new Error('expected a GLM');
  return trained;
}

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  const scale = Math.max(...Array.from(b, Math.abs));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / scale);
  return worst;
}

const features = ['x1', 'x2', 'onehot(city)'];

describe('train (scheduler and slots in-process)', () => {
  const table = synthetic(40_000, 7);

  it('linear regression recovers the known coefficients and equals the single-machine reference', async () => {
    const model = linearRegression();
    const trained = await trainOn([1], table, { target: 'y', features, model, seed: 3 });
    const ref = await trainReference(table, trained.plan, model);
    expect(maxRelDiff(trained.params, ref)).toBeLessThan(1e-6);
    const coef = (name: string): number => trained.params[trained.names.indexOf(name)]!;
    const std = (name: string): number => (trained.plan.features.find((f) => f.name === name) as { std: number }).std;
    // Standardized coefficients divided by the feature's std are the raw slopes.
    expect(coef('x1') / std('x1')).toBeCloseTo(1.5, 1);
    expect(coef('x2') / std('x2')).toBeCloseTo(-0.75, 1);
    for (const c of CITIES.slice(1)) expect(coef(`city=${c}`)).toBeCloseTo(CITY_EFFECT[c]!, 1);
    expect(trained.metrics.r2!).toBeGreaterThan(0.9);
    expect(trained.metrics.rows).toBe(trained.plan.counts.holdoutRows);
  });

  it('gives bit-identical coefficients on one slot and on three nodes', async () => {
    const model = logisticRegression({ l2: 1e-3 });
    const options: TrainOptions = { target: { column: 'y', threshold: 6 }, features, model, seed: 11, maxIter: 40 };
    const one = await trainOn([1], table, options);
    const three = await trainOn([2, 1, 3], table, options);
    expect(Array.from(three.params)).toEqual(Array.from(one.params));
    const ref = await trainReference(table, one.plan, model, { maxIter: 40 });
    expect(maxRelDiff(one.params, ref)).toBeLessThan(1e-6);
    expect(one.metrics.auc!).toBeGreaterThan(0.9);
    expect(one.history.length).toBeGreaterThan(2);
    expect(Object.keys(three.history.at(-1)!.nodes).length).toBeGreaterThan(1);
  });

  it('softmax over bins and L1 (OWL-QN) train and zero out weights', async () => {
    const soft = await trainOn([2], table, { target: { column: 'y', bins: [4, 8] }, features, model: softmaxRegression({ l2: 1e-3 }), maxIter: 30 });
    expect(soft.classes).toBe(3);
    expect(soft.params.length).toBe(3 * soft.plan.dim);
    expect(soft.metrics.accuracy!).toBeGreaterThan(0.7);
    const sparse = await trainOn([2], table, { target: 'y', features, model: linearRegression({ l1: 0.5 }), maxIter: 60 });
    expect(Array.from(sparse.params).filter((v) => v === 0).length).toBeGreaterThan(0);
  });

  it('refuses bad targets and features with clear errors', async () => {
    const bad = (o: Partial<TrainOptions>, model: GlmSpec = linearRegression()): Promise<unknown> =>
      trainOn([1], table, { target: 'y', features, model, ...o }).then(() => 'trained', (e: { code: string; message: string }) => `${e.code}: ${e.message}`);
    expect(await bad({ target: 'city' })).toMatch(/^bad-input: train: target "city" is text; a regression needs a numeric target/);
    expect(await bad({ target: { column: 'y', threshold: 1000 } }, logisticRegression())).toMatch(/one class only/);
    expect(await bad({ target: 'y' }, logisticRegression())).toMatch(/a classifier needs a threshold/);
    expect(await bad({ features: ['nope'] })).toMatch(/feature column "nope" is not in/);
    expect(await bad({ features: [] })).toMatch(/features is empty/);
  });

  it('reports missing values as counts and drops or imputes them only when asked', async () => {
    const x1 = Float64Array.from({ length: 2000 }, (_, i) => (i % 10 === 0 ? NaN : i % 7));
    const y = Float64Array.from({ length: 2000 }, (_, i) => (i % 7) * 2 + 1);
    const t = tableFromArrays({ x1, y });
    const run = (missing?: TrainOptions['missing']) => trainOn([1], t, { target: 'y', features: ['x1'], model: linearRegression(), ...(missing ? { missing } : {}) });
    await expect(run()).rejects.toThrow(/missing values \(null or NaN\): x1: 200.*missing: 'drop'/);
    const dropped = await run('drop');
    expect(dropped.plan.counts.droppedRows).toBe(200);
    expect(dropped.plan.counts.missing.x1).toBe(200);
    const imputed = await run('impute');
    expect(imputed.plan.counts.droppedRows).toBe(0);
  });

  it('too few rows for the parameters is an input error that suggests L2', async () => {
    const t = tableFromArrays({ x1: Float64Array.from([1, 2, 3]), y: Float64Array.from([1, 2, 4]), c: ['a', 'b', 'c'] });
    await expect(trainOn([1], t, { target: 'y', features: ['x1', 'onehot(c)'], model: linearRegression(), holdout: 0 })).rejects.toThrow(/too few rows/);
  });
});
