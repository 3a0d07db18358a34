/**
 * Every objective call of an optimizer goes through one {@link Evaluator}: it counts calls, checks
 * what comes back, copies the gradient, and turns an abort into `FabricError('cancelled')` at once,
 * without waiting for a distributed pass that may take minutes.
 *
 * @module
 */
import { FabricError } from '../../protocol/errors';
import type { Objective } from './types';
import { allFinite } from './vector';

/** A checked objective result. `grad` is the optimizer's own copy. */
export interface Evaluation {
  readonly value: number;
  readonly grad: Float64Array;
  /** True when the value and every gradient entry are finite. */
  readonly finite: boolean;
}

/** The error a run rejects with when its signal aborts. */
export function cancelledError(caller: string, signal: AbortSignal, evaluations: number): FabricError {
  return new FabricError('cancelled', `${caller}: cancelled by its AbortSignal after ${evaluations} objective evaluations.`, {
    cause: signal.reason,
  });
}

/** Resolves as `pending` does, or rejects with `cancelled` as soon as `signal` aborts. */
function raceAbort<T>(pending: Promise<T>, signal: AbortSignal | undefined, onAbort: () => FabricError): Promise<T> {
  if (signal === undefined) return pending;
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    pending.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(e);
      },
    );
  });
}

/** Counts, checks and cancels the objective calls of one run. */
export class Evaluator {
  /** Objective calls started so far. */
  count = 0;

  constructor(
    private readonly objective: Objective,
    private readonly n: number,
    private readonly caller: string,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Throws `cancelled` if the run's signal has aborted. */
  throwIfAborted(): void {
    if (this.signal?.aborted) throw cancelledError(this.caller, this.signal, this.count);
  }

  /**
   * Evaluates the objective at `x`, which the caller must not mutate afterwards. Errors the
   * objective throws pass through unchanged; a malformed result rejects with `bad-input`.
   */
  async evaluate(x: Float64Array): Promise<Evaluation> {
    this.throwIfAborted();
    this.count++;
    const signal = this.signal;
    const pending = Promise.resolve().then(() => this.objective(x));
    const r = await raceAbort(pending, signal, () => cancelledError(this.caller, signal!, this.count));
    this.throwIfAborted();
    if (r === null || typeof r !== 'object' || typeof r.value !== 'number' || !(r.grad instanceof Float64Array)) {
      throw new FabricError('bad-input', `${this.caller}: the objective must resolve to { value: number, grad: Float64Array }; received ${describe(r)}.`);
    }
    if (r.grad.length !== this.n) {
      throw new FabricError('bad-input', `${this.caller}: the objective returned a gradient of length ${r.grad.length} for ${this.n} parameters; they must match.`);
    }
    const grad = r.grad.slice();
    return { value: r.value, grad, finite: Number.isFinite(r.value) && allFinite(grad) };
  }
}

function describe(r: unknown): string {
  if (r === null || typeof r !== 'object') return String(r);
  return `an object with keys [${Object.keys(r).join(', ')}]`;
}

/**
 * The `bad-input` error for an objective that gave NaN or ±Infinity where the run cannot go on:
 * at x0 (`iteration` 0), or at every trial point of a line search.
 */
export function nonFiniteError(caller: string, iteration: number, first?: Evaluation): FabricError {
  const where =
    iteration === 0 && first !== undefined
      ? `at x0 (value ${first.value}${Number.isFinite(first.value) ? ', with a non-finite gradient entry' : ''})`
      : `at every trial point of the line search of iteration ${iteration}`;
  return new FabricError(
    'bad-input',
    `${caller}: the objective returned NaN or ±Infinity ${where}. It must be finite near the start point: check the data for NaN or Infinity, and the objective for log(0), division by zero or overflow (for example a missing log-sum-exp).`,
  );
}
