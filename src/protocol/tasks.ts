/**
 * The registry of task kinds. A task is `(kind, params, partitions) -> result`; volunteers run only
 * the kinds named here, with params and results checked against these schemas. No code crosses
 * the wire, in either direction.
 */
import { z } from './zod';
import { ColumnMomentsSchema } from './stats';
import {
  FeatureStatsParamsSchema, FeatureStatsResultSchema, GlmGradientParamsSchema, GlmGradientResultSchema,
  GlmPredictParamsSchema, GlmPredictResultSchema, MlpGradientParamsSchema, MlpGradientResultSchema, MlpPredictParamsSchema,
  type MlpGradientParams, type MlpGradientResult, type MlpPredictParams,
  type FeatureStatsParams, type FeatureStatsResult, type GlmGradientParams, type GlmGradientResult,
  type GlmPredictParams, type GlmPredictResult,
} from './train';
import { ScoreParamsSchema, ScoreResultSchema, type ScoreParams, type ScoreResult } from './score';
import { TrialParamsSchema, TrialResultSchema, type TrialParams, type TrialResult } from './tune';
import { FitGroupsParamsSchema, FitGroupsResultSchema, type FitGroupsParams, type FitGroupsResult } from './groups';

export { ColumnMomentsSchema, type ColumnMoments } from './stats';

/** Params of `describe`: which columns (all numeric ones when omitted). */
export const DescribeParamsSchema = z.object({
  columns: z.array(z.string().max(1024)).max(4096).optional(),
});
/** Result of `describe` on one partition. */
export const DescribeResultSchema = z.object({
  rows: z.number().int().nonnegative(),
  columns: z.array(ColumnMomentsSchema).max(4096),
});
export type DescribeParams = z.infer<typeof DescribeParamsSchema>;
export type DescribeResult = z.infer<typeof DescribeResultSchema>;

/** Every registered kind with its schemas. Adding a kind means adding it here and an executor. */
export const TASK_KINDS = {
  describe: { params: DescribeParamsSchema, result: DescribeResultSchema },
  'feature-stats': { params: FeatureStatsParamsSchema, result: FeatureStatsResultSchema },
  'glm-gradient': { params: GlmGradientParamsSchema, result: GlmGradientResultSchema },
  'glm-predict': { params: GlmPredictParamsSchema, result: GlmPredictResultSchema },
  'mlp-gradient': { params: MlpGradientParamsSchema, result: MlpGradientResultSchema },
  'mlp-predict': { params: MlpPredictParamsSchema, result: GlmPredictResultSchema },
  'fit-groups': { params: FitGroupsParamsSchema, result: FitGroupsResultSchema },
  trial: { params: TrialParamsSchema, result: TrialResultSchema },
  score: { params: ScoreParamsSchema, result: ScoreResultSchema },
} as const;

/** A registered task kind. */
export type TaskKind = keyof typeof TASK_KINDS;

/** Params and result types by kind. */
export interface TaskTypes {
  describe: { params: DescribeParams; result: DescribeResult };
  'feature-stats': { params: FeatureStatsParams; result: FeatureStatsResult };
  'glm-gradient': { params: GlmGradientParams; result: GlmGradientResult };
  'glm-predict': { params: GlmPredictParams; result: GlmPredictResult };
  'mlp-gradient': { params: MlpGradientParams; result: MlpGradientResult };
  'mlp-predict': { params: MlpPredictParams; result: GlmPredictResult };
  'fit-groups': { params: FitGroupsParams; result: FitGroupsResult };
  trial: { params: TrialParams; result: TrialResult };
  score: { params: ScoreParams; result: ScoreResult };
}

/** True when `kind` is registered. */
export function isTaskKind(kind: string): kind is TaskKind {
  return Object.prototype.hasOwnProperty.call(TASK_KINDS, kind);
}
