/**
 * Contracts of training: feature and target specs, the feature plan that a stats pass produces,
 * and the params and results of the training task kinds. The plan travels to slots as an artifact.
 */
import { z } from './zod';
import { ColumnMomentsSchema } from './stats';

const column = z.string().min(1).max(1024);

/** One input feature. Date parts come from a timestamp or date column. */
export const FeatureSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('numeric'), column }),
  z.object({
    kind: z.literal('date-part'),
    column,
    part: z.enum(['hour', 'day-of-week', 'month']),
    /** One-hot (default: each hour gets its own weight) or one standardized number. */
    encode: z.enum(['one-hot', 'numeric']).optional(),
  }),
  z.object({
    kind: z.literal('one-hot'),
    column,
    /** Most frequent categories kept; the rest get no weight. 1,000 by default. */
    maxCategories: z.number().int().min(1).max(100_000).optional(),
  }),
]);
export type FeatureSpec = z.infer<typeof FeatureSpecSchema>;

/**
 * The target. A numeric column as it is (regression); with `threshold`, 1 when the value is
 * greater than it (binary classification); with `bins`, the class of the bin it falls in
 * (softmax); a text column gives one class per value.
 */
export const TargetSpecSchema = z.object({
  column,
  threshold: z.number().optional(),
  bins: z.array(z.number()).min(1).max(64).optional(),
});
export type TargetSpec = z.infer<typeof TargetSpecSchema>;

/** What to do with rows that have a null or NaN in a feature or the target. */
export const MissingPolicySchema = z.enum(['error', 'drop', 'impute']);
export type MissingPolicy = z.infer<typeof MissingPolicySchema>;

/** The train/held-out split: a row is held out when a hash of (seed, row index) falls under `holdout`. */
export const SplitSpecSchema = z.object({ seed: z.number().int(), holdout: z.number().min(0).max(0.9) });
export type SplitSpec = z.infer<typeof SplitSpecSchema>;

/** Params of `feature-stats`. */
export const FeatureStatsParamsSchema = z.object({
  features: z.array(FeatureSpecSchema).min(1).max(256),
  target: TargetSpecSchema,
  split: SplitSpecSchema,
  missing: MissingPolicySchema,
});
export type FeatureStatsParams = z.infer<typeof FeatureStatsParamsSchema>;

/** Category counts, in first-seen order. */
export const CategoryCountsSchema = z.object({
  values: z.array(z.string().max(4096)).max(100_000),
  counts: z.array(z.number().int().nonnegative()).max(100_000),
});
export type CategoryCounts = z.infer<typeof CategoryCountsSchema>;

const featureStats = z.object({
  missing: z.number().int().nonnegative(),
  moments: ColumnMomentsSchema.optional(),
  categories: CategoryCountsSchema.optional(),
});

/** Result of `feature-stats` on one partition (statistics over its training rows). */
export const FeatureStatsResultSchema = z.object({
  rows: z.number().int().nonnegative(),
  trainRows: z.number().int().nonnegative(),
  holdoutRows: z.number().int().nonnegative(),
  droppedRows: z.number().int().nonnegative(),
  features: z.array(featureStats).max(256),
  target: featureStats.extend({ nonNumeric: z.boolean() }),
});
export type FeatureStatsResult = z.infer<typeof FeatureStatsResultSchema>;

/** Model kinds the GLM tasks compute. */
export const GlmKindSchema = z.enum(['linear', 'logistic', 'softmax']);

/** Params of `glm-gradient`: loss and gradient sums at the parameters in `binary[0]` (float64). */
export const GlmGradientParamsSchema = z.object({
  /** Id of the feature plan artifact, which the task also names in its artifacts. */
  plan: z.string().min(1).max(256),
  kind: GlmKindSchema,
  classes: z.number().int().min(1).max(1024),
  /** Also return the held-out loss at the same parameters (for the live curve). */
  holdoutLoss: z.boolean(),
});
export type GlmGradientParams = z.infer<typeof GlmGradientParamsSchema>;

/** Result of `glm-gradient`; the gradient sum is `binary[0]` (float64). */
export const GlmGradientResultSchema = z.object({
  rows: z.number().int().nonnegative(),
  loss: z.number(),
  holdoutRows: z.number().int().nonnegative(),
  holdoutLoss: z.number(),
  /** Which kernel computed it: 'cpu' or 'webgpu'. */
  kernel: z.enum(['cpu', 'webgpu']),
});
export type GlmGradientResult = z.infer<typeof GlmGradientResultSchema>;

/** Params of `glm-predict`: predictions of the held-out (or training) rows. */
export const GlmPredictParamsSchema = z.object({
  plan: z.string().min(1).max(256),
  kind: GlmKindSchema,
  classes: z.number().int().min(1).max(1024),
  split: z.enum(['train', 'holdout']),
});
export type GlmPredictParams = z.infer<typeof GlmPredictParamsSchema>;

/** Result of `glm-predict`: `binary[0]` predictions (float64), `binary[1]` targets (float64). */
export const GlmPredictResultSchema = z.object({ rows: z.number().int().nonnegative() });
export type GlmPredictResult = z.infer<typeof GlmPredictResultSchema>;

/** How one feature becomes model columns. */
export const PlannedFeatureSchema = z.discriminatedUnion('encoding', [
  /** One standardized column: (x - mean) / std. */
  z.object({ encoding: z.literal('dense'), spec: FeatureSpecSchema, name: z.string().max(2048), mean: z.number(), std: z.number().positive(), column: z.number().int().nonnegative() }),
  /**
   * One weight per kept category except the reference (the most frequent), which is the
   * baseline the intercept absorbs; categories past the cap get no weight.
   */
  z.object({
    encoding: z.literal('one-hot'),
    spec: FeatureSpecSchema,
    name: z.string().max(2048),
    reference: z.string().max(4096),
    categories: z.array(z.string().max(4096)).max(100_000),
    /** Parameter index of `categories[0]`. */
    offset: z.number().int().nonnegative(),
  }),
]);
export type PlannedFeature = z.infer<typeof PlannedFeatureSchema>;

/** The feature plan: everything a slot needs to turn a partition into a design matrix. */
export const FeaturePlanSchema = z.object({
  features: z.array(PlannedFeatureSchema).max(256),
  denseCols: z.number().int().nonnegative(),
  /** Parameters per output, intercept last. */
  dim: z.number().int().positive(),
  /** A name per parameter, `intercept` last. */
  names: z.array(z.string().max(4096)),
  target: z.object({
    spec: TargetSpecSchema,
    kind: z.enum(['value', 'binary', 'classes']),
    /** Class labels (binary: two; classes: one per class). */
    labels: z.array(z.string().max(4096)).max(1024),
    /** Text targets: the value of each class, in class order. */
    values: z.array(z.string().max(4096)).max(1024).optional(),
  }),
  split: SplitSpecSchema,
  missing: MissingPolicySchema,
  counts: z.object({
    rows: z.number().int().nonnegative(),
    trainRows: z.number().int().nonnegative(),
    holdoutRows: z.number().int().nonnegative(),
    droppedRows: z.number().int().nonnegative(),
    /** Missing values per feature name (and the target), before drop or impute. */
    missing: z.record(z.string(), z.number().int().nonnegative()),
  }),
});
export type FeaturePlan = z.infer<typeof FeaturePlanSchema>;

/** An MLP's architecture, as slots rebuild it with tfjs layers. */
export const MlpArchSchema = z.object({
  /** Input width: the plan's parameters less the intercept (dense columns and one-hot categories). */
  inputs: z.number().int().positive().max(1_000_000),
  hidden: z.array(z.number().int().positive().max(65_536)).max(16),
  activation: z.enum(['relu', 'tanh', 'sigmoid']),
  /** Output head: value (1 linear unit), binary (1 logit), classes (one logit per class). */
  head: GlmKindSchema,
  outputs: z.number().int().positive().max(1024),
});
export type MlpArch = z.infer<typeof MlpArchSchema>;

/** Params of `mlp-gradient`: loss and gradient sums of this partition's share of one global batch. */
export const MlpGradientParamsSchema = z.object({
  plan: z.string().min(1).max(256),
  arch: MlpArchSchema,
  /** Seed of the per-epoch row order. */
  seed: z.number().int(),
  epoch: z.number().int().nonnegative(),
  /** Steps per epoch; this partition's training rows are cut into this many shares. */
  steps: z.number().int().positive(),
  step: z.number().int().nonnegative(),
  /** Also return the loss over the partition's held-out rows. */
  holdoutLoss: z.boolean(),
});
export type MlpGradientParams = z.infer<typeof MlpGradientParamsSchema>;

/** Result of `mlp-gradient`; the gradient sum is `binary[0]` (float64), in tfjs weight order. */
export const MlpGradientResultSchema = z.object({
  rows: z.number().int().nonnegative(),
  loss: z.number(),
  holdoutRows: z.number().int().nonnegative(),
  holdoutLoss: z.number(),
});
export type MlpGradientResult = z.infer<typeof MlpGradientResultSchema>;

/** Params of `mlp-predict`: predictions of one side of the split (`binary[0]`: float32 weights). */
export const MlpPredictParamsSchema = z.object({
  plan: z.string().min(1).max(256),
  arch: MlpArchSchema,
  split: z.enum(['train', 'holdout']),
});
export type MlpPredictParams = z.infer<typeof MlpPredictParamsSchema>;
