/**
 * Line searches along a fixed direction. Each trial is one objective evaluation (a distributed pass),
 * so both searches interpolate rather than bisect, and both share one evaluation budget.
 *
 * - {@link searchStrongWolfe}: Nocedal & Wright's Algorithm 3.5 (bracketing) and 3.6 (zoom) with
 *   safeguarded cubic interpolation from values and slopes at both ends; extrapolation bounds as
 *   in Moré & Thuente (1994). For smooth L-BFGS.
 * - {@link searchBacktracking}: shrink-only search with a caller-defined acceptance test, for OWL-QN
 *   (projected points) and gradient descent (Armijo or the proximal majorisation test).
 *
 * @module
 */

/** Sufficient-decrease constant c₁ of the Armijo condition: N&W's and Breeze's 1e-4. */
export const ARMIJO_C1 = 1e-4;
/**
 * Relative size of rounding noise in an objective value. Near the optimum f changes by ~‖g‖², which
 * drops below float64 resolution long before ‖g‖ reaches a tight tolerance (on our 2-D quadratic,
 * at ‖g‖ ≈ 1e-9), and a distributed sum merged in another order differs in its last bits. Values
 * within this fraction of f(x) are treated as ties and judged by slopes instead (see
 * {@link approximatelyDecreased}). 1e-12 sits above the √n·ε ≈ 4e-13 rounding of a sum over 3M
 * rows and far below any change that matters to a model.
 */
const VALUE_NOISE = 1e-12;

/** The absolute noise level of objective values near `value0`. */
export function noiseLevel(value0: number): number {
  return VALUE_NOISE * Math.abs(value0);
}

/**
 * Hager & Zhang's (2005) approximate Armijo condition, for when values are too close to compare:
 * `value` is within noise of `value0` and the slope along the step s = x⁺ − x satisfies
 * ∇f(x⁺)·s ≤ (2c₁ − 1)·∇f(x)·s. On a quadratic that is exactly f(x⁺) ≤ f(x) + c₁∇f(x)·s, and it
 * uses only gradients, which stay accurate where values no longer resolve.
 */
export function approximatelyDecreased(value0: number, value: number, slope0: number, slope: number): boolean {
  return value <= value0 + noiseLevel(value0) && slope <= (2 * ARMIJO_C1 - 1) * slope0;
}
/** Curvature constant c₂ of the strong Wolfe condition: 0.9, N&W's advice for quasi-Newton methods. */
const WOLFE_C2 = 0.9;
/** Zoom trials stay this fraction of the bracket away from either end, so every trial shrinks it. */
const ZOOM_MARGIN = 0.1;
/** An extrapolated trial goes at least 1.1 times the last increase of α beyond it (Moré & Thuente's bound)… */
const EXTRAPOLATE_MIN = 1.1;
/** …and at most 4 times (theirs too), so a first step 1000× too short is fixed in about 5 trials. */
const EXTRAPOLATE_MAX = 4;
/**
 * When a trial returns NaN or ±Infinity we know nothing but "too far": step back to this fraction of
 * the bracket from the good end. 0.1 from the start point (the typical case, exp overflowing on a
 * first step that was far too long) and halfway once a good step is known.
 */
const NONFINITE_SHRINK_FROM_ZERO = 0.1;
/** See {@link NONFINITE_SHRINK_FROM_ZERO}. */
const NONFINITE_SHRINK = 0.5;
/** A backtracking trial is at least this fraction of the last one (N&W §3.5's safeguard on interpolation)… */
const SHRINK_MIN = 0.1;
/** …and at most this fraction, so every failed trial at least halves the step. */
const SHRINK_MAX = 0.5;
/** A bracket narrower than this relative to its step cannot be told apart in float64: give up. */
const BRACKET_RESOLUTION = 1e-14;

/** One trial of a strong Wolfe search: φ(α) = f(x + αd) and φ′(α) = ∇f(x + αd)·d, plus payload. */
export interface WolfeTrial<P> {
  readonly alpha: number;
  readonly value: number;
  readonly slope: number;
  /** False when the value or gradient was NaN or ±Infinity. */
  readonly finite: boolean;
  /** Whatever the caller wants back for the accepted step (x and gradient). */
  readonly payload: P | null;
}

/** A line search either accepts a step or fails; `sawFinite` tells a failure from a NaN objective. */
export type SearchOutcome<P> = { readonly ok: true; readonly alpha: number; readonly payload: P } | { readonly ok: false; readonly sawFinite: boolean };

/** The minimiser of the cubic matching φ and φ′ at `a` and `b` (N&W eq. 3.59), or NaN if none. */
export function cubicMinimizer(a: WolfeTrial<unknown>, b: WolfeTrial<unknown>): number {
  const d1 = a.slope + b.slope - (3 * (a.value - b.value)) / (a.alpha - b.alpha);
  const disc = d1 * d1 - a.slope * b.slope;
  if (!(disc >= 0)) return NaN;
  const d2 = Math.sign(b.alpha - a.alpha) * Math.sqrt(disc);
  const denominator = b.slope - a.slope + 2 * d2;
  if (denominator === 0) return NaN;
  return b.alpha - (b.alpha - a.alpha) * ((b.slope + d2 - d1) / denominator);
}

/** Where the line through the slopes at `a` and `b` crosses zero, or NaN if they are equal. */
function secantZero(a: WolfeTrial<unknown>, b: WolfeTrial<unknown>): number {
  const ds = b.slope - a.slope;
  return ds === 0 ? NaN : a.alpha - (a.slope * (b.alpha - a.alpha)) / ds;
}

function clamp(v: number, lo: number, hi: number, fallback: number): number {
  if (Number.isNaN(v)) return fallback;
  return Math.min(hi, Math.max(lo, v));
}

/**
 * Finds α > 0 with φ(α) ≤ φ(0) + c₁αφ′(0) (or, when values tie within noise, the approximate
 * form of {@link approximatelyDecreased}) and |φ′(α)| ≤ c₂|φ′(0)|, starting from `alpha0`.
 * `phi0` must have alpha 0 and a negative slope. If the budget runs out, or the bracket shrinks
 * below float64 resolution, the best step that satisfies sufficient decrease is accepted; only if
 * there is none does the search fail.
 */
export async function searchStrongWolfe<P>(
  evaluateAt: (alpha: number) => Promise<WolfeTrial<P>>,
  phi0: WolfeTrial<P>,
  alpha0: number,
  maxEvals: number,
): Promise<SearchOutcome<P>> {
  const noise = noiseLevel(phi0.value);
  const decreased = (t: WolfeTrial<P>): boolean =>
    t.finite &&
    (t.value <= phi0.value + ARMIJO_C1 * t.alpha * phi0.slope || approximatelyDecreased(phi0.value, t.value, phi0.slope, t.slope));
  // "Worse than lo" only when clearly so: ties within noise are decided by slopes.
  const worse = (t: WolfeTrial<P>, than: WolfeTrial<P>): boolean => !decreased(t) || t.value > than.value + noise;
  const curvature = (t: WolfeTrial<P>): boolean => Math.abs(t.slope) <= -WOLFE_C2 * phi0.slope;
  let evals = 0;
  let sawFinite = false;
  const trial = async (alpha: number): Promise<WolfeTrial<P>> => {
    evals++;
    const t = await evaluateAt(alpha);
    if (t.finite) sawFinite = true;
    return t;
  };
  const accept = (t: WolfeTrial<P>): SearchOutcome<P> => ({ ok: true, alpha: t.alpha, payload: t.payload! });
  const fallback = (lo: WolfeTrial<P>): SearchOutcome<P> => (lo.alpha > 0 ? accept(lo) : { ok: false, sawFinite });

  // Bracketing phase: lo is the best point with sufficient decrease; hi brackets a Wolfe step.
  let lo = phi0;
  let hi: WolfeTrial<P> | null = null;
  let alpha = alpha0;
  while (hi === null) {
    if (evals >= maxEvals) return fallback(lo);
    const cur = await trial(alpha);
    if (worse(cur, lo)) hi = cur;
    else if (curvature(cur)) return accept(cur);
    else if (cur.slope >= 0) {
      hi = lo;
      lo = cur;
    } else {
      const step = cur.alpha - lo.alpha;
      alpha = clamp(cubicMinimizer(lo, cur), cur.alpha + EXTRAPOLATE_MIN * step, cur.alpha + EXTRAPOLATE_MAX * step, cur.alpha + EXTRAPOLATE_MAX * step);
      lo = cur;
    }
  }

  // Zoom phase: shrink [lo, hi] (in either order) until a trial satisfies both conditions.
  while (evals < maxEvals) {
    const left = Math.min(lo.alpha, hi.alpha);
    const width = Math.abs(hi.alpha - lo.alpha);
    if (width <= BRACKET_RESOLUTION * Math.max(lo.alpha, hi.alpha)) break;
    if (hi.finite) {
      // Values that tie within noise say nothing: then interpolate the slopes alone (secant).
      const guess = Math.abs(hi.value - lo.value) <= noise ? secantZero(lo, hi) : cubicMinimizer(lo, hi);
      alpha = clamp(guess, left + ZOOM_MARGIN * width, left + (1 - ZOOM_MARGIN) * width, left + 0.5 * width);
    } else {
      alpha = lo.alpha + (lo.alpha === 0 ? NONFINITE_SHRINK_FROM_ZERO : NONFINITE_SHRINK) * (hi.alpha - lo.alpha);
    }
    const cur = await trial(alpha);
    if (worse(cur, lo)) {
      hi = cur;
    } else {
      if (curvature(cur)) return accept(cur);
      if (cur.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
      lo = cur;
    }
  }
  return fallback(lo);
}

/** One trial of a backtracking search. */
export interface BacktrackTrial<P> {
  /** The value compared against the caller's bound (used only to interpolate the next step). */
  readonly value: number;
  readonly finite: boolean;
  /** True when the caller's sufficient-decrease test passed. */
  readonly accepted: boolean;
  readonly payload: P;
}

/**
 * Tries `alpha0`, then shorter steps, until `evaluateAt` reports a trial accepted. With `slope`
 * (φ′(0) < 0) the next step minimises the quadratic through φ(0), φ′(0) and φ(α), kept within
 * [0.1α, 0.5α]; without it, or when the trial was not finite, steps halve or shrink tenfold.
 */
export async function searchBacktracking<P>(
  evaluateAt: (alpha: number) => Promise<BacktrackTrial<P>>,
  value0: number,
  slope: number | null,
  alpha0: number,
  maxEvals: number,
): Promise<SearchOutcome<P>> {
  let alpha = alpha0;
  let sawFinite = false;
  for (let evals = 0; evals < maxEvals; evals++) {
    const t = await evaluateAt(alpha);
    if (t.finite) sawFinite = true;
    if (t.finite && t.accepted) return { ok: true, alpha, payload: t.payload };
    if (!t.finite) {
      alpha *= SHRINK_MIN;
    } else if (slope !== null && slope < 0) {
      const curvature = t.value - value0 - slope * alpha;
      const guess = curvature > 0 ? (-slope * alpha * alpha) / (2 * curvature) : NaN;
      alpha = clamp(guess, SHRINK_MIN * alpha, SHRINK_MAX * alpha, SHRINK_MAX * alpha);
    } else {
      alpha *= SHRINK_MAX;
    }
  }
  return { ok: false, sawFinite };
}
