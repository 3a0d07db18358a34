/**
 * The data of a tune run: a sample of the loaded dataset's rows with only the columns the
 * objective reads, written once as an Arrow IPC artifact that every trial names, so each slot
 * receives it once and keeps it (with its design matrices) for every trial it runs.
 */
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { DatasetInfo, PartitionRef } from '../protocol/dataset';
import { FabricError } from '../protocol/errors';

/** Default sample: 50,000 rows train a small MLP in seconds on a slot here, and hold out 10,000. */
export const DEFAULT_SAMPLE_ROWS = 50_000;

/**
 * The first `rows / partitions` rows of every partition (all rows when the dataset is smaller),
 * so the sample spans the whole dataset (flights-3m's partitions run in date order) without a
 * random draw per row. Only `columns` are kept.
 */
export function sampleIpc(dataset: DatasetInfo, bytes: (ref: PartitionRef) => Uint8Array, columns: readonly string[], rows = DEFAULT_SAMPLE_ROWS): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(rows) || rows < 10) throw new FabricError('bad-input', `tune: data.rows must be a whole number of at least 10, got ${rows}`);
  for (const c of columns) {
    if (!dataset.columns.some((d) => d.name === c)) throw new FabricError('bad-input', `tune: column "${c}" is not in ${dataset.name}; its columns are: ${dataset.columns.map((d) => d.name).join(', ')}`);
  }
  const per = Math.ceil(rows / dataset.partitions.length);
  const batches = dataset.partitions.flatMap((ref) => {
    const t = tableFromIPC(bytes(ref)).select(columns as string[]);
    return t.slice(0, Math.min(per, t.numRows)).batches;
  });
  return tableToIPC(new Table(batches), 'stream') as Uint8Array<ArrayBuffer>;
}
