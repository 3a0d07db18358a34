/**
 * Sampling and log-density of the 1-D mixtures TPE builds, matching hyperopt's `GMM1`/`GMM1_lpdf`
 * (plain values) and `LGMM1`/`LGMM1_lpdf` (log-scaled values, the mixture living in log space):
 *
 * - bounded domains are truncated: draws are rejected outside [low, high) and densities are divided
 *   by the mixture's mass inside the bounds (`p_accept`);
 * - quantized values (q) are scored by the mixture's probability mass over their bucket
 *   [x − q/2, x + q/2], intersected with the bounds;
 * - kept hyperopt quirk: an UNquantized log-scaled density is not divided by `p_accept` (hyperopt's
 *   `LGMM1_lpdf` computes it but only uses it when q is set). Kept so scores rank as hyperopt's do.
 *
 * @module
 */
import { EPS, categoricalSample, logSumExp, normalMass, normalSample, quantize } from './distributions.ts';
import type { Mixture } from './parzen.ts';

/** How a mixture maps to values: bounds (in the mixture's space), quantum, and log scaling. */
export interface MixtureDomain {
  /** Lower bound of the mixture's variable (log space when `log`); undefined for unbounded. */
  readonly low?: number | undefined;
  /** Upper bound, as `low`. Either both bounds are given or neither. */
  readonly high?: number | undefined;
  /** Quantum of the VALUE (after exp when `log`): values are round(v / q) * q. */
  readonly q?: number | undefined;
  /** When true the value is exp of the mixture's variable. */
  readonly log: boolean;
}

/**
 * Rejection draws allowed before giving up on a truncated draw. Every component of a TPE mixture is
 * centred inside the bounds or is the prior (centred, sigma = width), so each accepts with
 * probability above ~0.3 and this cap is never reached in practice; it only guards against a
 * hand-built mixture with no mass inside, which then gets the nearest bound.
 */
const MAX_REJECTIONS = 10_000;

/** Floor on a bucket's probability before its log, far below any mass that matters for ranking. */
const MIN_MASS = 1e-300;

/** One draw from the (truncated, log-scaled, quantized) mixture. */
export function sampleMixture(mix: Mixture, domain: MixtureDomain, random: () => number): number {
  const { low, high } = domain;
  let draw = Number.NaN;
  for (let attempt = 0; attempt < MAX_REJECTIONS; attempt++) {
    const k = categoricalSample(random, mix.weights);
    draw = normalSample(random, mix.mus[k]!, mix.sigmas[k]!);
    if (low === undefined || high === undefined || (draw >= low && draw < high)) break;
    if (attempt === MAX_REJECTIONS - 1) draw = Math.min(Math.max(draw, low), high);
  }
  const value = domain.log ? Math.exp(draw) : draw;
  return domain.q === undefined ? value : quantize(value, domain.q);
}

/** The mixture's mass inside the bounds (hyperopt's `p_accept`); 1 when unbounded. */
function acceptance(mix: Mixture, domain: MixtureDomain): number {
  if (domain.low === undefined || domain.high === undefined) return 1;
  let p = 0;
  for (let k = 0; k < mix.weights.length; k++) {
    p += mix.weights[k]! * normalMass(domain.low, domain.high, mix.mus[k]!, mix.sigmas[k]!);
  }
  return p;
}

/**
 * A mixture ready to score many candidates: its domain, its `p_accept`, and per-component log
 * coefficients log(w / (√(2π)·σ)).
 */
export interface ScoredMixture {
  readonly mix: Mixture;
  readonly domain: MixtureDomain;
  readonly logAccept: number;
  readonly logCoef: Float64Array;
}

/** Precomputes what {@link mixtureLogPdf} needs for one mixture. */
export function prepareMixture(mix: Mixture, domain: MixtureDomain): ScoredMixture {
  const logCoef = new Float64Array(mix.weights.length);
  for (let k = 0; k < logCoef.length; k++) {
    logCoef[k] = Math.log(mix.weights[k]!) - Math.log(Math.sqrt(2 * Math.PI) * Math.max(mix.sigmas[k]!, EPS));
  }
  return { mix, domain, logAccept: Math.log(Math.max(acceptance(mix, domain), MIN_MASS)), logCoef };
}

/** Log-density (or, when quantized, log bucket probability) of `value` under a prepared mixture. */
export function mixtureLogPdf(value: number, m: ScoredMixture): number {
  const { mix, domain } = m;
  const n = mix.weights.length;
  if (domain.q === undefined) {
    // Density of the mixture's variable; for log-scaled values the Jacobian −log(value) is added.
    const x = domain.log ? Math.log(Math.max(value, EPS)) : value;
    const terms = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const z = (x - mix.mus[k]!) / Math.max(mix.sigmas[k]!, EPS);
      terms[k] = m.logCoef[k]! - 0.5 * z * z;
    }
    const logDensity = logSumExp(terms);
    return domain.log ? logDensity - x : logDensity - m.logAccept;
  }
  const half = domain.q / 2;
  let lo = value - half;
  let hi = value + half;
  if (domain.low !== undefined && domain.high !== undefined) {
    lo = Math.max(lo, domain.log ? Math.exp(domain.low) : domain.low);
    hi = Math.min(hi, domain.log ? Math.exp(domain.high) : domain.high);
  }
  if (domain.log) {
    // The bucket in log space; a lower end at or below 0 becomes −∞ (all the mass below).
    lo = lo > 0 ? Math.log(lo) : -Infinity;
    hi = hi > 0 ? Math.log(hi) : -Infinity;
  }
  let mass = 0;
  for (let k = 0; k < n; k++) mass += mix.weights[k]! * normalMass(lo, hi, mix.mus[k]!, mix.sigmas[k]!);
  return Math.log(Math.max(mass, MIN_MASS)) - m.logAccept;
}
