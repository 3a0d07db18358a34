import { describe, expect, it } from 'vitest';
import { FabricError } from '../../protocol/errors';
import { minimizeGd } from './gd';
import { pseudoGradient } from './l1';
import { minimizeLbfgs } from './lbfgs';
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
import type { Objective } from './types';

/** Tolerances tight enough that only the gradient test can stop the run. */
const TIGHT = { gradTol: 1e-11, valueTol: 0, maxIter: 1000 };

function difference(a: Float64Array, b: Float64Array): number[] {
  return Array.from(a, (v, i) => v - b[i]!);
}

function nonZeros(x: Float64Array): number {
  return x.reduce((n, v) => (v !== 0 ? n + 1 : n), 0);
}


describe('minimizeLbfgs on smooth problems with known optima', () => {
  it.each([2, 50])('finds A⁻¹b of a %i-dimensional SPD quadratic to 1e-8', async (n) => {
    const { fn, solution } = spdQuadratic(n, 7);
    const { f, calls } = counted(fn);
    const r = await minimizeLbfgs(f, new Float64Array(n), TIGHT);
    expect(r.reason).toBe('tol');
    expect(r.converged).toBe(true);
    expect(maxAbsDiff(r.x, solution)).toBeLessThan(1e-8);
    expect(r.evaluations).toBe(calls());
  });

  it('spends at most 1.5 evaluations per iteration on the 50-dimensional quadratic', async () => {
    const { fn } = spdQuadratic(50, 7);
    const trials: Float64Array[] = [];
    const r = await minimizeLbfgs(async (x) => (trials.push(x), fn(x)), new Float64Array(50), TIGHT);
    // Observed: 64 iterations, 70 evaluations (x0 + 69), i.e. 1.08 per iteration.
    expect((r.evaluations - 1) / r.iterations).toBeLessThanOrEqual(1.5);
    // The first trial step is −∇f/‖∇f‖, of unit length; later iterations mostly take the unit step.
    expect(Math.hypot(...difference(trials[1]!, trials[0]!))).toBeCloseTo(1, 12);
    expect(r.history.filter((h) => h.step === 1).length).toBeGreaterThan(0.9 * r.iterations);
  });

  it.each([2, 10])('reaches the minimum of %i-D Rosenbrock from the standard start to 1e-6', async (n) => {
    const r = await minimizeLbfgs(counted(rosenbrock).f, rosenbrockStart(n), { gradTol: 1e-9, valueTol: 0, maxIter: 500 });
    expect(r.reason).toBe('tol');
    expect(maxAbsDiff(r.x, new Float64Array(n).fill(1))).toBeLessThan(1e-6);
    expect(r.value).toBeLessThan(1e-12);
    expect(r.evaluations).toBeLessThan(100); // Observed 47 (2-D) and 46 (10-D).
  });

  it('matches a Newton solution of L2-regularised logistic regression to 1e-7 relative', async () => {
    const data = logisticData(300, 6, 4, 11);
    const exact = newtonLogistic(data, 0.01);
    const r = await minimizeLbfgs(counted(logisticObjective(data, 0.01)).f, new Float64Array(data.cols), { gradTol: 1e-9, valueTol: 0 });
    expect(r.reason).toBe('tol');
    const scale = Math.max(...Array.from(exact, Math.abs));
    expect(maxAbsDiff(r.x, exact) / scale).toBeLessThan(1e-7);
  });

  it('stops on the value test with the default tol, where the last relative change is at most 1e-6', async () => {
    const data = logisticData(300, 6, 4, 11);
    const r = await minimizeLbfgs(counted(logisticObjective(data, 0.01)).f, new Float64Array(data.cols));
    expect(r.reason).toBe('tol');
    const passes = (k: number): boolean => {
      const [prev, cur] = [r.history[k - 1]!, r.history[k]!];
      const valueTest = Math.abs(prev.value - cur.value) <= 1e-6 * Math.max(Math.abs(prev.value), Math.abs(cur.value));
      return valueTest || cur.gradNorm <= 1e-6 * Math.max(1, Math.abs(cur.value));
    };
    expect(passes(r.iterations)).toBe(true);
    for (let k = 1; k < r.iterations; k++) expect(passes(k)).toBe(false);
    expect(r.history.length).toBe(r.iterations + 1);
    expect(r.history.at(-1)!.evaluations).toBe(r.evaluations);
  });
});

describe('minimizeLbfgs as OWL-QN (options.l1)', () => {
  it('solves the lasso on an orthonormal design: soft-thresholded least squares, exact zeros', async () => {
    const n = 40;
    const p = 8;
    const x = orthonormalDesign(n, p, 3);
    const coefs = [3, -2, 0.3, -0.1, 1.2, 0.05, -0.7, 0.45];
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) y[i] = y[i]! + x[i * p + j]! * coefs[j]!;
    // With XᵀX = I the least-squares solution is Xᵀy, and the lasso solution soft-thresholds it.
    const ls = new Float64Array(p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) ls[j] = ls[j]! + x[i * p + j]! * y[i]!;
    const lambda = 0.5;
    const weights = new Float64Array(p).fill(lambda);
    weights[7] = 0; // Not penalised, like an intercept: its value stays the least-squares one.
    const expected = ls.map((z, j) => Math.sign(z) * Math.max(Math.abs(z) - weights[j]!, 0));
    const r = await minimizeLbfgs(counted(leastSquares(x, y, p)).f, new Float64Array(p), { l1: weights, gradTol: 1e-12, valueTol: 0 });
    expect(r.reason).toBe('tol');
    expect(maxAbsDiff(r.x, expected)).toBeLessThan(1e-7);
    for (const j of [2, 3, 5]) expect(r.x[j]).toBe(0);
    expect(r.x[7]).toBeCloseTo(0.45, 7);
    // The reported value includes the L1 term.
    const smooth = leastSquares(x, y, p)(r.x).value;
    expect(r.value).toBeCloseTo(smooth + r.x.reduce((s, v, j) => s + weights[j]! * Math.abs(v), 0), 12);
  });

  it('lands exactly on zero when started on the wrong side of it (orthant projection)', async () => {
    const n = 40;
    const p = 6;
    const x = orthonormalDesign(n, p, 12);
    const coefs = [2, -0.2, 0.1, -1, 0.3, -0.05];
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) y[i] = y[i]! + x[i * p + j]! * coefs[j]!;
    const ls = new Float64Array(p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) ls[j] = ls[j]! + x[i * p + j]! * y[i]!;
    const expected = ls.map((z) => Math.sign(z) * Math.max(Math.abs(z) - 0.5, 0));
    // Every start coordinate has the opposite sign of its least-squares value, so the iterates must
    // cross zero; the ones whose answer is 0 must stop there exactly.
    const start = ls.map((z) => -Math.sign(z) * 3);
    const r = await minimizeLbfgs(counted(leastSquares(x, y, p)).f, start, { l1: 0.5, gradTol: 1e-12, valueTol: 0 });
    expect(r.reason).toBe('tol');
    expect(maxAbsDiff(r.x, expected)).toBeLessThan(1e-7);
    expect(Array.from(r.x, (v) => v === 0)).toEqual([false, true, true, false, true, true]);
  });

  it('gives sparser L1-logistic solutions as l1 grows, matching proximal gradient descent to 1e-5', async () => {
    const data = logisticData(300, 10, 3, 5);
    const objective = logisticObjective(data, 0);
    const counts: number[] = [];
    for (const lambda of [0.002, 0.01, 0.03, 0.08]) {
      const weights = new Float64Array(data.cols).fill(lambda);
      weights[0] = 0; // The intercept is not penalised.
      const options = { l1: weights, gradTol: 1e-9, valueTol: 0, maxIter: 2000 };
      const owlqn = await minimizeLbfgs(counted(objective).f, new Float64Array(data.cols), options);
      const ista = await minimizeGd(counted(objective).f, new Float64Array(data.cols), options);
      expect(owlqn.reason).toBe('tol');
      expect(ista.reason).toBe('tol');
      expect(maxAbsDiff(owlqn.x, ista.x)).toBeLessThan(1e-5);
      expect(owlqn.x[0]).not.toBe(0);
      counts.push(nonZeros(owlqn.x));
    }
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeLessThanOrEqual(counts[i - 1]!);
    expect(counts[counts.length - 1]).toBeLessThan(counts[0]!);
  });

  it('moves every coordinate only downhill: no step component agrees in sign with the pseudo-gradient', async () => {
    const data = logisticData(300, 10, 3, 5);
    const objective = logisticObjective(data, 0);
    const weights = new Float64Array(data.cols).fill(0.01);
    weights[0] = 0;
    const trials: Float64Array[] = [];
    const r = await minimizeLbfgs(async (x) => (trials.push(x), objective(x)), new Float64Array(data.cols).fill(0.5), { l1: weights, gradTol: 1e-9, valueTol: 0 });
    expect(r.reason).toBe('tol');
    // The accepted point of each iteration is its last trial.
    const accepted = r.history.map((h) => trials[h.evaluations - 1]!);
    let checked = 0;
    for (let k = 0; k + 1 < accepted.length; k++) {
      const pg = pseudoGradient(accepted[k]!, objective(accepted[k]!).grad, weights);
      accepted[k + 1]!.forEach((v, i) => {
        const move = v - accepted[k]![i]!;
        if (move !== 0) checked++;
        expect(move * pg[i]!).toBeLessThanOrEqual(0);
      });
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('with l1 = 0 runs plain L-BFGS, bit for bit', async () => {
    const { fn } = spdQuadratic(5, 2);
    const a = await minimizeLbfgs(counted(fn).f, new Float64Array(5), { l1: 0 });
    const b = await minimizeLbfgs(counted(fn).f, new Float64Array(5));
    expect(a.x).toEqual(b.x);
    expect(a.evaluations).toBe(b.evaluations);
  });
});

describe('minimizeLbfgs run control', () => {
  it('is deterministic: two runs are bit-identical, smooth and with L1', async () => {
    const data = logisticData(200, 8, 3, 9);
    for (const l1 of [undefined, 0.01]) {
      const options = l1 === undefined ? {} : { l1 };
      const a = await minimizeLbfgs(counted(logisticObjective(data, 0.001)).f, new Float64Array(data.cols), options);
      const b = await minimizeLbfgs(counted(logisticObjective(data, 0.001)).f, new Float64Array(data.cols), options);
      expect(new Uint8Array(a.x.buffer)).toEqual(new Uint8Array(b.x.buffer));
      expect(Object.is(a.value, b.value)).toBe(true);
      expect(a.history).toEqual(b.history);
    }
  });

  it('respects maxIter, including 0', async () => {
    const r = await minimizeLbfgs(counted(rosenbrock).f, rosenbrockStart(2), { maxIter: 3 });
    expect(r).toMatchObject({ iterations: 3, reason: 'maxIter', converged: false });
    expect(r.history.map((h) => h.iteration)).toEqual([0, 1, 2, 3]);
    const zero = await minimizeLbfgs(counted(rosenbrock).f, rosenbrockStart(2), { maxIter: 0 });
    expect(zero).toMatchObject({ iterations: 0, evaluations: 1, reason: 'maxIter' });
    expect(zero.x).toEqual(rosenbrockStart(2));
  });

  it('stops when onIteration returns false (or a promise of false), with reason "stopped"', async () => {
    const seen: number[] = [];
    const r = await minimizeLbfgs(counted(rosenbrock).f, rosenbrockStart(2), {
      onIteration: (rec) => {
        seen.push(rec.iteration);
        return rec.iteration < 2;
      },
    });
    expect(r).toMatchObject({ iterations: 2, reason: 'stopped', converged: false });
    expect(seen).toEqual([0, 1, 2]);
    const asyncStop = await minimizeLbfgs(counted(rosenbrock).f, rosenbrockStart(2), { onIteration: async (rec) => rec.iteration !== 4 });
    expect(asyncStop).toMatchObject({ iterations: 4, reason: 'stopped' });
  });

  it('rejects with "cancelled" when the signal aborts between evaluations, and evaluates no further', async () => {
    const controller = new AbortController();
    let calls = 0;
    const f: Objective = async (x) => {
      if (++calls === 5) controller.abort(new Error('user pressed stop'));
      return rosenbrock(x);
    };
    const e = await rejection(minimizeLbfgs(f, rosenbrockStart(2), { signal: controller.signal }));
    expect(e.code).toBe('cancelled');
    expect(e.message).toMatch(/minimizeLbfgs: cancelled .* after 5 objective evaluations/);
    expect(calls).toBe(5);
  });

  it('rejects with "cancelled" at once when aborted during an evaluation that never finishes', async () => {
    const controller = new AbortController();
    let calls = 0;
    const f: Objective = (x) => (++calls === 3 ? new Promise(() => {}) : Promise.resolve(rosenbrock(x)));
    const run = minimizeLbfgs(f, rosenbrockStart(2), { signal: controller.signal });
    await expect.poll(() => calls).toBe(3);
    controller.abort();
    expect((await rejection(run)).code).toBe('cancelled');
  });

  it('rejects with "cancelled" without evaluating when the signal is already aborted', async () => {
    const { f, calls } = counted(rosenbrock);
    const e = await rejection(minimizeLbfgs(f, rosenbrockStart(2), { signal: AbortSignal.abort() }));
    expect(e.code).toBe('cancelled');
    expect(calls()).toBe(0);
  });
});

describe('minimizeLbfgs with broken objectives and arguments', () => {
  it('rejects with bad-input when the objective is NaN at x0', async () => {
    const f: Objective = async () => ({ value: NaN, grad: new Float64Array(2) });
    const e = await rejection(minimizeLbfgs(f, new Float64Array(2)));
    expect(e.code).toBe('bad-input');
    expect(e.message).toMatch(/minimizeLbfgs: the objective returned NaN or ±Infinity at x0 \(value NaN\)/);
  });

  it('rejects with bad-input, after a bounded number of evaluations, when it is NaN everywhere but x0', async () => {
    let calls = 0;
    const f: Objective = async (x) => (calls++ === 0 ? rosenbrock(x) : { value: NaN, grad: new Float64Array(2).fill(NaN) });
    const e = await rejection(minimizeLbfgs(f, rosenbrockStart(2), { maxLineSearch: 7 }));
    expect(e.code).toBe('bad-input');
    expect(e.message).toMatch(/every trial point of the line search of iteration 1/);
    expect(calls).toBe(1 + 7);
  });

  it('treats NaN at a trial point as a step too long and still converges', async () => {
    // NaN away from the optimum, as an unguarded exp overflowing would give; the first trial step
    // (unit length from x0) lands there.
    let nans = 0;
    const f: Objective = async (x) => {
      const [a, b] = [x[0]! - 1, x[1]! + 2];
      if (Math.abs(a) > 0.5 || Math.abs(b) > 0.4) return nans++, { value: NaN, grad: new Float64Array([NaN, NaN]) };
      return { value: a * a + 10 * b * b, grad: new Float64Array([2 * a, 20 * b]) };
    };
    const r = await minimizeLbfgs(f, new Float64Array([1.2, -1.7]), TIGHT);
    expect(nans).toBeGreaterThan(0);
    expect(r.reason).toBe('tol');
    expect(maxAbsDiff(r.x, new Float64Array([1, -2]))).toBeLessThan(1e-9);
  });

  it('stops with reason "line-search" when the gradient contradicts the value', async () => {
    const f: Objective = async (x) => {
      const r = rosenbrock(x);
      return { value: r.value, grad: r.grad.map((g) => -g) };
    };
    const r = await minimizeLbfgs(f, rosenbrockStart(2), { maxLineSearch: 5 });
    expect(r).toMatchObject({ reason: 'line-search', converged: false, iterations: 0 });
    expect(r.evaluations).toBeLessThanOrEqual(1 + 5);
  });

  it('retries once from steepest descent when the quasi-Newton direction fails, then stops', async () => {
    const { fn } = spdQuadratic(6, 3);
    let broken = false; // From iteration 3 on, the gradient points the wrong way.
    const f: Objective = async (x) => {
      const r = fn(x);
      return broken ? { value: r.value, grad: r.grad.map((g) => -g) } : r;
    };
    const r = await minimizeLbfgs(f, new Float64Array(6).fill(2), { maxLineSearch: 5, onIteration: (rec) => void (broken ||= rec.iteration === 3) });
    expect(r.reason).toBe('line-search');
    expect(r.iterations).toBeGreaterThan(3);
    // Two failed searches of 5 trials each after the last accepted point: L-BFGS, then reset.
    expect(r.evaluations - r.history.at(-1)!.evaluations).toBe(10);
  });

  it('passes errors thrown by the objective through unchanged', async () => {
    const lost = new FabricError('worker-lost', 'slot 3 went away');
    const f: Objective = async () => {
      throw lost;
    };
    await expect(minimizeLbfgs(f, new Float64Array(2))).rejects.toBe(lost);
  });

  it('copies the gradient, so an objective may reuse one buffer for every call', async () => {
    const { fn, solution } = spdQuadratic(10, 4);
    const shared = new Float64Array(10);
    const f: Objective = async (x) => {
      const r = fn(x);
      shared.set(r.grad);
      return { value: r.value, grad: shared };
    };
    const r = await minimizeLbfgs(f, new Float64Array(10), TIGHT);
    expect(maxAbsDiff(r.x, solution)).toBeLessThan(1e-8);
  });

  it('rejects bad arguments with bad-input and a message that names them', async () => {
    const f = counted(rosenbrock).f;
    const cases: [Promise<unknown>, RegExp][] = [
      [minimizeLbfgs(f, new Float64Array(0)), /x0 is empty/],
      [minimizeLbfgs(f, new Float64Array([1, NaN])), /x0\[1\] is NaN/],
      [minimizeLbfgs(f, new Float64Array(2), { maxIter: -1 }), /options.maxIter must be an integer ≥ 0; received -1/],
      [minimizeLbfgs(f, new Float64Array(2), { memory: 0 }), /options.memory must be an integer ≥ 1/],
      [minimizeLbfgs(f, new Float64Array(2), { tol: NaN }), /options.tol must be a finite number ≥ 0/],
      [minimizeLbfgs(f, new Float64Array(2), { l1: -1 }), /options.l1 must be a finite number ≥ 0/],
      [minimizeLbfgs(f, new Float64Array(2), { l1: new Float64Array(3) }), /options.l1 has 3 weights but x0 has 2 parameters/],
      [minimizeLbfgs(async () => ({ value: 1, grad: new Float64Array(3) }), new Float64Array(2)), /gradient of length 3 for 2 parameters/],
    ];
    for (const [run, message] of cases) {
      const e = await rejection(run);
      expect(e.code).toBe('bad-input');
      expect(e.message).toMatch(message);
    }
  });
});
