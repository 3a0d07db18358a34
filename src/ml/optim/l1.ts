/**
 * The L1 term Σ λᵢ|xᵢ| and the tools both optimizers use to handle it: the pseudo-gradient and
 * orthant projections of OWL-QN (Andrew & Gao 2007, "Scalable training of L1-regularized log-linear
 * models", ICML) and the soft-threshold proximal step of ISTA. A weight of 0 leaves its coordinate
 * smooth and unconstrained (the intercept, typically).
 *
 * @module
 */

/** Σ λᵢ|xᵢ|. */
export function l1Penalty(x: Float64Array, weights: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += weights[i]! * Math.abs(x[i]!);
  return s;
}

/**
 * The pseudo-gradient of f(x) + Σ λᵢ|xᵢ|: the subgradient of least norm. Where xᵢ ≠ 0 it is the
 * gradient gᵢ + λᵢ·sign(xᵢ); where xᵢ = 0 it is the one-sided derivative that points downhill, or 0
 * when neither side does (|gᵢ| ≤ λᵢ, so 0 is optimal in that coordinate). It is zero exactly at
 * the minimum, so its norm is the gradient test of an L1 run.
 */
export function pseudoGradient(x: Float64Array, g: Float64Array, weights: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const gi = g[i]!;
    const w = weights[i]!;
    if (xi > 0) out[i] = gi + w;
    else if (xi < 0) out[i] = gi - w;
    else if (gi + w < 0) out[i] = gi + w;
    else if (gi - w > 0) out[i] = gi - w;
    else out[i] = 0;
  }
  return out;
}

/**
 * Zeroes, in place, every component of the direction `d` whose sign disagrees with −pg (Andrew &
 * Gao's π(d; −pg)), so that d moves each coordinate only downhill and pg·d ≤ 0.
 */
export function alignDirection(d: Float64Array, pg: Float64Array): void {
  for (let i = 0; i < d.length; i++) if (d[i]! * pg[i]! >= 0) d[i] = 0;
}

/**
 * The orthant an OWL-QN step must stay in: sign(xᵢ) where xᵢ ≠ 0, else sign(−pgᵢ), the side the
 * coordinate would leave zero on.
 */
export function chooseOrthant(x: Float64Array, pg: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const gi = pg[i]!;
    out[i] = xi > 0 ? 1 : xi < 0 ? -1 : gi < 0 ? 1 : gi > 0 ? -1 : 0;
  }
  return out;
}

/**
 * Projects `x` in place onto `orthant`: a penalised coordinate that left its orthant becomes 0.
 * Coordinates of weight 0 are smooth, so they may cross zero freely.
 */
export function projectOntoOrthant(x: Float64Array, orthant: Float64Array, weights: Float64Array): void {
  for (let i = 0; i < x.length; i++) {
    if (weights[i]! > 0 && Math.sign(x[i]!) !== orthant[i]!) x[i] = 0;
  }
}

/**
 * The proximal step of ISTA: argminᵤ ½‖u − v‖² + t Σ λᵢ|uᵢ|, which is soft-thresholding
 * sign(vᵢ)·max(|vᵢ| − tλᵢ, 0), written into a new vector.
 */
export function softThreshold(v: Float64Array, t: number, weights: Float64Array): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const cut = t * weights[i]!;
    const vi = v[i]!;
    out[i] = vi > cut ? vi - cut : vi < -cut ? vi + cut : 0;
  }
  return out;
}
