import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { linearRegression } from '../../ml/models';
import type { DatasetInfo } from '../../protocol/dataset';
import { FabricError } from '../../protocol/errors';
import type { Checkpoint } from './checkpoint-types';
import { CheckpointStore, CheckpointWriter } from './checkpoint-store';
import { Checkpoints } from './checkpoints';
import { identifySource, planDataset } from './dataset-identity';

function checkpoint(id: string, savedAt: number, iteration: number, identity?: NonNullable<Checkpoint['dataset']>['identity']): Checkpoint {
  const x = Float64Array.from([0.1, -2.5, Math.PI]);
  return {
    version: 1, id, name: `run ${id}`, kind: 'train', createdAt: 1, savedAt,
    dataset: { identity, id: 'd1', name: 'data.csv' },
    options: { target: 'y', features: ['x'], model: linearRegression(), maxIter: 50 },
    state: {
      family: 'glm', plan: {} as never, elapsedMs: 10,
      optimizer: { optimizer: 'gd', point: { x, smoothValue: 1, grad: x }, history: [], evaluations: iteration + 1, step: 0.5 },
      history: [{ iteration, maxIter: 50, trainLoss: 1, holdoutLoss: 1, gradNorm: 1, evaluations: 1, nodes: { n1: 3 }, ms: 5 }],
    },
  };
}

describe('CheckpointStore (IndexedDB)', () => {
  it('puts, replaces, lists newest first and deletes; Float64Arrays come back as Float64Arrays', async () => {
    const store = await CheckpointStore.open(new IDBFactory());
    await store.put(checkpoint('a', 100, 3));
    await store.put(checkpoint('b', 200, 1));
    await store.put(checkpoint('a', 300, 4)); // a later write of the same job replaces it whole
    const list = await store.list();
    expect(list.map((c) => [c.id, c.savedAt])).toEqual([['a', 300], ['b', 200]]);
    const a = await store.get('a');
    const x = a?.kind === 'train' && a.state.family === 'glm' ? a.state.optimizer.point.x : undefined;
    expect(x).toBeInstanceOf(Float64Array);
    expect(Array.from(x!)).toEqual([0.1, -2.5, Math.PI]);
    await store.delete('a');
    expect(await store.get('a')).toBeUndefined();
  });

  it('says why when there is no IndexedDB', async () => {
    await expect(CheckpointStore.open(undefined)).rejects.toThrow(/IndexedDB is not available here/);
  });
});

describe('CheckpointWriter', () => {
  it('never waits in save, writes the newest state, and deletes or keeps on finish', async () => {
    const store = CheckpointStore.open(new IDBFactory());
    const writer = new CheckpointWriter(store, (e) => { throw e; });
    for (let i = 1; i <= 5; i++) expect(writer.save(checkpoint('j', i, i))).toBeUndefined();
    await writer.finish('j', true);
    // The first write went at once; the saves made while it was in flight collapsed into the newest.
    expect(writer.written).toBe(2);
    const kept = await (await store).get('j');
    expect(kept!.savedAt).toBe(5);
    writer.save(checkpoint('j', 9, 9)); // ignored after finish
    const second = new CheckpointWriter(store, (e) => { throw e; });
    second.save(checkpoint('k', 1, 1));
    await second.finish('k', false);
    expect((await (await store).list()).map((c) => [c.id, c.savedAt])).toEqual([['j', 5]]);
  });

  it('a job cancelled by its caller or failed on its input loses its checkpoint; one that died otherwise keeps it', async () => {
    const checkpoints = new Checkpoints(new IDBFactory());
    const run = async (error: FabricError): Promise<number> => {
      const job = checkpoints.track({ kind: 'train', options: { target: 'y', features: ['x'], model: linearRegression(), checkpoint: { every: 2, name: 'mine' } } }, undefined)!;
      const saved = checkpoint('ignored', 1, 2);
      if (saved.kind === 'train') job.checkpointing.save(saved.state);
      await job.end(error);
      const list = await checkpoints.list();
      for (const c of list) await checkpoints.discard(c.id);
      return list.length;
    };
    expect(await run(new FabricError('cancelled', 'stopped'))).toBe(0);
    expect(await run(new FabricError('bad-input', 'bad'))).toBe(0);
    expect(await run(new FabricError('worker-lost', 'gone'))).toBe(1);
    const job = checkpoints.track({ kind: 'train', options: { target: 'y', features: ['x'], model: linearRegression(), checkpoint: { name: 'mine' } } }, undefined)!;
    const saved = checkpoint('ignored', 1, 23);
    if (saved.kind === 'train') job.checkpointing.save(saved.state);
    await job.end(new FabricError('internal', 'tab closed'));
    expect(await checkpoints.list()).toEqual([expect.objectContaining({ name: 'mine', kind: 'train', done: 23, total: 100, unit: 'iterations' })]);
    await expect(checkpoints.get('nope')).rejects.toThrow(/there is no checkpoint "nope"; fabric.checkpoints\(\) lists/);
  });
});

describe('dataset identity', () => {
  const bytes = new TextEncoder().encode('x,y\n1,2\n3,4\n');
  it('names a file by name, size and SHA-256, and refuses a different file on resume', async () => {
    const identity = await identifySource(new File([bytes], 'data.csv'), {}, ['flights-3m']);
    expect(identity).toEqual({ kind: 'file', name: 'data.csv', size: bytes.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const c = checkpoint('f', 1, 1, identity);
    await expect(planDataset(c, undefined, undefined)).rejects.toMatchObject({ code: 'no-dataset', message: expect.stringMatching(/ran on the file data\.csv \(12 bytes, SHA-256 [0-9a-f]{12}…\); give that file again/) });
    const other = new File([new TextEncoder().encode('x,y\n1,2\n3,5\n')], 'data.csv');
    await expect(planDataset(c, undefined, other)).rejects.toMatchObject({ code: 'dataset-mismatch', message: expect.stringMatching(/is not the file checkpoint "run f" ran on/) });
    const same = new File([bytes], 'renamed.csv');
    expect(await planDataset(c, undefined, same)).toEqual({ load: true, source: same, options: { name: 'data.csv' } });
    expect(await planDataset(c, { id: 'd1' } as DatasetInfo, undefined)).toEqual({ load: false });
  });

  it('reloads a built-in by name, with its partitioning', async () => {
    const identity = await identifySource('flights-3m', { partitionRows: 50_000 }, ['flights-3m']);
    expect(identity).toEqual({ kind: 'builtin', name: 'flights-3m', partitionRows: 50_000 });
    expect(await planDataset(checkpoint('b', 1, 1, identity), undefined, undefined)).toEqual({ load: true, source: 'flights-3m', options: { partitionRows: 50_000 } });
  });
});
