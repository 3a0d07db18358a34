/**
 * Which nodes' results are believed (BOINC's answer to volunteers that lie). The coordinator's own
 * slots are trusted. A volunteer starts on probation: every one of its first `probation` results is
 * computed again on another node and compared before it counts. After that it is verified, and a
 * `fraction` of its results are still checked at random. A node whose result disagrees with a
 * trusted one, or with the majority of three, is excluded for the life of the coordinator.
 */
import type { NodeKind } from '../executor-node';

/** Verification settings. Off unless `fraction` or `probation` is above zero. */
export interface VerificationOptions {
  /** Share of a verified volunteer's results computed twice. */
  readonly fraction?: number;
  /** Results of a new volunteer that are all computed twice before it is verified. */
  readonly probation?: number;
  /** Seed of the random draw of which results to check. */
  readonly seed?: number;
}

/** A node's standing. */
export type TrustState = 'trusted' | 'probation' | 'verified' | 'excluded';

interface Standing {
  state: TrustState;
  checksPassed: number;
}

/** The trust ledger: pure bookkeeping, no I/O. */
export class TrustLedger {
  private readonly nodes = new Map<string, Standing>();
  private readonly fraction: number;
  private readonly probation: number;
  private rng: number;

  constructor(options: VerificationOptions = {}) {
    this.fraction = options.fraction ?? 0;
    this.probation = options.probation ?? 0;
    if (!(this.fraction >= 0 && this.fraction <= 1)) throw new RangeError(`verification.fraction must be in [0, 1], got ${this.fraction}`);
    if (!(Number.isInteger(this.probation) && this.probation >= 0)) throw new RangeError(`verification.probation must be a whole number >= 0, got ${this.probation}`);
    this.rng = (options.seed ?? 0x9e3779b9) >>> 0 || 1;
  }

  /** Whether any result is ever checked. */
  get enabled(): boolean {
    return this.fraction > 0 || this.probation > 0;
  }

  /** Registers a node when it joins. A node excluded before stays excluded. */
  register(nodeId: string, kind: NodeKind): TrustState {
    const known = this.nodes.get(nodeId);
    if (known) return known.state;
    const state: TrustState = kind === 'local' ? 'trusted' : this.probation > 0 ? 'probation' : 'verified';
    this.nodes.set(nodeId, { state, checksPassed: 0 });
    return state;
  }

  state(nodeId: string): TrustState {
    return this.nodes.get(nodeId)?.state ?? 'probation';
  }

  checksPassed(nodeId: string): number {
    return this.nodes.get(nodeId)?.checksPassed ?? 0;
  }

  /** Whether a result from this node is computed again elsewhere before it counts. */
  shouldCheck(nodeId: string): boolean {
    if (!this.enabled) return false;
    const state = this.state(nodeId);
    if (state === 'trusted' || state === 'excluded') return false;
    if (state === 'probation') return true;
    return this.next() < this.fraction;
  }

  /** A check of this node's result agreed. Returns its state afterwards. */
  passed(nodeId: string): TrustState {
    const s = this.nodes.get(nodeId);
    if (!s || s.state === 'excluded' || s.state === 'trusted') return s?.state ?? 'probation';
    s.checksPassed += 1;
    if (s.state === 'probation' && s.checksPassed >= this.probation) s.state = 'verified';
    return s.state;
  }

  /** A check of this node's result failed: it is excluded. */
  exclude(nodeId: string): void {
    const s = this.nodes.get(nodeId);
    if (s) s.state = 'excluded';
    else this.nodes.set(nodeId, { state: 'excluded', checksPassed: 0 });
  }

  /** xorshift32: the draw only needs to be unpredictable to nobody and reproducible in tests. */
  private next(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng / 2 ** 32;
  }
}
