/**
 * TPE for one numeric label (uniform, quniform, loguniform, qloguniform, normal, lognormal), as
 * hyperopt's `ap_*_sampler`s build it: a "below" mixture l(x) from the observations of the best
 * trials and an "above" mixture g(x) from the rest, both with the prior component described by the
 * node; then `nCandidates` draws from l(x), keeping the one with the largest log l(x) − log g(x).
 *
 * Prior component per kind (hyperopt's choices):
 * - bounded kinds: mean (low + high) / 2 and sigma (high − low), in log space for the log kinds;
 * - normal / lognormal: the node's own mu and sigma (log space for lognormal).
 *
 * @module
 */
import { EPS } from './distributions.ts';
import type { MixtureDomain, ScoredMixture } from './gmm.ts';
import { mixtureLogPdf, prepareMixture, sampleMixture } from './gmm.ts';
import { adaptiveParzenNormal } from './parzen.ts';
import type { HpNode } from './space-types.ts';

/** The numeric node kinds TPE models with Gaussian mixtures. */
export type NumericNode = Exclude<HpNode, { kind: 'choice' } | { kind: 'randint' }>;

/** The knobs of one per-label TPE step (already validated by `suggestTpe`). */
export interface LabelModelOptions {
  readonly priorWeight: number;
  readonly linearForgetting: number;
  readonly nCandidates: number;
}

interface Prior {
  readonly mu: number;
  readonly sigma: number;
  readonly domain: MixtureDomain;
  /** Maps an observed value into the mixture's space. */
  readonly toModel: (value: number) => number;
}

const identity = (value: number): number => value;

/** The prior component, domain and observation transform of a numeric node. */
function priorOf(node: NumericNode): Prior {
  switch (node.kind) {
    case 'uniform':
    case 'quniform':
      return {
        mu: 0.5 * (node.low + node.high),
        sigma: node.high - node.low,
        domain: { low: node.low, high: node.high, q: node.kind === 'quniform' ? node.q : undefined, log: false },
        toModel: identity,
      };
    case 'loguniform':
      return {
        mu: 0.5 * (node.low + node.high),
        sigma: node.high - node.low,
        domain: { low: node.low, high: node.high, log: true },
        toModel: (v) => Math.log(Math.max(v, EPS)),
      };
    case 'qloguniform': {
      // hyperopt lifts observations quantized below exp(low) (notably 0) back up to exp(low), so
      // their log is finite and they sit at the domain's edge.
      const floor = Math.max(EPS, Math.exp(node.low));
      return {
        mu: 0.5 * (node.low + node.high),
        sigma: node.high - node.low,
        domain: { low: node.low, high: node.high, q: node.q, log: true },
        toModel: (v) => Math.log(Math.max(v, floor)),
      };
    }
    case 'normal':
      return { mu: node.mu, sigma: node.sigma, domain: { log: false }, toModel: identity };
    case 'lognormal':
      return { mu: node.mu, sigma: node.sigma, domain: { log: true }, toModel: (v) => Math.log(Math.max(v, EPS)) };
  }
}

/** Builds the Parzen mixture of `obs` (oldest first) for `prior`, prepared for scoring. */
function modelOf(prior: Prior, obs: readonly number[], options: LabelModelOptions): ScoredMixture {
  const mix = adaptiveParzenNormal(obs.map(prior.toModel), options.priorWeight, prior.mu, prior.sigma,
    options.linearForgetting);
  return prepareMixture(mix, prior.domain);
}

/**
 * One TPE step for a numeric label: `below` and `above` are the label's observed values (oldest
 * first) among the good and the other trials. Returns the best of `nCandidates` draws from l(x).
 */
export function suggestNumeric(
  node: NumericNode,
  below: readonly number[],
  above: readonly number[],
  options: LabelModelOptions,
  random: () => number,
): number {
  const prior = priorOf(node);
  const l = modelOf(prior, below, options);
  const g = modelOf(prior, above, options);
  let best = Number.NaN;
  let bestScore = -Infinity;
  for (let i = 0; i < options.nCandidates; i++) {
    const x = sampleMixture(l.mix, l.domain, random);
    const score = mixtureLogPdf(x, l) - mixtureLogPdf(x, g);
    // Strictly greater keeps the first of equal scores, as numpy's argmax does.
    if (score > bestScore || Number.isNaN(best)) {
      best = x;
      bestScore = score;
    }
  }
  return best;
}
