/**
 * The loader worker: fetches or receives a file and reads, checks and partitions it off the main
 * thread (reading flights-3m takes about 2 s). Replies `{ ok, dataset }` or `{ ok: false, error }`.
 */
import * as Comlink from 'comlink';
import initParquet, { readParquet } from 'parquet-wasm/esm';
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import { FabricError, type SerializedError } from '../protocol/errors';
// An entry point, not a library module: it composes the loader with Fabric's one seeded generator.
import { seededRandom } from '../kernels/random';
import { loadBlob, loadTable, type LoadedDataset, type LoadOptions } from './load';
import { syntheticIot } from './synthetic-iot';
import { PARQUET_BATCH_ROWS } from './read-table';

let ready: Promise<unknown> | undefined;

/** The loader's reply. */
export type LoadReply = { ok: true; dataset: LoadedDataset } | { ok: false; error: SerializedError };

/** What the loader worker exposes. */
export interface LoaderApi {
  loadUrl(url: string, name: string, options: LoadOptions): Promise<LoadReply>;
  loadBytes(bytes: ArrayBuffer, name: string, options: LoadOptions): Promise<LoadReply>;
  /** A File or Blob, read here: a CSV is streamed from it, so the page never holds its bytes. */
  loadBlob(blob: Blob, name: string, options: LoadOptions): Promise<LoadReply>;
  /** Generates the synthetic IoT dataset (synthetic-iot.ts) from a seed and partitions it. */
  loadIot(iot: IotRequest, name: string, options: LoadOptions): Promise<LoadReply>;
}

/** The synthetic IoT dataset's options, with a seed instead of a generator. */
export interface IotRequest {
  readonly devices: number;
  readonly rowsPerDevice: number;
  readonly seed: number;
  readonly sensors?: number | undefined;
  readonly noise?: number | undefined;
  readonly sizeSpread?: number | undefined;
}

async function run(getBlob: () => Promise<Blob>, name: string, options: LoadOptions): Promise<LoadReply> {
  return reply(async () => {
    ready ??= initParquet({ module_or_path: parquetWasmUrl });
    await ready;
    const blob = await getBlob();
    return loadBlob(blob, name, (b) => readParquet(b, { batchSize: PARQUET_BATCH_ROWS }).intoIPCStream(), options);
  });
}

async function reply(load: () => Promise<LoadedDataset>): Promise<LoadReply> {
  try {
    const dataset = await load();
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
    return res.blob();
  }, name, options),
  loadBytes: (bytes, name, options) => run(async () => new Blob([bytes]), name, options),
  loadBlob: (blob, name, options) => run(async () => blob, name, options),
  loadIot: (iot, name, options) => reply(async () => loadTable(syntheticIot({ ...iot, random: seededRandom(iot.seed) }).table, name, options)),
};

Comlink.expose(api);
