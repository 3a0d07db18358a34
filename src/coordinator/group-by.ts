/**
 * `fabric.groupBy(key)`: Spark's `groupBy(key).applyInPandas(fn)`. `fit` fits one model per group
 * (OLS, ridge, logistic or softmax); `apply` runs a developer's group task (`defineGroupTask`) on
 * each group. Both return one row per group, in key order.
 *
 * ```ts
 * const table = await fabric.groupBy('origin').fit({ target: 'delay', features: ['distance', 'hour(date)'], model: ridge({ l2: 1e-3 }) });
 * ```
 */
import type { GlmSpec } from '../ml/models';
import type { FeatureSpec, MissingPolicy, TargetSpec } from '../protocol/train';
import type { GroupProgress, GroupResults } from './jobs/group-results';

/** What every group job takes. */
export interface GroupJobOptions {
  /**
   * A group whose working set on a slot exceeds this many bytes fails as `group-too-large`,
   * naming the group, its size and the budget; the others finish. Default 256 MiB.
   */
  readonly budgetBytes?: number;
  /**
   * How groups are packed into tasks: small groups share a task up to `targetRowsPerTask` rows
   * (50,000) and `maxGroupsPerTask` groups (1,000). `maxGroupsPerTask: 1` gives every group its
   * own task, as a naive applyInPandas would (for comparison in bench:groups).
   */
  readonly packing?: { readonly targetRowsPerTask?: number; readonly maxGroupsPerTask?: number };
  /** Called as groups finish (at most a few times a second). */
  readonly onProgress?: (p: GroupProgress) => void;
  readonly signal?: AbortSignal;
}

/** Options of {@link GroupBy.fit}. */
export interface GroupFitOptions extends GroupJobOptions {
  /** The target: a column, or `{ column, threshold }` for logistic, `{ column, bins }` for softmax. */
  readonly target: TargetSpec | string;
  /**
   * Numeric columns and date parts: `'distance'`, `'hour(date)'` (one number per part per group;
   * `{ kind: 'date-part', column, part, encode: 'one-hot' }` for one weight per level).
   */
  readonly features: readonly (FeatureSpec | string)[];
  /** `ols()`, `ridge({ l2 })`, `logisticRegression({ l2 })` or `softmaxRegression({ l2 })`. */
  readonly model: GlmSpec;
  /** Fit an intercept (default true); it is not penalized. */
  readonly intercept?: boolean;
  /** Rows with NaN or null: mark the group `non-finite` ('error', the default) or drop them. */
  readonly missing?: Extract<MissingPolicy, 'error' | 'drop'>;
  /** Logistic and softmax: most iterations per group (IRLS 25, L-BFGS 200). */
  readonly maxIter?: number;
}

/** Options of {@link GroupBy.apply}. */
export interface GroupApplyOptions extends GroupJobOptions {
  /** Columns the task reads (all but the key when omitted). */
  readonly columns?: readonly string[];
}

/** Runs group jobs for one key; made by `fabric.groupBy(key)`. */
export interface GroupBy {
  /** The key column. */
  readonly key: string;
  /** Fits one model per group. */
  fit(options: GroupFitOptions): Promise<GroupResults>;
  /** Runs the registered group task `name` on every group. */
  apply(name: string, options?: GroupApplyOptions): Promise<GroupResults>;
}
