import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../kernels/random.ts';
import type { HpNode, Point, Space } from './space.ts';
import { activeLabels, hp, resolvePoint, samplePoint, validateSpace } from './space.ts';

/** Number of draws for the moment checks: the standard error of a mean is then std/141. */
const N = 20_000;

/** Draws N values of one node from its prior, with a fixed seed. */
function draws(node: HpNode, seed = 11): number[] {
  const random = seededRandom(seed);
  const space = { v: node };
  return Array.from({ length: N }, () => samplePoint(space, random)[node.label]!);
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, v) => s + v, 0) / xs.length;
}

function variance(xs: readonly number[]): number {
  const m = mean(xs);
  return xs.reduce((s, v) => s + (v - m) ** 2, 0) / (xs.length - 1);
}

/** Checks the sample mean within 5 standard errors and the variance within 5%. */
function expectMoments(xs: readonly number[], wantMean: number, wantVar: number): void {
  expect(Math.abs(mean(xs) - wantMean)).toBeLessThan(5 * Math.sqrt(wantVar / xs.length));
  expect(Math.abs(variance(xs) / wantVar - 1)).toBeLessThan(0.05);
}

function isMultiple(x: number, q: number): boolean {
  return Math.abs(x / q - Math.round(x / q)) < 1e-9;
}

describe('samplePoint: each node kind follows its definition', () => {
  it('uniform: moments and bounds', () => {
    const xs = draws(hp.uniform('u', -2, 6));
    expectMoments(xs, 2, 64 / 12);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...xs)).toBeLessThan(6);
  });

  it('loguniform: exp of a uniform on log-space bounds', () => {
    const a = Math.log(1e-3);
    const b = Math.log(1);
    const xs = draws(hp.loguniform('lu', a, b));
    const m1 = (Math.exp(b) - Math.exp(a)) / (b - a);
    const m2 = (Math.exp(2 * b) - Math.exp(2 * a)) / (2 * (b - a));
    expectMoments(xs, m1, m2 - m1 * m1);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(1e-3);
    expect(Math.max(...xs)).toBeLessThan(1);
    // Uniform in log space: the median is the geometric mean of the bounds.
    const below = xs.filter((x) => x < Math.sqrt(1e-3)).length / N;
    expect(Math.abs(below - 0.5)).toBeLessThan(0.02);
  });

  it('quniform: multiples of q with the rounding-bucket frequencies', () => {
    const xs = draws(hp.quniform('qu', 0, 10, 2.5));
    expect(xs.every((x) => isMultiple(x, 2.5))).toBe(true);
    // round(U(0,10)/2.5)*2.5: the end buckets are half as wide as the inner ones.
    const freq = (v: number): number => xs.filter((x) => x === v).length / N;
    expect(freq(0)).toBeCloseTo(0.125, 1);
    expect(freq(5)).toBeCloseTo(0.25, 1);
    expect(freq(10)).toBeCloseTo(0.125, 1);
    expect(new Set(xs)).toEqual(new Set([0, 2.5, 5, 7.5, 10]));
    expectMoments(xs, 5, 0.125 * 2 * 25 + 0.25 * 2 * 6.25);
  });

  it('qloguniform: multiples of q within [0, exp(high)]', () => {
    const xs = draws(hp.qloguniform('ql', Math.log(1), Math.log(100), 5));
    expect(xs.every((x) => isMultiple(x, 5) && x >= 0 && x <= 100)).toBe(true);
    // 0 and 5 come from exp(U) < 7.5, which has log-uniform mass log(7.5) / log(100).
    const small = xs.filter((x) => x <= 5).length / N;
    expect(Math.abs(small - Math.log(7.5) / Math.log(100))).toBeLessThan(0.02);
  });

  it('normal and lognormal: moments', () => {
    expectMoments(draws(hp.normal('n', 3, 2)), 3, 4);
    const s2 = 0.25;
    expectMoments(draws(hp.lognormal('ln', 0, 0.5)), Math.exp(s2 / 2), (Math.exp(s2) - 1) * Math.exp(s2));
  });

  it('randint: integers in [low, high), uniformly; randint(label, n) means [0, n)', () => {
    const xs = draws(hp.randint('r', 3, 8));
    expect(xs.every((x) => Number.isInteger(x) && x >= 3 && x < 8)).toBe(true);
    for (let v = 3; v < 8; v++) expect(Math.abs(xs.filter((x) => x === v).length / N - 0.2)).toBeLessThan(0.015);
    const ys = draws(hp.randint('r0', 4));
    expect(new Set(ys)).toEqual(new Set([0, 1, 2, 3]));
  });

  it('choice: stores the option index, each equally often', () => {
    const xs = draws(hp.choice('c', ['a', 'b', 'c']));
    for (let i = 0; i < 3; i++) expect(Math.abs(xs.filter((x) => x === i).length / N - 1 / 3)).toBeLessThan(0.015);
  });
});

/** A conditional space: the labels under a choice exist only when their option is chosen. */
const conditional: Space = {
  lr: hp.loguniform('lr', Math.log(1e-4), Math.log(1e-1)),
  model: hp.choice('model', [
    { type: 'linear', l2: hp.loguniform('l2', -10, 0) },
    { type: 'mlp', width: hp.quniform('width', 16, 256, 16), act: hp.choice('act', ['relu', 'tanh']) },
  ]),
};

describe('conditional spaces', () => {
  it('only active labels appear in sampled points', () => {
    const random = seededRandom(5);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const p = samplePoint(conditional, random);
      seen.add(p.model!);
      const want = p.model === 0 ? ['lr', 'model', 'l2'] : ['lr', 'model', 'width', 'act'];
      expect(Object.keys(p).sort()).toEqual([...want].sort());
      expect(activeLabels(conditional, p).sort()).toEqual([...want].sort());
    }
    expect(seen).toEqual(new Set([0, 1]));
  });

  it('resolvePoint builds the concrete parameters, like space_eval', () => {
    const point: Point = { lr: 0.01, model: 1, width: 64, act: 1 };
    expect(resolvePoint(conditional, point)).toEqual({ lr: 0.01, model: { type: 'mlp', width: 64, act: 'tanh' } });
    expect(resolvePoint(conditional, { lr: 0.5, model: 0, l2: 0.2 })).toEqual({ lr: 0.5, model: { type: 'linear', l2: 0.2 } });
    expect(resolvePoint([hp.choice('x', [[1, 2], null]), 'const'], { x: 0 })).toEqual([[1, 2], 'const']);
  });

  it('validateSpace lists every node once, shared nodes included once', () => {
    const shared = hp.uniform('shared', 0, 1);
    const nodes = validateSpace({ a: shared, b: hp.choice('b', [{ s: shared }, { t: hp.randint('t', 3) }]) });
    expect(nodes.map((n) => n.label)).toEqual(['shared', 'b', 't']);
    expect(validateSpace(conditional).map((n) => n.label)).toEqual(['lr', 'model', 'l2', 'width', 'act']);
  });
});

describe('seeded sampling', () => {
  it('the same seed gives the same points, another seed other points', () => {
    const run = (seed: number): Point[] => {
      const random = seededRandom(seed);
      return Array.from({ length: 50 }, () => samplePoint(conditional, random));
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
  });
});
