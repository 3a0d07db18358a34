/**
 * TPE for one categorical label (`choice`, `randint`), as hyperopt's `ap_randint_sampler` builds it
 * (hyperopt's `hp.choice` is a randint over option indices, so both kinds share it): the posterior
 * of a category is proportional to its forgetting-weighted count among the observations plus
 * `priorWeight` pseudo-counts; candidates are drawn from the "below" posterior and scored by
 * log p_below(k) − log p_above(k).
 *
 * @module
 */
import { categoricalSample } from './distributions.ts';
import { linearForgettingWeights } from './parzen.ts';
import type { HpNode } from './space-types.ts';
import type { LabelModelOptions } from './tpe-numeric.ts';

/** The categorical node kinds. */
export type CategoricalNode = Extract<HpNode, { kind: 'choice' } | { kind: 'randint' }>;

/** Number of categories and the offset from a category index to the stored value. */
function categoriesOf(node: CategoricalNode): { count: number; offset: number } {
  return node.kind === 'choice'
    ? { count: node.options.length, offset: 0 }
    : { count: node.high - node.low, offset: node.low };
}

/**
 * hyperopt's categorical posterior: `counts[k]` = Σ forgetting weights of observations equal to k
 * (oldest observations weigh least once there are more than `lf`), plus `priorWeight` for every k,
 * normalised. `obs` are category indices in age order, oldest first.
 */
export function categoricalPosterior(
  obs: readonly number[],
  count: number,
  priorWeight: number,
  lf: number,
): Float64Array {
  const weights = linearForgettingWeights(obs.length, lf);
  const p = new Float64Array(count).fill(priorWeight);
  for (let i = 0; i < obs.length; i++) {
    const k = obs[i]!;
    p[k] = p[k]! + weights[i]!;
  }
  let total = 0;
  for (let k = 0; k < count; k++) total += p[k]!;
  for (let k = 0; k < count; k++) p[k] = p[k]! / total;
  return p;
}

/**
 * One TPE step for a categorical label: `below`/`above` hold the stored values (option index for
 * choice, the integer for randint) of the good and the other trials, oldest first. Returns the best
 * of `nCandidates` draws from the below posterior, as a stored value.
 */
export function suggestCategorical(
  node: CategoricalNode,
  below: readonly number[],
  above: readonly number[],
  options: LabelModelOptions,
  random: () => number,
): number {
  const { count, offset } = categoriesOf(node);
  const pBelow = categoricalPosterior(below.map((v) => v - offset), count, options.priorWeight, options.linearForgetting);
  const pAbove = categoricalPosterior(above.map((v) => v - offset), count, options.priorWeight, options.linearForgetting);
  let best = -1;
  let bestScore = -Infinity;
  for (let i = 0; i < options.nCandidates; i++) {
    const k = categoricalSample(random, pBelow);
    const score = Math.log(pBelow[k]!) - Math.log(pAbove[k]!);
    // Strictly greater keeps the first of equal scores, as numpy's argmax does.
    if (best < 0 || score > bestScore) {
      best = k;
      bestScore = score;
    }
  }
  return best + offset;
}
