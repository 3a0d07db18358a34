import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../kernels/random.ts';
import { FabricError } from '../../protocol/errors.ts';
import type { Point, Space } from './space.ts';
import { hp, samplePoint } from './space.ts';
import type { Liar, TrialRecord } from './tpe.ts';
import { suggestTpe } from './tpe.ts';
import { pointKey, simulateParallelSearch } from './simulate.ts';
import { branin, braninSpace } from './test-functions.ts';

describe('simulateParallelSearch', () => {
  it('with parallelism 1 is the plain sequential suggest → evaluate loop', () => {
    const run = simulateParallelSearch({ space: braninSpace, objective: branin, algo: 'tpe', maxEvals: 30, parallelism: 1, seed: 5 });
    const random = seededRandom(5);
    const trials: TrialRecord[] = [];
    for (let i = 0; i < 30; i++) {
      const point = suggestTpe(braninSpace, trials, random);
      trials.push({ point, loss: branin(point), status: 'ok' });
    }
    expect(run.points).toEqual(trials.map((t) => t.point));
    expect(run.losses).toEqual(trials.map((t) => t.loss));
    expect(run.best).toBe(Math.min(...run.losses));
  });

  it('random search draws the same points whatever the parallelism', () => {
    const random = seededRandom(2);
    const want = Array.from({ length: 25 }, () => samplePoint(braninSpace, random));
    for (const parallelism of [1, 4, 8]) {
      const run = simulateParallelSearch({ space: braninSpace, objective: branin, algo: 'random', maxEvals: 25, parallelism, seed: 2 });
      expect(run.points).toEqual(want);
    }
  });

  it('records a throwing or NaN objective as a failed trial (NaN loss) and carries on', () => {
    const objective = (p: Point): number => {
      if (p.x! > 0.8) throw new Error('diverged');
      return p.x! < 0.1 ? Number.NaN : p.x!;
    };
    const run = simulateParallelSearch({ space: { x: hp.uniform('x', 0, 1) }, objective, algo: 'tpe', maxEvals: 40, parallelism: 3, seed: 1 });
    expect(run.losses).toHaveLength(40);
    expect(run.losses.some(Number.isNaN)).toBe(true);
    expect(run.best).toBe(Math.min(...run.losses.filter((v) => !Number.isNaN(v))));
  });

  it('rejects bad options with bad-input', () => {
    const base = { space: braninSpace, objective: branin, algo: 'tpe' as const, maxEvals: 10, parallelism: 2, seed: 1 };
    expect(() => simulateParallelSearch({ ...base, parallelism: 0 })).toThrow(FabricError);
    expect(() => simulateParallelSearch({ ...base, maxEvals: 2.5 })).toThrow(/maxEvals/);
  });

  it('pointKey ignores label order', () => {
    expect(pointKey({ a: 1, b: 2 })).toBe(pointKey({ b: 2, a: 1 }));
  });
});

/**
 * A discrete space of the kind grid search is used for, 41 · 41 · 8 · 10 = 134,480 points: random
 * search over 100 draws repeats a point with probability about 100² / (2 · 134,480) ≈ 4% per run,
 * i.e. ~0.04% of suggestions. TPE concentrates its draws (the categorical labels pick the best
 * likelihood ratio among 24 candidates, quantized labels round into the same buckets), so it does
 * repeat points; with 8 trials in flight and pending trials invisible (liar 'none'), consecutive
 * suggestions see the same model and repeat far more often: SparkTrials' duplicate problem.
 */
const discreteSpace: Space = {
  units: hp.quniform('units', 16, 336, 8),
  epochs: hp.quniform('epochs', 5, 45, 1),
  optimizer: hp.choice('optimizer', ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'rmsprop', 'adagrad', 'lamb']),
  batchPow: hp.randint('batchPow', 4, 14),
};

/** Best at units 216, epochs 17, adam, batch 2⁹: an interior optimum TPE can home in on. */
function discreteObjective(p: Point): number {
  return ((p.units! - 216) / 8) ** 2 + (p.epochs! - 17) ** 2 + (p.optimizer === 3 ? 0 : 10) + Math.abs(p.batchPow! - 9);
}

/** Seeds of the duplicate study: 10 runs of 100 evaluations, 1,000 suggestions per liar. */
const SEEDS = Array.from({ length: 10 }, (_, i) => i + 1);

function duplicatesPerSeed(liar: Liar, parallelism: number): number[] {
  return SEEDS.map((seed) =>
    simulateParallelSearch({ space: discreteSpace, objective: discreteObjective, algo: 'tpe', maxEvals: 100, parallelism, seed, liar })
      .duplicates);
}

describe('parallel TPE: the constant liar prevents duplicate suggestions', () => {
  it("k = 8: under 2% duplicates with liar 'max', several times more with 'none'", () => {
    const withLiar = duplicatesPerSeed('max', 8);
    const without = duplicatesPerSeed('none', 8);
    const total = (xs: number[]): number => xs.reduce((s, v) => s + v, 0);
    const rate = (xs: number[]): number => total(xs) / (100 * SEEDS.length);
    console.info(`duplicate rate over ${SEEDS.length} × 100 evals, k = 8: liar 'max' ${(100 * rate(withLiar)).toFixed(1)}%, ` +
      `liar 'none' ${(100 * rate(without)).toFixed(1)}%`);
    expect(rate(withLiar)).toBeLessThan(0.02);
    expect(total(without)).toBeGreaterThanOrEqual(3 * total(withLiar));
    expect(SEEDS.filter((_, i) => without[i]! > withLiar[i]!).length).toBeGreaterThanOrEqual(8);
  });
});
