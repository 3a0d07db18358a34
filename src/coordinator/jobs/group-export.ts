/**
 * Tables as Parquet, for download (fitGroups results, scored tables). Kept apart from the jobs
 * because it needs parquet-wasm (a WebAssembly module fetched on first use), which the rest of a
 * job never does.
 */
import { tableToIPC, type Table } from 'apache-arrow';
import initParquet, { Table as WasmTable, writeParquet } from 'parquet-wasm/esm';
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import { FabricError } from '../../protocol/errors';
import { groupResultsToIpc, type GroupResults } from './group-results';

let ready: Promise<unknown> | undefined;

/** Arrow IPC stream bytes as a Parquet file. Loads parquet-wasm on the first call; a failed load is retried next call. */
async function ipcToParquet(fn: string, ipc: Uint8Array): Promise<Uint8Array> {
  ready ??= initParquet({ module_or_path: parquetWasmUrl }).catch((e: unknown) => {
    ready = undefined;
    throw new FabricError('backend-unavailable', `${fn}: could not load parquet-wasm from ${parquetWasmUrl} (${(e as Error).message}). Download CSV or Arrow instead, or check that the page's server serves .wasm files.`);
  });
  await ready;
  // fromIPCStream copies into WebAssembly memory; writeParquet consumes that table.
  return writeParquet(WasmTable.fromIPCStream(ipc));
}

/** Any Arrow table as a Parquet file. */
export function tableToParquet(table: Table): Promise<Uint8Array> {
  return ipcToParquet('tableToParquet', tableToIPC(table, 'stream'));
}

/** The fitGroups results as a Parquet file (the same columns as {@link groupResultsToIpc}; NaN where a number is missing). */
export function groupResultsToParquet(r: GroupResults): Promise<Uint8Array> {
  return ipcToParquet('groupResultsToParquet', groupResultsToIpc(r));
}
