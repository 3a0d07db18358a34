/**
 * Test support: the small synthetic datasets the chaos runs use, loaded into partitions as the
 * coordinator loads a file, with a blob store the in-process nodes read from.
 */
import { Float64, Table, tableFromIPC, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import type { ArtifactStore as Artifacts } from '../../coordinator/artifact-store';
import { ArtifactStore } from '../../coordinator/artifact-store';
import type { BlobStore } from '../../coordinator/blob-store';
import { loadBytes } from '../../data/load';
import { syntheticIot } from '../../data/synthetic-iot';
import { seededRandom } from '../../kernels/random';
import type { DatasetInfo } from '../../protocol/dataset';

/** A loaded dataset: its description, bytes by partition, artifacts, and the partitions as tables. */
export interface ChaosData {
  readonly info: DatasetInfo;
  readonly store: BlobStore;
  readonly artifacts: Artifacts;
  readonly tables: readonly Table[];
}

/** Loads `table` as `name`, cut into partitions of `partitionRows`. */
export async function loadTable(table: Table, name: string, partitionRows: number): Promise<ChaosData> {
  return inMemory(await loadBytes(tableToIPC(table, 'stream'), name, () => { throw new Error(`${name} is Arrow, not Parquet`); }, { partitionRows }));
}

/** A loaded dataset as job tests use it: its info, a blob store over its partitions, and its tables. */
export function inMemory(loaded: Awaited<ReturnType<typeof loadBytes>>): ChaosData {
  const byId = new Map(loaded.partitions.map((p) => [p.ref.id, p.ipc]));
  const artifacts = new ArtifactStore();
  return {
    info: { ...loaded, partitions: loaded.partitions.map((p) => p.ref), loadMs: 0 },
    store: { bytes: (ref) => byId.get(ref.id)!, artifactBytes: (ref) => artifacts.bytes(ref) },
    artifacts,
    tables: loaded.partitions.map((p) => tableFromIPC(p.ipc)),
  };
}

/**
 * Rows with a row number `id`, two features, a city and a target. `y` is `id` plus a small
 * effect of x1, so a linear model fitted to it predicts (nearly) each row's own number: scored
 * rows that went missing, came twice or moved are then visible in the predictions alone.
 */
export function rowsTable(rows: number, seed: number): Table {
  const r = seededRandom(seed);
  const id = Array.from({ length: rows }, (_, i) => i);
  const x1 = Array.from({ length: rows }, () => r() * 4 - 2);
  const x2 = Array.from({ length: rows }, () => r() * 4 - 2);
  const city = Array.from({ length: rows }, () => ['a', 'b', 'c'][Math.floor(r() * 3)]!);
  const y = id.map((v, i) => v + 0.01 * x1[i]!);
  const label = x1.map((v, i) => (1.5 * v - x2[i]! + (city[i] === 'b' ? 0.5 : 0) + (r() - 0.5) > 0 ? 1 : 0));
  return new Table({
    id: vectorFromArray(id, new Float64()), x1: vectorFromArray(x1, new Float64()), x2: vectorFromArray(x2, new Float64()),
    city: vectorFromArray(city, new Utf8()), y: vectorFromArray(y, new Float64()), label: vectorFromArray(label, new Float64()),
  });
}

/** Devices of uneven sizes, one model each, for fitGroups. */
export function devicesTable(devices: number, seed: number): Table {
  return syntheticIot({ devices, rowsPerDevice: 60, sizeSpread: 1, random: seededRandom(seed) }).table;
}
