/**
 * The contract between a node's page and each of its slots (Web Workers reached with comlink).
 * Replies are always `{ ok: true, ... }` or `{ ok: false, error }`, so a FabricError's code
 * survives the trip (comlink's own error passing keeps only name, message and stack).
 */
import type { ArtifactRef, PartitionRef } from './dataset';
import type { SerializedError } from './errors';
import type { TaskKind } from './tasks';

/** A tfjs backend a slot can use. */
export type BackendName = 'webgpu' | 'wasm' | 'cpu';

/** One backend's probe: did it start, and how fast was a small matmul. */
export interface BackendMeasurement {
  readonly backend: BackendName;
  readonly ok: boolean;
  /** GFLOP/s of the probe matmul, when `ok`. */
  readonly gflops?: number | undefined;
  /** Why it could not start, when not `ok`. */
  readonly reason?: string | undefined;
}

/** What a slot reports when it starts. */
export interface ProbeReport {
  /** The backend the slot chose: the fastest that started. */
  readonly chosen: BackendName;
  /** GFLOP/s of the chosen backend, the slot's measured speed. */
  readonly gflops: number;
  readonly measurements: BackendMeasurement[];
  /** Adapter info when WebGPU started (e.g. `google / swiftshader`). */
  readonly gpu?: string | undefined;
  readonly crossOriginIsolated: boolean;
  /** The model kernel's measured choice between the CPU and WebGPU (WGSL) implementations. */
  readonly kernel?: KernelReport | undefined;
}

/** Which implementation of the model kernels a slot uses, and why. */
export interface KernelReport {
  readonly chosen: 'cpu' | 'webgpu';
  readonly cpuMs: number;
  readonly gpuMs?: number | undefined;
  readonly reason?: string | undefined;
}

/** A task as a slot receives it. */
export interface TaskRequest {
  readonly taskId: string;
  readonly kind: TaskKind;
  readonly params: unknown;
  readonly partitions: readonly PartitionRef[];
  /** Artifacts the task reads (a feature plan, a model); shipped and cached like partitions. */
  readonly artifacts?: readonly ArtifactRef[];
  /**
   * Binary inputs, e.g. model parameters as float64 bytes. They move as transferables to local
   * slots and as binary frames to volunteers, never as JSON.
   */
  readonly binary?: readonly Uint8Array[];
}

/** A slot's reply to a task. `binary` holds outputs such as gradient sums. */
export type TaskReply =
  | { readonly ok: true; readonly result: unknown; readonly ms: number; readonly binary?: readonly Uint8Array[] }
  | { readonly ok: false; readonly error: SerializedError };

/** A slot's reply to a cache request. */
export type CacheReply = { readonly ok: true } | { readonly ok: false; readonly error: SerializedError };

/** The API each slot worker exposes. */
export interface SlotApi {
  /** Detects and times the backends, chooses one. Called once, when the slot starts. */
  probe(): Promise<ProbeReport>;
  /** Caches a partition's Arrow IPC bytes after checking their hash. Transfer the buffer. */
  cachePartition(ref: PartitionRef, ipc: ArrayBuffer): Promise<CacheReply>;
  /** Caches an artifact's bytes after checking their hash. Transfer the buffer. */
  cacheArtifact(ref: ArtifactRef, bytes: ArrayBuffer): Promise<CacheReply>;
  /** Ids of the partitions held now. */
  cachedPartitions(): Promise<string[]>;
  /** Runs one task over cached partitions. */
  run(task: TaskRequest): Promise<TaskReply>;
  /** Makes every task take `factor` times as long (1 = normal), for straggler demos and tests. */
  setSlowdown(factor: number): Promise<void>;
}
