/**
 * L-BFGS (Nocedal 1980; Liu & Nocedal 1989) and, when an L1 term is given, OWL-QN (Andrew & Gao
 * 2007): the optimizers MLlib trains linear models with, via Breeze. Every objective evaluation is a
 * distributed pass, so the line search is the part that matters. Smooth runs use a strong Wolfe
 * search with cubic interpolation (see `line-search.ts`), whose first trial, step 1, is almost always
 * accepted once the memory has curvature; the first iteration (and any after a memory reset) starts
 * at step 1/‖d‖, as Breeze does, since −∇f carries no scale. L1 runs use OWL-QN's backtracking
 * search on points projected onto the current orthant.
 *
 * Deterministic: no randomness and no clocks, so the same inputs give bit-identical results.
 *
 * @module
 */
import { checkInteger, checkStartPoint, resolveOptions } from './options';
import { Evaluator, nonFiniteError, type Evaluation } from './evaluator';
import { alignDirection, chooseOrthant, l1Penalty, projectOntoOrthant, pseudoGradient } from './l1';
import { LbfgsMemory } from './lbfgs-memory';
import { ARMIJO_C1, approximatelyDecreased, searchBacktracking, searchStrongWolfe, type SearchOutcome } from './line-search';
import { Progress } from './progress';
import { checkState, type LbfgsState } from './state';
import type { MinimizeOptions, MinimizeResult, Objective, StopReason } from './types';
import { addScaled, dot, negate, norm2, subtract } from './vector';

/** Default memory m: the 10 pairs of Breeze's and MLlib's LBFGS and OWLQN. */
const DEFAULT_MEMORY = 10;

/** Options of {@link minimizeLbfgs}. */
export interface LbfgsOptions extends MinimizeOptions {
  /** m, how many (s, y) pairs to keep, an integer ≥ 1. Default 10. */
  readonly memory?: number;
}

/** A point with everything the iteration needs. */
interface Point {
  readonly x: Float64Array;
  /** ∇f, the smooth gradient (what the memory pairs difference). */
  readonly grad: Float64Array;
  /** f(x), the smooth part (what a checkpoint keeps). */
  readonly smoothValue: number;
  /** f(x) + Σλᵢ|xᵢ|. */
  readonly value: number;
  /** The pseudo-gradient with L1, else ∇f. */
  readonly pg: Float64Array;
  readonly gradNorm: number;
}

function toPoint(x: Float64Array, e: Evaluation, l1: Float64Array | null): Point {
  const value = l1 === null ? e.value : e.value + l1Penalty(x, l1);
  const pg = l1 === null ? e.grad : pseudoGradient(x, e.grad, l1);
  return { x, grad: e.grad, smoothValue: e.value, value, pg, gradNorm: norm2(pg) };
}

/**
 * Minimises f(x) + Σλᵢ|xᵢ| from `x0`: L-BFGS with a strong Wolfe line search when `options.l1` is
 * absent or zero, OWL-QN otherwise. Stops as documented in `types.ts`. Rejects with `bad-input` for
 * a bad argument or an objective that is NaN where it cannot be avoided, and with `cancelled` when
 * `options.signal` aborts; errors thrown by `f` pass through unchanged.
 */
export async function minimizeLbfgs(f: Objective, x0: Float64Array, options: LbfgsOptions = {}): Promise<MinimizeResult> {
  const caller = 'minimizeLbfgs';
  const start = checkStartPoint(caller, x0);
  const opts = resolveOptions(caller, options, start.length);
  const memory = new LbfgsMemory(checkInteger(caller, 'options.memory', options.memory ?? DEFAULT_MEMORY, 1));
  const evaluator = new Evaluator(f, start.length, caller, opts.signal);
  const progress = new Progress(opts, evaluator);
  const { l1 } = opts;

  let here: Point;
  let stop: StopReason | null;
  if (opts.resumeFrom !== undefined) {
    // Rebuild every derived quantity from the saved point with the same arithmetic: the same bits.
    const saved = checkState<LbfgsState>(caller, 'lbfgs', opts.resumeFrom, start.length);
    here = toPoint(saved.point.x.slice(), { value: saved.point.smoothValue, grad: saved.point.grad.slice(), finite: true }, l1);
    saved.memory.s.forEach((s, i) => memory.push(s.slice(), saved.memory.y[i]!.slice()));
    progress.restore(saved.history, { x: here.x, value: here.value, gradNorm: here.gradNorm, step: saved.history.at(-1)!.step });
    evaluator.count = saved.evaluations;
    stop = null;
  } else {
    const first = await evaluator.evaluate(start);
    if (!first.finite) throw nonFiniteError(caller, 0, first);
    here = toPoint(start, first, l1);
    stop = await progress.accept({ x: here.x, value: here.value, gradNorm: here.gradNorm, step: 0 });
  }
  const capture = (): LbfgsState => ({
    optimizer: 'lbfgs', point: { x: here.x.slice(), smoothValue: here.smoothValue, grad: here.grad.slice() },
    history: progress.records(), evaluations: evaluator.count, memory: memory.pairs(),
  });
  if (stop === null) opts.onState?.(capture);
  while (stop === null) {
    let d = memory.direction(here.pg);
    if (l1 !== null) alignDirection(d, here.pg);
    let slope = dot(here.pg, d);
    if (!(slope < 0)) {
      // Not a descent direction (OWL-QN's sign projection can do this): restart from steepest descent.
      memory.clear();
      d = negate(here.pg);
      slope = dot(here.pg, d);
      if (!(slope < 0)) {
        stop = 'line-search';
        break;
      }
    }
    const alpha0 = memory.size === 0 ? 1 / norm2(d) : 1;
    const from = here;
    const outcome =
      l1 === null
        ? await searchSmooth(evaluator, from, d, slope, alpha0, opts.maxLineSearch)
        : await searchOrthantwise(evaluator, from, d, slope, alpha0, l1, opts.maxLineSearch);
    if (!outcome.ok) {
      if (!outcome.sawFinite) throw nonFiniteError(caller, progress.iterations + 1);
      if (memory.size > 0) {
        memory.clear(); // The quasi-Newton direction failed; try steepest descent once before giving up.
        continue;
      }
      stop = 'line-search';
      break;
    }
    const next = outcome.payload!; // Accepted trials are finite, and finite trials carry their point.
    memory.push(subtract(next.x, from.x), subtract(next.grad, from.grad));
    here = next;
    stop = await progress.accept({ x: here.x, value: here.value, gradNorm: here.gradNorm, step: outcome.alpha });
    if (stop === null) opts.onState?.(capture);
  }
  return progress.result(stop);
}

/** The smooth line search: strong Wolfe along x + αd (see `line-search.ts`). */
function searchSmooth(
  evaluator: Evaluator,
  from: Point,
  d: Float64Array,
  slope: number,
  alpha0: number,
  maxEvals: number,
): Promise<SearchOutcome<Point | null>> {
  return searchStrongWolfe(
    async (alpha) => {
      const x = addScaled(from.x, alpha, d);
      const e = await evaluator.evaluate(x);
      const s = e.finite ? dot(e.grad, d) : NaN;
      const finite = e.finite && Number.isFinite(s);
      return { alpha, value: e.value, slope: s, finite, payload: finite ? toPoint(x, e, null) : null };
    },
    { alpha: 0, value: from.value, slope, finite: true, payload: null },
    alpha0,
    maxEvals,
  );
}

/**
 * OWL-QN's line search: backtracking along x(α) = π(x + αd), the step projected onto the orthant
 * of x (see `chooseOrthant`), until F(x(α)) ≤ F(x) + c₁·pgᵀ(x(α) − x), or its approximate form
 * (`approximatelyDecreased`) when the values tie within rounding noise.
 */
function searchOrthantwise(
  evaluator: Evaluator,
  from: Point,
  d: Float64Array,
  slope: number,
  alpha0: number,
  l1: Float64Array,
  maxEvals: number,
): Promise<SearchOutcome<Point | null>> {
  const orthant = chooseOrthant(from.x, from.pg);
  return searchBacktracking(
    async (alpha) => {
      const x = addScaled(from.x, alpha, d);
      projectOntoOrthant(x, orthant, l1);
      const e = await evaluator.evaluate(x);
      if (!e.finite) return { value: NaN, finite: false, accepted: false, payload: null };
      const p = toPoint(x, e, l1);
      const step = subtract(x, from.x);
      const slope0 = dot(from.pg, step);
      const accepted = p.value <= from.value + ARMIJO_C1 * slope0 || approximatelyDecreased(from.value, p.value, slope0, dot(p.pg, step));
      return { value: p.value, finite: Number.isFinite(p.value), accepted, payload: p };
    },
    from.value,
    slope,
    alpha0,
    maxEvals,
  );
}
