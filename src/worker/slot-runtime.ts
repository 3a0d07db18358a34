/**
 * A slot: runs tasks over the partitions it caches. Runs inside a Web Worker (slot.worker.ts)
 * but holds no worker- or DOM-specific code, so unit tests run it directly.
 */
import { tableFromIPC, type Table } from 'apache-arrow';
import { sha256Hex } from '../data/partition';
import type { ArtifactRef, BlobRef, PartitionRef } from '../protocol/dataset';
import { FabricError } from '../protocol/errors';
import type { CacheReply, ProbeReport, SlotApi, TaskReply, TaskRequest } from '../protocol/slot-api';
import { isTaskKind, TASK_KINDS, type TaskKind } from '../protocol/tasks';
import { EXECUTORS, type Executor, type ExecutorContext } from './executors/registry';

/** Artifacts (and the memo entries derived from them) kept per slot; older ones are evicted. */
const KEEP_ARTIFACTS = 8;

/** A slot's cache and executor. */
export class SlotRuntime implements SlotApi {
  private readonly partitions = new Map<string, { ref: PartitionRef; table: Table }>();
  private readonly artifacts = new Map<string, Uint8Array>();
  private readonly memo = new Map<string, unknown>();
  private slowdown = 1;

  /**
   * @param probeBackends measures the backends (and the model kernel) once, at start.
   * @param kernelDevice the WebGPU device for model kernels, when the probe chose WebGPU.
   */
  constructor(private readonly probeBackends: () => Promise<ProbeReport>, private readonly kernelDevice: () => GPUDevice | undefined = () => undefined) {}

  probe(): Promise<ProbeReport> {
    return this.probeBackends();
  }

  async cachePartition(ref: PartitionRef, ipc: ArrayBuffer): Promise<CacheReply> {
    try {
      const bytes = await checkBlob('cachePartition', 'partition', ref, ipc);
      this.partitions.set(ref.id, { ref, table: tableFromIPC(bytes) });
      return { ok: true };
    } catch (e) {
      return { ok: false, error: FabricError.from(e, 'task-failed').toJSON() };
    }
  }

  async cacheArtifact(ref: ArtifactRef, bytes: ArrayBuffer): Promise<CacheReply> {
    try {
      this.artifacts.set(ref.id, await checkBlob('cacheArtifact', 'artifact', ref, bytes));
      while (this.artifacts.size > KEEP_ARTIFACTS) this.evictArtifact(this.artifacts.keys().next().value!);
      return { ok: true };
    } catch (e) {
      return { ok: false, error: FabricError.from(e, 'task-failed').toJSON() };
    }
  }

  cachedPartitions(): Promise<string[]> {
    return Promise.resolve([...this.partitions.keys()]);
  }

  setSlowdown(factor: number): Promise<void> {
    if (!Number.isFinite(factor) || factor < 1) {
      return Promise.reject(new FabricError('bad-input', `setSlowdown: factor must be a number of at least 1, got ${factor}`));
    }
    this.slowdown = factor;
    return Promise.resolve();
  }

  async run(task: TaskRequest): Promise<TaskReply> {
    const t0 = performance.now();
    try {
      if (!isTaskKind(task.kind)) {
        throw new FabricError('unknown-task-kind', `run: task kind "${String(task.kind)}" is not registered; known kinds: ${Object.keys(TASK_KINDS).join(', ')}`);
      }
      const tables = task.partitions.map((ref) => {
        const cached = this.partitions.get(ref.id);
        if (!cached) throw new FabricError('not-cached', `run: partition ${ref.id} is not cached on this slot`);
        return cached.table;
      });
      const ctx: ExecutorContext = {
        tables,
        partitions: task.partitions,
        binary: task.binary ?? [],
        memo: this.memo,
        gpu: this.kernelDevice(),
        artifact: (id) => {
          const bytes = this.artifacts.get(id);
          if (!bytes) throw new FabricError('not-cached', `run: artifact ${id} is not cached on this slot (evicted for newer ones)`);
          return bytes;
        },
      };
      const output = await this.execute(task.kind, task.params, ctx);
      const computeMs = performance.now() - t0;
      if (this.slowdown > 1) await new Promise((r) => setTimeout(r, computeMs * (this.slowdown - 1)));
      return { ok: true, result: output.result, ms: performance.now() - t0, ...(output.binary ? { binary: output.binary } : {}) };
    } catch (e) {
      return { ok: false, error: FabricError.from(e, 'task-failed').toJSON() };
    }
  }

  private evictArtifact(id: string): void {
    this.artifacts.delete(id);
    for (const key of [...this.memo.keys()]) {
      if (!key.startsWith(`${id}|`)) continue;
      // Entries that hold memory outside the JS heap (a tfjs model's weights) free it when evicted.
      void Promise.resolve(this.memo.get(key)).then((v) => (v as { dispose?: () => void } | undefined)?.dispose?.(), () => undefined);
      this.memo.delete(key);
    }
  }

  private async execute<K extends TaskKind>(kind: K, rawParams: unknown, ctx: ExecutorContext): Promise<{ result: unknown; binary?: Uint8Array[] }> {
    const parsed = TASK_KINDS[kind].params.safeParse(rawParams);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new FabricError('bad-input', `${kind}: parameter "${issue?.path.join('.') ?? ''}" is invalid: ${issue?.message ?? 'invalid'}`);
    }
    const executor = EXECUTORS[kind] as Executor<K>;
    return executor(parsed.data as Parameters<Executor<K>>[0], ctx);
  }
}

/** Checks a blob's length and SHA-256 against its ref before it is cached. */
async function checkBlob(fn: string, what: string, ref: BlobRef, buffer: ArrayBuffer): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = new Uint8Array(buffer);
  if (bytes.byteLength !== ref.byteLength) {
    throw new FabricError('task-failed', `${fn}: ${what} ${ref.id} arrived with ${bytes.byteLength} bytes, expected ${ref.byteLength}`);
  }
  const hash = await sha256Hex(bytes);
  if (hash !== ref.hash) {
    throw new FabricError('task-failed', `${fn}: ${what} ${ref.id} has hash ${hash.slice(0, 12)}…, expected ${ref.hash.slice(0, 12)}…; it was damaged in transit`);
  }
  return bytes;
}
