/** The page's side of the shuffle worker: hands it the dataset once, then asks for shuffles. */
import * as Comlink from 'comlink';
import type { DatasetInfo, PartitionRef } from '../protocol/dataset';
import { FabricError } from '../protocol/errors';
import type { ShuffledBatches, ShuffleRequest } from './group-batches';
import type { ShuffleApi } from './shuffle.worker';

/** Starts the worker at the first shuffle and keeps it for the page's life. */
export class ShuffleClient {
  private worker: Comlink.Remote<ShuffleApi> | undefined;

  /** @param bytes the partition bytes of the loaded dataset. */
  constructor(private readonly bytes: (ref: PartitionRef) => Uint8Array<ArrayBuffer>) {}

  /** Shuffles `dataset` (the loaded one) into task batches. */
  async shuffle(dataset: DatasetInfo, request: ShuffleRequest): Promise<ShuffledBatches> {
    this.worker ??= Comlink.wrap<ShuffleApi>(new Worker(new URL('./shuffle.worker.ts', import.meta.url), { type: 'module', name: 'fabric-shuffle' }));
    if (!(await this.worker.holds(dataset.id))) {
      // Copies: the dataset store keeps its bytes for the slots.
      const copies = dataset.partitions.map((ref) => this.bytes(ref).slice().buffer);
      await this.worker.hold(dataset.id, Comlink.transfer(copies, copies));
    }
    const reply = await this.worker.shuffle(request);
    if (!reply.ok) throw FabricError.fromJSON(reply.error);
    return reply.shuffled;
  }
}
