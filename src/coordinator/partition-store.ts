/** Where nodes get the bytes of a partition they must send to a slot. */
import type { PartitionRef } from '../protocol/dataset';

/** Gives a partition's Arrow IPC bytes by reference. */
export interface PartitionStore {
  /** The bytes of `ref`. Throws `no-dataset` when the partition is not loaded. */
  bytes(ref: PartitionRef): Uint8Array<ArrayBuffer>;
}
