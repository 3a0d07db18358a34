/**
 * A slot: runs tasks over the partitions it caches. Runs inside a Web Worker (slot.worker.ts)
 * but holds no worker- or DOM-specific code, so unit tests run it directly.
 */
import * as tf from '@tensorflow/tfjs';
import { tableFromIPC, type Table } from 'apache-arrow';
import { sha256Hex } from '../data/partition';
import type { ArtifactRef, BlobRef, PartitionRef } from '../protocol/dataset';
import { FabricError } from '../protocol/errors';
import type { CacheReply, ProbeOptions, ProbeReport, SlotApi, SlotMemory, TaskReply, TaskRequest } from '../protocol/slot-api';
import { isTaskKind, TASK_KINDS, type TaskKind } from '../protocol/tasks';
import { EXECUTORS, type Executor, type ExecutorContext } from './executors/registry';

/** Artifacts (and the memo entries derived from them) kept per slot; older ones are evicted. */
const KEEP_ARTIFACTS = 8;

/** What a slot's runtime needs from its backends: the probe, and its devices across losses (slot-devices.ts). */
export interface SlotBackends {
  /** Measures the backends (and the model kernel) once, at start. */
  probe(options?: ProbeOptions): Promise<ProbeReport>;
  /** The WebGPU device for model kernels now, or undefined for their CPU references. */
  kernelDevice(): GPUDevice | undefined;
  /** Devices lost so far; a task during which this changed ran on a lost device. */
  losses(): number;
  /** Resolves once the last loss is dealt with (a new device, or a fallback). */
  settled(): Promise<void>;
  /** Calls `cb` on each loss, before the slot moves to a new device or a fallback. */
  onLoss(cb: () => void): void;
  /** Calls `cb` with each new report. */
  watchReport(cb: (report: ProbeReport) => void): void;
  /** Destroys the slot's devices and resolves with the report after recovery. */
  loseDevice(): Promise<ProbeReport>;
  /** Live GPU buffers of the model kernels on the current device. */
  kernelBuffers(): { buffers: number; bytes: number };
}

/** Backends of a slot without WebGPU devices, from a probe function (tests, in-process nodes). */
function withoutDevices(probe: () => Promise<ProbeReport>): SlotBackends {
  let report: ProbeReport | undefined;
  return {
    probe: async () => (report = await probe()),
    kernelDevice: () => undefined,
    losses: () => 0,
    settled: () => Promise.resolve(),
    onLoss: () => undefined,
    watchReport: () => undefined,
    loseDevice: async () => report ?? probe(),
    kernelBuffers: () => ({ buffers: 0, bytes: 0 }),
  };
}

/**
 * How long a failed task waits for a device loss to be reported: `device.lost` resolves in a task
 * of its own, which may come just after the failure it caused. One macrotask is enough for that.
 */
const nextMacrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** A slot's cache and executor. */
export class SlotRuntime implements SlotApi {
  private readonly partitions = new Map<string, { ref: PartitionRef; table: Table }>();
  private readonly artifacts = new Map<string, Uint8Array>();
  private readonly memo = new Map<string, unknown>();
  private readonly backends: SlotBackends;
  private slowdown = 1;

  /** @param backends the slot's backends, or just a probe function for a slot without devices. */
  constructor(backends: SlotBackends | (() => Promise<ProbeReport>)) {
    this.backends = typeof backends === 'function' ? withoutDevices(backends) : backends;
    // Models and kernel choices made on a lost device must not outlive it; design matrices are rebuilt.
    this.backends.onLoss(() => {
      for (const key of [...this.memo.keys()]) this.forget(key);
    });
  }

  probe(options?: ProbeOptions): Promise<ProbeReport> {
    return this.backends.probe(options);
  }

  loseDevice(): Promise<ProbeReport> {
    return this.backends.loseDevice();
  }

  watchReport(onReport: (report: ProbeReport) => void): Promise<void> {
    this.backends.watchReport(onReport);
    return Promise.resolve();
  }

  /** Counters for leak tests, after a garbage collection when the runtime exposes `gc`. */
  memory(): Promise<SlotMemory> {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
    const kernel = this.backends.kernelBuffers();
    return Promise.resolve({
      numTensors: m.numTensors,
      numBytes: m.numBytes,
      tfjsGpuBytes: m.numBytesInGPU,
      kernelBuffers: kernel.buffers,
      kernelBytes: kernel.bytes,
      memoEntries: this.memo.size,
      collected: gc !== undefined,
    });
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
    await this.backends.settled();
    const losses = this.backends.losses();
    const reply = await this.runOnce(task);
    if (!reply.ok) await nextMacrotask();
    if (this.backends.losses() === losses) return reply;
    // Whatever the task returned, part of it ran on a lost device: it runs again, on what the slot uses now.
    const why = reply.ok ? '' : ` (it failed with: ${reply.error.message})`;
    return { ok: false, error: new FabricError('device-lost', `run: this slot's WebGPU device was lost while it ran ${task.kind} task ${task.taskId}${why}; the slot has moved to a new device or to its fallback backend, and the task will be retried`).toJSON() };
  }

  private async runOnce(task: TaskRequest): Promise<TaskReply> {
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
        gpu: this.backends.kernelDevice(),
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
    for (const key of [...this.memo.keys()]) if (key.startsWith(`${id}|`)) this.forget(key);
  }

  /** Drops a memo entry; one that holds memory outside the JS heap (a tfjs model's weights) frees it. */
  private forget(key: string): void {
    void Promise.resolve(this.memo.get(key)).then((v) => (v as { dispose?: () => void } | undefined)?.dispose?.(), () => undefined);
    this.memo.delete(key);
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
