/**
 * The design matrix of one partition, as the model kernels read it. Built once per slot from a
 * cached partition and a feature plan (src/data/features.ts), then reused every iteration.
 *
 * Numeric features are standardized and stored column-major in float32: a kernel streams one
 * column at a time, and float32 halves the bytes read per pass (accumulation is float64 on the
 * CPU). One-hot features are never expanded: each row holds the parameter index of its category,
 * so a 229-airport one-hot costs 4 bytes a row, not 916.
 */

/** Generalized linear model kinds. */
export type GlmKind = 'linear' | 'logistic' | 'softmax';

/** Feature rows of one partition (or of a whole table, for references). */
export interface DesignMatrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of dense (numeric) feature columns. */
  readonly denseCols: number;
  /** Dense features, column-major: the value of column `c` in row `r` is `dense[c * rows + r]`. */
  readonly dense: Float32Array;
  /**
   * One-hot features, one array per categorical feature. `oneHot[f][r]` is the index (in
   * `[denseCols, dim - 1)`) of the parameter that row `r`'s category switches on, or -1 when the
   * category is not modelled (rare categories past the cap).
   */
  readonly oneHot: readonly Int32Array[];
  /** Target per row: the value (linear), 0 or 1 (logistic), or the class 0..C-1 (softmax). */
  readonly y: Float64Array;
  /**
   * Parameters per output: `denseCols` + the one-hot categories + 1 intercept, which is last.
   * Softmax has `classes` outputs, laid out class-major: parameter `j` of class `k` is at
   * `k * dim + j`.
   */
  readonly dim: number;
}

/** Number of parameters of a model over `m`: `dim`, or `classes * dim` for softmax. */
export function parameterCount(kind: GlmKind, dim: number, classes: number): number {
  return kind === 'softmax' ? classes * dim : dim;
}
