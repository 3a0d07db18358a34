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

/** Reads Parquet or Arrow IPC bytes into a table, with a clear FabricError for bad files. */
export function readTable(bytes: Uint8Array, name: string, decodeParquet: ParquetDecoder): Table {
  const format = sniffFormat(bytes, name);
  try {
    const ipc = format === 'parquet' ? decodeParquet(bytes) : bytes;
    const table = tableFromIPC(ipc);
    if (table.numCols === 0) {
      throw new FabricError('unsupported-file', `load: "${name}" has no columns. Fabric needs at least one column to work on.`);
    }
    return table;
  } catch (e) {
    if (e instanceof FabricError) throw e;
    const what = format === 'parquet' ? 'Parquet' : 'Arrow IPC';
    throw new FabricError('corrupt-file', `load: "${name}" looks like ${what} but could not be read: ${e instanceof Error ? e.message : String(e)}. The file may be truncated or damaged; copy or download it again.`, { cause: e });
  }
}
