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
  /** Set once a WebGPU device of the slot was lost: what it used before, and what it did about it. */
  readonly deviceLost?: DeviceLossReport | undefined;
}

/**
 * What a slot did after losing a WebGPU device. `chosen` and `kernel.chosen` in the report are what
 * it uses now; these are what it used before the first loss.
 */
export interface DeviceLossReport {
  /** Devices lost so far (the tfjs backend's and the model kernels' count separately). */
  readonly count: number;
  /** The tfjs backend before the first loss. */
  readonly backend: BackendName;
  /** The model kernel before the first loss. */
  readonly kernel: 'cpu' | 'webgpu';
  /** What happened, in words, e.g. `device lost (destroyed); tfjs fell back to wasm`. */
  readonly detail: string;
}

/** Options of {@link SlotApi.probe}. */
export interface ProbeOptions {
  /**
   * Use this tfjs backend (and, for `webgpu`, the WGSL model kernels) when it starts, whatever the
   * measurements say; the others are still measured, as fallbacks. For tests and demos of WebGPU
   * on machines where it is slower (SwiftShader).
   */
  readonly backend?: BackendName | undefined;
}

/** A slot's memory, for leak checks: tfjs's counters, our kernels' GPU buffers, the JS heap. */
export interface SlotMemory {
  /** `tf.memory().numTensors`. */
  readonly numTensors: number;
  /** `tf.memory().numBytes` (tensor bytes on every backend). */
  readonly numBytes: number;
  /** Bytes of tfjs's webgpu buffers in use (`numBytesInGPU`), when tfjs is on webgpu. */
  readonly tfjsGpuBytes?: number | undefined;
  /** Live GPU buffers of the model kernels on the slot's current device (gpu-resources.ts). */
  readonly kernelBuffers: number;
  readonly kernelBytes: number;
  /** Entries in the slot's memo (design matrices, loaded models). */
  readonly memoEntries: number;
  /** True when a garbage collection ran first (Chromium with `--js-flags=--expose-gc`, Node with `--expose-gc`). */
  readonly collected: boolean;
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
  probe(options?: ProbeOptions): Promise<ProbeReport>;
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
  /**
   * Destroys the slot's WebGPU devices (`device.destroy()`), exactly as a real loss looks to the
   * slot: for tests and demos of recovery. Resolves once the slot has recovered; the report it
   * sends then says what it uses now.
   */
  loseDevice(): Promise<ProbeReport>;
  /** Calls `onReport` with the slot's new report whenever it changes (after a device loss). */
  watchReport(onReport: (report: ProbeReport) => void): Promise<void>;
  /** Memory counters after a garbage collection where the runtime allows one, for leak tests. */
  memory(): Promise<SlotMemory>;
}
