/**
 * Building a partition's design matrix from a feature plan: standardized dense columns in float32,
 * one-hot features as parameter indices, and the encoded target. Rows are those of one side of
 * the split, minus rows dropped for missing values.
 */
import type { Table } from 'apache-arrow';
import { isHeldOut } from '../../data/split';
import type { DesignMatrix } from '../../kernels/design';
import { binOf } from '../../ml/feature-plan';
import { FabricError } from '../../protocol/errors';
import type { FeaturePlan } from '../../protocol/train';
import { featureValues, missingAt, targetValues, type RowValues } from './stats';

/** Which rows: the training side of the split, or the held-out side. */
export type SplitSide = 'train' | 'holdout';

function encodeTarget(plan: FeaturePlan, target: RowValues, classOfCode: Int32Array | null, i: number): number {
  const t = plan.target;
  if ('codes' in target) {
    const k = classOfCode![target.codes[i]!]!;
    return k < 0 ? NaN : k; // missing, or a class the training rows never had: the row is skipped
  }
  const v = target.numeric[i]!;
  if (Number.isNaN(v)) return NaN;
  if (t.kind === 'binary') return v > t.spec.threshold! ? 1 : 0;
  if (t.kind === 'classes') return binOf(v, t.spec.bins!);
  return v;
}

/** The columns a plan reads from a partition, read once for both sides of the split. */
export interface PlanColumns {
  readonly values: RowValues[];
  readonly target: RowValues;
}

/** Reads the feature and target columns of `plan` from `table`. */
export function readPlanColumns(table: Table, plan: FeaturePlan): PlanColumns {
  return { values: plan.features.map((f) => featureValues(table, f.spec)), target: targetValues(table, plan.target.spec) };
}

/**
 * The design matrix of `table` (whose first row is dataset row `rowStart`) for one side of the
 * split. Pass `columns` when building both sides, so the columns are read once.
 */
export function buildDesign(table: Table, plan: FeaturePlan, side: SplitSide, rowStart: number, columns: PlanColumns = readPlanColumns(table, plan)): DesignMatrix {
  const n = table.numRows;
  const { values, target } = columns;
  const classOfCode = 'codes' in target
    ? Int32Array.from(target.labels, (label) => (label === null ? -1 : plan.target.values!.indexOf(label)))
    : null;
  const keep: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    if (isHeldOut(rowStart + i, plan.split.seed, plan.split.holdout) !== (side === 'holdout')) continue;
    const yi = encodeTarget(plan, target, classOfCode, i);
    if (Number.isNaN(yi)) continue; // missing target: dropped or (for impute) unusable
    if (plan.missing === 'drop' && values.some((v) => missingAt(v, i))) continue;
    keep.push(i);
    y.push(yi);
  }
  return encodeRows(plan, values, Int32Array.from(keep), Float64Array.from(y));
}

/**
 * The design of rows `keep` (indices into the columns `values`, in order), with targets `y`:
 * standardized dense columns in float32 (a missing value imputed as the mean, 0) and one-hot
 * parameter indices (-1 for the reference, an unknown or a missing category).
 */
export function encodeRows(plan: FeaturePlan, values: readonly RowValues[], keep: Int32Array, y: Float64Array): DesignMatrix {
  const rows = keep.length;
  const dense = new Float32Array(plan.denseCols * rows);
  const oneHot: Int32Array[] = [];
  plan.features.forEach((f, fi) => {
    const v = values[fi]!;
    if (f.encoding === 'dense' && 'numeric' in v) {
      const base = f.column * rows;
      for (let r = 0; r < rows; r++) {
        const x = v.numeric[keep[r]!]!;
        // Imputing the mean is 0 after standardizing.
        dense[base + r] = Number.isNaN(x) ? 0 : (x - f.mean) / f.std;
      }
    } else if (f.encoding === 'one-hot' && 'codes' in v) {
      const index = new Map(f.categories.map((c, k) => [c, f.offset + k]));
      const lut = Int32Array.from(v.labels, (label) => (label === null ? -1 : index.get(label) ?? -1));
      const idx = new Int32Array(rows);
      for (let r = 0; r < rows; r++) idx[r] = lut[v.codes[keep[r]!]!]!;
      oneHot.push(idx);
    } else {
      throw new FabricError('bad-input', `feature ${f.name} is ${f.encoding} in the plan, but its column "${f.spec.column}" has another type here`);
    }
  });
  return { rows, denseCols: plan.denseCols, dense, oneHot, y, dim: plan.dim };
}
