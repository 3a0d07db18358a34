/** Artifacts the coordinator hands to tasks: content-addressed bytes (a feature plan, a model). */
import { sha256Hex } from '../data/partition';
import type { ArtifactRef } from '../protocol/dataset';
import { FabricError } from '../protocol/errors';

/** Holds artifacts by id. */
export class ArtifactStore {
  private readonly blobs = new Map<string, Uint8Array<ArrayBuffer>>();
  /** Bytes handed out per id: every hand-out is a send to one slot, so this counts traffic per artifact. */
  private readonly sent = new Map<string, number>();
  private readonly durableIds = new Set<string>();

  /**
   * Stores bytes and returns their ref; the same bytes always give the same id. `durable` marks
   * an artifact (a model) that volunteers keep on disk across visits.
   */
  async put(bytes: Uint8Array<ArrayBuffer>, options: { durable?: boolean } = {}): Promise<ArtifactRef> {
    const hash = await sha256Hex(bytes);
    const ref = { id: `a-${hash.slice(0, 16)}`, byteLength: bytes.byteLength, hash };
    this.blobs.set(ref.id, bytes);
    if (options.durable) this.durableIds.add(ref.id);
    return ref;
  }

  /** True for an artifact put as durable. */
  durable(ref: ArtifactRef): boolean {
    return this.durableIds.has(ref.id);
  }

  /** Stores a JSON value as an artifact. */
  putJson(value: unknown): Promise<ArtifactRef> {
    return this.put(new TextEncoder().encode(JSON.stringify(value)) as Uint8Array<ArrayBuffer>);
  }

  /** Forgets an artifact (a job's batches once the job is over). Slots evict their copies by age. */
  delete(ref: ArtifactRef): void {
    this.blobs.delete(ref.id);
  }

  /** Bytes of `ref` handed to nodes for their slots so far. */
  bytesSent(ref: ArtifactRef): number {
    return this.sent.get(ref.id) ?? 0;
  }

  /** The bytes of an artifact, to send to a slot. */
  bytes(ref: ArtifactRef): Uint8Array<ArrayBuffer> {
    const b = this.blobs.get(ref.id);
    if (!b) throw new FabricError('internal', `artifact ${ref.id} is not in the coordinator's store`);
    this.sent.set(ref.id, (this.sent.get(ref.id) ?? 0) + b.byteLength);
    return b;
  }
}
