/**
 * Chooses between `scoreCpu` and `scoreGpu` on a slot by timing both on a sample of its own
 * rows and model, as gram-choice.ts and kernel-choice.ts do: the fastest correct backend wins.
 * On a machine without a GPU, WebGPU runs on SwiftShader and may lose; the probe must see that,
 * never assume it. The GPU is also rejected when it disagrees with the float64 reference beyond
 * SCORE_GPU_TOLERANCE (gemv.wgsl.ts), or when it throws.
 */
import { scoreCpu, scoreOutputs, scoreScale } from './gemv';
import { releaseScoreDesign, scoreGpu } from './gemv-runner';
import { SCORE_GPU_TOLERANCE } from './gemv.wgsl';
import { medianMs } from './median-ms';
import type { DesignMatrix, GlmKind } from './design';
import type { KernelChoice } from './kernel-choice';

/** What the probe scores: a sample of the slot's rows with the model it will score them with. */
export interface ScoreSample {
  readonly kind: GlmKind;
  readonly m: DesignMatrix;
  readonly params: Float64Array;
  /** Softmax classes (ignored otherwise). */
  readonly classes: number;
}

/** What to measure. */
export interface ScoreChoiceOptions {
  /**
   * Timed runs per backend (median taken). 5, as kernel-choice.ts: one scoring pass over a sample
   * takes about a millisecond on the CPU, so five keep the probe short and the median stable.
   */
  readonly runs?: number;
  /** Untimed runs first (JIT, pipeline compilation, upload of the matrix). */
  readonly warmups?: number;
}

/**
 * The largest error of `got` against `want`, each output relative to max(1, its row's `scale`)
 * (from `scoreScale`; `outputs` per row): what SCORE_GPU_TOLERANCE bounds. NaN must meet NaN;
 * anything else against NaN, or a length mismatch, is Infinity.
 */
export function scoreScaledError(want: Float64Array, got: Float64Array, scale: Float64Array, outputs: number): number {
  if (want.length !== got.length || want.length !== scale.length * outputs) return Infinity;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const a = want[i]!;
    const b = got[i]!;
    if (Number.isNaN(a) || Number.isNaN(b)) {
      if (!(Number.isNaN(a) && Number.isNaN(b))) return Infinity;
    } else if (a !== b) {
      const s = scale[Math.floor(i / outputs)]!;
      worst = Math.max(worst, Math.abs(b - a) / (s > 1 ? s : 1));
    }
  }
  return worst;
}

/**
 * Times `scoreCpu` and, when `device` is given, `scoreGpu` on `sample`, and returns the faster
 * correct one with the timings and the reason in words. GPU timings include sending the params
 * and reading the scores back; the matrix upload is paid in the warm-up and then cached, as it
 * is when a slot scores one partition with many models. The sample's upload is released unless
 * the GPU is chosen.
 */
export async function chooseScoreBackend(
  device: GPUDevice | undefined,
  sample: ScoreSample,
  options: ScoreChoiceOptions = {},
): Promise<KernelChoice> {
  const { kind, m, params, classes } = sample;
  const { runs = 5, warmups = 1 } = options;
  let reference = scoreCpu(kind, m, params, classes);
  const cpuMs = await medianMs(runs, warmups, async () => {
    reference = scoreCpu(kind, m, params, classes);
  });
  if (!device) return { chosen: 'cpu', cpuMs, reason: 'no WebGPU device' };
  let result = reference;
  let gpuMs: number;
  try {
    gpuMs = await medianMs(runs, warmups, async () => {
      result = await scoreGpu(device, kind, m, params, classes);
    });
  } catch (e) {
    releaseScoreDesign(device, m);
    return { chosen: 'cpu', cpuMs, reason: `webgpu failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const err = scoreScaledError(reference, result, scoreScale(kind, m, params, classes), scoreOutputs(kind, classes));
  const timing = `cpu ${cpuMs.toFixed(2)} ms, webgpu ${gpuMs.toFixed(2)} ms (median of ${runs}, ${m.rows} rows, ${kind})`;
  if (!(err <= SCORE_GPU_TOLERANCE)) {
    releaseScoreDesign(device, m);
    return { chosen: 'cpu', cpuMs, gpuMs, reason: `webgpu disagrees with cpu (${err.toExponential(1)} of scale); ${timing}` };
  }
  const chosen = gpuMs < cpuMs ? 'webgpu' : 'cpu';
  // The sample stays resident on the GPU only if the GPU will use it.
  if (chosen === 'cpu') releaseScoreDesign(device, m);
  return { chosen, cpuMs, gpuMs, reason: `${chosen} is faster: ${timing}` };
}
