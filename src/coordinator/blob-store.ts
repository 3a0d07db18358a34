/** Where nodes get the bytes of a partition or artifact they must send to a slot. */
import type { ArtifactRef, PartitionRef } from '../protocol/dataset';

/** Gives blob bytes by reference. */
export interface BlobStore {
  /** The bytes of a partition. Throws `no-dataset` when it is not loaded. */
  bytes(ref: PartitionRef): Uint8Array<ArrayBuffer>;
  /** The bytes of an artifact. Throws `internal` when it is unknown. */
  artifactBytes(ref: ArtifactRef): Uint8Array<ArrayBuffer>;
  /** True for artifacts worth keeping on a volunteer's disk across visits (models). */
  durable?(ref: ArtifactRef): boolean;
}
