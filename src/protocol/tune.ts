/**
 * Contracts of tune (hyperopt's `fmin` with `SparkTrials`): the params of a `trial` task, which
 * runs one objective at one point of the search space, and its result. A trial's data (a sample of
 * the dataset) is an Arrow IPC artifact, sent to a slot once and cached there for every trial.
 */
import { z } from './zod';
import { FeatureSpecSchema, MissingPolicySchema, TargetSpecSchema } from './train';

/** The data of the built-in objectives: the sample artifact and how to make a design of it. */
export const TrialDataSchema = z.object({
  /** Id of the sample artifact (Arrow IPC), which the task also names in its artifacts. */
  artifact: z.string().min(1).max(256),
  target: TargetSpecSchema,
  features: z.array(FeatureSpecSchema).min(1).max(256),
  /** Fraction of the sample held out for the trial's loss. */
  holdout: z.number().min(0.01).max(0.9),
  missing: MissingPolicySchema,
  /** Seed of the train/held-out split, the same for every trial. */
  splitSeed: z.number().int(),
});
export type TrialData = z.infer<typeof TrialDataSchema>;

/** Params of `trial`. */
export const TrialParamsSchema = z.object({
  /** The trial's number, for its seed and the log. */
  trial: z.number().int().nonnegative(),
  /** A built-in objective (`mlp`, `glm`, `wait`) or one defined with `defineObjective`. */
  objective: z.string().min(1).max(64),
  /** The point resolved into parameters (nested objects from `choice` are allowed). */
  params: z.record(z.string().max(256), z.unknown()),
  data: TrialDataSchema.optional(),
  /** Seed of the trial's own randomness (initial weights, row order). */
  seed: z.number().int(),
});
export type TrialParams = z.infer<typeof TrialParamsSchema>;

/**
 * Result of `trial`. An objective that throws or returns a non-finite loss is a `fail` with its
 * reason: a result, not a task failure, so it is never retried.
 */
export const TrialResultSchema = z.object({
  status: z.enum(['ok', 'fail']),
  loss: z.number().nullable(),
  message: z.string().max(4096),
  metrics: z.record(z.string().max(64), z.number().nullable()),
});
export type TrialResult = z.infer<typeof TrialResultSchema>;
