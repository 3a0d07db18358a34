/**
 * Seeded random grouped rows for the Gram kernel tests, the fitGroups benchmark and a backend
 * probe: each group gets its own hidden linear model, like the talk's IoT devices, so per-group
 * fits have something to recover. Deterministic, so a failing case can be rerun exactly.
 */
import { seededRandom } from './random';
import type { GroupedRows } from './gram';

/** What to generate. */
export interface RandomGroupsSpec {
  /** Rows of each group, in order (0 makes an empty group). */
  readonly sizes: readonly number[];
  /** Feature columns p, including the intercept column when `intercept` is set. */
  readonly cols: number;
  readonly seed: number;
  /** Make column 0 a column of ones (default true). */
  readonly intercept?: boolean;
  /** Standard deviation of the noise added to y (default 0.5). */
  readonly noise?: number;
  /** Added to every y, to test cancellation in yᵀy − (Σy)²/n (default 3). */
  readonly yOffset?: number;
}

/** Random rows plus the hidden coefficients of each group (groups × cols, row-major). */
export interface RandomGroups extends GroupedRows {
  readonly coefficients: Float64Array;
}

/** Standard normal by Box–Muller. */
function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * Rows with features uniform on [-1.7, 1.7] (about unit variance, as standardized features are)
 * plus a per-group shift, and y = x·β_g + yOffset + noise with β_g uniform on [-2, 2] per group.
 */
export function randomGroupedRows(spec: RandomGroupsSpec): RandomGroups {
  const { sizes, cols: p, seed } = spec;
  const intercept = spec.intercept ?? true;
  const noise = spec.noise ?? 0.5;
  const yOffset = spec.yOffset ?? 3;
  const rand = seededRandom(seed);
  const groups = sizes.length;
  const groupStart = new Int32Array(groups + 1);
  sizes.forEach((n, g) => (groupStart[g + 1] = groupStart[g]! + n));
  const rows = groupStart[groups]!;
  const x = new Float32Array(rows * p);
  const y = new Float64Array(rows);
  const coefficients = new Float64Array(groups * p);
  for (let g = 0; g < groups; g++) {
    for (let c = 0; c < p; c++) coefficients[g * p + c] = rand() * 4 - 2;
    const shift = rand() - 0.5;
    for (let r = groupStart[g]!; r < groupStart[g + 1]!; r++) {
      let z = yOffset;
      for (let c = 0; c < p; c++) {
        const v = intercept && c === 0 ? 1 : Math.fround((rand() * 2 - 1) * 1.7 + shift);
        x[r * p + c] = v;
        z += coefficients[g * p + c]! * v;
      }
      y[r] = z + noise * normal(rand);
    }
  }
  return { rows, cols: p, x, y, groupStart, coefficients };
}
