/**
 * The shuffle worker: groups the dataset by key and writes each task's batch off the main thread
 * (3M rows take about a second). It keeps the last dataset's tables, so a second groupBy on the
 * same dataset does not copy the partitions again. Replies `{ ok, ... }` or `{ ok: false, error }`.
 */
import * as Comlink from 'comlink';
import { tableFromIPC, type Table } from 'apache-arrow';
import { FabricError, type SerializedError } from '../protocol/errors';
import { shuffleIntoBatches, type ShuffledBatches, type ShuffleRequest } from './group-batches';

/** The shuffle's reply. */
export type ShuffleReply = { ok: true; shuffled: ShuffledBatches } | { ok: false; error: SerializedError };

/** What the shuffle worker exposes. */
export interface ShuffleApi {
  /** True when the worker holds dataset `id`. */
  holds(id: string): boolean;
  /** Takes the partitions of dataset `id` (Arrow IPC, in partition order), replacing any other. */
  hold(id: string, partitions: ArrayBuffer[]): void;
  /** Shuffles the held dataset into task batches. */
  shuffle(request: ShuffleRequest): ShuffleReply;
}

let held: { id: string; tables: Table[] } | undefined;

const api: ShuffleApi = {
  holds: (id) => held?.id === id,
  hold: (id, partitions) => {
    held = { id, tables: partitions.map((b) => tableFromIPC(new Uint8Array(b))) };
  },
  shuffle: (request) => {
    try {
      if (!held) throw new FabricError('internal', 'shuffle: no dataset is held; call hold() first');
      const shuffled = shuffleIntoBatches(held.tables, request);
      return Comlink.transfer({ ok: true, shuffled }, shuffled.batches.map((b) => b.ipc.buffer));
    } catch (e) {
      return { ok: false, error: FabricError.from(e, 'internal').toJSON() };
    }
  },
};

Comlink.expose(api);
