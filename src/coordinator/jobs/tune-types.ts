/**
 * The contract of `fabric.tune` (hyperopt's `fmin` with `SparkTrials`): its options, each trial as
 * the live view shows it, and the result.
 *
 * ```ts
 * const space = { lr: hp.loguniform('lr', Math.log(1e-4), Math.log(1e-1)), units: hp.quniform('units', 8, 256, 8) };
 * const { best, trials } = await fabric.tune({ space, objective: 'mlp', algo: 'tpe', maxEvals: 100, parallelism: 8, seed: 1,
 *   data: { target: { column: 'delay', threshold: 15 }, features: ['distance', 'hour(date)'] } });
 * ```
 */
import type { Liar, TpeOptions } from '../../ml/tune/tpe';
import type { Point, Space } from '../../ml/tune/space';
import type { FeatureSpec, TargetSpec } from '../../protocol/train';
import type { CheckpointOptions } from '../checkpoint/checkpoint-types';

/** The rows a built-in objective trains and evaluates on: a sample of the loaded dataset. */
export interface TuneData {
  readonly target: TargetSpec | string;
  /** As in `train`: `'distance'`, `'hour(date)'`, `'onehot(origin)'`, or specs. */
  readonly features: readonly (FeatureSpec | string)[];
  /** Rows sampled from the dataset, evenly over its partitions (50,000; all when larger than the dataset). */
  readonly rows?: number;
  /** Fraction of the sample held out; the trial's loss is measured on it (0.2). */
  readonly holdout?: number;
  /** Rows with a null or NaN: fail (default), drop them, or impute. */
  readonly missing?: 'error' | 'drop' | 'impute';
}

/** Options of `fabric.tune`. */
export interface TuneOptions {
  /** The search space, with `hp.*` nodes at the leaves (src/ml/tune/space.ts). */
  readonly space: Space;
  /**
   * What a trial runs: `'mlp'` (a tfjs MLP on `data`; params layers, units, lr, batchSize, l2,
   * dropout, epochs, activation), `'glm'` (logistic or linear regression on `data`; params l2,
   * maxIter), `'wait'` (sleeps `params.ms` and returns a quadratic in the other params: for
   * measuring parallel efficiency), or a name registered with `defineObjective`.
   */
  readonly objective: string;
  /** Suggestion algorithm (tpe). */
  readonly algo?: 'tpe' | 'random' | 'grid';
  /** Trials to finish: ok and failed ones count; trials lost with a node and run again count once. */
  readonly maxEvals: number;
  /** Trials at once (default: every slot of the fabric when the run starts). */
  readonly parallelism?: number;
  /** Seed of the suggestions (and of each trial's own seed). */
  readonly seed?: number;
  /** Stop starting trials after this long, and stop running ones, ms. */
  readonly timeoutMs?: number;
  /** Stop starting trials once a loss at or below this is found. */
  readonly lossThreshold?: number;
  /** Stop starting trials after this many finished trials without improving the best loss. */
  readonly earlyStop?: number;
  /** How pending trials enter TPE's model ('max', as hyperopt: no repeated suggestions in parallel). */
  readonly liar?: Liar;
  /** TPE settings (hyperopt's defaults: 20 start-up trials, 24 EI candidates, γ 0.25, prior weight 1, forgetting after 25). */
  readonly tpe?: TpeOptions;
  /** The data of the built-in objectives. */
  readonly data?: TuneData;
  /** Called whenever a trial starts or ends, with every trial so far. */
  readonly onTrial?: (trial: Trial, trials: readonly Trial[]) => void;
  /** Aborting stops the run: running trials are dropped, finished ones kept and returned. */
  readonly signal?: AbortSignal;
  /**
   * Write a checkpoint to IndexedDB every N finished trials, so a reloaded page can resume the
   * search with the same suggestions (`fabric.resume(id)`). Off unless given; the page turns it on.
   */
  readonly checkpoint?: CheckpointOptions;
}

/** One trial. */
export interface Trial {
  /** Number in suggestion order, from 0. */
  readonly id: number;
  /** The suggested point (labels to values; a choice's value is the chosen index). */
  readonly point: Point;
  /** The point resolved into the objective's parameters. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly status: 'running' | 'ok' | 'fail' | 'cancelled';
  /** The objective's loss (lower is better); null unless ok. */
  readonly loss: number | null;
  /** Why a trial failed, from the objective. */
  readonly message: string;
  /** Other numbers the objective returned (e.g. auc, trainLoss). */
  readonly metrics: Readonly<Record<string, number | null>>;
  /** Wall time of the trial, ms (0 while running). */
  readonly ms: number;
  /** The node that ran it ('' while running). */
  readonly node: string;
  /** Started, ms since the run began. */
  readonly startedAt: number;
}

/** Why a run stopped. */
export type TuneStop = 'max-evals' | 'timeout' | 'loss-threshold' | 'early-stop' | 'stopped' | 'grid-exhausted';

/** What `fabric.tune` returns. */
export interface TuneResult {
  /** The best ok trial's params, loss and id; undefined when no trial succeeded. */
  readonly best: { readonly params: Readonly<Record<string, unknown>>; readonly point: Point; readonly loss: number; readonly trial: number } | undefined;
  /** Every finished trial (and cancelled ones), in id order. */
  readonly trials: readonly Trial[];
  readonly stopped: TuneStop;
  readonly ms: number;
  /** Trials run per node id. */
  readonly trialsByNode: Readonly<Record<string, number>>;
}
