/**
 * Standard global-optimisation test functions for judging search algorithms, each with its space
 * (labels `x1`…, `x0`…), an objective taking a {@link Point}, and its known minimum. Definitions and
 * minima from Surjanovic & Bingham's Virtual Library of Simulation Experiments (sfu.ca/~ssurjano).
 *
 * @module
 */
import { hp } from './space.ts';
import type { Point, Space } from './space.ts';
import { valueOf } from './space-types.ts';

/** The value of `label` in `point` as a number; throws bad-input naming the label if absent. */
function x(point: Point, label: string, fn: string): number {
  return valueOf(`${fn}(point)`, point, label);
}

/** Branin's space: x1 ∈ [−5, 10], x2 ∈ [0, 15]. */
export const braninSpace: Space = { x1: hp.uniform('x1', -5, 10), x2: hp.uniform('x2', 0, 15) };

/** Branin's global minimum value, reached at (−π, 12.275), (π, 2.275) and (9.42478, 2.475). */
export const BRANIN_MIN = 0.397887;

/**
 * The Branin–Hoo function a(x2 − b·x1² + c·x1 − r)² + s(1 − t)·cos(x1) + s with the standard
 * constants a = 1, b = 5.1/(4π²), c = 5/π, r = 6, s = 10, t = 1/(8π).
 */
export function branin(point: Point): number {
  const x1 = x(point, 'x1', 'branin');
  const x2 = x(point, 'x2', 'branin');
  const b = 5.1 / (4 * Math.PI * Math.PI);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}

/** Hartmann-6's space: x1…x6 ∈ [0, 1]. */
export const hartmann6Space: Space = Object.fromEntries(
  [1, 2, 3, 4, 5, 6].map((i) => [`x${i}`, hp.uniform(`x${i}`, 0, 1)]),
);

/** Hartmann-6's global minimum, at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573). */
export const HARTMANN6_MIN = -3.32237;

// The standard constants of the 6-d Hartmann function (not tuned).
const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));

/** The 6-d Hartmann function −Σᵢ αᵢ exp(−Σⱼ Aᵢⱼ (xⱼ − Pᵢⱼ)²) on [0, 1]⁶. */
export function hartmann6(point: Point): number {
  const xs = [1, 2, 3, 4, 5, 6].map((i) => x(point, `x${i}`, 'hartmann6'));
  let total = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += H_A[i]![j]! * (xs[j]! - H_P[i]![j]!) ** 2;
    total += H_ALPHA[i]! * Math.exp(-inner);
  }
  return -total;
}

/**
 * The fixed centre of {@link quadratic10}: spread over [−4.2, 3.1] and away from 0 so that the
 * centre of the box (the prior's mean) is not already the answer.
 */
export const QUADRATIC10_OFFSETS: readonly number[] = [1.5, -2.0, 3.1, -0.7, 0.4, -3.3, 2.2, -1.1, 0.9, -4.2];

/** The 10-d quadratic's space: x0…x9 ∈ [−5, 5]. */
export const quadratic10Space: Space = Object.fromEntries(
  QUADRATIC10_OFFSETS.map((_, i) => [`x${i}`, hp.uniform(`x${i}`, -5, 5)]),
);

/** The 10-d quadratic's minimum, at x = {@link QUADRATIC10_OFFSETS}. */
export const QUADRATIC10_MIN = 0;

/** Σᵢ (xᵢ − cᵢ)² over ten dimensions with c = {@link QUADRATIC10_OFFSETS}. */
export function quadratic10(point: Point): number {
  let total = 0;
  for (let i = 0; i < QUADRATIC10_OFFSETS.length; i++) total += (x(point, `x${i}`, 'quadratic10') - QUADRATIC10_OFFSETS[i]!) ** 2;
  return total;
}

/** A test function with what a benchmark needs: name, space, objective and known minimum. */
export interface TestFunction {
  readonly name: string;
  readonly space: Space;
  readonly objective: (point: Point) => number;
  readonly minimum: number;
}

/** The three test functions, for loops in tests and benchmarks. */
export const TEST_FUNCTIONS: readonly TestFunction[] = [
  { name: 'branin', space: braninSpace, objective: branin, minimum: BRANIN_MIN },
  { name: 'hartmann6', space: hartmann6Space, objective: hartmann6, minimum: HARTMANN6_MIN },
  { name: 'quadratic10', space: quadratic10Space, objective: quadratic10, minimum: QUADRATIC10_MIN },
];
