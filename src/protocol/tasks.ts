/**
 * The registry of task kinds. A task is `(kind, params, partitions) -> result`; volunteers run only
 * the kinds named here, with params and results checked against these schemas. No code crosses
 * the wire, in either direction.
 */
import { z } from 'zod';

/** Moments of one numeric column over some rows, the unit that Chan's formulas merge. */
export const ColumnMomentsSchema = z.object({
  name: z.string().max(1024),
  count: z.number().int().nonnegative(),
  nulls: z.number().int().nonnegative(),
  mean: z.number(),
  /** Sum of squared deviations from `mean`. */
  m2: z.number().nonnegative(),
  min: z.number().nullable(),
  max: z.number().nullable(),
});
/** Moments of one numeric column. */
export type ColumnMoments = z.infer<typeof ColumnMomentsSchema>;

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
} as const;

/** A registered task kind. */
export type TaskKind = keyof typeof TASK_KINDS;

/** Params and result types by kind. */
export interface TaskTypes {
  describe: { params: DescribeParams; result: DescribeResult };
}

/** True when `kind` is registered. */
export function isTaskKind(kind: string): kind is TaskKind {
  return Object.prototype.hasOwnProperty.call(TASK_KINDS, kind);
}
