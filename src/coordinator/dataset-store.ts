/**
 * The coordinator's dataset: loaded by the loader worker (off the main thread), kept as one Arrow
 * IPC byte string per partition, and handed to nodes by reference.
 */
import * as Comlink from 'comlink';
import flightsUrl from '@datasets/flights-3m.parquet?url';
import type { LoaderApi } from '../data/load.worker';
import type { LoadedDataset, LoadOptions } from '../data/load';
import type { CsvColumnType } from '../data/csv-types';
import type { DatasetInfo, PartitionRef } from '../protocol/dataset';
import { FabricError } from '../protocol/errors';
import { isSyntheticSource, type SyntheticSource } from './synthetic';


/** Built-in datasets, by name. */
export const BUILTIN_DATASETS = {
  /** 3,000,000 US flights of 2001 (vega-datasets): date, delay, distance, origin, destination. */
  'flights-3m': flightsUrl,
} as const;

/** What `load` accepts: a built-in name, a URL, a File or Blob, bytes, or a generated dataset (`synthetic.iot(...)`). */
export type DatasetSource = keyof typeof BUILTIN_DATASETS | string | URL | Blob | ArrayBuffer | Uint8Array | SyntheticSource;

/** Options of `load`. */
export interface LoadDatasetOptions {
  /** Shown on the page and in errors; taken from the file or URL when omitted. */
  readonly name?: string;
  /** Rows per partition; chosen from the row width when omitted (100,000 for flights-3m). */
  readonly partitionRows?: number;
  /** CSV only: a column's type instead of the inferred one, e.g. `{ zip: 'utf8' }` (src/data/csv-types.ts). */
  readonly columnTypes?: Readonly<Record<string, CsvColumnType>>;
  /** Keep only this fraction of the rows, as short runs evenly spaced over the file (0.01 for 1%). */
  readonly sample?: number;
}

/** Holds the loaded dataset. */
export class DatasetStore {
  private loaded: (LoadedDataset & { loadMs: number }) | undefined;
  private readonly byId = new Map<string, Uint8Array<ArrayBuffer>>();
  private loader: Comlink.Remote<LoaderApi> | undefined;

  /** The dataset's description, or undefined before a load. */
  get info(): DatasetInfo | undefined {
    const d = this.loaded;
    if (!d) return undefined;
    return { id: d.id, name: d.name, numRows: d.numRows, columns: d.columns, partitions: d.partitions.map((p) => p.ref), loadMs: d.loadMs };
  }

  /** The dataset's description; throws `no-dataset` before a load. */
  require(what: string): DatasetInfo {
    const info = this.info;
    if (!info) throw new FabricError('no-dataset', `${what}: no dataset is loaded. Call fabric.load('flights-3m') (or a file) first.`);
    return info;
  }

  bytes(ref: PartitionRef): Uint8Array<ArrayBuffer> {
    const b = this.byId.get(ref.id);
    if (!b) throw new FabricError('no-dataset', `partition ${ref.id} is not loaded; a newer load replaced its dataset`);
    return b;
  }

  /** Loads a dataset, replacing the current one only if the load succeeds. */
  async load(source: DatasetSource, options: LoadDatasetOptions = {}): Promise<DatasetInfo> {
    const t0 = performance.now();
    const loader = this.startLoader();
    const opts: LoadOptions = { partitionRows: options.partitionRows, columnTypes: options.columnTypes, sample: options.sample };
    let reply;
    if (isSyntheticSource(source)) {
      const o = source.options;
      const name = options.name ?? `synthetic-iot-${o.devices}x${o.rowsPerDevice}-seed${o.seed}`;
      reply = await loader.loadIot({ devices: o.devices, rowsPerDevice: o.rowsPerDevice, seed: o.seed, sensors: o.sensors, noise: o.noise, sizeSpread: o.sizeSpread }, name, opts);
    } else if (typeof source === 'string' && source in BUILTIN_DATASETS) {
      const url = BUILTIN_DATASETS[source as keyof typeof BUILTIN_DATASETS];
      reply = await loader.loadUrl(new URL(url, location.href).href, options.name ?? `${source}.parquet`, opts);
    } else if (typeof source === 'string' || source instanceof URL) {
      const url = new URL(String(source), location.href);
      reply = await loader.loadUrl(url.href, options.name ?? (url.pathname.split('/').pop() || url.href), opts);
    } else if (source instanceof Blob) {
      // The worker reads the file itself: the page never holds a large file's bytes.
      reply = await loader.loadBlob(source, options.name ?? (source instanceof File ? source.name : 'blob'), opts);
    } else if (source instanceof ArrayBuffer || source instanceof Uint8Array) {
      const buf = source instanceof ArrayBuffer ? source.slice(0) : source.slice().buffer;
      reply = await loader.loadBytes(Comlink.transfer(buf, [buf]), options.name ?? 'bytes', opts);
    } else {
      throw new FabricError('bad-input', `load: source must be a built-in name (${Object.keys(BUILTIN_DATASETS).join(', ')}), a URL, a File, a Blob, bytes, or synthetic.iot({ ... }); got ${typeof source}`);
    }
    if (!reply.ok) throw FabricError.fromJSON(reply.error);
    const dataset = reply.dataset;
    this.byId.clear();
    for (const p of dataset.partitions) this.byId.set(p.ref.id, p.ipc);
    this.loaded = { ...dataset, loadMs: Math.round(performance.now() - t0) };
    return this.info!;
  }

  private startLoader(): Comlink.Remote<LoaderApi> {
    this.loader ??= Comlink.wrap<LoaderApi>(new Worker(new URL('../data/load.worker.ts', import.meta.url), { type: 'module', name: 'fabric-loader' }));
    return this.loader;
  }
}
