import { describe, expect, it } from 'vitest';
import { FabricError } from '../protocol/errors';
import { accuracy, auc, logLoss, multiclassLogLoss, r2, rmse } from './metrics';
import { seededRandom } from './optim/test-problems';

const f64 = (values: readonly number[]): Float64Array => Float64Array.from(values);

function thrown(run: () => unknown): FabricError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(FabricError);
    return e as FabricError;
  }
  throw new Error('expected a FabricError, but nothing was thrown');
}

/** The definition: over all positive–negative pairs, 1 if the positive scores higher, ½ on a tie. */
function naiveAuc(y: Float64Array, s: Float64Array): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe('regression metrics', () => {
  it('match hand-computed values', () => {
    // scikit-learn's documented example: MSE 0.375, R² 0.948608137...
    const y = f64([3, -0.5, 2, 7]);
    const p = f64([2.5, 0, 2, 8]);
    expect(rmse(y, p)).toBeCloseTo(Math.sqrt(0.375), 15);
    expect(r2(y, p)).toBeCloseTo(0.9486081370449679, 15);
    expect(rmse(f64([1, 2, 3]), f64([1, 2, 5]))).toBeCloseTo(Math.sqrt(4 / 3), 15);
    expect(r2(f64([1, 2, 3]), f64([1, 2, 5]))).toBe(-1); // SS_res 4, SS_tot 2.
    expect(r2(y, y)).toBe(1);
    expect(rmse(f64([5]), f64([2]))).toBe(3);
  });

  it('reject empty, mismatched and NaN input, and R² of a constant target', () => {
    expect(thrown(() => rmse(f64([]), f64([]))).message).toMatch(/rmse: yTrue is empty/);
    expect(thrown(() => r2(f64([1, 2]), f64([1]))).message).toMatch(/r2: yTrue has 2 rows but yPred has 1/);
    expect(thrown(() => rmse(f64([1, NaN]), f64([1, 2]))).message).toMatch(/yTrue\[1\] is NaN/);
    const constant = thrown(() => r2(f64([4, 4, 4]), f64([4, 4, 5])));
    expect(constant.code).toBe('bad-input');
    expect(constant.message).toMatch(/yTrue is constant .* undefined/);
  });
});

describe('classification metrics', () => {
  it('log loss matches hand-computed values and clips p to [1e-15, 1 − 1e-15]', () => {
    // scikit-learn's documented example: 0.21616...
    const expected = -(Math.log(0.9) + Math.log(0.9) + Math.log(0.8) + Math.log(0.65)) / 4;
    expect(logLoss(f64([1, 0, 0, 1]), f64([0.9, 0.1, 0.2, 0.65]))).toBeCloseTo(expected, 15);
    expect(expected).toBeCloseTo(0.21616187468057912, 15);
    // Confidently wrong both ways: p = 0 costs −log(1e-15); p = 1 is clipped to 1 − 1e-15, which
    // float64 rounds to 1 − 9.992e-16, so it costs −log(9.992e-16), a little more.
    expect(logLoss(f64([1]), f64([0]))).toBeCloseTo(-Math.log(1e-15), 12);
    expect(logLoss(f64([0]), f64([1]))).toBeCloseTo(-Math.log(1 - (1 - 1e-15)), 12);
    // Perfect answers cost about 1e-15 each, not 0, because of the clip.
    const perfect = logLoss(f64([1, 0]), f64([1, 0]));
    expect(perfect).toBeGreaterThan(0);
    expect(perfect).toBeLessThan(2e-15);
  });

  it('multiclass log loss reads each row at its label', () => {
    const probs = f64([0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.25, 0.5, 0.25]);
    const expected = -(Math.log(0.7) + Math.log(0.6) + Math.log(0.5)) / 3;
    expect(multiclassLogLoss(f64([0, 2, 1]), probs, 3)).toBeCloseTo(expected, 15);
    expect(thrown(() => multiclassLogLoss(f64([0, 3]), f64([1, 0, 0, 0, 0, 1]), 3)).message).toMatch(/yTrue\[1\] is 3; class labels must be integers in \[0, 2\]/);
    expect(thrown(() => multiclassLogLoss(f64([0, 1]), f64([1, 0, 0]), 3)).message).toMatch(/probs has 3 values but 2 rows × 3 classes need 6/);
  });

  it('accuracy thresholds binary p at 0.5 (0.5 predicts 0) and takes the argmax of rows', () => {
    expect(accuracy(f64([1, 0, 1, 0]), f64([0.9, 0.5, 0.5, 0.2]))).toBe(0.75);
    // Rows: argmax 1 (right), tie 0/1 → 0 (right), argmax 2 (wrong, label 1).
    expect(accuracy(f64([1, 0, 1]), f64([0.2, 0.5, 0.3, 0.4, 0.4, 0.2, 0.1, 0.3, 0.6]), 3)).toBeCloseTo(2 / 3, 15);
    expect(thrown(() => accuracy(f64([1, 2]), f64([0.5, 0.5]))).message).toMatch(/yTrue\[1\] is 2; binary labels must be exactly 0 or 1/);
    expect(thrown(() => accuracy(f64([1]), f64([1.5]))).message).toMatch(/yPred\[0\] is 1.5; probabilities must lie in \[0, 1\]/);
  });

  it('AUC matches hand-computed values, ties counting one half', () => {
    expect(auc(f64([0, 0, 1, 1]), f64([0.1, 0.4, 0.35, 0.8]))).toBe(0.75); // scikit-learn's example.
    // Pairs (pos, neg): (.5,.5) tie, (.5,.2) win, (.9,.5) win, (.9,.2) win → 3.5 / 4.
    expect(auc(f64([0, 1, 0, 1]), f64([0.5, 0.5, 0.2, 0.9]))).toBe(0.875);
    expect(auc(f64([1, 0]), f64([3, 3]))).toBe(0.5);
    expect(auc(f64([1, 0]), f64([-5, 7]))).toBe(0);
  });

  it('AUC equals the O(n²) pairwise definition on random data with many ties, ±0 and ±Infinity', () => {
    const r = seededRandom(17);
    for (const n of [2, 3, 10, 257, 2000]) {
      const y = new Float64Array(n);
      const s = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        y[i] = i < 2 ? i : r() < 0.3 ? 1 : 0;
        const u = r();
        s[i] = u < 0.02 ? -0 : u < 0.04 ? 0 : u < 0.05 ? Infinity : u < 0.06 ? -Infinity : Math.round(r() * 20 + y[i]! * 3) / 10;
      }
      expect(auc(y, s)).toBe(naiveAuc(y, s));
    }
  });

  it('AUC is exact on 3M rows, checked against a counting computation', () => {
    const n = 3_000_000;
    const levels = 1000;
    const r = seededRandom(99);
    const y = new Float64Array(n);
    const s = new Float64Array(n);
    const pos = new Float64Array(levels);
    const neg = new Float64Array(levels);
    for (let i = 0; i < n; i++) {
      const label = r() < 0.4 ? 1 : 0;
      const level = Math.min(levels - 1, Math.floor(r() * 900 + label * 100));
      y[i] = label;
      s[i] = level / 7; // Not integers, but every level is one exact float, so ties stay ties.
      (label === 1 ? pos : neg)[level]!++;
    }
    let wins = 0;
    let below = 0;
    let positives = 0;
    for (let v = 0; v < levels; v++) {
      wins += pos[v]! * (below + 0.5 * neg[v]!);
      below += neg[v]!;
      positives += pos[v]!;
    }
    expect(auc(y, s)).toBe(wins / (positives * (n - positives)));
  });

  it('AUC is undefined for one class, and rejects empty input, NaN scores and non-binary labels', () => {
    const one = thrown(() => auc(f64([1, 1, 1]), f64([0.2, 0.5, 0.9])));
    expect(one.code).toBe('bad-input');
    expect(one.message).toMatch(/only one class \(3 positives, 0 negatives\); ROC AUC is undefined/);
    expect(thrown(() => auc(f64([0, 0]), f64([0.2, 0.5]))).message).toMatch(/0 positives, 2 negatives/);
    expect(thrown(() => auc(f64([]), f64([]))).message).toMatch(/auc: yTrue01 is empty/);
    expect(thrown(() => auc(f64([0, 1]), f64([NaN, 1]))).message).toMatch(/scores\[0\] is NaN/);
    expect(thrown(() => auc(f64([0, 0.5]), f64([0, 1]))).message).toMatch(/yTrue01\[1\] is 0.5/);
    expect(thrown(() => logLoss(f64([0, 1]), f64([0.5]))).message).toMatch(/logLoss: yTrue01 has 2 rows but p has 1/);
  });
});
