import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../kernels/random.ts';
import type { Point, Space } from './space.ts';
import { activeLabels, hp, samplePoint } from './space.ts';
import { pointKey, simulateParallelSearch } from './simulate.ts';
import { gridPoints } from './tpe.ts';

describe('gridPoints', () => {
  it('enumerates every combination of a flat discrete space, first label slowest', () => {
    const space: Space = {
      act: hp.choice('act', ['relu', 'tanh', 'gelu']),
      layers: hp.randint('layers', 1, 3),
      dropout: hp.quniform('dropout', 0, 0.5, 0.25),
    };
    const points = gridPoints(space);
    expect(points).toHaveLength(3 * 2 * 3);
    expect(new Set(points.map(pointKey)).size).toBe(points.length);
    expect(points[0]).toEqual({ act: 0, layers: 1, dropout: 0 });
    expect(points[1]).toEqual({ act: 0, layers: 1, dropout: 0.25 });
    expect(points.at(-1)).toEqual({ act: 2, layers: 2, dropout: 0.5 });
  });

  it('covers exactly the values prior sampling can produce', () => {
    const space: Space = { q: hp.quniform('q', 0.3, 2.2, 0.5), l: hp.qloguniform('l', Math.log(2), Math.log(40), 10) };
    const grid = new Set(gridPoints(space).map(pointKey));
    const random = seededRandom(3);
    const sampled = new Set(Array.from({ length: 5000 }, () => pointKey(samplePoint(space, random))));
    expect(sampled).toEqual(grid);
  });

  it('respects conditional structure: a choice contributes each option’s own sub-grid', () => {
    const space: Space = {
      model: hp.choice('model', [
        { kind: 'linear', l2: hp.quniform('l2', 0, 2, 1) },
        { kind: 'mlp', width: hp.choice('width', [32, 64]) },
        'baseline',
      ]),
      batch: hp.choice('batch', [32, 128]),
    };
    const points = gridPoints(space);
    expect(points).toHaveLength((3 + 2 + 1) * 2);
    for (const p of points) expect(Object.keys(p).sort()).toEqual(activeLabels(space, p).sort());
    expect(points.filter((p) => p.model === 2)).toEqual([
      { model: 2, batch: 0 },
      { model: 2, batch: 1 },
    ]);
  });

  it("drives algo 'grid' in the simulator: each point once, the best found", () => {
    const space: Space = { a: hp.randint('a', 5), b: hp.choice('b', [0, 1, 2]) };
    const objective = (p: Point): number => (p.a! - 3) ** 2 + (p.b === 1 ? 0 : 1);
    const run = simulateParallelSearch({ space, objective, algo: 'grid', maxEvals: 100, parallelism: 4, seed: 1 });
    expect(run.points).toHaveLength(15);
    expect(run.duplicates).toBe(0);
    expect(run.best).toBe(0);
  });
});
