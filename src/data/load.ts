/** Loading a file into a partitioned dataset: the work the loader worker does. */
import type { Table } from 'apache-arrow';
import type { ColumnInfo, PartitionRef } from '../protocol/dataset';
import { FabricError } from '../protocol/errors';
import { choosePartitionRows, partitionTable } from './partition';
import { SNIFF_BYTES, sniffFormat } from './formats';
import { readCsv, type CsvOptions } from './read-csv';
import { readTable, type ParquetDecoder } from './read-table';
import { sampleTable } from './sample';
import { columnInfos } from './schema';

/** Options of a load. */
export interface LoadOptions {
  /** Rows per partition; chosen from the row width when omitted. */
  readonly partitionRows?: number | undefined;
  /** CSV only: column types to use instead of inferring them. */
  readonly columnTypes?: CsvOptions['columnTypes'];
  /** CSV only: the longest record accepted, in characters. */
  readonly maxRecordChars?: number | undefined;
  /** Keep only this fraction of rows, as evenly spaced runs (src/data/sample.ts); all when omitted. */
  readonly sample?: number | undefined;
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
  return loadBlob(new Blob([bytes as Uint8Array<ArrayBuffer>]), name, decodeParquet, options);
}

/**
 * Reads, checks and partitions a file. Only its head is read to tell the format: a CSV file is
 * then streamed (a huge one never sits whole in memory), while Parquet and Arrow, whose readers
 * need every byte, are read whole.
 */
export async function loadBlob(blob: Blob, name: string, decodeParquet: ParquetDecoder, options: LoadOptions = {}): Promise<LoadedDataset> {
  const head = new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer());
  const format = sniffFormat(head, name, blob.size);
  const table = format === 'csv'
    ? await readCsv(blob.stream(), name, { columnTypes: options.columnTypes, maxRecordChars: options.maxRecordChars })
    : readTable(new Uint8Array(await blob.arrayBuffer()), name, decodeParquet);
  return loadTable(table, name, options);
}

/** Partitions a table already in memory (a generated dataset). */
export async function loadTable(whole: Table, name: string, options: LoadOptions = {}): Promise<LoadedDataset> {
  const table = options.sample === undefined ? whole : sampleTable(whole, options.sample);
  const rows = options.partitionRows ?? choosePartitionRows(table);
  if (!Number.isInteger(rows) || rows < 1) {
    throw new FabricError('bad-input', `load: options.partitionRows must be a whole number of at least 1, got ${String(options.partitionRows)}`);
  }
  const { datasetId, partitions } = await partitionTable(table, rows);
  return { id: datasetId, name, numRows: table.numRows, columns: columnInfos(table.schema), partitions };
}
