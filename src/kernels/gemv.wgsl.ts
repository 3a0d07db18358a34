/**
 * WGSL program for batched GEMV scoring: the WebGPU twin of `scoreCpu` in gemv.ts. One
 * invocation per row computes the row's linear predictor z for every class (dense columns, then
 * the one-hot parameters, intercept last, exactly as `row_z` in glm-gradient.wgsl.ts) and applies
 * the link in place, writing the final layout: linear z and logistic sigmoid(z) at `scores[r]`,
 * softmax probabilities row-major at `scores[r * classes + k]`. The host only widens to float64.
 *
 * Shape: rows are independent, so there is no workgroup memory and no barrier (the fastest shape
 * on SwiftShader, where barriers are fiber switches, see gram.wgsl.ts). Adjacent invocations read
 * adjacent rows of each column-major dense column and each feature-major code column, so reads
 * coalesce on a GPU. Softmax recomputes nothing: z per class is stored in `scores` first, then
 * turned into max-subtracted probabilities in place, as in glm-residual.wgsl.ts.
 *
 * Stability: sigmoid exponentiates only non-positive numbers and softmax subtracts the row's
 * maximum, so |z| of 1e4 or more gives 0 or 1, never NaN or Infinity. NaN and Infinity are not
 * specified in WGSL (a compiler may assume they never occur), so the runner keeps rows holding
 * non-finite features, and non-finite or overflowing parameters, on the host (gemv-runner.ts).
 */
import type { BindingKind, GpuProgram } from './gpu-program';
import { ROW_Z_WGSL, SIGMOID_WGSL } from './glm-residual.wgsl';
import type { GlmKind } from './design';

/**
 * Invocations per workgroup. Invocations are independent (no shared memory), so the size only
 * needs to fill a SIMD unit: 64 is a multiple of every common subgroup width (4 on SwiftShader,
 * 32 and 64 on GPUs), as in gram.wgsl.ts and sum-vectors.wgsl.ts.
 */
const WORKGROUP_SIZE = 64;

/**
 * How far a WebGPU score may be from the float64 reference: each output within 1e-5 of
 * max(1, the row's scale), the scale being |intercept| + Σ|β_c x_c| + Σ|β_onehot| (largest over
 * classes; `scoreScale` in gemv.ts). Relative to the scale for z, since z's error is f32 rounding
 * of its terms (params rounded to f32, 2^-24 each; then one rounding per add, at most about
 * n·2^-24 for n terms and typically √n·2^-24) and cancellation can make |z| itself tiny; absolute
 * for probabilities, which lie in [0, 1] and move by at most the error in z (sigmoid' <= 1/4).
 * WGSL lets `exp(x)` be off by 3 + 2|x| ULP, a few 1e-6 relative at |x| near 20 and less where
 * a probability is not already 0 or 1 to that precision. 1e-5 bounds 44 terms at worst case
 * (2.6e-6) with margin; SwiftShader measures about 1e-7 (gemv-conformance.test.ts).
 */
export const SCORE_GPU_TOLERANCE = 1e-5;

/** Sizes of one dispatch, as the shader's uniforms. */
export interface ScoreGpuShape {
  /** Rows in this chunk. */
  readonly rows: number;
  /** Dense columns. */
  readonly denseCols: number;
  /** Parameters per class (dense + one-hot + intercept). */
  readonly dim: number;
  /** Outputs per row: 1 for linear and logistic, the class count for softmax. */
  readonly outputs: number;
  /** One-hot features (columns of codes). */
  readonly oneHotFeatures: number;
}

/** Per-kind body of `score`, for row `r` (< rows). */
const SCORE_BODY: Record<GlmKind, string> = {
  linear: /* wgsl */ `
  scores[r] = row_z(0u, r);`,
  logistic: /* wgsl */ `
  scores[r] = sigmoid(row_z(0u, r));`,
  softmax: /* wgsl */ `
  let classes = shape.outputs;
  let o = r * classes;
  var mx = row_z(0u, r);
  scores[o] = mx;
  for (var k = 1u; k < classes; k++) { let z = row_z(k, r); scores[o + k] = z; mx = max(mx, z); }
  var s = 0.0;
  for (var k = 0u; k < classes; k++) { let e = exp(scores[o + k] - mx); scores[o + k] = e; s += e; }
  for (var k = 0u; k < classes; k++) { scores[o + k] = scores[o + k] / s; }`,
};

/** Batched scoring (z = Xβ and the link) of one GLM kind, in f32. */
export class ScoreProgram implements GpuProgram {
  readonly workgroupSize = WORKGROUP_SIZE;
  readonly bindings: readonly BindingKind[] = [
    'uniform', // Shape
    'read-only-storage', // dense: f32, column-major rows × denseCols
    'read-only-storage', // codes: i32, feature-major rows × oneHotFeatures
    'read-only-storage', // weights: f32, class-major outputs × dim
    'storage', // scores: f32, row-major rows × outputs
  ];
  readonly entryPoints = ['score'] as const;
  readonly cacheKey: string;
  readonly shaderCode: string;

  constructor(readonly kind: GlmKind) {
    this.cacheKey = `gemv/${kind}/wg${WORKGROUP_SIZE}`;
    this.shaderCode = buildShader(kind);
  }

  /** Workgroups of one dispatch over `rows` rows (one invocation per row). */
  workgroups(rows: number): number {
    return Math.ceil(rows / WORKGROUP_SIZE);
  }

  /** The `Shape` uniform (32 bytes: uniform buffers are sized in 16-byte steps). */
  uniforms(s: ScoreGpuShape): Uint32Array {
    return Uint32Array.of(s.rows, s.denseCols, s.dim, s.outputs, s.oneHotFeatures, 0, 0, 0);
  }
}

function buildShader(kind: GlmKind): string {
  return /* wgsl */ `
struct Shape {
  rows: u32, dense_cols: u32, dim: u32, outputs: u32,
  onehot_features: u32, pad0: u32, pad1: u32, pad2: u32,
}
@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> dense: array<f32>;
@group(0) @binding(2) var<storage, read> codes: array<i32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;

const WG: u32 = ${WORKGROUP_SIZE}u;

${ROW_Z_WGSL}
${SIGMOID_WGSL}
@compute @workgroup_size(WG)
fn score(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= shape.rows) { return; }${SCORE_BODY[kind]}
}
`;
}
