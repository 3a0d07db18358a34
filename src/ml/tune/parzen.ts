/**
 * The adaptive Parzen estimator at the heart of TPE, with the same heuristics as hyperopt's
 * `adaptive_parzen_normal` and `linear_forgetting_weights` (`hyperopt/tpe.py`):
 *
 * - one Gaussian per observation plus one prior component (mean `priorMu`, width `priorSigma`,
 *   weight `priorWeight`), inserted in sorted position;
 * - each observation's sigma is the larger of the gaps to its sorted neighbours (the end points use
 *   their single gap), clipped to [priorSigma / min(100, 1 + components), priorSigma]; the prior
 *   keeps `priorSigma`;
 * - with more than `lf` observations, the oldest ones are down-weighted on a linear ramp from 1/n
 *   while the newest `lf` keep weight 1 ("linear forgetting").
 *
 * @module
 */

/** A 1-D Gaussian mixture: normalised weights, means and standard deviations, index-aligned. */
export interface Mixture {
  readonly weights: Float64Array;
  readonly mus: Float64Array;
  readonly sigmas: Float64Array;
}

/**
 * The sigma clip's divisor cap: components are never narrower than priorSigma / 100, as in
 * hyperopt ("magic formula"), so a cluster of observations cannot collapse to a spike.
 */
const MAX_SIGMA_DIVISOR = 100;

/**
 * hyperopt's linear forgetting weights for `n` observations in age order (oldest first): all 1 when
 * n ≤ lf, else the oldest n − lf ramp linearly from 1/n towards 1 (numpy `linspace(1/n, 1, n − lf)`)
 * and the newest `lf` are 1. `lf` ≤ 0 turns forgetting off.
 */
export function linearForgettingWeights(n: number, lf: number): Float64Array {
  const weights = new Float64Array(n).fill(1);
  if (lf <= 0 || n <= lf) return weights;
  const rampLength = n - lf;
  const start = 1 / n;
  const step = rampLength > 1 ? (1 - start) / (rampLength - 1) : 0;
  for (let i = 0; i < rampLength; i++) weights[i] = start + i * step;
  return weights;
}

/**
 * The Parzen mixture of `obs` (in age order, oldest first) with a prior component, exactly as
 * hyperopt's `adaptive_parzen_normal`. Works in whatever space `obs` and the prior are given in
 * (log space for the log-scaled kinds). `priorSigma` must be positive.
 */
export function adaptiveParzenNormal(
  obs: readonly number[],
  priorWeight: number,
  priorMu: number,
  priorSigma: number,
  lf: number,
): Mixture {
  const n = obs.length;
  const size = n + 1;
  const order = obs.map((_, i) => i).sort((a, b) => obs[a]! - obs[b]!);
  // Where the prior goes among the sorted observations (numpy searchsorted, side 'left'); with one
  // observation hyperopt puts the prior after it on a tie.
  let priorPos = 0;
  if (n === 1) priorPos = priorMu < obs[0]! ? 0 : 1;
  else while (priorPos < n && obs[order[priorPos]!]! < priorMu) priorPos++;

  const mus = new Float64Array(size);
  const source = new Int32Array(size).fill(-1); // observation index per component, -1 for the prior
  for (let k = 0, j = 0; k < size; k++) {
    if (k === priorPos) {
      mus[k] = priorMu;
    } else {
      const i = order[j++]!;
      mus[k] = obs[i]!;
      source[k] = i;
    }
  }

  const sigmas = new Float64Array(size);
  if (n === 1) {
    sigmas.fill(priorSigma * 0.5);
  } else if (n >= 2) {
    for (let k = 1; k < size - 1; k++) sigmas[k] = Math.max(mus[k]! - mus[k - 1]!, mus[k + 1]! - mus[k]!);
    sigmas[0] = mus[1]! - mus[0]!;
    sigmas[size - 1] = mus[size - 1]! - mus[size - 2]!;
  }
  const maxSigma = priorSigma;
  const minSigma = priorSigma / Math.min(MAX_SIGMA_DIVISOR, 1 + size);
  for (let k = 0; k < size; k++) sigmas[k] = Math.min(maxSigma, Math.max(minSigma, sigmas[k]!));
  sigmas[priorPos] = priorSigma;

  const forgetting = lf > 0 && lf < n ? linearForgettingWeights(n, lf) : undefined;
  const weights = new Float64Array(size);
  let total = 0;
  for (let k = 0; k < size; k++) {
    const i = source[k]!;
    const w = i < 0 ? priorWeight : forgetting ? forgetting[i]! : 1;
    weights[k] = w;
    total += w;
  }
  for (let k = 0; k < size; k++) weights[k] = weights[k]! / total;
  return { weights, mus, sigmas };
}
