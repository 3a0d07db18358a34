/**
 * The feature statistics pass on one partition: moments of dense features and the target, and
 * category counts of one-hot features and text targets, over the partition's training rows.
 * The coordinator merges these in partition order into a feature plan (src/ml/feature-plan.ts).
 */
import type { Table } from 'apache-arrow';
import { categoryCodes, denseColumn, featureName, isOneHot, numericColumn, type CategoryCodes } from '../../data/feature-columns';
import { isNumericType } from '../../data/schema';
import { isHeldOut } from '../../data/split';
import { momentsOf } from '../../ml/moments';
import { FabricError } from '../../protocol/errors';
import type { CategoryCounts, FeatureStatsParams, FeatureStatsResult, TargetSpec } from '../../protocol/train';

/** A column's per-row values: numbers (NaN = missing) or category codes (null label = missing). */
export type RowValues = { numeric: Float64Array } | CategoryCodes;

/** True when row `i` has no value. */
export function missingAt(v: RowValues, i: number): boolean {
  return 'numeric' in v ? Number.isNaN(v.numeric[i]!) : v.labels[v.codes[i]!] === null;
}

/** Reads the target column: numbers for value, threshold and bins targets; labels for text. */
export function targetValues(table: Table, target: TargetSpec): RowValues {
  const col = table.getChild(target.column);
  if (!col) throw new FabricError('bad-input', `train: target column "${target.column}" is not in the dataset; its columns are: ${table.schema.fields.map((f) => f.name).join(', ')}`);
  if (isNumericType(col.type)) return { numeric: numericColumn(table, target.column, 'train target') };
  if (target.threshold !== undefined || target.bins !== undefined) {
    throw new FabricError('bad-input', `train: target "${target.column}" is ${String(col.type)}; a threshold or bins need a numeric target`);
  }
  return categoryCodes(table, { column: target.column }, 'train target');
}

/** Reads a feature's column. */
export function featureValues(table: Table, spec: FeatureStatsParams['features'][number]): RowValues {
  const what = `train feature ${featureName(spec)}`;
  return isOneHot(spec) ? categoryCodes(table, spec, what) : { numeric: denseColumn(table, spec, what) };
}

function countLabels(v: CategoryCodes, rows: Uint8Array): CategoryCounts {
  const perCode = new Float64Array(v.labels.length);
  for (let i = 0; i < v.codes.length; i++) if (rows[i]) perCode[v.codes[i]!]! += 1;
  const values: string[] = [];
  const counts: number[] = [];
  v.labels.forEach((label, code) => {
    if (label !== null && perCode[code]! > 0) {
      values.push(label);
      counts.push(perCode[code]!);
    }
  });
  return { values, counts };
}

function momentsOver(name: string, values: Float64Array, rows: Uint8Array): ReturnType<typeof momentsOf> {
  const kept = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (rows[i] && !Number.isNaN(values[i]!)) kept[n++] = values[i]!;
  return momentsOf(name, kept.subarray(0, n), 0);
}

/** Statistics of one partition whose first row is row `rowStart` of the dataset. */
export function partitionFeatureStats(table: Table, params: FeatureStatsParams, rowStart: number): FeatureStatsResult {
  const n = table.numRows;
  const features = params.features.map((spec) => featureValues(table, spec));
  const target = targetValues(table, params.target);
  const missing = features.map(() => 0);
  let targetMissing = 0;
  const train = new Uint8Array(n);
  let trainRows = 0;
  let holdoutRows = 0;
  let droppedRows = 0;
  for (let i = 0; i < n; i++) {
    let any = false;
    for (let f = 0; f < features.length; f++) {
      if (missingAt(features[f]!, i)) {
        missing[f]! += 1;
        any = true;
      }
    }
    if (missingAt(target, i)) {
      targetMissing += 1;
      any = true;
    }
    if (any && params.missing === 'drop') {
      droppedRows += 1;
      continue;
    }
    if (isHeldOut(rowStart + i, params.split.seed, params.split.holdout)) holdoutRows += 1;
    else {
      train[i] = 1;
      trainRows += 1;
    }
  }
  return {
    rows: n,
    trainRows,
    holdoutRows,
    droppedRows,
    features: features.map((v, f) => ({
      missing: missing[f]!,
      ...('numeric' in v ? { moments: momentsOver(featureName(params.features[f]!), v.numeric, train) } : { categories: countLabels(v, train) }),
    })),
    target: {
      missing: targetMissing,
      nonNumeric: 'codes' in target,
      ...('numeric' in target ? { moments: momentsOver(params.target.column, target.numeric, train) } : { categories: countLabels(target, train) }),
    },
  };
}
