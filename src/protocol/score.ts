/**
 * Contracts of score (Spark's pandas iterator UDF: the model loaded once per worker, batches
 * streamed through it): the model artifact's header, the params of a `score` task, and its result.
 *
 * A model artifact is one byte string, identified by its SHA-256 like every artifact, so a slot
 * receives a model once and keeps it: a little-endian u32 header length, the header as UTF-8
 * JSON, then the weights (tfjs `weightData`, or float64 GLM parameters).
 */
import { z } from './zod';
import { FeaturePlanSchema, GlmKindSchema } from './train';

/** How a model's inputs are made from a table: a Fabric feature plan, or numeric columns in order. */
export const ModelInputsSchema = z.union([
  z.object({ plan: FeaturePlanSchema }),
  z.object({ columns: z.array(z.string().min(1).max(1024)).min(1).max(100_000) }),
]);
export type ModelInputs = z.infer<typeof ModelInputsSchema>;

/** A tfjs weight's spec, as in a `model.json` weights manifest. */
export const WeightSpecSchema = z.object({
  name: z.string().max(1024),
  shape: z.array(z.number().int().nonnegative()).max(16),
  dtype: z.enum(['float32', 'int32', 'bool']),
}).loose();
export type WeightSpec = z.infer<typeof WeightSpecSchema>;

/** The header of a model artifact. */
export const ModelHeaderSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('glm'),
    kind: GlmKindSchema,
    classes: z.number().int().positive().max(1024),
    labels: z.array(z.string().max(4096)).max(1024),
    inputs: ModelInputsSchema,
    /** Parameters in the weights, float64. */
    params: z.number().int().positive(),
  }),
  z.object({
    type: z.literal('layers'),
    /** What the outputs are: logits of a head (Fabric MLPs), or the model's own outputs ('raw'). */
    head: z.enum(['linear', 'logistic', 'softmax', 'raw']),
    labels: z.array(z.string().max(4096)).max(1024),
    inputs: ModelInputsSchema,
    modelTopology: z.unknown(),
    weightSpecs: z.array(WeightSpecSchema).max(100_000),
  }),
]);
export type ModelHeader = z.infer<typeof ModelHeaderSchema>;

/** Params of `score`: predictions for rows `[start, end)` of the task's one partition, or of inline rows. */
export const ScoreParamsSchema = z.object({
  /** Id of the model artifact, which the task also names in its artifacts. */
  model: z.string().min(1).max(256),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  /** Rows come as Arrow IPC in `binary[0]` instead of from a partition (real-time predict). */
  inline: z.boolean(),
  /** Load the model for this task and drop it after, instead of keeping it (the baseline the talk warns of). */
  reload: z.boolean(),
});
export type ScoreParams = z.infer<typeof ScoreParamsSchema>;

/** Result of `score`; predictions are `binary[0]`, float64, `rows × outputs` row-major. */
export const ScoreResultSchema = z.object({
  rows: z.number().int().nonnegative(),
  outputs: z.number().int().positive().max(1024),
  /** True when this task loaded the model (the slot did not hold it yet, or `reload`). */
  loaded: z.boolean(),
  loadMs: z.number().nonnegative(),
  /** What computed the predictions: 'cpu', 'webgpu' (GEMV kernel) or 'tfjs-<backend>'. */
  engine: z.string().max(64),
});
export type ScoreResult = z.infer<typeof ScoreResultSchema>;
