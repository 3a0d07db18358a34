/**
 * Test problems with known optima for the optimizer tests (`*.test.ts` beside this file): a seeded
 * generator, SPD quadratics, Rosenbrock, L2-logistic regression with a Newton reference solver,
 * and an orthonormal lasso design. Plain synchronous math, written independently of the optimizers.
 *
 * @module
 */
import { seededRandom } from '../../kernels/random';
import { expect } from 'vitest';
import { FabricError } from '../../protocol/errors';
import type { Objective, ObjectiveResult } from './types';

/** A seeded generator, so every failure reproduces. */
export { seededRandom };

/** A standard normal draw by Box–Muller from a uniform generator. */
export function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Wraps a synchronous objective as an async one and counts its calls. */
export function counted(fn: (x: Float64Array) => ObjectiveResult): { f: Objective; calls: () => number } {
  let calls = 0;
  return { f: async (x) => (calls++, fn(x)), calls: () => calls };
}

/** Solves A·x = b for symmetric positive definite A (n×n, row-major) by Cholesky. */
export function solveSpd(a: Float64Array, b: Float64Array): Float64Array {
  const n = b.length;
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(s) : s / l[j * n + j]!;
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * z[k]!;
    z[i] = s / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}

/** A quadratic ½xᵀAx − bᵀx with A = MᵀM/n + 0.1·I (SPD, eigenvalues in about [0.1, 4]) and its minimiser A⁻¹b. */
export function spdQuadratic(n: number, seed: number): { fn: (x: Float64Array) => ObjectiveResult; solution: Float64Array } {
  const r = seededRandom(seed);
  const m = Float64Array.from({ length: n * n }, () => normal(r));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += m[k * n + i]! * m[k * n + j]!;
      a[i * n + j] = s / n + (i === j ? 0.1 : 0);
    }
  }
  const b = Float64Array.from({ length: n }, () => normal(r));
  const fn = (x: Float64Array): ObjectiveResult => {
    const grad = new Float64Array(n);
    let value = 0;
    for (let i = 0; i < n; i++) {
      let ax = 0;
      for (let j = 0; j < n; j++) ax += a[i * n + j]! * x[j]!;
      grad[i] = ax - b[i]!;
      value += 0.5 * x[i]! * ax - b[i]! * x[i]!;
    }
    return { value, grad };
  };
  return { fn, solution: solveSpd(a, b) };
}

/** Moré, Garbow & Hillstrom's extended Rosenbrock (n even): Σ 100(x₂ᵢ − x₂ᵢ₋₁²)² + (1 − x₂ᵢ₋₁)², minimum 0 at all ones. */
export function rosenbrock(x: Float64Array): ObjectiveResult {
  const grad = new Float64Array(x.length);
  let value = 0;
  for (let i = 0; i + 1 < x.length; i += 2) {
    const u = x[i]!;
    const v = x[i + 1]!;
    const t = v - u * u;
    value += 100 * t * t + (1 - u) * (1 - u);
    grad[i] = -400 * u * t - 2 * (1 - u);
    grad[i + 1] = 200 * t;
  }
  return { value, grad };
}

/** The standard start of extended Rosenbrock: (−1.2, 1, −1.2, 1, …). */
export function rosenbrockStart(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
}

/** Rows with a leading 1 (the intercept, parameter 0) and 0/1 labels drawn from a logistic model. */
export interface LogisticData {
  readonly rows: number;
  readonly cols: number;
  /** rows × cols, row-major, column 0 all ones. */
  readonly features: Float64Array;
  readonly labels: Float64Array;
}

/** Deterministic logistic data: `informative` features carry signal, the rest are noise. */
export function logisticData(rows: number, features: number, informative: number, seed: number): LogisticData {
  const r = seededRandom(seed);
  const cols = features + 1;
  const x = new Float64Array(rows * cols);
  const labels = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    x[i * cols] = 1;
    let z = 0.3;
    for (let j = 1; j < cols; j++) {
      const v = normal(r);
      x[i * cols + j] = v;
      if (j <= informative) z += (j % 2 === 0 ? -1.5 : 1.5) * v;
    }
    labels[i] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { rows, cols, features: x, labels };
}

/** Mean log loss + (λ/2)‖w‖² over every parameter but the intercept, with its gradient. */
export function logisticObjective(data: LogisticData, lambda: number): (w: Float64Array) => ObjectiveResult {
  const { rows, cols, features, labels } = data;
  return (w) => {
    const grad = new Float64Array(cols);
    let value = 0;
    for (let i = 0; i < rows; i++) {
      let z = 0;
      for (let j = 0; j < cols; j++) z += features[i * cols + j]! * w[j]!;
      value += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - labels[i]! * z;
      const residual = 1 / (1 + Math.exp(-z)) - labels[i]!;
      for (let j = 0; j < cols; j++) grad[j] = grad[j]! + residual * features[i * cols + j]!;
    }
    value /= rows;
    for (let j = 0; j < cols; j++) grad[j] = grad[j]! / rows + (j > 0 ? lambda * w[j]! : 0);
    for (let j = 1; j < cols; j++) value += 0.5 * lambda * w[j]! * w[j]!;
    return { value, grad };
  };
}

/** The L2-logistic optimum by Newton's method with exact Hessians, iterated to float64 precision. */
export function newtonLogistic(data: LogisticData, lambda: number): Float64Array {
  const { rows, cols, features } = data;
  const objective = logisticObjective(data, lambda);
  const w = new Float64Array(cols);
  for (let iter = 0; iter < 50; iter++) {
    const { grad } = objective(w);
    const h = new Float64Array(cols * cols);
    for (let i = 0; i < rows; i++) {
      let z = 0;
      for (let j = 0; j < cols; j++) z += features[i * cols + j]! * w[j]!;
      const p = 1 / (1 + Math.exp(-z));
      const weight = (p * (1 - p)) / rows;
      for (let j = 0; j < cols; j++) {
        for (let k = 0; k < cols; k++) h[j * cols + k] = h[j * cols + k]! + weight * features[i * cols + j]! * features[i * cols + k]!;
      }
    }
    for (let j = 1; j < cols; j++) h[j * cols + j] = h[j * cols + j]! + lambda;
    const step = solveSpd(h, grad);
    let size = 0;
    for (let j = 0; j < cols; j++) {
      w[j] = w[j]! - step[j]!;
      size = Math.max(size, Math.abs(step[j]!));
    }
    if (size < 1e-15) break;
  }
  return w;
}

/** An n×p design with orthonormal columns (Gram–Schmidt twice on random normals). */
export function orthonormalDesign(n: number, p: number, seed: number): Float64Array {
  const r = seededRandom(seed);
  const q = Float64Array.from({ length: n * p }, () => normal(r));
  for (let j = 0; j < p; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i * p + j]! * q[i * p + k]!;
        for (let i = 0; i < n; i++) q[i * p + j] = q[i * p + j]! - d * q[i * p + k]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * p + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) q[i * p + j] = q[i * p + j]! / norm;
  }
  return q;
}

/** Least squares ½‖y − Xw‖² for row-major X (n×p), with its gradient Xᵀ(Xw − y). */
export function leastSquares(x: Float64Array, y: Float64Array, p: number): (w: Float64Array) => ObjectiveResult {
  const n = y.length;
  return (w) => {
    const grad = new Float64Array(p);
    let value = 0;
    for (let i = 0; i < n; i++) {
      let residual = -y[i]!;
      for (let j = 0; j < p; j++) residual += x[i * p + j]! * w[j]!;
      value += 0.5 * residual * residual;
      for (let j = 0; j < p; j++) grad[j] = grad[j]! + residual * x[i * p + j]!;
    }
    return { value, grad };
  };
}

/** Largest |aᵢ − bᵢ|. */
export function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The FabricError a promise rejects with (the test fails if it resolves or rejects otherwise). */
export async function rejection(p: Promise<unknown>): Promise<FabricError> {
  const e: unknown = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(FabricError);
  return e as FabricError;
}
