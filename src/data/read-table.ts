/** Reading a file's bytes into an Arrow table. */
import { tableFromIPC, type Table } from 'apache-arrow';
import { FabricError } from '../protocol/errors';
import { sniffFormat } from './formats';

/**
 * Decodes Parquet bytes into an Arrow IPC stream. Injected because parquet-wasm has one build for
 * browsers (initialised with its .wasm URL) and another for Node.
 */
export type ParquetDecoder = (bytes: Uint8Array) => Uint8Array;

/**
 * Rows per decoded batch: Arrow JS spends about 25 µs per batch (TESTING-NOTES.md), and 64 Ki rows
 * keeps that negligible while a partition of 100k rows still spans only two batches.
 */
export const PARQUET_BATCH_ROWS = 65_536;

/**
 * Throws `duplicate-column` when two columns share a name: Parquet and Arrow allow it, but every
 * job names its columns, so one of them could never be chosen.
 */
export function checkUniqueColumns(table: Table, name: string): void {
  const seen = new Map<string, number>();
  table.schema.fields.forEach((f, i) => {
    const first = seen.get(f.name);
    if (first !== undefined) {
      throw new FabricError('duplicate-column', `load: "${name}" has two columns named ${JSON.stringify(f.name)} (columns ${first + 1} and ${i + 1}). Column names must be unique: rename one of them and write the file again.`);
    }
    seen.set(f.name, i);
  });
}

/** Reads Parquet or Arrow IPC bytes into a table, with a clear FabricError for bad files. */
export function readTable(bytes: Uint8Array, name: string, decodeParquet: ParquetDecoder): Table {
  const format = sniffFormat(bytes, name);
  if (format === 'csv') throw new FabricError('internal', `readTable: "${name}" is CSV, which readCsv reads`);
  try {
    const ipc = format === 'parquet' ? decodeParquet(bytes) : bytes;
    const table = tableFromIPC(ipc);
    if (table.numCols === 0) {
      throw new FabricError('unsupported-file', `load: "${name}" has no columns. Fabric needs at least one column to work on.`);
    }
    checkUniqueColumns(table, name);
    return table;
  } catch (e) {
    if (e instanceof FabricError) throw e;
    const what = format === 'parquet' ? 'Parquet' : 'Arrow IPC';
    throw new FabricError('corrupt-file', `load: "${name}" looks like ${what} but could not be read: ${e instanceof Error ? e.message : String(e)}. The file may be truncated or damaged; copy or download it again.`, { cause: e });
  }
}
