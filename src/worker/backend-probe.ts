/**
 * Finds which tfjs backends start in this worker and how fast each is, then chooses the fastest.
 * WebGPU is not assumed to win: on SwiftShader (no GPU) it ran a 256x256 matmul at 0.5 GFLOP/s
 * against 21.8 for wasm (TESTING-NOTES.md). Backends that fail are listed with their reasons, as
 * onnxruntime-web does; only when all fail is it an error.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { chooseKernelBackend } from '../kernels/kernel-choice';
import { requestDevice } from '../kernels/gpu-runner';
import { randomDesign } from '../kernels/random-design';
import { FabricError } from '../protocol/errors';
import type { BackendMeasurement, BackendName, KernelReport, ProbeOptions, ProbeReport } from '../protocol/slot-api';

/** A probe's report, and the WebGPU device it chose for the model kernels (if it chose WebGPU). */
export interface ProbedBackends {
  readonly report: ProbeReport;
  readonly kernelDevice: GPUDevice | undefined;
}

/**
 * Times the GLM kernel on the CPU and on WebGPU (WGSL) over a sample shaped like flights
 * features (20k rows, a few dense columns, two airport-sized one-hots) and keeps the faster, or
 * WebGPU when it is forced and agrees with the CPU.
 */
async function probeModelKernel(force: BackendName | undefined): Promise<{ kernel: KernelReport; device: GPUDevice | undefined }> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  const device = gpu ? await requestDevice(gpu).catch(() => undefined) : undefined;
  const sample = randomDesign({ rows: 20_000, denseCols: 4, categories: [229, 229], kind: 'logistic', seed: 11 });
  let kernel: KernelReport = await chooseKernelBackend(device, sample, { kind: 'logistic', runs: 3 });
  // "<backend> is faster: …" means the GPU ran and agreed with the CPU; only then may it be forced.
  if (force === 'webgpu' && kernel.chosen === 'cpu' && kernel.gpuMs !== undefined && / is faster: /.test(kernel.reason ?? '')) {
    kernel = { ...kernel, chosen: 'webgpu', reason: `webgpu forced (backend=webgpu); measured ${kernel.reason!.replace(/^cpu is faster: /, '')}` };
  }
  if (kernel.chosen === 'webgpu') return { kernel, device };
  device?.destroy();
  return { kernel, device: undefined };
}

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/** Probe order: also the preference when two measure the same. */
const BACKENDS: readonly BackendName[] = ['webgpu', 'wasm', 'cpu'];
/**
 * 256x256 is big enough that a GPU dispatch is not all overhead and small enough that the cpu
 * backend (about 1 GFLOP/s here) finishes a run in about 35 ms.
 */
const PROBE_SIZE = 256;
const PROBE_RUNS = 3;
/** A backend that has not started by then is taken as unavailable (SwiftShader takes ~1 s). */
const START_TIMEOUT_MS = 15_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms))]);
}

async function measure(backend: BackendName): Promise<BackendMeasurement> {
  try {
    const started = await withTimeout(tf.setBackend(backend), START_TIMEOUT_MS, `starting ${backend}`);
    if (!started) return { backend, ok: false, reason: `tf.setBackend('${backend}') returned false` };
    await tf.ready();
    const a = tf.randomUniform([PROBE_SIZE, PROBE_SIZE], -1, 1, 'float32', 7);
    const b = tf.randomUniform([PROBE_SIZE, PROBE_SIZE], -1, 1, 'float32', 8);
    await tf.matMul(a, b).data(); // warm-up: compiles shaders and fills caches
    const t0 = performance.now();
    for (let i = 0; i < PROBE_RUNS; i++) {
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
    }
    const seconds = (performance.now() - t0) / 1000;
    tf.dispose([a, b]);
    const gflops = (2 * PROBE_SIZE ** 3 * PROBE_RUNS) / seconds / 1e9;
    return { backend, ok: true, gflops: Math.round(gflops * 100) / 100 };
  } catch (e) {
    return { backend, ok: false, reason: (e as Error).message ?? String(e) };
  }
}

async function describeGpu(): Promise<string | undefined> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return undefined;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return undefined;
    const info = adapter.info;
    return [info.vendor, info.architecture].filter(Boolean).join(' / ') || 'unknown adapter';
  } catch {
    return undefined;
  }
}

/**
 * Measures every backend and switches tfjs to the fastest, or to `options.backend` when that
 * one started.
 */
export async function probeBackends(options: ProbeOptions = {}): Promise<ProbedBackends> {
  const measurements: BackendMeasurement[] = [];
  for (const backend of BACKENDS) measurements.push(await measure(backend));
  const usable = measurements.filter((m) => m.ok && m.gflops !== undefined);
  if (usable.length === 0) {
    throw new FabricError('backend-unavailable', `probeBackends: no tfjs backend started: ${measurements.map((m) => `${m.backend}: ${m.reason}`).join('; ')}`);
  }
  const best = usable.find((m) => m.backend === options.backend) ?? usable.reduce((a, b) => (b.gflops! > a.gflops! ? b : a));
  await tf.setBackend(best.backend);
  const { kernel, device } = await probeModelKernel(options.backend).catch((e: unknown) => ({
    kernel: { chosen: 'cpu', cpuMs: 0, reason: `kernel probe failed: ${(e as Error).message}` } satisfies KernelReport,
    device: undefined,
  }));
  const report: ProbeReport = {
    chosen: best.backend,
    gflops: best.gflops!,
    measurements,
    gpu: await describeGpu(),
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    kernel,
  };
  return { report, kernelDevice: device };
}
