/**
 * A deterministic simulation of a parallel search, for tests and benchmarks: `parallelism` trials
 * are kept in flight; whenever the OLDEST pending trial finishes (round-robin order, so runs are
 * reproducible), it is evaluated and a new point is suggested given all others still pending.
 * With parallelism 1 this is the ordinary sequential loop of hyperopt's `fmin`.
 *
 * It counts duplicate suggestions (a point equal, label for label, to one suggested before), the
 * failure mode of parallel TPE without a liar: pending trials are invisible, so consecutive
 * suggestions see the same model and can land on the same point of a discrete space.
 *
 * @module
 */
import { seededRandom } from '../../kernels/random.ts';
import type { Point, Space } from './space-types.ts';
import { badInput, describeValue } from './space-types.ts';
import type { Algo, Liar, TpeOptions, TrialRecord } from './tpe.ts';
import { gridPoints, suggestRandom, suggestTpe } from './tpe.ts';

/** What {@link simulateParallelSearch} runs. */
export interface SimulateOptions {
  readonly space: Space;
  /** The loss of a point; a thrown error or a NaN loss records the trial as 'fail'. */
  readonly objective: (point: Point) => number;
  readonly algo: Algo;
  /** Trials to evaluate (for 'grid', at most the grid's size). */
  readonly maxEvals: number;
  /** Trials in flight at once; 1 is sequential. */
  readonly parallelism: number;
  /** Seed of the one random stream every suggestion draws from. */
  readonly seed: number;
  /** How TPE treats pending trials; default 'max'. Ignored by 'random' and 'grid'. */
  readonly liar?: Liar;
  /** TPE knobs; defaults are hyperopt's. */
  readonly tpe?: TpeOptions;
}

/** The outcome of a simulated search, in suggestion order. */
export interface SimulateResult {
  /** Loss of each trial (NaN for failed ones). */
  readonly losses: number[];
  /** Point of each trial. */
  readonly points: Point[];
  /** The smallest loss seen (Infinity when every trial failed). */
  readonly best: number;
  /** Suggestions equal to an earlier suggestion. */
  readonly duplicates: number;
}

/** A canonical string for a point (labels sorted), so equal points give equal keys. */
export function pointKey(point: Point): string {
  return JSON.stringify(Object.keys(point).sort().map((label) => [label, point[label]]));
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw badInput('simulateParallelSearch(opts)', `opts.${name} should be an integer ≥ 1, received ` +
      `${describeValue(value)}. Fix: pass e.g. ${name === 'parallelism' ? 1 : 100}.`);
  }
  return value;
}

/** The loss of `point`, or undefined when the objective throws or returns NaN. */
function evaluate(objective: (point: Point) => number, point: Point): number | undefined {
  try {
    const loss = objective(point);
    return typeof loss === 'number' && !Number.isNaN(loss) ? loss : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a search with `parallelism` trials in flight and returns every trial's point and loss, the
 * best loss and the number of duplicate suggestions. Deterministic for a given seed.
 */
export function simulateParallelSearch(opts: SimulateOptions): SimulateResult {
  const parallelism = positiveInteger('parallelism', opts.parallelism);
  let total = positiveInteger('maxEvals', opts.maxEvals);
  const random = seededRandom(opts.seed);
  const grid = opts.algo === 'grid' ? gridPoints(opts.space) : [];
  if (opts.algo === 'grid') total = Math.min(total, grid.length);
  else if (opts.algo !== 'tpe' && opts.algo !== 'random') {
    throw badInput('simulateParallelSearch(opts)', `opts.algo should be 'tpe', 'random' or 'grid', received ` +
      `${describeValue(opts.algo)}. Fix: pick one of those.`);
  }

  const trials: TrialRecord[] = [];
  const inFlight: number[] = [];
  const seen = new Set<string>();
  let duplicates = 0;

  const suggest = (): void => {
    const point =
      opts.algo === 'tpe' ? suggestTpe(opts.space, trials, random, { ...opts.tpe, liar: opts.liar ?? 'max' })
      : opts.algo === 'random' ? suggestRandom(opts.space, random)
      : grid[trials.length]!;
    const key = pointKey(point);
    if (seen.has(key)) duplicates++;
    else seen.add(key);
    inFlight.push(trials.length);
    trials.push({ point, loss: undefined, status: 'pending' });
  };
  const refill = (): void => {
    while (inFlight.length < parallelism && trials.length < total) suggest();
  };

  refill();
  while (inFlight.length > 0) {
    const index = inFlight.shift()!;
    const { point } = trials[index]!;
    const loss = evaluate(opts.objective, point);
    trials[index] = loss === undefined ? { point, loss: undefined, status: 'fail' } : { point, loss, status: 'ok' };
    refill();
  }

  const losses = trials.map((t) => t.loss ?? Number.NaN);
  const best = losses.reduce((m, v) => (v < m ? v : m), Infinity);
  return { losses, points: trials.map((t) => t.point), best, duplicates };
}
