/**
 * Test support, not part of the app: an independent float64 per-group least-squares reference.
 * It accumulates each group's normal equations row by row through Arrow's own accessors and
 * solves them by Gaussian elimination with partial pivoting, sharing no code with fitGroups (its
 * Gram kernels and Cholesky solve). Used by the unit tests and the e2e test of fitGroups.
 */
import type { Table } from 'apache-arrow';

/** One group's sums. */
export interface NormalEquations {
  readonly xtx: number[][];
  readonly xty: number[];
  n: number;
}

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

/** Hour of day (UTC) of a timestamp in milliseconds. */
export function hourOf(ms: number): number {
  return Math.floor((ms - Math.floor(ms / MS_PER_DAY) * MS_PER_DAY) / MS_PER_HOUR);
}

/** flights-3m's per-origin features as fitGroups builds them: float32 distance, hour, intercept. */
export function flightsDistanceHour(t: Table): (i: number) => number[] {
  const distance = t.getChild('distance')!;
  const date = t.getChild('date')!;
  return (i) => [Math.fround(Number(distance.get(i))), hourOf(Number(date.get(i))), 1];
}

/** Sums XᵀX and Xᵀy per key over `tables`, with x from `features(table)(row)` and y from column `target`. */
export function groupNormalEquations(tables: readonly Table[], key: string, target: string, features: (t: Table) => (i: number) => number[]): Map<string, NormalEquations> {
  const acc = new Map<string, NormalEquations>();
  for (const t of tables) {
    const keys = t.getChild(key)!;
    const y = t.getChild(target)!;
    const xOf = features(t);
    for (let i = 0; i < t.numRows; i++) {
      const k = String(keys.get(i));
      const x = xOf(i);
      let a = acc.get(k);
      if (!a) acc.set(k, (a = { xtx: x.map(() => x.map(() => 0)), xty: x.map(() => 0), n: 0 }));
      const yi = Number(y.get(i));
      for (let j = 0; j < x.length; j++) {
        a.xty[j]! += x[j]! * yi;
        for (let c = 0; c < x.length; c++) a.xtx[j]![c]! += x[j]! * x[c]!;
      }
      a.n++;
    }
  }
  return acc;
}

/** Solves A x = b (float64) by Gaussian elimination with partial pivoting. */
export function gaussSolve(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/** The variance of column j (intercept last) from the sums: 0 when the column is constant in the group. */
export function columnSpread(a: NormalEquations, j: number): number {
  const last = a.xty.length - 1;
  return a.xtx[j]![j]! / a.n - (a.xtx[j]![last]! / a.n) ** 2;
}
