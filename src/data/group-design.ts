/**
 * The design of a fitGroups batch: the rows of many groups, one after another, as float32 feature
 * rows (row-major, intercept last) and a float64 target, the input of the batched Gram kernel
 * (src/kernels/gram.ts) and of IRLS. Per group the features are raw, not standardized: each
 * group's coefficients are in the units of its columns, as a per-group `sklearn` fit would give.
 *
 * A date part is one number per row (hour 0-23, day of week 0-6, month 1-12), or with
 * `encode: 'one-hot'` one column per level over the part's fixed levels, the first level being
 * the reference when there is an intercept. Per group, levels cannot depend on the data: every
 * group's coefficients must line up in one table.
 */
import type { Table } from 'apache-arrow';
import { FabricError } from '../protocol/errors';
import type { FeatureSpec, TargetSpec } from '../protocol/train';
import { denseColumn, featureName, numericColumn } from './feature-columns';

/** The fixed levels of each date part. */
const LEVELS: Record<'hour' | 'day-of-week' | 'month', number[]> = {
  hour: Array.from({ length: 24 }, (_, h) => h),
  'day-of-week': Array.from({ length: 7 }, (_, d) => d),
  month: Array.from({ length: 12 }, (_, m) => m + 1),
};

/** True when a per-group feature gets one column per level. */
function perLevel(spec: FeatureSpec): spec is Extract<FeatureSpec, { kind: 'date-part' }> {
  return spec.kind === 'date-part' && spec.encode === 'one-hot';
}

/** The levels a one-hot date part keeps (the first is the reference when there is an intercept). */
function keptLevels(spec: Extract<FeatureSpec, { kind: 'date-part' }>, intercept: boolean): number[] {
  return intercept ? LEVELS[spec.part].slice(1) : LEVELS[spec.part];
}

/** Checks that every feature can be used per group; throws `bad-input` naming the one that cannot. */
export function checkGroupFeatures(features: readonly FeatureSpec[]): void {
  for (const f of features) {
    if (f.kind === 'one-hot') {
      throw new FabricError('bad-input', `groupBy().fit: feature "${f.column}" is one-hot over the column's categories, which differ from group to group, so the groups' coefficients would not line up. Use numeric columns and date parts per group, or fit one model with train().`);
    }
  }
}

/** The coefficient names of a per-group design: features in order, then `intercept`. */
export function groupCoefficientNames(features: readonly FeatureSpec[], intercept: boolean): string[] {
  const names = features.flatMap((f) => (perLevel(f) ? keptLevels(f, intercept).map((v) => `${featureName(f)}=${v}`) : [featureName(f)]));
  return intercept ? [...names, 'intercept'] : names;
}

/** Many groups' rows, one after another: the shape of `GroupedRows` in src/kernels/gram.ts. */
export interface GroupDesignRows {
  readonly rows: number;
  /** Coefficients p, the intercept's column of ones last. */
  readonly cols: number;
  /** Row-major rows × cols. */
  readonly x: Float32Array;
  readonly y: Float64Array;
  /** Group g is rows groupStart[g] to groupStart[g + 1] - 1. */
  readonly groupStart: Int32Array;
}

/** A batch's design, and what was found missing per group. */
export interface GroupDesign {
  readonly rows: GroupDesignRows;
  /** Rows dropped per group (`missing: 'drop'`). */
  readonly dropped: Int32Array;
  /** Per group, the first column found with a missing value, or null (`missing: 'error'`). */
  readonly missingIn: (string | null)[];
}

/** The target per row: the value, or 0/1 against a threshold; NaN where missing. */
function targetColumn(table: Table, target: TargetSpec): Float64Array {
  const y = numericColumn(table, target.column, 'groupBy().fit target');
  if (target.bins !== undefined) throw new FabricError('bad-input', 'groupBy().fit: a target with bins needs softmax, which fitGroups does not fit per group; use a threshold (logistic) or the value (linear)');
  if (target.threshold === undefined) return y;
  const t = target.threshold;
  return y.map((v) => (Number.isNaN(v) ? NaN : v > t ? 1 : 0));
}

/**
 * Builds the design of `table`, whose rows are `groupRows` groups one after another. With
 * `missing: 'drop'`, rows with NaN or null in a feature or the target are left out; with
 * 'error' they stay (their NaN makes the group `non-finite`) and `missingIn` names the column.
 */
export function buildGroupDesign(
  table: Table,
  groupRows: readonly number[],
  features: readonly FeatureSpec[],
  target: TargetSpec,
  intercept: boolean,
  missing: 'error' | 'drop' | 'impute',
): GroupDesign {
  if (missing === 'impute') throw new FabricError('bad-input', 'groupBy().fit: missing "impute" is not offered per group (a group\'s mean would leak into its own fit); use "drop" or "error"');
  checkGroupFeatures(features);
  const n = table.numRows;
  const total = groupRows.reduce((s, r) => s + r, 0);
  if (total !== n) throw new FabricError('schema-mismatch', `fit-groups: the groups list ${total} rows but the batch holds ${n}`);
  const values = features.map((f) => denseColumn(table, f, `groupBy().fit feature ${featureName(f)}`));
  const y = targetColumn(table, target);
  const names = [...features.map(featureName), target.column];
  const columns = [...values, y];
  const p = groupCoefficientNames(features, intercept).length;
  if (p === 0) throw new FabricError('bad-input', 'groupBy().fit: no coefficients to fit; give at least one feature or keep the intercept');

  const keep = new Uint8Array(n);
  const dropped = new Int32Array(groupRows.length);
  const missingIn: (string | null)[] = groupRows.map(() => null);
  const groupStart = new Int32Array(groupRows.length + 1);
  let r0 = 0;
  let kept = 0;
  groupRows.forEach((rows, g) => {
    for (let r = r0; r < r0 + rows; r++) {
      const c = columns.findIndex((col) => Number.isNaN(col[r]!));
      if (c >= 0 && missingIn[g] === null) missingIn[g] = names[c]!;
      if (c >= 0 && missing === 'drop') dropped[g]! += 1;
      else {
        keep[r] = 1;
        kept++;
      }
    }
    r0 += rows;
    groupStart[g + 1] = kept;
  });
  if (missing === 'drop') missingIn.fill(null);

  const x = new Float32Array(kept * p);
  const yOut = new Float64Array(kept);
  let row = 0;
  for (let r = 0; r < n; r++) {
    if (!keep[r]) continue;
    let c = row * p;
    features.forEach((f, fi) => {
      const v = values[fi]![r]!;
      if (perLevel(f)) for (const level of keptLevels(f, intercept)) x[c++] = v === level ? 1 : 0;
      else x[c++] = v;
    });
    if (intercept) x[c] = 1;
    yOut[row++] = y[r]!;
  }
  return { rows: { rows: kept, cols: p, x, y: yOut, groupStart }, dropped, missingIn };
}
