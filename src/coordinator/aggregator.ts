/**
 * Adding up per-partition vectors (gradient sums) on the coordinator, in partition order, with
 * whichever implementation measured faster on this page: the CPU (float64) or the WGSL kernel
 * (double-f32 sums). Without a GPU the CPU wins at these sizes by far, and the choice is logged.
 * The same backend always gives the same bits; switching backends changes the last digits only.
 */
import { sumVectors } from '../kernels/glm-cpu';
import { requestDevice, sumVectorsGpu } from '../kernels/gpu-runner';
import { medianMs } from '../kernels/median-ms';

/** Sums vectors in index order. */
export interface Aggregator {
  readonly backend: 'cpu' | 'webgpu';
  /** What was measured, for the log. */
  readonly reason: string;
  sum(vectors: readonly Float64Array[]): Promise<Float64Array>;
}

/** The CPU aggregator (the fallback, and what Node tests use). */
export const cpuAggregator: Aggregator = { backend: 'cpu', reason: 'cpu only', sum: (v) => Promise.resolve(sumVectors(v)) };

/**
 * Measures both on 30 vectors of 16k values (the partitions of flights-3m times an MLP's
 * gradient; GLM gradients are smaller) and keeps the faster.
 */
export async function chooseAggregator(): Promise<Aggregator> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: GPU } | undefined)?.gpu;
  const device = gpu ? await requestDevice(gpu).catch(() => undefined) : undefined;
  if (!device) return { ...cpuAggregator, reason: 'no WebGPU device: cpu' };
  const vectors = Array.from({ length: 30 }, (_, k) => Float64Array.from({ length: 16_384 }, (_, i) => Math.sin(i * 0.37 + k)));
  try {
    // One warm-up each: pipeline compilation on the GPU, JIT on the CPU.
    const gpuMs = await medianMs(3, 1, async () => void (await sumVectorsGpu(device, vectors)));
    const cpuMs = await medianMs(3, 1, async () => void sumVectors(vectors));
    const reason = `cpu ${cpuMs.toFixed(2)} ms, webgpu ${gpuMs.toFixed(2)} ms for 30 × 16k`;
    if (gpuMs < cpuMs) return { backend: 'webgpu', reason, sum: (v) => sumVectorsGpu(device, v) };
    device.destroy();
    return { ...cpuAggregator, reason };
  } catch (e) {
    device.destroy();
    return { ...cpuAggregator, reason: `webgpu failed (${(e as Error).message}): cpu` };
  }
}
