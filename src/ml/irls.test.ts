import { describe, expect, it } from 'vitest';
import { FabricError } from '../protocol/errors';
import { seededRandom } from '../kernels/random';
import { fitLogisticIrls } from './irls';
import { auc, logLoss } from './metrics';
import { minimizeLbfgs } from './optim/lbfgs';
import type { Objective } from './optim/types';

/** Rows [1, x1..x_{p−1}] with x uniform on [-1.7, 1.7] and y ~ Bernoulli(sigmoid(x·beta)). */
function logisticRows(n: number, beta: readonly number[], seed: number): { x: Float32Array; y: Float64Array } {
  const p = beta.length;
  const rand = seededRandom(seed);
  const x = new Float32Array(n * p);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let z = 0;
    for (let c = 0; c < p; c++) {
      const v = c === 0 ? 1 : Math.fround((rand() * 2 - 1) * 1.7);
      x[r * p + c] = v;
      z += beta[c]! * v;
    }
    y[r] = rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x, y };
}

/**
 * The same objective, written here from its definition: mean log loss + ½·l2·Σ mask_i β_i², with
 * its gradient, for L-BFGS.
 */
function objective(x: Float32Array, y: Float64Array, p: number, l2: number, mask: readonly number[]): Objective {
  const n = y.length;
  return async (beta) => {
    const grad = new Float64Array(p);
    let value = 0;
    for (let r = 0; r < n; r++) {
      let z = 0;
      for (let c = 0; c < p; c++) z += x[r * p + c]! * beta[c]!;
      value += Math.log(1 + Math.exp(z)) - y[r]! * z;
      const mu = 1 / (1 + Math.exp(-z));
      for (let c = 0; c < p; c++) grad[c]! += ((mu - y[r]!) * x[r * p + c]!) / n;
    }
    value /= n;
    for (let c = 0; c < p; c++) {
      value += 0.5 * l2 * mask[c]! * beta[c]! ** 2;
      grad[c]! += l2 * mask[c]! * beta[c]!;
    }
    return { value, grad };
  };
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

describe('fitLogisticIrls', () => {
  const beta = [-0.4, 1.2, -0.8, 0.5];
  const { x, y } = logisticRows(2000, beta, 1);

  it.each([
    ['no ridge', 0],
    ['l2 = 0.01, intercept free', 0.01],
  ])('matches L-BFGS on the same objective to 1e-6 (%s), converging in at most 8 iterations', async (_, l2) => {
    const mask = [0, 1, 1, 1];
    const fit = fitLogisticIrls(x, y, 4, { l2, ridgeMask: mask });
    expect(fit.status).toBe('ok');
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThanOrEqual(8);
    const reference = await minimizeLbfgs(objective(x, y, 4, l2, mask), new Float64Array(4), { gradTol: 1e-11, valueTol: 0, maxIter: 500 });
    expect(maxAbsDiff(fit.coefficients, reference.x)).toBeLessThan(1e-6);
    // Within the sampling error of the hidden coefficients (2000 rows: standard errors about 0.06).
    if (l2 === 0) fit.coefficients.forEach((b, c) => expect(Math.abs(b - beta[c]!)).toBeLessThan(0.25));
  });

  it('reports log loss and AUC as metrics.ts computes them from the fitted probabilities', () => {
    const fit = fitLogisticIrls(x, y, 4);
    const p = new Float64Array(2000);
    for (let r = 0; r < 2000; r++) {
      let z = 0;
      for (let c = 0; c < 4; c++) z += x[r * 4 + c]! * fit.coefficients[c]!;
      p[r] = 1 / (1 + Math.exp(-z));
    }
    expect(fit.logLoss).toBeCloseTo(logLoss(y, p), 12);
    expect(fit.auc).toBeCloseTo(auc(y, p), 12);
    expect(fit.auc).toBeGreaterThan(0.7);
  });

  it('fits one group of a batch through subarrays, without copying', () => {
    const whole = fitLogisticIrls(x.slice(400, 4000), y.slice(100, 1000), 4);
    const view = fitLogisticIrls(x.subarray(400, 4000), y.subarray(100, 1000), 4);
    expect(Array.from(view.coefficients)).toEqual(Array.from(whole.coefficients));
  });

  it('says one-class when every target is the same', () => {
    const fit = fitLogisticIrls(x.subarray(0, 120), new Float64Array(30).fill(1), 4);
    expect(fit).toMatchObject({ status: 'one-class', message: 'all 30 rows have y = 1; a logistic model needs both classes.', converged: false });
    expect(fit.coefficients.every(Number.isNaN)).toBe(true);
  });

  it('reports complete separation instead of iterating, and fits it with ridge', () => {
    const t = Float32Array.from({ length: 50 }, (_, r) => (r - 24.5) / 10);
    const xs = Float32Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 1 : t[(i - 1) / 2]!));
    const ys = Float64Array.from(t, (v) => (v > 0 ? 1 : 0));
    const fit = fitLogisticIrls(xs, ys, 2);
    expect(fit.status).toBe('separable');
    expect(fit.iterations).toBeLessThan(25);
    expect(fit.message).toContain('complete separation');
    expect(fit.message).toContain('add ridge (l2 > 0)');
    const ridged = fitLogisticIrls(xs, ys, 2, { l2: 0.01, ridgeMask: [0, 1] });
    expect(ridged.status).toBe('ok');
    expect(ridged.auc).toBe(1);
  });

  it('reports quasi-complete separation (a tie at the boundary) as separable', () => {
    const t = [-2, -1.5, -1, -0.5, 0, 0, 0.5, 1, 1.5, 2];
    const xs = Float32Array.from(t.flatMap((v) => [1, v]));
    const ys = Float64Array.from(t, (v, i) => (v > 0 || (v === 0 && i === 5) ? 1 : 0));
    const fit = fitLogisticIrls(xs, ys, 2);
    expect(fit.status).toBe('separable');
    expect(fit.message).toContain('quasi-complete separation');
  });

  it('gives too-few-rows, singular and non-finite, and not-converged when maxIter is too small', () => {
    expect(fitLogisticIrls(x.subarray(0, 16), Float64Array.of(0, 1, 0, 1), 4).status).toBe('too-few-rows');
    const dup = Float32Array.from(x.subarray(0, 800));
    for (let r = 0; r < 200; r++) dup[r * 4 + 3] = dup[r * 4 + 1]!;
    const singular = fitLogisticIrls(dup, y.subarray(0, 200), 4);
    expect(singular.status).toBe('singular');
    expect(singular.message).toMatch(/^XᵀWX is singular: column 3 is \(nearly\) a linear combination/);
    const nan = Float64Array.from(y.subarray(0, 200));
    nan[7] = NaN;
    expect(fitLogisticIrls(x.subarray(0, 800), nan, 4).status).toBe('non-finite');
    const short = fitLogisticIrls(x, y, 4, { maxIter: 1 });
    expect(short).toMatchObject({ status: 'not-converged', iterations: 1, converged: false });
    expect(short.coefficients.every(Number.isFinite)).toBe(true);
  });

  it('rejects labels other than 0 and 1, and wrong shapes, saying how to fix them', () => {
    const bad = Float64Array.from(y.subarray(0, 10));
    bad[4] = 2;
    expect(() => fitLogisticIrls(x.subarray(0, 40), bad, 4)).toThrow(FabricError);
    expect(() => fitLogisticIrls(x.subarray(0, 40), bad, 4)).toThrow('fitLogisticIrls: y[4] is 2; logistic targets must be 0 or 1. Encode the target as 0/1 first.');
    expect(() => fitLogisticIrls(x.subarray(0, 41), y.subarray(0, 10), 4)).toThrow('x has length 41; expected n × p = 10 × 4 = 40.');
    expect(() => fitLogisticIrls(x, y, 4, { ridgeMask: [1] })).toThrow('options.ridgeMask has 1 entries but p is 4');
  });
});
