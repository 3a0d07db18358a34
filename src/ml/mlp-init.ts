/** Initial MLP weights: Glorot-uniform kernels and zero biases, from a seed, in tfjs weight order. */
import { seededRandom } from '../kernels/random';
import type { MlpArch } from '../protocol/train';

/** A flat float64 vector of every weight of `arch`. */
export function initMlpWeights(arch: MlpArch, seed: number): Float64Array {
  const sizes = [arch.inputs, ...arch.hidden, arch.outputs];
  let n = 0;
  for (let i = 1; i < sizes.length; i++) n += sizes[i - 1]! * sizes[i]! + sizes[i]!;
  const w = new Float64Array(n);
  const rand = seededRandom(seed);
  let at = 0;
  for (let i = 1; i < sizes.length; i++) {
    const fanIn = sizes[i - 1]!;
    const fanOut = sizes[i]!;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    for (let k = 0; k < fanIn * fanOut; k++) w[at++] = (2 * rand() - 1) * limit;
    at += fanOut; // biases start at 0
  }
  return w;
}

/** Which weights are kernels (penalized by L2) rather than biases. */
export function kernelMask(arch: MlpArch): Uint8Array {
  const sizes = [arch.inputs, ...arch.hidden, arch.outputs];
  const parts: number[] = [];
  for (let i = 1; i < sizes.length; i++) parts.push(...new Array<number>(sizes[i - 1]! * sizes[i]!).fill(1), ...new Array<number>(sizes[i]!).fill(0));
  return Uint8Array.from(parts);
}
