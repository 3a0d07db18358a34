import { describe, expect, it } from 'vitest';
import { minimizeGd } from './gd';
import {
  counted,
  leastSquares,
  logisticData,
  logisticObjective,
  maxAbsDiff,
  newtonLogistic,
  orthonormalDesign,
  rejection,
  rosenbrock,
  rosenbrockStart,
  spdQuadratic,
} from './test-problems';
import type { MinimizeResult, Objective } from './types';


/** True when the recorded values never rise by more than rounding (1e-12 relative). */
function monotone(r: MinimizeResult): boolean {
  return r.history.every((h, k) => k === 0 || h.value <= r.history[k - 1]!.value + 1e-12 * Math.abs(h.value));
}

describe('minimizeGd on smooth problems with known optima', () => {
  it.each([2, 50])('finds A⁻¹b of a %i-dimensional SPD quadratic to 1e-8', async (n) => {
    const { fn, solution } = spdQuadratic(n, 7);
    const { f, calls } = counted(fn);
    const r = await minimizeGd(f, new Float64Array(n), { gradTol: 1e-11, valueTol: 0, maxIter: 2000 });
    expect(r.reason).toBe('tol');
    expect(maxAbsDiff(r.x, solution)).toBeLessThan(1e-8);
    expect(r.evaluations).toBe(calls());
    expect(monotone(r)).toBe(true);
  });

  it('reaches the minimum of 2-D Rosenbrock from the standard start to 1e-6', async () => {
    const r = await minimizeGd(counted(rosenbrock).f, rosenbrockStart(2), { gradTol: 1e-9, valueTol: 0, maxIter: 5000 });
    expect(r.reason).toBe('tol');
    expect(maxAbsDiff(r.x, new Float64Array([1, 1]))).toBeLessThan(1e-6);
    expect(monotone(r)).toBe(true);
  });

  it('matches a Newton solution of L2-regularised logistic regression to 1e-7 relative', async () => {
    const data = logisticData(300, 6, 4, 11);
    const exact = newtonLogistic(data, 0.01);
    const r = await minimizeGd(counted(logisticObjective(data, 0.01)).f, new Float64Array(data.cols), { gradTol: 1e-10, valueTol: 0, maxIter: 2000 });
    expect(r.reason).toBe('tol');
    const scale = Math.max(...Array.from(exact, Math.abs));
    expect(maxAbsDiff(r.x, exact) / scale).toBeLessThan(1e-7);
  });
});

describe('minimizeGd with options.l1 (proximal steps, ISTA)', () => {
  it('solves the lasso on an orthonormal design: soft-thresholded least squares, exact zeros', async () => {
    const n = 30;
    const p = 6;
    const x = orthonormalDesign(n, p, 8);
    const coefs = [-1.5, 0.2, 0.9, -0.25, 2, 0.6];
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) y[i] = y[i]! + x[i * p + j]! * coefs[j]!;
    const ls = new Float64Array(p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) ls[j] = ls[j]! + x[i * p + j]! * y[i]!;
    const lambda = 0.4;
    const expected = ls.map((z) => Math.sign(z) * Math.max(Math.abs(z) - lambda, 0));
    const r = await minimizeGd(counted(leastSquares(x, y, p)).f, new Float64Array(p), { l1: lambda, gradTol: 1e-12, valueTol: 0 });
    expect(r.reason).toBe('tol');
    expect(maxAbsDiff(r.x, expected)).toBeLessThan(1e-7);
    expect(r.x[1]).toBe(0);
    expect(r.x[3]).toBe(0);
    expect(r.x.filter((v) => v === 0).length).toBe(2);
    expect(monotone(r)).toBe(true);
  });

  it('leaves coordinates of weight 0 unpenalised and reports the value with the L1 term', async () => {
    const data = logisticData(200, 5, 2, 21);
    const weights = new Float64Array(data.cols).fill(0.05);
    weights[0] = 0;
    const objective = logisticObjective(data, 0);
    const r = await minimizeGd(counted(objective).f, new Float64Array(data.cols), { l1: weights, gradTol: 1e-9, valueTol: 0, maxIter: 5000 });
    expect(r.reason).toBe('tol');
    expect(r.x[0]).not.toBe(0);
    const penalty = r.x.reduce((s, v, j) => s + weights[j]! * Math.abs(v), 0);
    expect(r.value).toBeCloseTo(objective(r.x).value + penalty, 12);
    expect(monotone(r)).toBe(true);
  });
});

describe('minimizeGd run control and errors', () => {
  it('is deterministic: two runs are bit-identical, smooth and with L1', async () => {
    const data = logisticData(200, 8, 3, 9);
    for (const options of [{}, { l1: 0.01 }]) {
      const a = await minimizeGd(counted(logisticObjective(data, 0.001)).f, new Float64Array(data.cols), options);
      const b = await minimizeGd(counted(logisticObjective(data, 0.001)).f, new Float64Array(data.cols), options);
      expect(new Uint8Array(a.x.buffer)).toEqual(new Uint8Array(b.x.buffer));
      expect(a.history).toEqual(b.history);
    }
  });

  it('respects maxIter and stops when onIteration returns false', async () => {
    const r = await minimizeGd(counted(rosenbrock).f, rosenbrockStart(2), { maxIter: 7 });
    expect(r).toMatchObject({ iterations: 7, reason: 'maxIter', converged: false });
    const stopped = await minimizeGd(counted(rosenbrock).f, rosenbrockStart(2), { onIteration: (rec) => rec.iteration < 3 });
    expect(stopped).toMatchObject({ iterations: 3, reason: 'stopped' });
    expect(stopped.history).toHaveLength(4);
  });

  it('rejects with "cancelled" when the signal aborts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const f: Objective = async (x) => {
      if (++calls === 4) controller.abort();
      return rosenbrock(x);
    };
    const e = await rejection(minimizeGd(f, rosenbrockStart(2), { signal: controller.signal }));
    expect(e.code).toBe('cancelled');
    expect(e.message).toMatch(/^minimizeGd: cancelled/);
    expect(calls).toBe(4);
  });

  it('rejects with bad-input for NaN at x0 and for NaN at every trial point', async () => {
    const atStart = await rejection(minimizeGd(async () => ({ value: 1, grad: new Float64Array([NaN]) }), new Float64Array(1)));
    expect(atStart.code).toBe('bad-input');
    expect(atStart.message).toMatch(/at x0 \(value 1, with a non-finite gradient entry\)/);
    let calls = 0;
    const f: Objective = async (x) => (calls++ === 0 ? rosenbrock(x) : { value: Infinity, grad: new Float64Array(2) });
    const everywhere = await rejection(minimizeGd(f, rosenbrockStart(2), { maxLineSearch: 6 }));
    expect(everywhere.code).toBe('bad-input');
    expect(calls).toBe(7);
  });

  it('stops with reason "line-search" when no step decreases the objective', async () => {
    const f: Objective = async (x) => ({ value: 1 + x[0]! * x[0]!, grad: new Float64Array([-2 * x[0]!]) });
    const r = await minimizeGd(f, new Float64Array([1]), { maxLineSearch: 8 });
    expect(r).toMatchObject({ reason: 'line-search', converged: false, iterations: 0, evaluations: 9 });
  });
});
