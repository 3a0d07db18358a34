/**
 * The loader worker: fetches or receives a file and reads, checks and partitions it off the main
 * thread (reading flights-3m takes about 2 s). Replies `{ ok, dataset }` or `{ ok: false, error }`.
 */
import * as Comlink from 'comlink';
import initParquet, { readParquet } from 'parquet-wasm/esm';
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import { FabricError, type SerializedError } from '../protocol/errors';
import { loadBytes, type LoadedDataset, type LoadOptions } from './load';
import { PARQUET_BATCH_ROWS } from './read-table';

let ready: Promise<unknown> | undefined;

/** The loader's reply. */
export type LoadReply = { ok: true; dataset: LoadedDataset } | { ok: false; error: SerializedError };

/** What the loader worker exposes. */
export interface LoaderApi {
  loadUrl(url: string, name: string, options: LoadOptions): Promise<LoadReply>;
  loadBytes(bytes: ArrayBuffer, name: string, options: LoadOptions): Promise<LoadReply>;
}

async function run(getBytes: () => Promise<Uint8Array>, name: string, options: LoadOptions): Promise<LoadReply> {
  try {
    ready ??= initParquet({ module_or_path: parquetWasmUrl });
    await ready;
    const bytes = await getBytes();
    const dataset = await loadBytes(bytes, name, (b) => readParquet(b, { batchSize: PARQUET_BATCH_ROWS }).intoIPCStream(), options);
    return Comlink.transfer({ ok: true, dataset }, dataset.partitions.map((p) => p.ipc.buffer));
  } catch (e) {
    // Readers wrap their own failures as corrupt-file; anything else here is our bug.
    return { ok: false, error: FabricError.from(e, 'internal').toJSON() };
  }
}

const api: LoaderApi = {
  loadUrl: (url, name, options) => run(async () => {
    const res = await fetch(url).catch((e: unknown) => {
      throw new FabricError('bad-input', `load: could not fetch ${url} (${(e as Error).message}). Check the URL and that the server allows it.`);
    });
    if (!res.ok) throw new FabricError('bad-input', `load: fetching ${url} answered ${res.status} ${res.statusText}. Check the URL.`);
    return new Uint8Array(await res.arrayBuffer());
  }, name, options),
  loadBytes: (bytes, name, options) => run(async () => new Uint8Array(bytes), name, options),
};

Comlink.expose(api);
