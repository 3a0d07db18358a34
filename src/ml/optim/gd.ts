/**
 * Gradient descent, the simple reference the quasi-Newton optimizers are checked against. Smooth
 * runs step along −∇f with an Armijo backtracking search; L1 runs take proximal-gradient (ISTA)
 * steps, soft-thresholding x − t∇f, with the backtracking test of Beck & Teboulle (2009):
 * f(x⁺) ≤ f(x) + ∇fᵀ(x⁺ − x) + ‖x⁺ − x‖²/(2t).
 *
 * The first trial step of each iteration is the Barzilai–Borwein step t = sᵀs / sᵀy from the last
 * move (s = xₖ − xₖ₋₁, y = ∇fₖ − ∇fₖ₋₁), which adapts to the curvature where a fixed or only-shrinking
 * step would crawl; the first iteration tries 1/‖∇f‖. Deterministic, like `lbfgs.ts`.
 *
 * @module
 */
import { checkStartPoint, resolveOptions } from './options';
import { Evaluator, nonFiniteError, type Evaluation } from './evaluator';
import { l1Penalty, pseudoGradient, softThreshold } from './l1';
import { ARMIJO_C1, approximatelyDecreased, noiseLevel, searchBacktracking } from './line-search';
import { Progress } from './progress';
import { checkState, type GdState } from './state';
import type { MinimizeOptions, MinimizeResult, Objective, StopReason } from './types';
import { addScaled, dot, norm2, subtract } from './vector';

/**
 * The Barzilai–Borwein step may be at most this many times the last accepted step. On our test
 * problems BB steps vary by up to 40× (the condition number of the 50-D quadratic), so this never
 * binds there; it stops a nearly flat direction (sᵀy ≈ 0, e.g. separable logistic data without L2)
 * from proposing a step so long that the tenfold shrinking of a non-finite trial cannot recover.
 */
const BB_GROWTH_CAP = 1e3;

/** Options of {@link minimizeGd}: the common ones. */
export type GdOptions = MinimizeOptions;

/** A point with everything an iteration needs. */
interface Point {
  readonly x: Float64Array;
  /** f(x), the smooth part alone. */
  readonly smoothValue: number;
  readonly grad: Float64Array;
  /** f(x) + Σλᵢ|xᵢ|. */
  readonly value: number;
  /** ‖pseudo-gradient‖₂ with L1, else ‖∇f‖₂. */
  readonly gradNorm: number;
}

function toPoint(x: Float64Array, e: Evaluation, l1: Float64Array | null): Point {
  if (l1 === null) return { x, smoothValue: e.value, grad: e.grad, value: e.value, gradNorm: norm2(e.grad) };
  return { x, smoothValue: e.value, grad: e.grad, value: e.value + l1Penalty(x, l1), gradNorm: norm2(pseudoGradient(x, e.grad, l1)) };
}

/** The trial point of step t: a gradient step, or its soft-thresholded (proximal) version. */
function trialPoint(from: Point, t: number, l1: Float64Array | null): Float64Array {
  const x = addScaled(from.x, -t, from.grad);
  return l1 === null ? x : softThreshold(x, t, l1);
}

/**
 * Whether step t decreased the smooth part enough: Armijo, f(x⁺) ≤ f(x) − c₁t‖∇f‖², or its
 * approximate form when values tie within noise (see `line-search.ts`), when smooth; the proximal
 * majorisation test (module comment) with L1.
 */
function decreasedEnough(from: Point, to: Point, t: number, l1: Float64Array | null): boolean {
  const s = subtract(to.x, from.x);
  const slope0 = dot(from.grad, s);
  if (l1 === null) {
    return to.smoothValue <= from.smoothValue + ARMIJO_C1 * slope0 || approximatelyDecreased(from.smoothValue, to.smoothValue, slope0, dot(to.grad, s));
  }
  // Rounding noise is allowed for, as in the smooth case, so that steps go on once values stop resolving.
  return to.smoothValue <= from.smoothValue + slope0 + dot(s, s) / (2 * t) + noiseLevel(from.smoothValue);
}

/**
 * Minimises f(x) + Σλᵢ|xᵢ| from `x0` by gradient descent (proximal with L1). Stops as documented in
 * `types.ts`, with the pseudo-gradient norm as the gradient test under L1. Rejects with `bad-input`
 * for a bad argument or an unavoidable NaN objective, and with `cancelled` on abort.
 */
export async function minimizeGd(f: Objective, x0: Float64Array, options: GdOptions = {}): Promise<MinimizeResult> {
  const caller = 'minimizeGd';
  const start = checkStartPoint(caller, x0);
  const opts = resolveOptions(caller, options, start.length);
  const evaluator = new Evaluator(f, start.length, caller, opts.signal);
  const progress = new Progress(opts, evaluator);
  const { l1 } = opts;

  let here: Point;
  let stop: StopReason | null;
  let step: number;
  if (opts.resumeFrom !== undefined) {
    const saved = checkState<GdState>(caller, 'gd', opts.resumeFrom, start.length);
    here = toPoint(saved.point.x.slice(), { value: saved.point.smoothValue, grad: saved.point.grad.slice(), finite: true }, l1);
    progress.restore(saved.history, { x: here.x, value: here.value, gradNorm: here.gradNorm, step: saved.history.at(-1)!.step });
    evaluator.count = saved.evaluations;
    step = saved.step;
    stop = null;
  } else {
    const first = await evaluator.evaluate(start);
    if (!first.finite) throw nonFiniteError(caller, 0, first);
    here = toPoint(start, first, l1);
    stop = await progress.accept({ x: here.x, value: here.value, gradNorm: here.gradNorm, step: 0 });
    step = 1 / norm2(here.grad);
  }
  const capture = (): GdState => ({
    optimizer: 'gd', point: { x: here.x.slice(), smoothValue: here.smoothValue, grad: here.grad.slice() },
    history: progress.records(), evaluations: evaluator.count, step,
  });
  if (stop === null) opts.onState?.(capture);
  while (stop === null) {
    const from = here;
    const outcome = await searchBacktracking(
      async (t) => {
        const x = trialPoint(from, t, l1);
        const e = await evaluator.evaluate(x);
        if (!e.finite) return { value: NaN, finite: false, accepted: false, payload: null };
        const to = toPoint(x, e, l1);
        return { value: e.value, finite: true, accepted: decreasedEnough(from, to, t, l1), payload: to };
      },
      from.smoothValue,
      l1 === null ? -dot(from.grad, from.grad) : null,
      step,
      opts.maxLineSearch,
    );
    if (!outcome.ok) {
      if (!outcome.sawFinite) throw nonFiniteError(caller, progress.iterations + 1);
      stop = 'line-search';
      break;
    }
    here = outcome.payload!;
    const s = subtract(here.x, from.x);
    const sy = dot(s, subtract(here.grad, from.grad));
    // Barzilai–Borwein's first step for the next iteration; keep the accepted step if curvature is not positive.
    step = sy > 0 ? Math.min(dot(s, s) / sy, BB_GROWTH_CAP * outcome.alpha) : outcome.alpha;
    stop = await progress.accept({ x: here.x, value: here.value, gradNorm: here.gradNorm, step: outcome.alpha });
    if (stop === null) opts.onState?.(capture);
  }
  return progress.result(stop);
}
