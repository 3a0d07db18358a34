import { describe, expect, it } from 'vitest';
import { adam } from './adam';
import { minimizeGd } from './gd';
import { minimizeLbfgs } from './lbfgs';
import type { OptimizerState } from './state';
import { logisticData, logisticObjective, rejection, rosenbrock, rosenbrockStart, seededRandom } from './test-problems';
import type { MinimizeOptions, MinimizeResult, Objective } from './types';

type Minimize = (f: Objective, x0: Float64Array, options: MinimizeOptions) => Promise<MinimizeResult>;

/** A structured clone, as IndexedDB stores a checkpoint: nothing but data survives. */
const throughStorage = (s: OptimizerState): OptimizerState => structuredClone(s);

/**
 * Runs uninterrupted, then again capturing the state after `k` accepted steps, "crashes" there,
 * and continues from the stored state: the continued run must equal the uninterrupted one bit for bit.
 */
async function interruptAndResume(minimize: Minimize, f: Objective, x0: Float64Array, options: MinimizeOptions, k: number): Promise<{ whole: MinimizeResult; resumed: MinimizeResult }> {
  const whole = await minimize(f, x0, options);
  let saved: OptimizerState | undefined;
  const crash = new Error('simulated reload');
  await expect(minimize(f, x0, {
    ...options,
    onState: (capture) => {
      const s = capture();
      if (s.history.length - 1 === k) {
        saved = throughStorage(s);
        throw crash;
      }
    },
  })).rejects.toBe(crash);
  expect(saved, `a state after ${k} steps`).toBeDefined();
  const resumed = await minimize(f, x0, { ...options, resumeFrom: saved! });
  return { whole, resumed };
}

function expectSameRun(whole: MinimizeResult, resumed: MinimizeResult): void {
  expect(Array.from(resumed.x)).toEqual(Array.from(whole.x));
  expect(resumed.value).toBe(whole.value);
  expect(resumed.iterations).toBe(whole.iterations);
  expect(resumed.evaluations).toBe(whole.evaluations);
  expect(resumed.reason).toBe(whole.reason);
  expect(resumed.history).toEqual(whole.history);
}

describe('optimizer state: interrupt, store, resume', () => {
  const data = logisticData(400, 6, 4, 3);
  const logistic = (x: Float64Array) => Promise.resolve(logisticObjective(data, 1e-3)(x));
  const rosen = (x: Float64Array) => Promise.resolve(rosenbrock(x));

  it('L-BFGS on Rosenbrock continues bit for bit from a stored state (memory full and not)', async () => {
    for (const k of [1, 4, 17]) {
      const { whole, resumed } = await interruptAndResume(minimizeLbfgs, rosen, rosenbrockStart(4), { maxIter: 60, tol: 1e-10, memory: 5 } as MinimizeOptions, k);
      expect(whole.iterations).toBeGreaterThan(k);
      expectSameRun(whole, resumed);
    }
  });

  it('OWL-QN (L1) and gradient descent (smooth and proximal) continue bit for bit', async () => {
    const runs: [Minimize, MinimizeOptions][] = [
      [minimizeLbfgs, { maxIter: 40, tol: 1e-9, l1: 0.02 }],
      [minimizeGd, { maxIter: 40, tol: 1e-9 }],
      [minimizeGd, { maxIter: 40, tol: 1e-9, l1: 0.02 }],
    ];
    for (const [minimize, options] of runs) {
      const { whole, resumed } = await interruptAndResume(minimize, logistic, new Float64Array(7), options, 3);
      expect(whole.iterations).toBeGreaterThan(3);
      expectSameRun(whole, resumed);
    }
  });

  it('refuses a state of another optimizer or size with the reason', async () => {
    let saved: OptimizerState | undefined;
    await minimizeGd(logistic, new Float64Array(7), { maxIter: 2, onState: (c) => void (saved = c()) });
    const other = await rejection(minimizeLbfgs(logistic, new Float64Array(7), { resumeFrom: saved! }));
    expect(other.code).toBe('bad-input');
    expect(other.message).toMatch(/minimizeLbfgs: options.resumeFrom was captured by the gd optimizer, not lbfgs/);
    const size = await rejection(minimizeGd(logistic, new Float64Array(5), { resumeFrom: saved! }));
    expect(size.message).toMatch(/does not hold a finite point of 5 parameters/);
  });

  it('Adam continues its moments exactly from a stored state', () => {
    const r = seededRandom(5);
    const grads = Array.from({ length: 12 }, () => Float64Array.from({ length: 8 }, () => r() - 0.5));
    const whole = new Float64Array(8).fill(0.1);
    const a = adam(8, 0.01);
    for (const g of grads) a.step(whole, g);
    const w = new Float64Array(8).fill(0.1);
    const first = adam(8, 0.01);
    for (const g of grads.slice(0, 5)) first.step(w, g);
    const second = adam(8, 0.01, structuredClone(first.state()));
    for (const g of grads.slice(5)) second.step(w, g);
    expect(Array.from(w)).toEqual(Array.from(whole));
    expect(() => adam(9, 0.01, first.state())).toThrow(/moments of 9 weights/);
  });
});
