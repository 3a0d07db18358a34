/**
 * Small numeric building blocks shared by the search-space sampler and TPE: a Box–Muller normal on
 * top of Fabric's seeded uniform generator, numpy-style rounding, a weighted categorical draw, a
 * tail-accurate normal CDF (for the probability mass of quantization buckets) and log-sum-exp.
 *
 * @module
 */

/**
 * Floor for densities and probabilities before taking their log, the same value hyperopt's `tpe.py`
 * calls `EPS`. It keeps `log` finite when a quantization bucket lies far in a Gaussian's tail, so a
 * candidate is then scored by the other model instead of producing NaN from `-inf - -inf`.
 */
export const EPS = 1e-12;

/**
 * One draw from N(mu, sigma²) by the Box–Muller transform, using two uniforms from `random`.
 * Stateless (the second variate of the pair is dropped) so a generator's stream depends only on the
 * number of calls, which keeps sequences reproducible however calls interleave.
 */
export function normalSample(random: () => number, mu = 0, sigma = 1): number {
  // 1 - u is in (0, 1], so the log is finite.
  const u1 = 1 - random();
  const u2 = random();
  return mu + sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A uniform draw in [low, high). */
export function uniformSample(random: () => number, low: number, high: number): number {
  return low + (high - low) * random();
}

/**
 * Rounds half to even, as `numpy.round` does, so `round(x / q) * q` matches hyperopt exactly even
 * on the (measure-zero) ties that `Math.round` would send upwards.
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/** hyperopt's quantization: `round(x / q) * q` with numpy's rounding. */
export function quantize(x: number, q: number): number {
  return roundHalfEven(x / q) * q;
}

/**
 * Draws an index i with probability `weights[i] / sum(weights)`. Weights must be non-negative with a
 * positive sum; the last index absorbs floating-point slack.
 */
export function categoricalSample(random: () => number, weights: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  const target = random() * total;
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    if (target < acc) return i;
  }
  return weights.length - 1;
}

/**
 * The complementary error function, erfc(x) = 1 - erf(x), with fractional error below 1.2e-7
 * everywhere (the Chebyshev-fitted form of Press et al., Numerical Recipes §6.2). Its relative
 * accuracy in the tails is what lets bucket masses far from a component's mean stay meaningful.
 */
export function erfc(x: number): number {
  if (x === Infinity) return 0;
  if (x === -Infinity) return 2;
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  // Published coefficients of the fit; they are not tuned here.
  const poly =
    -1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
    t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const ans = t * Math.exp(-z * z + poly);
  return x >= 0 ? ans : 2 - ans;
}

/**
 * P(a ≤ X < b) for X ~ N(mu, sigma²); `a` may be -Infinity and `b` +Infinity. When both bounds lie
 * on the same side of the mean the mass is taken as a difference of upper (or lower) tails, which
 * keeps relative precision where `Φ(b) - Φ(a)` would cancel to zero. Like hyperopt's `normal_cdf`,
 * the scale √2·sigma is floored at {@link EPS}.
 */
export function normalMass(a: number, b: number, mu: number, sigma: number): number {
  if (!(b > a)) return 0;
  const scale = Math.max(Math.SQRT2 * sigma, EPS);
  const za = (a - mu) / scale;
  const zb = (b - mu) / scale;
  if (za >= 0) return Math.max(0, 0.5 * (erfc(za) - erfc(zb)));
  if (zb <= 0) return Math.max(0, 0.5 * (erfc(-zb) - erfc(-za)));
  return Math.max(0, 1 - 0.5 * erfc(-za) - 0.5 * erfc(zb));
}

/** log Σ exp(values[i]), stable for large magnitudes; -Infinity for an empty list. */
export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  if (max === -Infinity || !Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i]! - max);
  return max + Math.log(sum);
}
