/**
 * A systematic sample of a table: short runs of consecutive rows, evenly spaced over the whole
 * table. "Check on a sample first" (classroom mode) runs the same job on it single-node and
 * distributed. Runs rather than single rows keep Arrow's batches few (each costs about 25 µs,
 * TESTING-NOTES.md) and the column types exactly as they were: slices share the original buffers.
 */
import { Table } from 'apache-arrow';
import { FabricError } from '../protocol/errors';

/**
 * Rows per run. 100 rows every 10,000 for a 1% sample of flights-3m gives 300 runs spread over the
 * year, so every month and most airports appear.
 */
export const SAMPLE_RUN_ROWS = 100;

/** The rows of `table` a `fraction` sample keeps: `[start, end)` runs, in order. */
export function sampleRuns(numRows: number, fraction: number, runRows = SAMPLE_RUN_ROWS): [number, number][] {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new FabricError('bad-input', `load: options.sample must be a fraction of rows above 0 and at most 1 (0.01 for 1%), got ${fraction}`);
  }
  if (fraction === 1) return numRows > 0 ? [[0, numRows]] : [];
  const stride = Math.max(runRows, Math.round(runRows / fraction));
  const runs: [number, number][] = [];
  for (let start = 0; start < numRows; start += stride) runs.push([start, Math.min(numRows, start + runRows)]);
  return runs;
}

/** The sample as a table of the same schema. */
export function sampleTable(table: Table, fraction: number, runRows = SAMPLE_RUN_ROWS): Table {
  const runs = sampleRuns(table.numRows, fraction, runRows);
  if (runs.length === 1 && runs[0]![0] === 0 && runs[0]![1] === table.numRows) return table;
  return new Table(table.schema, runs.flatMap(([a, b]) => table.slice(a, b).batches));
}
