import { describe, expect, it } from 'vitest';
import { AGREE_TOLERANCE, compareRuns, verdictText } from './compare';

describe('compareRuns', () => {
  it('agrees on rounding-sized differences and says how large they are', () => {
    const c = compareRuns([1, -2000, 0.5], [1 + 3e-12, -2000 * (1 + 1e-12), 0.5]);
    expect(c.agree).toBe(true);
    expect(c.maxDifference).toBeGreaterThan(2.9e-12);
    expect(c.maxDifference).toBeLessThan(3.1e-12);
    expect(verdictText(c)).toBe('agree (3 values, max difference 3.0e-12)');
  });

  it('says exactly when nothing differs, NaN matching NaN', () => {
    const c = compareRuns(Float64Array.of(1, NaN), [1, NaN]);
    expect(c).toEqual({ agree: true, maxDifference: 0, count: 2 });
    expect(verdictText(c)).toBe('agree exactly (2 values, max difference 0)');
  });

  it('differs past the tolerance, on a lone NaN and on a length mismatch', () => {
    expect(compareRuns([1], [1 + 10 * AGREE_TOLERANCE]).agree).toBe(false);
    expect(verdictText(compareRuns([0.1], [0.3]))).toBe('differ (1 values, max difference 2.0e-1)');
    expect(compareRuns([1, NaN], [1, 2])).toEqual({ agree: false, maxDifference: Infinity, count: 2 });
    expect(verdictText(compareRuns([1], [1, 2]))).toMatch(/^differ: the results have different shapes/);
  });

  it('treats empty runs as agreeing', () => {
    expect(compareRuns([], [])).toEqual({ agree: true, maxDifference: 0, count: 0 });
  });
});
