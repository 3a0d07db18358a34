/**
 * WebGPU plumbing shared by the runner: pipelines cached per device by program cache key, buffer
 * creation, read-back, and turning WebGPU failures into `FabricError`s.
 *
 * Caches are `WeakMap`s keyed by the `GPUDevice`, so a lost device's pipelines go with it and a
 * new device starts clean. Every buffer made here is counted per device until it is released with
 * {@link releaseBuffer}, so leak tests can see buffers that are never destroyed.
 */
import { FabricError } from '../protocol/errors';
import { BUFFER_USAGE, MAP_MODE_READ, SHADER_STAGE_COMPUTE } from './gpu-program';
import type { BindingKind, GpuProgram } from './gpu-program';

/** The compiled pipelines of one program, one per entry point, with their bind group layout. */
export interface GpuPipelines {
  /** Layout of group 0; shared by every program with the same binding kinds. */
  readonly bindGroupLayout: GPUBindGroupLayout;
  /** One pipeline per entry point, in the program's `entryPoints` order. */
  readonly pipelines: readonly GPUComputePipeline[];
}

interface DeviceCache {
  readonly layouts: Map<string, { bindGroupLayout: GPUBindGroupLayout; pipelineLayout: GPUPipelineLayout }>;
  readonly programs: Map<string, Promise<GpuPipelines>>;
}

const deviceCaches = new WeakMap<GPUDevice, DeviceCache>();

function cacheOf(device: GPUDevice): DeviceCache {
  let cache = deviceCaches.get(device);
  if (!cache) {
    cache = { layouts: new Map(), programs: new Map() };
    deviceCaches.set(device, cache);
  }
  return cache;
}

function layoutFor(device: GPUDevice, bindings: readonly BindingKind[]) {
  const cache = cacheOf(device);
  const key = bindings.join(',');
  let layout = cache.layouts.get(key);
  if (!layout) {
    const bindGroupLayout = device.createBindGroupLayout({
      entries: bindings.map((type, binding) => ({ binding, visibility: SHADER_STAGE_COMPUTE, buffer: { type } })),
    });
    const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [bindGroupLayout] });
    layout = { bindGroupLayout, pipelineLayout };
    cache.layouts.set(key, layout);
  }
  return layout;
}

/** Compiles (once per device and `program.cacheKey`) a pipeline for each entry point. */
export function programPipelines(device: GPUDevice, program: GpuProgram): Promise<GpuPipelines> {
  const cache = cacheOf(device);
  let entry = cache.programs.get(program.cacheKey);
  if (!entry) {
    const { bindGroupLayout, pipelineLayout } = layoutFor(device, program.bindings);
    entry = withGpuErrors(device, `compiling ${program.cacheKey}`, async () => {
      const module = device.createShaderModule({ code: program.shaderCode, label: program.cacheKey });
      const pipelines = await Promise.all(
        program.entryPoints.map((entryPoint) =>
          device.createComputePipelineAsync({ layout: pipelineLayout, compute: { module, entryPoint } }),
        ),
      );
      return { bindGroupLayout, pipelines };
    });
    entry.catch(() => cache.programs.delete(program.cacheKey));
    cache.programs.set(program.cacheKey, entry);
  }
  return entry;
}

/** Live buffers per device, with their sizes; a lost device's map goes with it. */
const liveBuffers = new WeakMap<GPUDevice, Map<GPUBuffer, number>>();
/** Which device made each buffer, so {@link releaseBuffer} needs only the buffer. */
const deviceOfBuffer = new WeakMap<GPUBuffer, GPUDevice>();

/** Buffers made by {@link createBuffer} on `device` and not yet released, and their bytes. */
export function liveBufferStats(device: GPUDevice): { buffers: number; bytes: number } {
  const live = liveBuffers.get(device);
  let bytes = 0;
  for (const size of live?.values() ?? []) bytes += size;
  return { buffers: live?.size ?? 0, bytes };
}

/** Destroys a buffer made by {@link createBuffer} and stops counting it. */
export function releaseBuffer(buffer: GPUBuffer): void {
  const device = deviceOfBuffer.get(buffer);
  if (device) liveBuffers.get(device)?.delete(buffer);
  buffer.destroy();
}

/**
 * A buffer of at least `bytes` (rounded up to 4, and to 16 so that empty inputs still bind),
 * with `data` written at offset 0 when given. Release it with {@link releaseBuffer}.
 */
export function createBuffer(
  device: GPUDevice,
  label: string,
  usage: number,
  bytes: number,
  data?: ArrayBufferView<ArrayBufferLike>,
): GPUBuffer {
  const size = Math.max(16, Math.ceil(bytes / 4) * 4);
  const buffer = device.createBuffer({ label, size, usage });
  let live = liveBuffers.get(device);
  if (!live) liveBuffers.set(device, (live = new Map()));
  live.set(buffer, size);
  deviceOfBuffer.set(buffer, device);
  if (data !== undefined && data.byteLength > 0) device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

/** A storage buffer holding `data`. */
export function storageWith(device: GPUDevice, label: string, data: Float32Array | Int32Array): GPUBuffer {
  return createBuffer(device, label, BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_DST, data.byteLength, data);
}

/** Maps `staging` (already filled by a submitted copy) and returns its first `floats` as f32. */
export async function readStaging(staging: GPUBuffer, floats: number): Promise<Float32Array> {
  await staging.mapAsync(MAP_MODE_READ, 0, Math.max(16, floats * 4));
  try {
    return new Float32Array(staging.getMappedRange(0, floats * 4).slice(0));
  } finally {
    staging.unmap();
  }
}

/**
 * Runs `work` inside validation and out-of-memory error scopes. A validation error is a bug in a
 * kernel (`internal`); running out of memory or losing the device means this backend cannot do
 * the work now (`backend-unavailable`: request a new device, or use the cpu backend). Scopes are a
 * per-device stack, so overlapping calls on one device may report each other's errors.
 */
export async function withGpuErrors<T>(device: GPUDevice, what: string, work: () => Promise<T>): Promise<T> {
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  let result: T;
  try {
    result = await work();
  } catch (e) {
    await device.popErrorScope().catch(() => null);
    await device.popErrorScope().catch(() => null);
    if (e instanceof FabricError) throw e;
    throw new FabricError(
      'backend-unavailable',
      `WebGPU failed while ${what}: ${e instanceof Error ? e.message : String(e)}. ` +
        'The device may be lost: request a new device, or use the cpu backend.',
      { cause: e },
    );
  }
  const oom = await device.popErrorScope();
  const invalid = await device.popErrorScope();
  if (oom) {
    throw new FabricError(
      'backend-unavailable',
      `WebGPU ran out of memory while ${what}: ${oom.message}. Use smaller partitions or the cpu backend.`,
    );
  }
  if (invalid) throw new FabricError('internal', `WebGPU validation error while ${what}: ${invalid.message}`);
  return result;
}

/** The largest storage binding in f32/i32 elements the device allows. */
export function maxBindingElements(device: GPUDevice): number {
  const bytes = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  return Math.floor(bytes / 4);
}
