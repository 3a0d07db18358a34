/**
 * The Tree-structured Parzen Estimator, following hyperopt's `tpe.suggest` (`hyperopt/tpe.py`):
 *
 * 1. Start-up. hyperopt counts every trial document in a valid state (new, running, done — errored
 *    ones are dropped by `Trials.refresh`) and samples from the prior while that count is below
 *    `n_startup_jobs`. Here that is trials with status 'ok' plus 'pending', whatever the liar.
 * 2. Split. The modelled trials are ranked by loss (ties keep suggestion order) and the best
 *    `min(ceil(gamma·√n), 25)` form the "below" set, the rest "above" (`ap_split_trials`).
 * 3. Per label, in tree order (a choice before the nodes of the option it picks): l(x) and g(x) are
 *    fitted to that label's values in the below/above trials where the label was active, and the
 *    best of `nEiCandidates` draws from l(x) by log l(x) − log g(x) is kept (`broadcast_best`).
 *    Labels are chosen one at a time, as in hyperopt, not scored jointly.
 *
 * Failed trials ('fail') are left out of the model and of the start-up count: they stand for
 * hyperopt's errored jobs, which its `Trials` filters out.
 *
 * Pending trials (a constant liar, Ginsbourger et al. 2010): with `liar` 'max' (the default),
 * 'mean' or 'min' a pending trial joins the model with the max/mean/min of the observed losses, so
 * with 'max' parallel workers are steered away from points already being evaluated. 'none' leaves
 * them out of the model. Before any loss is observed they only count towards start-up. (hyperopt
 * itself gives pending trials an infinite loss, which ranks them like 'max' does.)
 *
 * @module
 */
import { assignActive, samplePriorPoint } from './space-sample.ts';
import type { Point, Space } from './space-types.ts';
import { badInput, describeValue } from './space-types.ts';
import { samplePoint, validateSpace } from './space.ts';
import type { ModelTrial, TrialRecord } from './tpe-trials.ts';
import { activeValues, splitBelow } from './tpe-trials.ts';
import type { CategoricalNode } from './tpe-categorical.ts';
import { suggestCategorical } from './tpe-categorical.ts';
import type { LabelModelOptions, NumericNode } from './tpe-numeric.ts';
import { suggestNumeric } from './tpe-numeric.ts';

export { gridPoints } from './grid.ts';
export type { TrialRecord } from './tpe-trials.ts';

/** The search algorithms: TPE, prior sampling, and exhaustive grid (discrete spaces only). */
export type Algo = 'tpe' | 'random' | 'grid';

/** How pending trials enter the TPE model (see the module comment). */
export type Liar = 'none' | 'max' | 'mean' | 'min';

/** TPE's knobs, named after hyperopt's `tpe.suggest` arguments. */
export interface TpeOptions {
  /** Prior draws before modelling starts (hyperopt `n_startup_jobs`). Default 20. */
  nStartupJobs?: number;
  /** Draws from l(x) scored per label (hyperopt `n_EI_candidates`). Default 24. */
  nEiCandidates?: number;
  /** Scale of the below set: ceil(gamma·√n) trials (hyperopt `gamma`). Default 0.25. */
  gamma?: number;
  /** Weight of the prior component / pseudo-count (hyperopt `prior_weight`). Default 1. */
  priorWeight?: number;
  /** Observations kept at full weight before older ones fade (hyperopt `LF`). Default 25; 0 turns it off. */
  linearForgetting?: number;
}

/** hyperopt's defaults, unchanged: they are the published TPE settings that the tests compare against. */
export const TPE_DEFAULTS: Readonly<Required<TpeOptions>> = {
  // 20 prior draws: hyperopt's `_default_n_startup_jobs`; enough spread for the Parzen fits.
  nStartupJobs: 20,
  // 24 candidates: hyperopt's `_default_n_EI_candidates`; more exploits harder, fewer explores.
  nEiCandidates: 24,
  // 0.25: hyperopt's `_default_gamma`; with √n scaling the below set stays small (≤ 25 trials).
  gamma: 0.25,
  // 1: hyperopt's `_default_prior_weight`; the prior counts like one observation.
  priorWeight: 1,
  // 25: hyperopt's `DEFAULT_LF`; the newest 25 observations keep full weight.
  linearForgetting: 25,
};

function option(name: keyof TpeOptions, value: number | undefined, check: (v: number) => boolean, expected: string): number {
  const v = value ?? TPE_DEFAULTS[name];
  if (typeof v !== 'number' || !check(v)) {
    throw badInput('suggestTpe(options)', `options.${name} should be ${expected}, received ${describeValue(value)}. ` +
      `Fix: pass ${expected} or leave it out for the default ${TPE_DEFAULTS[name]}.`);
  }
  return v;
}

/**
 * Suggests one new point by TPE given every trial so far (ok, fail and pending, in suggestion
 * order). `random` is the seeded stream (e.g. `seededRandom(seed)`); the same space, trials and
 * stream state give the same point. Throws bad-input for an invalid space, options or trials.
 */
export function suggestTpe(
  space: Space,
  trials: readonly TrialRecord[],
  random: () => number,
  options: TpeOptions & { liar?: Liar } = {},
): Point {
  const nStartupJobs = option('nStartupJobs', options.nStartupJobs, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0');
  const nCandidates = option('nEiCandidates', options.nEiCandidates, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  const gamma = option('gamma', options.gamma, (v) => v > 0 && v <= 1, 'a number in (0, 1]');
  const priorWeight = option('priorWeight', options.priorWeight, (v) => v > 0 && Number.isFinite(v), 'a finite number > 0');
  const linearForgetting = option('linearForgetting', options.linearForgetting, (v) => Number.isInteger(v) && v >= 0,
    'an integer ≥ 0');
  const liar = options.liar ?? 'max';
  if (!['none', 'max', 'mean', 'min'].includes(liar)) {
    throw badInput('suggestTpe(options)', `options.liar should be 'none', 'max', 'mean' or 'min', received ` +
      `${describeValue(liar)}. Fix: use 'max' (the default) for parallel search.`);
  }
  validateSpace(space);

  const { modelled, startupCount } = modelTrials(trials, liar);
  if (startupCount < nStartupJobs) return samplePriorPoint(space, random);

  const active = modelled.map((t) => activeValues(space, t.point, `suggestTpe(trials[${t.index}].point)`));
  const isBelow = splitBelow(modelled.map((t) => t.loss), gamma);
  const labelOptions: LabelModelOptions = { priorWeight, linearForgetting, nCandidates };
  return assignActive(space, (node) => {
    const below: number[] = [];
    const above: number[] = [];
    for (let j = 0; j < active.length; j++) {
      const v = active[j]![node.label];
      if (v !== undefined) (isBelow[j] ? below : above).push(v);
    }
    return node.kind === 'choice' || node.kind === 'randint'
      ? suggestCategorical(node as CategoricalNode, below, above, labelOptions, random)
      : suggestNumeric(node as NumericNode, below, above, labelOptions, random);
  });
}

/** Draws one point from the prior; the same as {@link samplePoint}, under the algorithm's name. */
export function suggestRandom(space: Space, random: () => number): Point {
  return samplePoint(space, random);
}

/** The trials TPE models, with the liar's losses for pending ones, and the start-up count. */
function modelTrials(trials: readonly TrialRecord[], liar: Liar): { modelled: ModelTrial[]; startupCount: number } {
  const observed: number[] = [];
  let pending = 0;
  trials.forEach((t, index) => {
    if (t.status === 'ok') {
      if (typeof t.loss !== 'number' || Number.isNaN(t.loss) || t.loss === -Infinity) {
        throw badInput('suggestTpe(trials)', `trials[${index}] has status 'ok' but loss ${describeValue(t.loss)}; ` +
          `expected a number (not NaN or -Infinity). Fix: record the loss, or mark the trial 'fail'.`);
      }
      observed.push(t.loss);
    } else if (t.status === 'pending') {
      pending++;
    } else if (t.status !== 'fail') {
      throw badInput('suggestTpe(trials)', `trials[${index}].status should be 'ok', 'fail' or 'pending', received ` +
        `${describeValue(t.status)}. Fix: use one of those.`);
    }
  });
  const lie = liarLoss(liar, observed);
  const modelled: ModelTrial[] = [];
  trials.forEach((t, index) => {
    if (t.status === 'ok') modelled.push({ point: t.point, loss: t.loss as number, index });
    else if (t.status === 'pending' && lie !== undefined) modelled.push({ point: t.point, loss: lie, index });
  });
  return { modelled, startupCount: observed.length + pending };
}

/** The loss a pending trial is given, or undefined when pending trials stay out of the model. */
function liarLoss(liar: Liar, observed: readonly number[]): number | undefined {
  if (liar === 'none' || observed.length === 0) return undefined;
  if (liar === 'max') return observed.reduce((m, v) => Math.max(m, v), -Infinity);
  if (liar === 'min') return observed.reduce((m, v) => Math.min(m, v), Infinity);
  return observed.reduce((s, v) => s + v, 0) / observed.length;
}
