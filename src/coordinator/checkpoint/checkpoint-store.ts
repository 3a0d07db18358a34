/**
 * The coordinator's checkpoints in IndexedDB (database `fabric-coordinator`, store
 * `checkpoints`, one record per job keyed by its checkpoint id). Each write is one readwrite
 * transaction that replaces the record whole, so a reload mid-write leaves the previous
 * checkpoint or the new one, never a mix. The volunteer side keeps its models the same way
 * (src/worker/blob-db.ts).
 */
import { FabricError } from '../../protocol/errors';
import type { Checkpoint } from './checkpoint-types';

const DB = 'fabric-coordinator';
const STORE = 'checkpoints';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

/** Resolves when a transaction has committed (a request's success alone does not mean durable). */
function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** Checkpoints on this origin. */
export class CheckpointStore {
  private constructor(private readonly db: IDBDatabase) {}

  /** Opens the store; rejects with `internal` where IndexedDB is missing (Node without a shim). */
  static open(factory: IDBFactory | undefined = globalThis.indexedDB): Promise<CheckpointStore> {
    if (!factory) return Promise.reject(new FabricError('internal', 'checkpoints: IndexedDB is not available here, so checkpoints cannot be kept; run in a browser, or leave the checkpoint option out'));
    const open = factory.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'id' });
    return request(open).then((db) => new CheckpointStore(db));
  }

  /** Writes `checkpoint` in one transaction, replacing any record with its id. */
  put(checkpoint: Checkpoint): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(checkpoint);
    return committed(tx);
  }

  /** The checkpoint with `id`, or undefined. */
  async get(id: string): Promise<Checkpoint | undefined> {
    return await request(this.db.transaction(STORE).objectStore(STORE).get(id)) as Checkpoint | undefined;
  }

  /** Every checkpoint, the most recently saved first. */
  async list(): Promise<Checkpoint[]> {
    const all = await request(this.db.transaction(STORE).objectStore(STORE).getAll()) as Checkpoint[];
    return all.sort((a, b) => b.savedAt - a.savedAt);
  }

  /** Deletes the checkpoint with `id` (nothing if there is none). */
  delete(id: string): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(id);
    return committed(tx);
  }
}

/**
 * One job's writes, kept off the job's path: `save` returns at once; one write is in flight at a
 * time and, if the job saves again meanwhile, only the newest state is written next (an older one
 * would be overwritten anyway). `finish` waits for the writes and then deletes or keeps the record.
 */
export class CheckpointWriter {
  private inFlight: Promise<void> = Promise.resolve();
  private queued: Checkpoint | undefined;
  private writing = false;
  private closed = false;
  /** Checkpoints written so far (for the log and tests). */
  written = 0;

  constructor(private readonly store: Promise<CheckpointStore>, private readonly onError: (e: unknown) => void) {}

  /** Queues `checkpoint` to be written; never waits. Ignored after `finish`. */
  save(checkpoint: Checkpoint): void {
    if (this.closed) return;
    this.queued = checkpoint;
    if (!this.writing) this.inFlight = this.drain();
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queued) {
        const next = this.queued;
        this.queued = undefined;
        try {
          await (await this.store).put(next);
          this.written++;
        } catch (e) {
          this.onError(e);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** Waits for queued writes, then deletes the record (`keep` false) or leaves it for a resume. */
  async finish(id: string, keep: boolean): Promise<void> {
    this.closed = true;
    await this.inFlight;
    if (keep) return;
    try {
      await (await this.store).delete(id);
    } catch (e) {
      this.onError(e);
    }
  }
}
