/**
 * Chooses between the CPU and WebGPU GLM kernels on a slot by measuring both on a sample of its
 * own data: the fastest correct backend wins. On a machine without a GPU, WebGPU runs on
 * SwiftShader and loses; the probe must see that, never assume it (TESTING-NOTES.md).
 *
 * It also checks that the GPU agrees with the CPU reference within {@link F32_RELATIVE_TOLERANCE}:
 * a driver that computes wrong answers fast is not chosen.
 */
import { glmLossGrad } from './glm-cpu';
import { glmLossGradGpu, releaseDesign } from './gpu-runner';
import { randomParams } from './random-design';
import { parameterCount } from './design';
import type { DesignMatrix, GlmKind } from './design';
import { medianMs } from './median-ms';

/**
 * How far an f32 GPU kernel may be from the float64 CPU reference: the largest gradient entry
 * error relative to the reference gradient's 2-norm, and the loss error relative to the loss.
 * Why 1e-5: per-row terms are f32 (2^-24, 6e-8), and WGSL lets `exp` be off by a few ULP and
 * `log` by 2^-21 absolute near 1 (5e-7). Those errors can share a sign across rows on a real GPU,
 * so they can reach ~1e-6 of the sum; 1e-5 leaves a 10x margin. Sums are double-f32 and add
 * nothing. SwiftShader measures 1e-8 to 3e-8 at 100k rows.
 */
export const F32_RELATIVE_TOLERANCE = 1e-5;

/** Relative disagreement of a GPU result with the CPU reference (see F32_RELATIVE_TOLERANCE). */
export function relativeError(
  reference: { loss: number; grad: Float64Array },
  other: { loss: number; grad: Float64Array },
): { loss: number; grad: number } {
  let norm = 0;
  let worst = 0;
  reference.grad.forEach((g, i) => {
    norm += g * g;
    worst = Math.max(worst, Math.abs(g - other.grad[i]!));
  });
  const scale = (x: number, s: number): number => (x === 0 ? 0 : s === 0 ? Infinity : x / s);
  return {
    loss: scale(Math.abs(reference.loss - other.loss), Math.abs(reference.loss)),
    grad: scale(worst, Math.sqrt(norm)),
  };
}

/** The backend chosen, with the timings behind the choice. */
export interface KernelChoice {
  readonly chosen: 'cpu' | 'webgpu';
  /** Median ms of one CPU loss-and-gradient pass over the sample. */
  readonly cpuMs: number;
  /** Median ms of one WebGPU pass, including upload of params and read-back; absent without GPU. */
  readonly gpuMs?: number;
  /** Why, in words, for the dashboard. */
  readonly reason?: string;
}

/** What to measure. */
export interface KernelChoiceOptions {
  readonly kind?: GlmKind;
  /** Softmax classes. */
  readonly classes?: number;
  /**
   * Timed runs per backend (median taken). 5: enough for a stable median at one sample pass each,
   * while the probe stays well under a second on the CPU side.
   */
  readonly runs?: number;
  /** Untimed runs first (JIT, pipeline compilation, upload of the matrix). */
  readonly warmups?: number;
}

/**
 * Times the CPU kernel and, when `device` is given, the WebGPU kernel on `sample`, and returns
 * the faster. The GPU is rejected (with the reason) if it throws or disagrees with the CPU.
 * Timing the GPU includes its read-back, since each iteration needs the gradient on the host.
 */
export async function chooseKernelBackend(
  device: GPUDevice | undefined,
  sample: DesignMatrix,
  options: KernelChoiceOptions = {},
): Promise<KernelChoice> {
  const { kind = 'logistic', classes = 2, runs = 5, warmups = 1 } = options;
  const params = randomParams(kind, sample, classes, 7, 0.05);
  const grad = new Float64Array(parameterCount(kind, sample.dim, classes));
  let loss = 0;
  const cpuMs = await medianMs(runs, warmups, async () => {
    loss = glmLossGrad(kind, sample, params, classes, grad);
  });
  const reference = { loss, grad };
  if (!device) return { chosen: 'cpu', cpuMs, reason: 'no WebGPU device' };
  let gpuMs: number;
  let err: { loss: number; grad: number };
  try {
    let result: { loss: number; grad: Float64Array } = reference;
    gpuMs = await medianMs(runs, warmups, async () => {
      result = await glmLossGradGpu(device, kind, sample, params, classes);
    });
    err = relativeError(reference, result);
  } catch (e) {
    releaseDesign(device, sample);
    return { chosen: 'cpu', cpuMs, reason: `webgpu failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const timing = `cpu ${cpuMs.toFixed(2)} ms, webgpu ${gpuMs.toFixed(2)} ms (median of ${runs}, ${sample.rows} rows)`;
  if (!(err.grad <= F32_RELATIVE_TOLERANCE && err.loss <= F32_RELATIVE_TOLERANCE)) {
    releaseDesign(device, sample);
    return {
      chosen: 'cpu', cpuMs, gpuMs,
      reason: `webgpu disagrees with cpu (gradient ${err.grad.toExponential(1)}, loss ${err.loss.toExponential(1)}); ${timing}`,
    };
  }
  const chosen = gpuMs < cpuMs ? 'webgpu' : 'cpu';
  // The sample stays resident on the GPU only if the GPU will use it.
  if (chosen === 'cpu') releaseDesign(device, sample);
  return { chosen, cpuMs, gpuMs, reason: `${chosen} is faster: ${timing}` };
}
