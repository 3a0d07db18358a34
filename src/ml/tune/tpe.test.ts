import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../kernels/random.ts';
import type { Point, Space } from './space.ts';
import { activeLabels, hp, samplePoint } from './space.ts';
import { simulateParallelSearch } from './simulate.ts';
import { TEST_FUNCTIONS, branin, braninSpace } from './test-functions.ts';
import type { TrialRecord } from './tpe.ts';
import { suggestRandom, suggestTpe } from './tpe.ts';

/** `n` finished trials of `objective` at prior draws of `space`, seeded. */
function finished(space: Space, objective: (p: Point) => number, n: number, seed: number): TrialRecord[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const point = samplePoint(space, random);
    return { point, loss: objective(point), status: 'ok' as const };
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

describe('suggestTpe: start-up, failures and pending trials', () => {
  const oneD: Space = { x: hp.uniform('x', 0, 10) };
  const objective = (p: Point): number => (p.x! - 3) ** 2;

  it('draws from the prior while ok + pending trials are fewer than nStartupJobs', () => {
    const trials = finished(oneD, objective, 19, 1);
    expect(suggestTpe(oneD, trials, seededRandom(7))).toEqual(samplePoint(oneD, seededRandom(7)));
    const withFailures = [...trials, ...trials.slice(0, 5).map((t) => ({ ...t, loss: undefined, status: 'fail' as const }))];
    expect(suggestTpe(oneD, withFailures, seededRandom(7))).toEqual(samplePoint(oneD, seededRandom(7)));
    const withPending = [...trials, { point: { x: 1 }, loss: undefined, status: 'pending' as const }];
    expect(suggestTpe(oneD, withPending, seededRandom(7))).not.toEqual(samplePoint(oneD, seededRandom(7)));
  });

  it('leaves failed trials out of the model', () => {
    const trials = finished(oneD, objective, 30, 2);
    const failed: TrialRecord[] = [{ point: { x: 9 }, loss: undefined, status: 'fail' }];
    const mixed = [...trials.slice(0, 10), ...failed, ...trials.slice(10), ...failed];
    expect(suggestTpe(oneD, mixed, seededRandom(3))).toEqual(suggestTpe(oneD, trials, seededRandom(3)));
  });

  it("liar 'none' ignores pending trials; 'max' models them and changes the suggestion", () => {
    const trials = finished(oneD, objective, 30, 4);
    const best = suggestTpe(oneD, trials, seededRandom(5), { liar: 'none' });
    const pending: TrialRecord[] = Array.from({ length: 6 }, () => ({ point: best, loss: undefined, status: 'pending' }));
    const all = [...trials, ...pending];
    expect(suggestTpe(oneD, all, seededRandom(5), { liar: 'none' })).toEqual(best);
    expect(suggestTpe(oneD, all, seededRandom(5), { liar: 'max' })).not.toEqual(best);
    // 'min' treats the pending trials as the best: the suggestion stays near them.
    const nearMin = suggestTpe(oneD, all, seededRandom(5), { liar: 'min' });
    expect(Math.abs(nearMin.x! - best.x!)).toBeLessThan(2);
  });

  it('concentrates on the good region once modelling starts', () => {
    const trials = finished(oneD, objective, 40, 6);
    const random = seededRandom(8);
    const tpe = Array.from({ length: 200 }, () => Math.abs(suggestTpe(oneD, trials, random).x! - 3));
    const prior = Array.from({ length: 200 }, () => Math.abs(suggestRandom(oneD, random).x! - 3));
    expect(median(tpe)).toBeLessThan(median(prior) / 2);
  });

  it('suggests only active labels in conditional spaces and models each label where active', () => {
    const space: Space = {
      model: hp.choice('model', [
        { kind: 'linear', l2: hp.loguniform('l2', -8, 0) },
        { kind: 'tree', depth: hp.randint('depth', 1, 9), split: hp.quniform('split', 2, 20, 2) },
      ]),
    };
    // Trees of depth 6 are best; linear models are poor.
    const objective = (p: Point): number => (p.model === 0 ? 5 + p.l2! : Math.abs(p.depth! - 6) + p.split! / 20);
    const trials = finished(space, objective, 40, 9);
    const random = seededRandom(10);
    const suggestions = Array.from({ length: 30 }, () => suggestTpe(space, trials, random));
    for (const s of suggestions) expect(Object.keys(s).sort()).toEqual(activeLabels(space, s).sort());
    expect(suggestions.filter((s) => s.model === 1).length).toBeGreaterThan(25);
    for (const s of suggestions.filter((p) => p.model === 1)) {
      expect(Number.isInteger(s.depth) && s.depth! >= 1 && s.depth! < 9).toBe(true);
      expect(s.split! % 2).toBe(0);
    }
    // A label's models read only trials where it was active: stale values of inactive labels in a
    // trial's point (here a 'depth' on linear trials) change nothing.
    const stale = trials.map((t) => (t.point.model === 0 ? { ...t, point: { ...t.point, depth: 6, split: 2 } } : t));
    expect(suggestTpe(space, stale, seededRandom(11))).toEqual(suggestTpe(space, trials, seededRandom(11)));
  });
});

describe('TPE search is reproducible and beats random search', () => {
  it('the same seed gives the same 40-evaluation sequence on Branin', () => {
    const run = (seed: number) =>
      simulateParallelSearch({ space: braninSpace, objective: branin, algo: 'tpe', maxEvals: 40, parallelism: 1, seed });
    const a = run(17);
    expect(a.points).toHaveLength(40);
    expect(run(17)).toEqual(a);
    expect(run(18).points).not.toEqual(a.points);
  });

  it.each(TEST_FUNCTIONS.map((f) => [f.name, f] as const))(
    '%s: median best loss after 60 evaluations over 20 seeds, TPE < random',
    (_name, f) => {
      const bests = { tpe: [] as number[], random: [] as number[] };
      for (const algo of ['tpe', 'random'] as const) {
        for (let seed = 1; seed <= 20; seed++) {
          const run = simulateParallelSearch({ space: f.space, objective: f.objective, algo, maxEvals: 60, parallelism: 1, seed });
          expect(run.best).toBeGreaterThanOrEqual(f.minimum - 1e-5);
          bests[algo].push(run.best);
        }
      }
      const tpe = median(bests.tpe);
      const random = median(bests.random);
      console.info(`${f.name}: median best after 60 evals, TPE ${tpe.toFixed(4)} vs random ${random.toFixed(4)} (min ${f.minimum})`);
      expect(tpe).toBeLessThan(random);
    },
  );
});
