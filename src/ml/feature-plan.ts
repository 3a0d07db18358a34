/**
 * Merging the per-partition feature statistics into a feature plan: standardization constants,
 * one-hot category lists, the parameter layout and names, and the target's encoding. This is
 * also where a training request is refused with a clear reason before any iteration runs.
 */
import { FabricError } from '../protocol/errors';
import type { CategoryCounts, FeaturePlan, FeatureStatsParams, FeatureStatsResult, PlannedFeature, TargetSpec } from '../protocol/train';
import type { ColumnMoments } from '../protocol/tasks';
import { mergeMoments } from './moments';

/** Kept categories per one-hot feature unless the spec says otherwise. */
export const DEFAULT_MAX_CATEGORIES = 1000;

/** The model family a plan is for (the target must suit it). */
export type PlanModel = 'linear' | 'logistic' | 'softmax';

function mergeCounts(parts: readonly (CategoryCounts | undefined)[]): [string, number][] {
  const total = new Map<string, number>();
  for (const p of parts) p?.values.forEach((v, i) => total.set(v, (total.get(v) ?? 0) + p.counts[i]!));
  // Most frequent first; ties by label, so the order never depends on which partition saw what first.
  return [...total.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function mergeAll(parts: readonly (ColumnMoments | undefined)[], name: string): ColumnMoments {
  let m: ColumnMoments = { name, count: 0, nulls: 0, mean: 0, m2: 0, min: null, max: null };
  for (const p of parts) if (p) m = mergeMoments(m, p);
  return m;
}

/** The class of a value under `bins`: k when bins[k-1] < v <= bins[k]. */
export function binOf(value: number, bins: readonly number[]): number {
  let k = 0;
  while (k < bins.length && value > bins[k]!) k++;
  return k;
}

/** Class labels of a bins target. */
export function binLabels(bins: readonly number[]): string[] {
  return [`≤ ${bins[0]}`, ...bins.slice(1).map((b, i) => `(${bins[i]}, ${b}]`), `> ${bins[bins.length - 1]}`];
}

function planTarget(spec: TargetSpec, model: PlanModel, stats: readonly FeatureStatsResult[]): FeaturePlan['target'] {
  const nonNumeric = stats.some((s) => s.target.nonNumeric);
  const col = `target "${spec.column}"`;
  if (nonNumeric) {
    if (model === 'linear') throw new FabricError('bad-input', `train: ${col} is text; a regression needs a numeric target. Choose a numeric column, or a classifier.`);
    const classes = mergeCounts(stats.map((s) => s.target.categories)).map(([v]) => v);
    if (classes.length < 2) throw new FabricError('bad-input', `train: ${col} has one class only (${classes[0] ?? 'no values'}); a classifier needs at least two.`);
    if (model === 'logistic' && classes.length > 2) throw new FabricError('bad-input', `train: ${col} has ${classes.length} classes; logistic regression takes two. Use softmax regression.`);
    return { spec, kind: 'classes', labels: classes, values: classes };
  }
  const m = mergeAll(stats.map((s) => s.target.moments), spec.column);
  if (m.count === 0) throw new FabricError('bad-input', `train: ${col} has no values in the training rows.`);
  if (spec.threshold !== undefined) {
    if (model === 'linear') throw new FabricError('bad-input', `train: ${col} has a threshold, which makes it a class; use logistic regression, or drop the threshold for a regression.`);
    if (!(m.max! > spec.threshold) || !(m.min! <= spec.threshold)) {
      throw new FabricError('bad-input', `train: ${col} with threshold ${spec.threshold} has one class only (every value is ${m.max! <= spec.threshold ? '≤' : '>'} ${spec.threshold}); a classifier needs at least two. Choose another threshold.`);
    }
    return { spec, kind: 'binary', labels: [`≤ ${spec.threshold}`, `> ${spec.threshold}`] };
  }
  if (spec.bins !== undefined) {
    if (model !== 'softmax') throw new FabricError('bad-input', `train: ${col} has bins, which make it a class per bin; use softmax regression.`);
    const sorted = [...spec.bins].every((b, i, a) => i === 0 || b > a[i - 1]!);
    if (!sorted) throw new FabricError('bad-input', `train: ${col} bins must increase, got ${JSON.stringify(spec.bins)}`);
    if (binOf(m.min!, spec.bins) === binOf(m.max!, spec.bins)) throw new FabricError('bad-input', `train: ${col} falls in one bin only; a classifier needs at least two classes.`);
    return { spec, kind: 'classes', labels: binLabels(spec.bins) };
  }
  if (model !== 'linear') throw new FabricError('bad-input', `train: ${col} is numeric; a classifier needs a threshold (e.g. { column: '${spec.column}', threshold: 15 }) or bins.`);
  return { spec, kind: 'value', labels: [] };
}

/** Builds the plan from per-partition statistics given in partition order. */
export function planFeatures(params: FeatureStatsParams, model: PlanModel, stats: readonly FeatureStatsResult[], names: readonly string[], l2: number): FeaturePlan {
  const counts = { rows: 0, trainRows: 0, holdoutRows: 0, droppedRows: 0, missing: {} as Record<string, number> };
  for (const s of stats) {
    counts.rows += s.rows;
    counts.trainRows += s.trainRows;
    counts.holdoutRows += s.holdoutRows;
    counts.droppedRows += s.droppedRows;
  }
  params.features.forEach((_, f) => (counts.missing[names[f]!] = stats.reduce((a, s) => a + s.features[f]!.missing, 0)));
  counts.missing[`target ${params.target.column}`] = stats.reduce((a, s) => a + s.target.missing, 0);
  const withMissing = Object.entries(counts.missing).filter(([, n]) => n > 0);
  if (params.missing === 'error' && withMissing.length > 0) {
    // Name the partitions too (stats come in partition order), so the rows can be found.
    const where = (name: string): string => {
      const parts = stats.flatMap((s, p) => ((name === `target ${params.target.column}` ? s.target.missing : s.features[names.indexOf(name)]!.missing) > 0 ? [p] : []));
      return `partition${parts.length === 1 ? '' : 's'} ${parts.slice(0, 5).join(', ')}${parts.length > 5 ? ', …' : ''}`;
    };
    throw new FabricError('bad-input', `train: missing values (null or NaN): ${withMissing.map(([k, n]) => `${k}: ${n} (in ${where(k)})`).join(', ')}. Choose how to handle them: missing: 'drop' (drop those rows) or 'impute' (use the mean, or no category).`);
  }
  const target = planTarget(params.target, model, stats);

  const features: PlannedFeature[] = [];
  const dense: PlannedFeature[] = [];
  const oneHot: { spec: FeatureStatsParams['features'][number]; name: string; kept: string[] }[] = [];
  params.features.forEach((spec, f) => {
    const name = names[f]!;
    const first = stats.find((s) => s.features[f]?.categories);
    if (first) {
      const cap = spec.kind === 'one-hot' ? spec.maxCategories ?? DEFAULT_MAX_CATEGORIES : DEFAULT_MAX_CATEGORIES;
      const kept = mergeCounts(stats.map((s) => s.features[f]!.categories)).slice(0, cap).map(([v]) => v);
      if (kept.length === 0) throw new FabricError('bad-input', `train: feature ${name} has no values in the training rows.`);
      oneHot.push({ spec, name, kept });
    } else {
      const m = mergeAll(stats.map((s) => s.features[f]!.moments), name);
      if (m.count === 0) throw new FabricError('bad-input', `train: feature ${name} has no values in the training rows.`);
      const std = m.count > 1 ? Math.sqrt(m.m2 / (m.count - 1)) : 0;
      // A constant column standardizes to zeros; scale 1 keeps it finite (its weight stays 0 under L2).
      dense.push({ encoding: 'dense', spec, name, mean: m.mean, std: std > 0 ? std : 1, column: dense.length });
    }
  });
  features.push(...dense);
  const paramNames = dense.map((d) => d.name);
  let offset = dense.length;
  for (const o of oneHot) {
    const [reference, ...categories] = o.kept;
    features.push({ encoding: 'one-hot', spec: o.spec, name: o.name, reference: reference!, categories, offset });
    paramNames.push(...categories.map((c) => `${o.name}=${c}`));
    offset += categories.length;
  }
  paramNames.push('intercept');
  const dim = offset + 1;
  if (counts.trainRows < 2) throw new FabricError('bad-input', `train: only ${counts.trainRows} training row(s); at least 2 are needed.`);
  if (l2 <= 0 && counts.trainRows <= dim) {
    throw new FabricError('bad-input', `train: ${counts.trainRows} training rows for ${dim} parameters: too few rows. Add L2 regularization (e.g. l2: 1e-3), fewer categories, or more data.`);
  }
  return { features, denseCols: dense.length, dim, names: paramNames, target, split: params.split, missing: params.missing, counts };
}
