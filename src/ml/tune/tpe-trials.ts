/**
 * The trial records TPE reads, and the two steps that turn them into per-label observations:
 * reading each trial's ACTIVE values (the labels its choices reach, checked against the space) and
 * splitting trials into hyperopt's "below" (good) and "above" sets (`ap_split_trials`).
 *
 * @module
 */
import { assignActive } from './space-sample.ts';
import type { Point, Space } from './space-types.ts';
import { badInput, valueOf } from './space-types.ts';

/**
 * One trial as the search sees it: the point suggested, and its outcome so far. `loss` is set for
 * 'ok' trials; 'pending' trials are still being evaluated; 'fail' trials threw or returned no loss.
 */
export interface TrialRecord {
  readonly point: Point;
  readonly loss: number | undefined;
  readonly status: 'ok' | 'fail' | 'pending';
}

/** A trial that enters the TPE model: its point, the loss it is ranked by, and its index in the input. */
export interface ModelTrial {
  readonly point: Point;
  readonly loss: number;
  readonly index: number;
}

/**
 * hyperopt's cap on the below set (`gamma_cap`, which defaults to `DEFAULT_LF` = 25): past 10,000
 * trials ceil(0.25·√n) would exceed it, and l(x) stays a sharp model of the very best trials.
 */
export const BELOW_CAP = 25;

/**
 * The values of the labels active in `point` under `space`'s choices. Throws bad-input naming the
 * label when an active label is missing or non-finite, a choice index is out of range, or a randint
 * value is not an integer in [low, high).
 */
export function activeValues(space: Space, point: Point, where: string): Record<string, number> {
  return assignActive(space, (node) => {
    const v = valueOf(where, point, node.label);
    if (node.kind === 'randint' && !(Number.isInteger(v) && v >= node.low && v < node.high)) {
      throw badInput(where, `label '${node.label}' (randint) should hold an integer in [${node.low}, ${node.high}), ` +
        `received ${v}. Fix: record the value that was suggested for this trial.`);
    }
    return v;
  }, where);
}

/**
 * Marks the best `min(ceil(gamma·√n), BELOW_CAP)` of `losses` as below (true). Equal losses keep
 * their input (suggestion) order, so earlier trials win ties.
 */
export function splitBelow(losses: readonly number[], gamma: number): boolean[] {
  const n = losses.length;
  const nBelow = Math.min(Math.ceil(gamma * Math.sqrt(n)), BELOW_CAP);
  const order = losses.map((_, i) => i).sort((a, b) => {
    const la = losses[a]!;
    const lb = losses[b]!;
    return la < lb ? -1 : la > lb ? 1 : a - b;
  });
  const below = new Array<boolean>(n).fill(false);
  for (let r = 0; r < nBelow && r < n; r++) below[order[r]!] = true;
  return below;
}
