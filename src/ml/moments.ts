/**
 * Count, mean, variance, min and max that combine across partitions exactly enough to match a
 * single pass over the whole table: each partition is summarised with a two-pass mean and sum of
 * squared deviations, and summaries are merged with Chan, Golub and LeVeque's pairwise update
 * (the formula Spark's `StatCounter.merge` uses), in float64.
 */
import type { ColumnMoments } from '../protocol/tasks';

/** Moments of `values` (all valid) with `missing` nulls alongside. */
export function momentsOf(name: string, values: Float64Array, missing: number): ColumnMoments {
  const n = values.length;
  if (n === 0) return { name, count: 0, nulls: missing, mean: 0, m2: 0, min: null, max: null };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / n;
  // Second pass: deviations from the partition's own mean, the numerically stable form.
  let m2 = 0;
  let drift = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    m2 += d * d;
    drift += d;
  }
  // Correct the mean for rounding in `sum` (the "corrected two-pass" of Chan, Golub and LeVeque).
  const correction = drift / n;
  return { name, count: n, nulls: missing, mean: mean + correction, m2: Math.max(0, m2 - drift * correction), min, max };
}

/** Merges two summaries of the same column over disjoint rows. */
export function mergeMoments(a: ColumnMoments, b: ColumnMoments): ColumnMoments {
  if (b.count === 0) return { ...a, nulls: a.nulls + b.nulls };
  if (a.count === 0) return { ...b, name: a.name, nulls: a.nulls + b.nulls };
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  const mean = a.mean + delta * (b.count / count);
  const m2 = a.m2 + b.m2 + delta * delta * ((a.count * b.count) / count);
  return {
    name: a.name,
    count,
    nulls: a.nulls + b.nulls,
    mean,
    m2,
    min: Math.min(a.min!, b.min!),
    max: Math.max(a.max!, b.max!),
  };
}

/** The summary a person reads. `std` is the sample standard deviation (n - 1), as in pandas. */
export interface ColumnSummary {
  readonly name: string;
  readonly count: number;
  readonly nulls: number;
  readonly mean: number | null;
  readonly std: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

/** Turns merged moments into the summary. */
export function summarize(m: ColumnMoments): ColumnSummary {
  return {
    name: m.name,
    count: m.count,
    nulls: m.nulls,
    mean: m.count > 0 ? m.mean : null,
    std: m.count > 1 ? Math.sqrt(m.m2 / (m.count - 1)) : null,
    min: m.min,
    max: m.max,
  };
}
