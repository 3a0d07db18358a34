/**
 * Comparing two runs' numbers: the sample check (single-node against distributed) and a rerun
 * after a fault demo (against the run before it). Plain words for the verdict, so the class reads
 * "agree", not a colour.
 */

/**
 * Largest difference, relative to the value's size where that is above 1, at which two runs still
 * agree. Runs of the same job differ only in floating-point rounding (partial sums are combined in
 * partition order, DESIGN.md), which stays many orders below this; a real disagreement (a lost
 * partition, a wrong gradient) is far above it.
 */
export const AGREE_TOLERANCE = 1e-6;

/** What a comparison found. */
export interface Comparison {
  readonly agree: boolean;
  /** Largest scaled difference; Infinity when the shapes or the NaNs differ. */
  readonly maxDifference: number;
  readonly count: number;
}

/** Compares two runs value by value; NaN matches NaN (a group that could not be fitted, twice). */
export function compareRuns(a: ArrayLike<number>, b: ArrayLike<number>): Comparison {
  if (a.length !== b.length) return { agree: false, maxDifference: Infinity, count: Math.max(a.length, b.length) };
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) return { agree: false, maxDifference: Infinity, count: a.length };
      continue;
    }
    const d = Math.abs(x - y) / Math.max(1, Math.abs(x));
    if (d > max) max = d;
  }
  return { agree: max <= AGREE_TOLERANCE, maxDifference: max, count: a.length };
}

/** "agree (max difference 3.1e-12)", "agree exactly", or "differ (max difference 0.02)". */
export function verdictText(c: Comparison): string {
  if (c.maxDifference === Infinity) return `differ: the results have different shapes or missing values (${c.count} values)`;
  if (c.maxDifference === 0) return `agree exactly (${c.count} values, max difference 0)`;
  return `${c.agree ? 'agree' : 'differ'} (${c.count} values, max difference ${c.maxDifference.toExponential(1)})`;
}
