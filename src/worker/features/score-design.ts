/**
 * The inputs of a model for scoring: every row of a table, in order, with no target and no split.
 * A Fabric model's feature plan standardizes dense features and maps categories to parameters as
 * training did; an external model reads numeric columns in the order it was given. A row whose
 * feature is missing is scored as NaN (or imputed, when the plan says 'impute'), never dropped,
 * so the output has every input row once and in order.
 */
import type { Table } from 'apache-arrow';
import { numericColumn } from '../../data/feature-columns';
import type { DesignMatrix } from '../../kernels/design';
import { FabricError } from '../../protocol/errors';
import type { FeaturePlan } from '../../protocol/train';
import { encodeRows } from './design';
import { featureValues, missingAt } from './stats';

/** A plan's design of every row of `table`, and which rows had a missing feature. */
export function scoreDesign(table: Table, plan: FeaturePlan): { design: DesignMatrix; missing: Uint8Array } {
  const rows = table.numRows;
  const values = plan.features.map((f) => featureValues(table, f.spec));
  const missing = new Uint8Array(rows);
  if (plan.missing !== 'impute') for (const v of values) for (let r = 0; r < rows; r++) if (missingAt(v, r)) missing[r] = 1;
  const design = encodeRows(plan, values, Int32Array.from({ length: rows }, (_, i) => i), new Float64Array(rows));
  return { design, missing };
}

/** Numeric `columns` of `table` as a row-major float32 matrix (rows × columns), and rows with a missing value. */
export function columnInputs(table: Table, columns: readonly string[], datasetName = 'the dataset'): { x: Float32Array; missing: Uint8Array } {
  const names = table.schema.fields.map((f) => f.name);
  const absent = columns.filter((c) => !names.includes(c));
  if (absent.length > 0) {
    throw new FabricError('bad-input', `score: the model's input column${absent.length > 1 ? 's' : ''} ${absent.map((c) => `"${c}"`).join(', ')} ${absent.length > 1 ? 'are' : 'is'} not in ${datasetName}, whose columns are: ${names.join(', ')}`);
  }
  const rows = table.numRows;
  const x = new Float32Array(rows * columns.length);
  const missing = new Uint8Array(rows);
  columns.forEach((c, j) => {
    const v = numericColumn(table, c, 'score input');
    for (let r = 0; r < rows; r++) {
      const value = v[r]!;
      if (Number.isNaN(value)) missing[r] = 1;
      x[r * columns.length + j] = value;
    }
  });
  return { x, missing };
}
