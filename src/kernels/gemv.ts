/**
 * Batched GEMV scoring of linear models: the CPU reference and the input contract of the score
 * kernel (the WebGPU twin is gemv.wgsl.ts, run by gemv-runner.ts). A score task runs this once
 * per batch of rows: z = Xβ per row (and per class for softmax), then the model's link.
 *
 * Inputs are a {@link DesignMatrix} (dense float32 columns, one-hot parameter indices, intercept
 * last) and float64 parameters laid out as in training, so a trained model scores without
 * conversion. Outputs: linear z and logistic sigmoid(z) one value per row; softmax the class
 * probabilities row-major (`out[r * classes + k]`), which is the `score` task's wire layout
 * (src/protocol/score.ts).
 *
 * NaN: a NaN feature makes its row's outputs NaN (every class of it, for softmax) and no other
 * row's; a NaN parameter makes NaN every row it feeds.
 */
import { FabricError } from '../protocol/errors';
import { glmPredict } from './glm-cpu';
import { checkGlmArgs } from './glm-checks';
import type { DesignMatrix, GlmKind } from './design';

const KINDS: readonly GlmKind[] = ['linear', 'logistic', 'softmax'];

/**
 * Checks that `kind`, `m`, `params` and `classes` fit together, with the GLM kernels' checks and
 * messages (glm-checks.ts): column lengths (including `m.y`, which scoring does not read but the
 * matrix contract requires), `dim`, softmax `classes >= 2`, params length and one-hot indices.
 * `kind` arrives from a model header, so it is checked too. Throws `bad-input` naming `fn`.
 */
export function checkScoreArgs(fn: string, kind: GlmKind, m: DesignMatrix, params: Float64Array, classes: number): void {
  if (!KINDS.includes(kind)) {
    throw new FabricError(
      'bad-input',
      `${fn}: kind is ${JSON.stringify(kind)}; expected 'linear', 'logistic' or 'softmax'. ` +
        'Pass the kind from the model header.',
    );
  }
  if (!(params instanceof Float64Array)) {
    throw new FabricError(
      'bad-input',
      `${fn}: params is not a Float64Array. Pass the model's float64 parameters (the artifact's weights).`,
    );
  }
  checkGlmArgs(fn, kind, m, params, classes);
}

/** Model outputs per row: `classes` for softmax, else 1. */
export function scoreOutputs(kind: GlmKind, classes: number): number {
  return kind === 'softmax' ? classes : 1;
}

/**
 * Scores every row of `m` with GLM parameters `params` in float64: what the score task runs per
 * batch, and the reference every other backend is checked against. The values are `glmPredict`'s
 * (it is called); see the module comment for the layout. 0 rows give an empty array.
 */
export function scoreCpu(kind: GlmKind, m: DesignMatrix, params: Float64Array, classes: number): Float64Array {
  checkScoreArgs('scoreCpu', kind, m, params, classes);
  return glmPredict(kind, m, params, classes);
}

/**
 * The scale of each row's linear predictor, in float64: per row, the largest over classes of
 * |intercept| + Σ_c |β_c x_c| + Σ_f |β_{oneHot_f}| (NaN where a term is NaN). An f32 backend's
 * error in z is a few f32 roundings of this, not of |z|, which cancellation can make tiny; the
 * probabilities move by at most the error in z. SCORE_GPU_TOLERANCE is relative to max(1, scale).
 */
export function scoreScale(kind: GlmKind, m: DesignMatrix, params: Float64Array, classes: number): Float64Array {
  checkScoreArgs('scoreScale', kind, m, params, classes);
  const { rows, denseCols, dense, dim } = m;
  const scale = new Float64Array(rows);
  const perClass = new Float64Array(rows);
  for (let k = 0; k < scoreOutputs(kind, classes); k++) {
    const base = k * dim;
    perClass.fill(Math.abs(params[base + dim - 1]!));
    for (let c = 0; c < denseCols; c++) {
      const w = Math.abs(params[base + c]!);
      for (let r = 0; r < rows; r++) perClass[r]! += w * Math.abs(dense[c * rows + r]!);
    }
    for (const codes of m.oneHot) {
      for (let r = 0; r < rows; r++) if (codes[r]! >= 0) perClass[r]! += Math.abs(params[base + codes[r]!]!);
    }
    for (let r = 0; r < rows; r++) scale[r] = k === 0 ? perClass[r]! : Math.max(scale[r]!, perClass[r]!);
  }
  return scale;
}
