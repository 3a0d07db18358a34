/**
 * fitGroups results as Parquet, for download. Kept apart from group-results.ts because it needs
 * parquet-wasm (a WebAssembly module fetched on first use), which the rest of a job never does.
 */
import initParquet, { Table as WasmTable, writeParquet } from 'parquet-wasm/esm';
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import { FabricError } from '../../protocol/errors';
import { groupResultsToIpc, type GroupResults } from './group-results';

let ready: Promise<unknown> | undefined;

/**
 * The results as a Parquet file (the same columns as {@link groupResultsToIpc}; NaN where a
 * number is missing). Loads parquet-wasm on the first call; a failed load is retried next call.
 */
export async function groupResultsToParquet(r: GroupResults): Promise<Uint8Array> {
  ready ??= initParquet({ module_or_path: parquetWasmUrl }).catch((e: unknown) => {
    ready = undefined;
    throw new FabricError('backend-unavailable', `groupResultsToParquet: could not load parquet-wasm from ${parquetWasmUrl} (${(e as Error).message}). Download CSV or Arrow instead, or check that the page's server serves .wasm files.`);
  });
  await ready;
  // fromIPCStream copies into WebAssembly memory; writeParquet consumes that table.
  return writeParquet(WasmTable.fromIPCStream(groupResultsToIpc(r)));
}
