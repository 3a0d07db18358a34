/**
 * The bookkeeping every optimizer shares: one {@link IterationRecord} per accepted point, the
 * convergence tests (exactly as documented in `types.ts`), the `onIteration` callback, and the
 * result.
 *
 * @module
 */
import { FabricError } from '../../protocol/errors';
import type { Evaluator } from './evaluator';
import type { ResolvedOptions } from './options';
import type { IterationRecord, MinimizeResult, StopReason } from './types';

/** The accepted point of the latest iteration. */
export interface AcceptedPoint {
  readonly x: Float64Array;
  /** The reported objective, including the L1 term. */
  readonly value: number;
  /** ‖g‖₂ of the (pseudo-)gradient. */
  readonly gradNorm: number;
  /** The step length α that reached it (0 at x0). */
  readonly step: number;
}

/** Records a run and decides when it stops. */
export class Progress {
  private readonly history: IterationRecord[] = [];
  private last: AcceptedPoint | null = null;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly evaluator: Evaluator,
  ) {}

  /** Picks up a run from a checkpoint: its records so far and its last accepted point. */
  restore(history: readonly IterationRecord[], last: AcceptedPoint): void {
    this.history.length = 0;
    this.history.push(...history.map((r) => ({ ...r })));
    this.last = last;
  }

  /** A copy of the records so far, for a checkpoint. */
  records(): IterationRecord[] {
    return this.history.map((r) => ({ ...r }));
  }

  /** Accepted steps so far. */
  get iterations(): number {
    return Math.max(0, this.history.length - 1);
  }

  /**
   * Records `point` as the next iteration (x0 first), calls `onIteration`, and returns why the run
   * must stop now, or null to go on. Precedence: 'tol', then 'stopped', then 'maxIter'.
   */
  async accept(point: AcceptedPoint): Promise<StopReason | null> {
    const previous = this.last;
    const record: IterationRecord = {
      iteration: this.history.length,
      value: point.value,
      gradNorm: point.gradNorm,
      step: point.step,
      evaluations: this.evaluator.count,
    };
    this.history.push(record);
    this.last = point;
    const { gradTol, valueTol, maxIter, onIteration } = this.options;
    const gradientConverged = point.gradNorm <= gradTol * Math.max(1, Math.abs(point.value));
    const valueConverged =
      previous !== null && Math.abs(previous.value - point.value) <= valueTol * Math.max(Math.abs(previous.value), Math.abs(point.value));
    const keepGoing = onIteration === undefined ? true : await onIteration(record);
    this.evaluator.throwIfAborted();
    if (gradientConverged || valueConverged) return 'tol';
    if (keepGoing === false) return 'stopped';
    if (record.iteration >= maxIter) return 'maxIter';
    return null;
  }

  /** The result, at the last accepted point. */
  result(reason: StopReason): MinimizeResult {
    const last = this.last;
    if (last === null) throw new FabricError('internal', 'Progress.result was called before any point was accepted.');
    return {
      x: last.x,
      value: last.value,
      gradNorm: last.gradNorm,
      iterations: this.iterations,
      evaluations: this.evaluator.count,
      converged: reason === 'tol',
      reason,
      history: this.history.slice(),
    };
  }
}
