/**
 * The limited memory of L-BFGS: the last m pairs sₖ = xₖ₊₁ − xₖ, yₖ = ∇fₖ₊₁ − ∇fₖ, and the
 * two-loop recursion (Nocedal & Wright, Algorithm 7.4) that applies the implied inverse-Hessian
 * approximation to a vector in O(mn) without forming it.
 *
 * @module
 */
import { dot } from './vector';

/** A ring buffer of (s, y) pairs with the two-loop recursion. */
export class LbfgsMemory {
  private readonly s: Float64Array[] = [];
  private readonly y: Float64Array[] = [];
  private readonly rho: number[] = [];

  /** @param capacity m, how many pairs to keep. */
  constructor(private readonly capacity: number) {}

  /** Pairs held now. */
  get size(): number {
    return this.s.length;
  }

  /** Forgets every pair, so the next direction is steepest descent. */
  clear(): void {
    this.s.length = 0;
    this.y.length = 0;
    this.rho.length = 0;
  }

  /**
   * Stores a pair if it has positive curvature, sᵀy > ε·yᵀy with ε the float64 machine epsilon
   * (the skip rule of L-BFGS-B, Byrd, Lu, Nocedal & Zhu 1995), which keeps the approximation
   * positive definite. Returns whether the pair was stored.
   */
  push(s: Float64Array, y: Float64Array): boolean {
    const sy = dot(s, y);
    const yy = dot(y, y);
    if (!(sy > Number.EPSILON * yy) || !Number.isFinite(sy) || !Number.isFinite(yy)) return false;
    if (this.s.length === this.capacity) {
      this.s.shift();
      this.y.shift();
      this.rho.shift();
    }
    this.s.push(s);
    this.y.push(y);
    this.rho.push(1 / sy);
    return true;
  }

  /** Copies of the pairs held, oldest first, for a checkpoint; pushing them again rebuilds this memory. */
  pairs(): { s: Float64Array[]; y: Float64Array[] } {
    return { s: this.s.map((v) => v.slice()), y: this.y.map((v) => v.slice()) };
  }

  /**
   * The quasi-Newton direction −H·g. The initial matrix is H₀ = γI with γ = sᵀy / yᵀy from the newest
   * pair (N&W eq. 7.20); with no pairs, −g itself.
   */
  direction(g: Float64Array): Float64Array {
    const k = this.s.length;
    const q = g.slice();
    const a = new Float64Array(k);
    for (let i = k - 1; i >= 0; i--) {
      const ai = this.rho[i]! * dot(this.s[i]!, q);
      a[i] = ai;
      const yi = this.y[i]!;
      for (let j = 0; j < q.length; j++) q[j] = q[j]! - ai * yi[j]!;
    }
    if (k > 0) {
      const yNewest = this.y[k - 1]!;
      const gamma = 1 / (this.rho[k - 1]! * dot(yNewest, yNewest));
      for (let j = 0; j < q.length; j++) q[j] = q[j]! * gamma;
    }
    for (let i = 0; i < k; i++) {
      const b = this.rho[i]! * dot(this.y[i]!, q);
      const si = this.s[i]!;
      const coef = a[i]! - b;
      for (let j = 0; j < q.length; j++) q[j] = q[j]! + coef * si[j]!;
    }
    for (let j = 0; j < q.length; j++) q[j] = -q[j]!;
    return q;
  }
}
