/**
 * Seeded random draws for the simulation, so a run is repeatable: the same seed gives the same
 * fleet, the same churn and the same task sizes (the scheduler itself is deterministic).
 */

/** A seeded source of uniform and derived draws. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1): mulberry32, small and good enough for sampling (not for cryptography). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in (0, 1], safe to take the logarithm of. */
  private open(): number {
    return 1 - this.next();
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(this.open())) * Math.cos(2 * Math.PI * this.next());
  }

  /** Log-normal with the given median and log-space standard deviation `sigma`. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Exponential with the given mean (the gap between events of a Poisson process). */
  exponential(mean: number): number {
    return -mean * Math.log(this.open());
  }

  /** Pareto with scale `min` and shape `alpha`: P(X > x) = (min / x)^alpha. */
  pareto(min: number, alpha: number): number {
    return min / Math.pow(this.open(), 1 / alpha);
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}
