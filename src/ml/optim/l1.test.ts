import { describe, expect, it } from 'vitest';
import { alignDirection, chooseOrthant, l1Penalty, projectOntoOrthant, pseudoGradient, softThreshold } from './l1';

const f64 = (values: readonly number[]): Float64Array => Float64Array.from(values);

describe('L1 helpers (OWL-QN and ISTA)', () => {
  const weights = f64([1, 1, 1, 1, 0]);

  it('the pseudo-gradient is the least-norm subgradient', () => {
    // x > 0: g + λ; x < 0: g − λ; x = 0 with |g| ≤ λ: 0; x = 0 with g < −λ: g + λ; weight 0: g.
    const pg = pseudoGradient(f64([2, -1, 0, 0, 0]), f64([0.5, 0.5, 0.5, -3, 0.25]), weights);
    expect(Array.from(pg)).toEqual([1.5, -0.5, 0, -2, 0.25]);
    expect(Array.from(pseudoGradient(f64([0]), f64([3]), f64([1])))).toEqual([2]);
    expect(l1Penalty(f64([2, -1, 0, 0, 5]), weights)).toBe(3);
  });

  it('aligns a direction with −pg and chooses the orthant of each coordinate', () => {
    const d = f64([-1, 1, 2, -2, 3]);
    const pg = f64([1, 1, -1, 0, -1]);
    alignDirection(d, pg);
    expect(Array.from(d)).toEqual([-1, 0, 2, 0, 3]);
    expect(Array.from(chooseOrthant(f64([2, -1, 0, 0, 0]), f64([1, 1, -1, 1, 0])))).toEqual([1, -1, 1, -1, 0]);
  });

  it('projects onto the orthant, leaving coordinates of weight 0 free to cross zero', () => {
    const x = f64([-0.5, 0.25, 0.1, -3, -7]);
    projectOntoOrthant(x, f64([1, 1, -1, -1, 1]), weights);
    expect(Array.from(x)).toEqual([0, 0.25, 0, -3, -7]);
  });

  it('soft-thresholds by t·λ per coordinate', () => {
    expect(Array.from(softThreshold(f64([3, -3, 0.5, -0.5, 0.5]), 2, weights))).toEqual([1, -1, 0, 0, 0.5]);
  });
});
