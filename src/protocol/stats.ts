/** Summary statistics that cross the wire (used by `describe` and the feature stats pass). */
import { z } from './zod';

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
