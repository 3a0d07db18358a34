import { describe, expect, it } from 'vitest';
import { seededRandom } from '../kernels/random';
import type { ColumnMoments } from '../protocol/tasks';
import { mergeMoments, momentsOf, summarize } from './moments';

/** A seeded generator, so every failure reproduces. */
const rng = seededRandom;

/** Roughly normal values (sum of uniforms) with some far outliers. */
function sampleValues(n: number, seed: number, centre = 50, spread = 20): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = r() + r() + r() + r() - 2;
    out[i] = centre + spread * z + (r() < 0.01 ? 1e4 * (r() - 0.5) : 0);
  }
  return out;
}

/** The textbook two-pass computation, written independently of the code under test. */
function naive(values: readonly number[]): { count: number; mean: number; m2: number; min: number; max: number } {
  const count = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / count;
  const m2 = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { count, mean, m2, min: Math.min(...values), max: Math.max(...values) };
}

function relErr(got: number, want: number): number {
  return want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
}

/** Cuts `values` at random points into parts, some empty and some of one element. */
function randomSplit(values: Float64Array, r: () => number): Float64Array[] {
  const cuts = new Set<number>([0, values.length]);
  const nCuts = 1 + Math.floor(r() * 40);
  for (let i = 0; i < nCuts; i++) {
    const at = Math.floor(r() * (values.length + 1));
    cuts.add(at);
    if (r() < 0.3) cuts.add(Math.min(values.length, at + 1)); // a one-element part
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const parts: Float64Array[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    parts.push(values.subarray(sorted[i]!, sorted[i + 1]!));
    if (r() < 0.2) parts.push(new Float64Array(0)); // an empty part, as from a partition of nulls
  }
  return parts;
}

/** Merges left to right, as a coordinator folding partitions in order. */
function foldMerge(parts: readonly ColumnMoments[]): ColumnMoments {
  return parts.slice(1).reduce((acc, m) => mergeMoments(acc, m), parts[0]!);
}

/** Merges pairwise, as a tree reduction would. */
function treeMerge(parts: readonly ColumnMoments[]): ColumnMoments {
  let level = [...parts];
  while (level.length > 1) {
    const next: ColumnMoments[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? mergeMoments(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

describe('momentsOf', () => {
  it('matches a naive two-pass computation', () => {
    for (const [n, seed] of [[2, 1], [10, 2], [1000, 3], [20_000, 4]] as const) {
      const values = sampleValues(n, seed);
      const got = momentsOf('x', values, 3);
      const want = naive(Array.from(values));
      expect(got.name).toBe('x');
      expect(got.count).toBe(n);
      expect(got.nulls).toBe(3);
      expect(got.min).toBe(want.min);
      expect(got.max).toBe(want.max);
      expect(relErr(got.mean, want.mean)).toBeLessThan(1e-13);
      expect(relErr(got.m2, want.m2)).toBeLessThan(1e-12);
    }
  });

  it('gives exact answers on small integers', () => {
    const m = momentsOf('v', new Float64Array([4, -2, 7, 1, 0]), 0);
    expect(m).toEqual({ name: 'v', count: 5, nulls: 0, mean: 2, m2: 50, min: -2, max: 7 });
  });

  it('summarises empty input as count 0 with no mean, min or max', () => {
    const m = momentsOf('empty', new Float64Array(0), 4);
    expect(m).toEqual({ name: 'empty', count: 0, nulls: 4, mean: 0, m2: 0, min: null, max: null });
    expect(summarize(m)).toEqual({ name: 'empty', count: 0, nulls: 4, mean: null, std: null, min: null, max: null });
  });

  it('summarises one row with its value and no standard deviation', () => {
    const m = momentsOf('one', new Float64Array([-3.25]), 1);
    expect(m).toMatchObject({ count: 1, nulls: 1, mean: -3.25, m2: 0, min: -3.25, max: -3.25 });
    expect(summarize(m)).toEqual({ name: 'one', count: 1, nulls: 1, mean: -3.25, std: null, min: -3.25, max: -3.25 });
  });

  it('never reports a negative m2 for constant values', () => {
    for (const v of [0.1, 1e15 + 0.5, -7.3e-9, 123456.789]) {
      const m = momentsOf('c', new Float64Array(1001).fill(v), 0);
      expect(m.m2).toBeGreaterThanOrEqual(0);
      expect(m.m2).toBeLessThan(1e-6 * Math.max(1, v * v));
      expect(m.min).toBe(v);
      expect(m.max).toBe(v);
    }
  });

  it('keeps mean and std accurate for timestamps in microseconds around 1e15', () => {
    // A day of timestamps at 1.7e15 µs (2023): whole numbers, so BigInt gives the exact answer.
    const r = rng(99);
    const n = 100_000;
    const base = 1_700_000_000_000_000;
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = base + Math.floor(r() * 86_400_000_000);
    let sum = 0n;
    let sumSq = 0n;
    for (const v of values) {
      sum += BigInt(v);
      sumSq += BigInt(v) * BigInt(v);
    }
    const N = BigInt(n);
    const exactMean = Number(sum) / n; // sum < 2^67: one rounding, relative error 1e-16
    const nM2 = N * sumSq - sum * sum; // n · m2, exactly
    const exactStd = Math.sqrt(Number(nM2) / n / (n - 1));

    const whole = momentsOf('date', values, 0);
    expect(relErr(whole.mean, exactMean)).toBeLessThan(1e-9);
    expect(relErr(summarize(whole).std!, exactStd)).toBeLessThan(1e-9);

    // And the same after cutting into partitions and merging.
    const parts = randomSplit(values, rng(7)).map((p) => momentsOf('date', p, 0));
    const merged = foldMerge(parts);
    expect(relErr(merged.mean, exactMean)).toBeLessThan(1e-9);
    expect(relErr(summarize(merged).std!, exactStd)).toBeLessThan(1e-9);
  });
});

describe('mergeMoments', () => {
  it('equals the moments of the whole for many random splits, including empty and one-element parts', () => {
    const r = rng(2024);
    for (let trial = 0; trial < 200; trial++) {
      const values = sampleValues(1 + Math.floor(r() * 3000), 1000 + trial, r() * 1e6 - 5e5, 1 + r() * 1e3);
      const whole = summarize(momentsOf('x', values, 0));
      const parts = randomSplit(values, r).map((p, i) => momentsOf('x', p, i % 3));
      const totalNulls = parts.reduce((s, p) => s + p.nulls, 0);
      for (const merged of [foldMerge(parts), treeMerge(parts)]) {
        const got = summarize(merged);
        expect(got.count).toBe(whole.count);
        expect(got.nulls).toBe(totalNulls);
        expect(got.min).toBe(whole.min);
        expect(got.max).toBe(whole.max);
        expect(relErr(got.mean!, whole.mean!)).toBeLessThan(1e-12);
        if (whole.std === null) expect(got.std).toBeNull();
        else expect(relErr(got.std!, whole.std)).toBeLessThan(1e-12);
      }
    }
  });

  it('treats an empty side as neutral, keeping the left name and adding nulls', () => {
    const empty = momentsOf('col', new Float64Array(0), 2);
    const some = momentsOf('col', new Float64Array([1, 2, 3]), 1);
    expect(mergeMoments(empty, some)).toEqual({ ...some, nulls: 3 });
    expect(mergeMoments(some, empty)).toEqual({ ...some, nulls: 3 });
    expect(mergeMoments(empty, momentsOf('other', new Float64Array([5]), 0)).name).toBe('col');
    const both = mergeMoments(empty, empty);
    expect(both).toMatchObject({ count: 0, nulls: 4, min: null, max: null });
  });

  it('merges two single rows into their exact mean and spread', () => {
    const m = mergeMoments(momentsOf('x', new Float64Array([1]), 0), momentsOf('x', new Float64Array([3]), 0));
    expect(m).toEqual({ name: 'x', count: 2, nulls: 0, mean: 2, m2: 2, min: 1, max: 3 });
  });
});

describe('summarize', () => {
  it('reports the sample standard deviation (n - 1), as pandas does', () => {
    const s = summarize(momentsOf('x', new Float64Array([1, 2, 3, 4]), 2));
    expect(s).toEqual({ name: 'x', count: 4, nulls: 2, mean: 2.5, std: Math.sqrt(5 / 3), min: 1, max: 4 });
  });
});
