import { afterAll, describe, expect, it } from 'vitest';
import { FabricError } from '../protocol/errors';
import { gramCpu, gramOfGroup } from '../kernels/gram';
import { randomGroupedRows } from '../kernels/random-groups';
import { seededRandom } from '../kernels/random';
import { factorSpd, solveSpd } from './cholesky';
import { r2, rmse } from './metrics';
import { olsFromGram } from './ols-from-gram';
import { gramGpu } from '../kernels/gram-runner';
import { openNodeWebGpu } from '../kernels/node-webgpu';
import type { GroupedRows } from '../kernels/gram';

const { device, reason } = await openNodeWebGpu();

/** Gaussian elimination with partial pivoting on a copy: the independent reference. */
function gaussSolve(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const m = Array.from({ length: p }, (_, i) => [...a.subarray(i * p, i * p + p), b[i]!]);
  for (let c = 0; c < p; c++) {
    let best = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[best]![c]!)) best = r;
    [m[c], m[best]] = [m[best]!, m[c]!];
    for (let r = c + 1; r < p; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= p; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = m[i]![p]!;
    for (let k = i + 1; k < p; k++) s -= m[i]![k]! * x[k]!;
    x[i] = s / m[i]![i]!;
  }
  return x;
}

/** min ‖Aβ − b‖ by Householder QR of the rows themselves (never forming AᵀA), in float64. */
function leastSquares(rows: number[][], b: number[]): Float64Array {
  const a = rows.map((r) => [...r]);
  const y = [...b];
  const n = a.length;
  const p = a[0]!.length;
  for (let c = 0; c < p; c++) {
    let norm = 0;
    for (let r = c; r < n; r++) norm += a[r]![c]! ** 2;
    norm = Math.sqrt(norm) * (a[c]![c]! > 0 ? -1 : 1);
    const v = a.map((row, r) => (r < c ? 0 : row[c]! - (r === c ? norm : 0)));
    const vv = v.reduce((s, t) => s + t * t, 0);
    const reflect = (col: (r: number) => number, set: (r: number, val: number) => void) => {
      let dot = 0;
      for (let r = c; r < n; r++) dot += v[r]! * col(r);
      for (let r = c; r < n; r++) set(r, col(r) - (2 * dot * v[r]!) / vv);
    };
    for (let k = c; k < p; k++) reflect((r) => a[r]![k]!, (r, val) => (a[r]![k] = val));
    reflect((r) => y[r]!, (r, val) => (y[r] = val));
  }
  const beta = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < p; k++) s -= a[i]![k]! * beta[k]!;
    beta[i] = s / a[i]![i]!;
  }
  return beta;
}

function relativeDiff(a: Float64Array, b: Float64Array): number {
  let num = 0;
  let den = 0;
  a.forEach((v, i) => ((num = Math.max(num, Math.abs(v - b[i]!))), (den = Math.max(den, Math.abs(b[i]!)))));
  return num / den;
}

function randomSpd(p: number, seed: number): { a: Float64Array; b: Float64Array } {
  const rand = seededRandom(seed);
  const m = Float64Array.from({ length: p * p }, () => rand() * 2 - 1);
  const a = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let s = i === j ? 0.1 : 0;
      for (let k = 0; k < p; k++) s += m[k * p + i]! * m[k * p + j]!;
      a[i * p + j] = s;
    }
  }
  return { a, b: Float64Array.from({ length: p }, () => rand() * 10 - 5) };
}

/** One group's rows as arrays of numbers, for the QR reference. */
function rowsOf(g: GroupedRows, k: number): { x: number[][]; y: number[] } {
  const x: number[][] = [];
  const y: number[] = [];
  for (let r = g.groupStart[k]!; r < g.groupStart[k + 1]!; r++) {
    x.push(Array.from(g.x.subarray(r * g.cols, (r + 1) * g.cols)));
    y.push(g.y[r]!);
  }
  return { x, y };
}

describe('solveSpd', () => {
  it.each([1, 2, 5, 13, 64])('matches Gaussian elimination to 1e-10 on random SPD systems, p = %i', (p) => {
    for (let seed = 0; seed < 5; seed++) {
      const { a, b } = randomSpd(p, 100 * p + seed);
      const got = solveSpd(a, b, p);
      if (!('x' in got)) throw new Error(got.reason);
      expect(relativeDiff(got.x, gaussSolve(a, b, p))).toBeLessThan(1e-10);
    }
  });

  it('adds the ridge to the masked diagonal only', () => {
    const { a, b } = randomSpd(6, 7);
    const mask = [0, 1, 1, 0.5, 1, 1];
    const got = solveSpd(a, b, 6, { ridge: 0.7, ridgeMask: mask });
    const ridged = a.slice();
    mask.forEach((m, i) => (ridged[i * 6 + i]! += 0.7 * m));
    if (!('x' in got)) throw new Error(got.reason);
    expect(relativeDiff(got.x, gaussSolve(ridged, b, 6))).toBeLessThan(1e-10);
  });

  it('reports a duplicated column, a constant column beside the intercept, a zero column and NaN', () => {
    const g = randomGroupedRows({ sizes: [50], cols: 4, seed: 3 });
    const x = Float32Array.from(g.x);
    for (let r = 0; r < 50; r++) x[r * 4 + 3] = x[r * 4 + 1]!;
    const dup = gramCpu({ ...g, x }).xtx;
    expect(solveSpd(dup, new Float64Array(4), 4)).toMatchObject({ singular: true, pivot: 3 });
    const dupResult = solveSpd(dup, new Float64Array(4), 4);
    expect('reason' in dupResult && dupResult.reason).toMatch(/^column 3 is \(nearly\) a linear combination of the columns before it: its pivot is .* of its diagonal \(tolerance 1e-10\)$/);
    // Ridge on that column makes it solvable.
    expect('x' in solveSpd(dup, new Float64Array(4), 4, { ridge: 1e-3, ridgeMask: [0, 1, 1, 1] })).toBe(true);
    for (let r = 0; r < 50; r++) x[r * 4 + 2] = 2001;
    expect(factorSpd(gramCpu({ ...g, x }).xtx, 4)).toMatchObject({ singular: true, pivot: 2 });
    const zero = Float64Array.of(1, 0, 0, 0);
    expect(solveSpd(zero, Float64Array.of(1, 1), 2)).toEqual({ singular: true, pivot: 1, reason: 'column 1 is all zeros' });
    const nan = Float64Array.of(1, NaN, NaN, 1);
    expect(solveSpd(nan, Float64Array.of(1, 1), 2)).toMatchObject({ singular: true, pivot: 1, reason: 'column 1: the matrix holds NaN or Infinity' });
  });

  it('rejects wrong shapes and options with the fix in the message', () => {
    const a = new Float64Array(4);
    expect(() => solveSpd(a, new Float64Array(2), 3)).toThrow(FabricError);
    expect(() => solveSpd(new Float64Array(9), new Float64Array(2), 3)).toThrow('solveSpd: b must be a Float64Array of p = 3 entries; received length 2.');
    expect(() => solveSpd(a, new Float64Array(2), 2, { ridgeMask: [1] })).toThrow('ridgeMask has 1 entries but p is 2; give one per coefficient (0 for the intercept).');
    expect(() => solveSpd(a, new Float64Array(2), 2, { ridge: -1 })).toThrow('ridge must be a finite number ≥ 0; received -1.');
  });
});

describe('olsFromGram', () => {
  const g = randomGroupedRows({ sizes: [40, 500, 7, 3000], cols: 5, seed: 11, yOffset: 50 });
  const gram = gramCpu(g);

  it('equals a direct least-squares (QR) solve of the rows to 1e-9, with metrics from the residuals', () => {
    for (let k = 0; k < 4; k++) {
      const fit = olsFromGram(gramOfGroup(gram, k));
      expect(fit.status).toBe('ok');
      const { x, y } = rowsOf(g, k);
      expect(relativeDiff(fit.coefficients, leastSquares(x, y))).toBeLessThan(1e-9);
      const pred = Float64Array.from(x, (row) => row.reduce((s, v, c) => s + v * fit.coefficients[c]!, 0));
      const yt = Float64Array.from(y);
      expect(Math.abs(fit.rmse - rmse(yt, pred))).toBeLessThan(1e-9 * rmse(yt, pred));
      expect(Math.abs(fit.r2 - r2(yt, pred))).toBeLessThan(1e-9);
    }
  });

  it('recovers each group\'s hidden coefficients within the noise', () => {
    const fit = olsFromGram(gramOfGroup(gram, 3));
    // 3000 rows, noise 0.5, features of unit variance: standard errors about 0.01.
    fit.coefficients.forEach((b, c) => expect(Math.abs(b - g.coefficients[3 * 5 + c]! - (c === 0 ? 50 : 0))).toBeLessThan(0.06));
  });

  it('solves ridge as least squares on rows augmented with √(n·l2)·I, leaving the intercept free', () => {
    const mask = [0, 1, 1, 1, 1];
    const fit = olsFromGram(gramOfGroup(gram, 0), { l2: 0.3, ridgeMask: mask });
    const { x, y } = rowsOf(g, 0);
    const s = Math.sqrt(40 * 0.3);
    const augmented = [...x, ...mask.flatMap((m, i) => (m ? [Array.from({ length: 5 }, (_, j) => (i === j ? s : 0))] : []))];
    expect(relativeDiff(fit.coefficients, leastSquares(augmented, [...y, 0, 0, 0, 0]))).toBeLessThan(1e-9);
  });

  it('gives each status with its message', () => {
    expect(olsFromGram(gramOfGroup(gram, 2)).status).toBe('ok'); // 7 rows, 5 columns
    const few = randomGroupedRows({ sizes: [4, 5, 5], cols: 5, seed: 2 });
    const fewGram = gramCpu(few);
    expect(olsFromGram(gramOfGroup(fewGram, 0))).toMatchObject({
      status: 'too-few-rows',
      message: 'the group has 4 rows for 5 coefficients; it needs at least 6 without ridge. Merge small groups, use fewer features, or add ridge (l2 > 0).',
    });
    expect(olsFromGram(gramOfGroup(fewGram, 1)).status).toBe('too-few-rows');
    expect(olsFromGram(gramOfGroup(fewGram, 1), { l2: 0.1, ridgeMask: [0, 1, 1, 1, 1] }).status).toBe('ok');
    expect(olsFromGram(gramOfGroup(fewGram, 0), { l2: 0.1 }).status).toBe('too-few-rows');
    const x = Float32Array.from(g.x);
    for (let r = 0; r < 40; r++) x[r * 5 + 4] = x[r * 5 + 2]!;
    const dup = olsFromGram(gramOfGroup(gramCpu({ ...g, x }), 0));
    expect(dup.status).toBe('singular');
    expect(dup.message).toMatch(/^XᵀX is singular: column 4 is \(nearly\) a linear combination .* Drop that column, or add ridge \(l2 > 0\)\.$/);
    expect(dup.coefficients.every(Number.isNaN) && Number.isNaN(dup.rmse)).toBe(true);
    const y = Float64Array.from(g.y);
    y[3] = NaN;
    expect(olsFromGram(gramOfGroup(gramCpu({ ...g, y }), 0)).status).toBe('non-finite');
  });

  it('returns R² NaN for a constant target and an RSS never below 0', () => {
    const flat = randomGroupedRows({ sizes: [30], cols: 3, seed: 4, noise: 0 });
    const yConst = new Float64Array(30).fill(7);
    const fit = olsFromGram(gramOfGroup(gramCpu({ ...flat, y: yConst }), 0));
    expect(fit.status).toBe('ok');
    expect(fit.r2).toBeNaN();
    expect(fit.rss).toBeGreaterThanOrEqual(0);
    expect(fit.coefficients[0]).toBeCloseTo(7, 10);
    const exact = olsFromGram(gramOfGroup(gramCpu(flat), 0)); // noise 0: y is exactly linear
    expect(exact.rss).toBeGreaterThanOrEqual(0);
    expect(exact.rmse).toBeLessThan(1e-6);
  });
});

describe('olsFromGram on every Gram backend', () => {
  afterAll(() => device?.destroy());

  it.skipIf(device)(`webgpu: skipped, ${reason}`, () => undefined);

  it.runIf(device)(`gives the CPU's coefficients to 1e-9 from the WebGPU Gram (${reason})`, async () => {
    const sizes = Array.from({ length: 229 }, (_, k) => [9, 40, 300, 2500][k % 4]!);
    const g = randomGroupedRows({ sizes, cols: 8, seed: 21, yOffset: 20 });
    const [cpu, gpu] = [gramCpu(g), await gramGpu(device!, g)];
    for (let k = 0; k < sizes.length; k++) {
      const want = olsFromGram(gramOfGroup(cpu, k));
      const got = olsFromGram(gramOfGroup(gpu, k));
      expect(got.status).toBe('ok');
      expect(relativeDiff(got.coefficients, want.coefficients)).toBeLessThan(1e-9);
      expect(Math.abs(got.r2 - want.r2)).toBeLessThan(1e-9);
    }
  });
});
