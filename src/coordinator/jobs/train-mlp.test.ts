import * as tf from '@tensorflow/tfjs';
import { tableFromArrays, tableToIPC, type Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { loadBytes } from '../../data/load';
import { mlp } from '../../ml/models';
import type { DatasetInfo } from '../../protocol/dataset';
import { InProcessNode } from '../../testing/in-process-node';
import { ArtifactStore } from '../artifact-store';
import { Scheduler } from '../scheduler';
import { runTrainJob, type TrainOptions } from './train';
import { exportMlp } from './train-export';
import type { TrainedMlp } from './train-mlp';

function synthetic(rows: number): Table {
  let a = 12345;
  const r = (): number => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return a / 4294967296;
  };
  const x1 = Float64Array.from({ length: rows }, () => r() * 4 - 2);
  const x2 = Float64Array.from({ length: rows }, () => r() * 4 - 2);
  const city = Array.from({ length: rows }, () => ['a', 'b', 'c'][Math.floor(r() * 3)]!);
  // A nonlinear target: an MLP should beat a linear fit.
  const y = Float64Array.from({ length: rows }, (_, i) => Math.sin(x1[i]!) * 2 + x2[i]! * x2[i]! + (city[i] === 'b' ? 1 : 0) + 0.05 * (r() - 0.5));
  return tableFromArrays({ x1, x2, y, city });
}

async function train(nodes: number[], table: Table, options: TrainOptions): Promise<TrainedMlp> {
  const loaded = await loadBytes(tableToIPC(table, 'stream'), 'synthetic.arrow', () => new Uint8Array(), { partitionRows: 1500 });
  const bytes = new Map(loaded.partitions.map((p) => [p.ref.id, p.ipc]));
  const artifacts = new ArtifactStore();
  const info: DatasetInfo = { ...loaded, partitions: loaded.partitions.map((p) => p.ref), loadMs: 0 };
  const scheduler = new Scheduler({ localityWaitMs: 0 });
  nodes.forEach((slots, i) => scheduler.addNode(new InProcessNode(`n${i}`, slots, { bytes: (ref) => bytes.get(ref.id)!, artifactBytes: (ref) => artifacts.bytes(ref) })));
  const trained = await runTrainJob(scheduler, artifacts, info, options);
  if (trained.format !== 'fabric-mlp') throw new Error('expected an MLP');
  return trained;
}

describe('train an MLP (synchronous data-parallel Adam, in-process slots)', () => {
  const table = synthetic(6000);
  const options: TrainOptions = { target: 'y', features: ['x1', 'x2', 'onehot(city)'], model: mlp({ hidden: [16], epochs: 3, batchSize: 500, learningRate: 0.01, seed: 5 }), seed: 2 };

  it('learns a nonlinear target, the same on one slot and on three nodes, and exports a loadable LayersModel', async () => {
    const one = await train([1], table, options);
    expect(one.history.length).toBe(3 * Math.round(one.plan.counts.trainRows / 500));
    const first = one.history[0]!.trainLoss;
    const last = one.history.at(-1)!.trainLoss;
    expect(last).toBeLessThan(first * 0.5);
    expect(one.metrics.r2!).toBeGreaterThan(0.8);

    const three = await train([2, 1, 2], table, options);
    expect(Array.from(three.params)).toEqual(Array.from(one.params));
    expect(Object.keys(three.history.at(-1)!.nodes).length).toBe(3);

    const { modelJson, weights } = await exportMlp(one);
    const json = JSON.parse(modelJson) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: weights }));
    const input = tf.tensor2d([[0.5, -0.25, 1, 0]], [1, one.arch.inputs]);
    const fromExport = (loaded.predict(input) as tf.Tensor).dataSync()[0]!;
    const { buildMlp, setMlpWeights } = await import('../../ml/mlp-layers');
    const direct = buildMlp(one.arch);
    setMlpWeights(direct, one.params);
    expect(fromExport).toBeCloseTo((direct.predict(input) as tf.Tensor).dataSync()[0]!, 6);
  });

  it('refuses a bad MLP spec with the argument named', () => {
    expect(() => mlp({ hidden: [0] })).toThrow(/mlp: hidden must be/);
    expect(() => mlp({ learningRate: 0 })).toThrow(/learningRate/);
    expect(() => mlp({ epochs: 1.5 })).toThrow(/whole numbers/);
  });
});
