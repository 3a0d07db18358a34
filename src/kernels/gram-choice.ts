/**
 * Chooses between `gramCpu` and `gramGpu` on a slot by timing both on a sample of its own
 * grouped rows, as kernel-choice.ts does for the GLM kernels: the fastest correct backend wins.
 * On a machine without a GPU, WebGPU runs on SwiftShader and loses by 20x or more here (229 groups
 * × 13k rows × p = 8: about 0.15 s on the CPU, 4 to 9 s on SwiftShader); the probe must see that.
 * The GPU is also rejected when it disagrees with the reference beyond GRAM_GPU_TOLERANCE.
 */
import { gramCpu } from './gram';
import { gramGpu } from './gram-runner';
import { GRAM_GPU_TOLERANCE } from './gram.wgsl';
import type { GramResult, GroupedRows } from './gram';
import type { KernelChoice } from './kernel-choice';
import { medianMs } from './median-ms';

/** What to measure. */
export interface GramChoiceOptions {
  /**
   * Timed runs per backend (median taken). 3: the sample pass is long enough (tens of ms on the
   * CPU) for a stable median, and SwiftShader's runs take seconds each.
   */
  readonly runs?: number;
  /** Untimed runs first (JIT, pipeline compilation). */
  readonly warmups?: number;
}

/**
 * The largest error of `got` against `want`, each entry relative to its scale Σ_r |a_ri·a_rj|
 * (`scale` is the Gram of the absolute values): what GRAM_GPU_TOLERANCE bounds. NaN must meet
 * NaN; anything else against NaN, or a length mismatch, is Infinity.
 */
export function gramScaledError(want: GramResult, got: GramResult, scale: GramResult): number {
  let worst = 0;
  for (const key of ['xtx', 'xty', 'yty', 'ysum'] as const) {
    const a = want[key];
    const b = got[key];
    if (a.length !== b.length) return Infinity;
    for (let i = 0; i < a.length; i++) {
      if (Number.isNaN(a[i]!) || Number.isNaN(b[i]!)) {
        if (!(Number.isNaN(a[i]!) && Number.isNaN(b[i]!))) return Infinity;
      } else if (a[i] !== b[i]) worst = Math.max(worst, Math.abs(b[i]! - a[i]!) / scale[key][i]!);
    }
  }
  return worst;
}

/**
 * Times `gramCpu` and, when `device` is given, `gramGpu` on `sample`, and returns the faster
 * correct one with the timings and the reason in words. GPU timings include upload and read-back,
 * since the solve needs the sums on the host.
 */
export async function chooseGramBackend(
  device: GPUDevice | undefined,
  sample: GroupedRows,
  options: GramChoiceOptions = {},
): Promise<KernelChoice> {
  const { runs = 3, warmups = 1 } = options;
  let reference = gramCpu(sample);
  const cpuMs = await medianMs(runs, warmups, async () => {
    reference = gramCpu(sample);
  });
  if (!device) return { chosen: 'cpu', cpuMs, reason: 'no WebGPU device' };
  let result = reference;
  let gpuMs: number;
  try {
    gpuMs = await medianMs(runs, warmups, async () => {
      result = await gramGpu(device, sample);
    });
  } catch (e) {
    return { chosen: 'cpu', cpuMs, reason: `webgpu failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const scale = gramCpu({ ...sample, x: sample.x.map(Math.abs), y: sample.y.map(Math.abs) });
  const err = gramScaledError(reference, result, scale);
  const timing = `cpu ${cpuMs.toFixed(2)} ms, webgpu ${gpuMs.toFixed(2)} ms (median of ${runs}, ${sample.rows} rows, p = ${sample.cols})`;
  if (!(err <= GRAM_GPU_TOLERANCE)) {
    return { chosen: 'cpu', cpuMs, gpuMs, reason: `webgpu disagrees with cpu (${err.toExponential(1)} of scale); ${timing}` };
  }
  const chosen = gpuMs < cpuMs ? 'webgpu' : 'cpu';
  return { chosen, cpuMs, gpuMs, reason: `${chosen} is faster: ${timing}` };
}
