/**
 * A volunteer's durable store of models: artifacts the coordinator marks `keep` (models for
 * `score`) are written to IndexedDB by content hash, so a reloaded tab tells the coordinator what
 * it already holds and loads the model from disk instead of the link. Oldest entries go first when
 * the store passes its cap. Every failure here is swallowed by the caller: the store is a cache,
 * and the link is always there.
 */

/** Bytes the store keeps at most: a few large models, well inside a browser's per-origin quota. */
const MAX_BYTES = 512 * 1024 * 1024;
const DB = 'fabric-volunteer';
const STORE = 'blobs';

interface Entry {
  readonly hash: string;
  readonly bytes: ArrayBuffer;
  readonly storedAt: number;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

/** Content-addressed blobs in IndexedDB. */
export class BlobDb {
  private constructor(private readonly db: IDBDatabase) {}

  /** Opens the store; rejects where IndexedDB is unavailable (the caller then keeps nothing). */
  static open(): Promise<BlobDb> {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'hash' });
    return request(open).then((db) => new BlobDb(db));
  }

  /** Hashes held, newest first. */
  async hashes(): Promise<string[]> {
    const entries = await request(this.db.transaction(STORE).objectStore(STORE).getAll()) as Entry[];
    return entries.sort((a, b) => b.storedAt - a.storedAt).map((e) => e.hash);
  }

  /** The bytes of `hash`, or undefined. */
  async get(hash: string): Promise<ArrayBuffer | undefined> {
    const entry = await request(this.db.transaction(STORE).objectStore(STORE).get(hash)) as Entry | undefined;
    return entry?.bytes;
  }

  /** Keeps `bytes` under `hash`, dropping the oldest entries past the cap. */
  async put(hash: string, bytes: ArrayBuffer): Promise<void> {
    if (bytes.byteLength > MAX_BYTES) return;
    const store = this.db.transaction(STORE, 'readwrite').objectStore(STORE);
    await request(store.put({ hash, bytes, storedAt: Date.now() } satisfies Entry));
    const entries = (await request(this.db.transaction(STORE).objectStore(STORE).getAll()) as Entry[]).sort((a, b) => b.storedAt - a.storedAt);
    let total = 0;
    const drop: string[] = [];
    for (const e of entries) {
      total += e.bytes.byteLength;
      if (total > MAX_BYTES) drop.push(e.hash);
    }
    if (drop.length === 0) return;
    const tx = this.db.transaction(STORE, 'readwrite').objectStore(STORE);
    await Promise.all(drop.map((h) => request(tx.delete(h))));
  }
}
