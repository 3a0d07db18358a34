/** The `describe` task: moments of every numeric column over the task's partitions. */
import type { Table } from 'apache-arrow';
import { numericValues } from '../../data/numeric-values';
import { isNumericType } from '../../data/schema';
import { mergeMoments, momentsOf } from '../../ml/moments';
import { FabricError } from '../../protocol/errors';
import type { ColumnMoments, DescribeParams, DescribeResult } from '../../protocol/tasks';

/** Which columns to describe: the named ones (checked), or every numeric one. */
export function describeColumns(table: Table, requested: readonly string[] | undefined): string[] {
  const numeric = table.schema.fields.filter((f) => isNumericType(f.type)).map((f) => f.name);
  if (!requested) return numeric;
  for (const name of requested) {
    const field = table.schema.fields.find((f) => f.name === name);
    if (!field) {
      throw new FabricError('bad-input', `describe: column "${name}" is not in the dataset. Its numeric columns are: ${numeric.join(', ') || '(none)'}.`);
    }
    if (!isNumericType(field.type)) {
      throw new FabricError('bad-input', `describe: column "${name}" has type ${String(field.type)}, which is not numeric. Numeric columns are: ${numeric.join(', ') || '(none)'}.`);
    }
  }
  return [...requested];
}

/** Runs `describe` over partitions, merged in the order given. */
export function runDescribe(params: DescribeParams, tables: readonly Table[]): DescribeResult {
  let rows = 0;
  let merged: ColumnMoments[] | undefined;
  for (const table of tables) {
    const names = describeColumns(table, params.columns);
    const moments = names.map((name) => {
      const { values, missing } = numericValues(table.getChild(name)!);
      return momentsOf(name, values, missing);
    });
    merged = merged ? merged.map((m, i) => mergeMoments(m, moments[i]!)) : moments;
    rows += table.numRows;
  }
  return { rows, columns: merged ?? [] };
}
