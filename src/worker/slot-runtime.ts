/**
 * A slot: runs tasks over the partitions it caches. Runs inside a Web Worker (slot.worker.ts)
 * but holds no worker- or DOM-specific code, so unit tests run it directly.
 */
import { tableFromIPC, type Table } from 'apache-arrow';
import { sha256Hex } from '../data/partition';
import type { PartitionRef } from '../protocol/dataset';
import { FabricError } from '../protocol/errors';
import type { CacheReply, ProbeReport, SlotApi, TaskReply, TaskRequest } from '../protocol/slot-api';
import { isTaskKind, TASK_KINDS, type TaskKind } from '../protocol/tasks';
import { EXECUTORS, type Executor } from './executors/registry';

/** A slot's cache and executor. */
export class SlotRuntime implements SlotApi {
  private readonly partitions = new Map<string, { ref: PartitionRef; table: Table }>();
  private slowdown = 1;

  constructor(private readonly probeBackends: () => Promise<ProbeReport>) {}

  probe(): Promise<ProbeReport> {
    return this.probeBackends();
  }

  async cachePartition(ref: PartitionRef, ipc: ArrayBuffer): Promise<CacheReply> {
    try {
      const bytes = new Uint8Array(ipc);
      if (bytes.byteLength !== ref.byteLength) {
        throw new FabricError('task-failed', `cachePartition: partition ${ref.id} arrived with ${bytes.byteLength} bytes, expected ${ref.byteLength}`);
      }
      const hash = await sha256Hex(bytes);
      if (hash !== ref.hash) {
        throw new FabricError('task-failed', `cachePartition: partition ${ref.id} has hash ${hash.slice(0, 12)}…, expected ${ref.hash.slice(0, 12)}…; it was damaged in transit`);
      }
      this.partitions.set(ref.id, { ref, table: tableFromIPC(bytes) });
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
        if (!cached) throw new FabricError('task-failed', `run: partition ${ref.id} is not cached on this slot`);
        return cached.table;
      });
      const result = await this.execute(task.kind, task.params, tables);
      const computeMs = performance.now() - t0;
      if (this.slowdown > 1) await new Promise((r) => setTimeout(r, computeMs * (this.slowdown - 1)));
      return { ok: true, result, ms: performance.now() - t0 };
    } catch (e) {
      return { ok: false, error: FabricError.from(e, 'task-failed').toJSON() };
    }
  }

  private async execute<K extends TaskKind>(kind: K, rawParams: unknown, tables: readonly Table[]): Promise<unknown> {
    const parsed = TASK_KINDS[kind].params.safeParse(rawParams);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new FabricError('bad-input', `${kind}: parameter "${issue?.path.join('.') ?? ''}" is invalid: ${issue?.message ?? 'invalid'}`);
    }
    const executor = EXECUTORS[kind] as Executor<K>;
    return executor(parsed.data as Parameters<Executor<K>>[0], tables);
  }
}
