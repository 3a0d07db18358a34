/** Loading a file into a partitioned dataset: the work the loader worker does. */
import type { Table } from 'apache-arrow';
import type { ColumnInfo, PartitionRef } from '../protocol/dataset';
import { FabricError } from '../protocol/errors';
import { choosePartitionRows, partitionTable } from './partition';
import { readTable, type ParquetDecoder } from './read-table';
import { columnInfos } from './schema';

/** Options of a load. */
export interface LoadOptions {
  /** Rows per partition; chosen from the row width when omitted. */
  readonly partitionRows?: number | undefined;
}

/** A loaded dataset with its partition bytes, as the loader hands it to the coordinator. */
export interface LoadedDataset {
  readonly id: string;
  readonly name: string;
  readonly numRows: number;
  readonly columns: ColumnInfo[];
  readonly partitions: { readonly ref: PartitionRef; readonly ipc: Uint8Array<ArrayBuffer> }[];
}

/** Reads, checks and partitions a file's bytes. */
export async function loadBytes(bytes: Uint8Array, name: string, decodeParquet: ParquetDecoder, options: LoadOptions = {}): Promise<LoadedDataset> {
  return loadTable(readTable(bytes, name, decodeParquet), name, options);
}

/** Partitions a table already in memory (a generated dataset). */
export async function loadTable(table: Table, name: string, options: LoadOptions = {}): Promise<LoadedDataset> {
  const rows = options.partitionRows ?? choosePartitionRows(table);
  if (!Number.isInteger(rows) || rows < 1) {
    throw new FabricError('bad-input', `load: options.partitionRows must be a whole number of at least 1, got ${String(options.partitionRows)}`);
  }
  const { datasetId, partitions } = await partitionTable(table, rows);
  return { id: datasetId, name, numRows: table.numRows, columns: columnInfos(table.schema), partitions };
}
