/**
 * Contracts of fitGroups (Spark's `groupBy(key).applyInPandas(fit)`): the per-group model, the
 * params of a `fit-groups` task over one batch of groups, and its result. A task's rows arrive as
 * an Arrow IPC artifact holding its groups one after another, in the order `groups` lists them.
 */
import { z } from './zod';
import { FeatureSpecSchema, MissingPolicySchema, TargetSpecSchema } from './train';

const name = z.string().min(1).max(256);

/**
 * The model fitted to each group. `linear` is OLS (l2 = 0) or ridge, solved in closed form from
 * batched Gram sums; `logistic` is IRLS; `custom`
 * is a group task a developer compiled into the slot bundle (`defineGroupTask`).
 */
export const GroupModelSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('linear'), l2: z.number().min(0).finite() }),
  z.object({ kind: z.literal('logistic'), l2: z.number().min(0).finite(), maxIter: z.number().int().min(1).max(1000) }),
  z.object({ kind: z.literal('custom'), name }),
]);
export type GroupModel = z.infer<typeof GroupModelSchema>;

/** One group of a task's batch: its key, shown in the results, and its rows in the batch. */
export const GroupEntrySchema = z.object({ key: z.string().max(4096), rows: z.number().int().nonnegative() });

/** Params of `fit-groups`. */
export const FitGroupsParamsSchema = z.object({
  /** Id of the batch artifact (Arrow IPC), which the task also names in its artifacts. */
  batch: name,
  /** The batch's groups, in row order; their rows add up to the batch's. */
  groups: z.array(GroupEntrySchema).min(1).max(100_000),
  /** Features: numeric columns and date parts (one number each, or one-hot over fixed levels). Empty for custom tasks. */
  features: z.array(FeatureSpecSchema).max(256),
  /** The target; absent for custom tasks. */
  target: TargetSpecSchema.optional(),
  model: GroupModelSchema,
  /** Fit an intercept (the last coefficient, never penalized). */
  intercept: z.boolean(),
  /** Rows with NaN or null in a feature or the target: make the group `non-finite` (error), or drop them. */
  missing: MissingPolicySchema,
  /** A group whose working set exceeds this many bytes fails as `group-too-large`; the others go on. */
  budgetBytes: z.number().int().positive(),
  /** The coordinator's estimate of the bytes a row takes on a slot, which the budget is checked against. */
  bytesPerRow: z.number().positive(),
});
export type FitGroupsParams = z.infer<typeof FitGroupsParamsSchema>;

/** A metric or a custom value: JSON has no NaN, so a missing number is null. */
const cell = z.union([z.number(), z.string().max(4096), z.boolean(), z.null()]);

/** One group's outcome. Coefficients travel apart, as float64 in `binary[0]` (groups × p). */
export const GroupOutcomeSchema = z.object({
  key: z.string().max(4096),
  /** Rows the fit used (after dropped rows). */
  rows: z.number().int().nonnegative(),
  /** A fit status (src/ml/fit-status.ts), `group-too-large`, or `failed`. */
  status: z.string().max(64),
  /** Why the status is not `ok`, and what to do. */
  message: z.string().max(4096),
  /** RMSE and R², or log loss and AUC (null when undefined for the group). */
  metrics: z.record(z.string().max(64), z.number().nullable()),
  /** A custom task's values, by column. */
  values: z.record(z.string().max(256), cell).optional(),
  /** Milliseconds the group's fit took on its slot. */
  ms: z.number().nonnegative(),
});
export type GroupOutcome = z.infer<typeof GroupOutcomeSchema>;

/** Result of `fit-groups`: one outcome per group, in the params' order. */
export const FitGroupsResultSchema = z.object({
  groups: z.array(GroupOutcomeSchema).max(100_000),
  /** Coefficients per group (0 for custom tasks). */
  p: z.number().int().nonnegative(),
  /** Which kernel summed the Gram matrices: 'cpu' or 'webgpu' (linear models). */
  kernel: z.enum(['cpu', 'webgpu']),
});
export type FitGroupsResult = z.infer<typeof FitGroupsResultSchema>;

/** Statuses beyond the fit statuses: a group over the memory budget, and a group whose fit threw. */
export const GROUP_TOO_LARGE = 'group-too-large';
export const GROUP_FAILED = 'failed';
