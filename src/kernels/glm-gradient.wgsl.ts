/**
 * WGSL program for GLM loss and gradient sums (linear, logistic, softmax) in f32: the WebGPU
 * twin of `glmLossGrad` in glm-cpu.ts. Four entry points share one bind group:
 *
 * 1. `residual`: one invocation per row computes z (per class), the residual d(loss)/dz and the
 *    row's loss, into `resid` (class-major residuals, then the losses).
 * 2. `reduce_columns`: workgroup (chunk, output) sums `residual x column` over a chunk of rows
 *    (ROWS_PER_THREAD per invocation, then a tree in workgroup memory) into `partials`.
 *    Outputs are every (class, dense column), the intercept per class, and the loss.
 * 3. `finish_columns`: one invocation per output adds its chunk partials in chunk order into
 *    `result` as (hi, lo).
 * 4. `reduce_segments`: the one-hot gradient is a scatter-add (row r adds its residual to
 *    parameter oneHot[f][r]). We make it a gather instead: the host counting-sorts row indices by
 *    parameter once per matrix (the matrix is reused every iteration, so one O(rows) pass), and
 *    workgroup (parameter, class) sums its segment of rows. Chosen over atomics because WGSL has
 *    no f32 atomics: a CAS loop on f32 bits or fixed-point i32 would make the sum depend on
 *    scheduling, and fixed point needs a scale that a linear residual can overflow. The gather is
 *    deterministic (same inputs, same bits) and needs no atomics.
 *
 * Precision: inputs, params and the per-row terms (z, residual, residual x value) are f32, about
 * 2^-24 relative error each, plus z's own rounding over its dim terms. Every sum after that
 * (per invocation, tree, finish) is double-f32 (about 2^-44 per add), so the summation adds
 * next to nothing: the result is the float64 sum of the f32 per-row terms, within a few 2^-24 of
 * each term, and those errors are independent across rows. Measured against the float64 CPU
 * kernel: about 1e-8 of the gradient norm at 100k rows. NaN handling in WGSL is not specified,
 * so the runner deals with NaN inputs on the host.
 */
import { DF64_WGSL } from './gpu-program';
import { glmResidualWgsl, ROW_Z_WGSL } from './glm-residual.wgsl';
import type { BindingKind, GpuProgram } from './gpu-program';
import type { GlmKind } from './design';

/**
 * Invocations per workgroup of `residual`, `reduce_columns` and `finish_columns`. 256 is the
 * largest size every WebGPU device must support (maxComputeInvocationsPerWorkgroup >= 256): the
 * widest portable tree, so the fewest partials.
 */
const WORKGROUP_SIZE = 256;

/**
 * Rows each `reduce_columns` invocation adds before the tree (a chunk is 65536 rows). Many
 * elements per thread before the tree is the usual GPU reduction shape. On SwiftShader barriers
 * are fiber switches and dominate: 100k rows x 42 outputs, whole step, with a load average of 8
 * on 2 cores: 4 -> 13 s, 16 -> 3.0 s, 64 -> 1.7 s, 256 -> 0.5 s (quiet: 4 -> 3.5 s, 64 and 256
 * -> 0.4 s). On a real GPU, work big enough to matter still makes enough workgroups (1M rows x
 * 42 outputs: 672 of 256 invocations), and smaller work is bound by dispatch and read-back.
 */
const ROWS_PER_THREAD = 256;

/**
 * Invocations per workgroup of `reduce_segments`. A segment averages rows / categories rows (437
 * at 100k rows, 229 categories), so 256 invocations would mostly idle through the barriers; on
 * SwiftShader (100k rows, 2 x 229) 64 took this pass from ~200 ms to ~40 ms.
 */
const SEGMENT_WORKGROUP_SIZE = 64;

/** Sizes of one dispatch, as the uniforms the shader reads. */
export interface GlmGpuShape {
  /** Rows in this block. */
  readonly rows: number;
  /** Dense columns. */
  readonly denseCols: number;
  /** Parameters per class (dense + one-hot + intercept). */
  readonly dim: number;
  /** Outputs: 1 for linear and logistic, the class count for softmax. */
  readonly outputs: number;
  /** One-hot features (columns of codes). */
  readonly oneHotFeatures: number;
  /** One-hot parameters per class: dim - denseCols - 1. */
  readonly oneHotParams: number;
}

/** The GLM loss-and-gradient program for one model kind. */
export class GlmGradientProgram implements GpuProgram {
  /** Of `residual`, `reduce_columns` and `finish_columns`. */
  readonly workgroupSize = WORKGROUP_SIZE;
  /** Of `reduce_segments`. */
  readonly segmentWorkgroupSize = SEGMENT_WORKGROUP_SIZE;
  /** Rows per `reduce_columns` chunk. */
  readonly rowsPerChunk: number;
  readonly bindings: readonly BindingKind[] = [
    'uniform', // shape
    'read-only-storage', // dense, column-major f32
    'read-only-storage', // labels f32
    'read-only-storage', // params f32, class-major
    'read-only-storage', // codes i32: one-hot codes, then segment offsets, then sorted rows
    'storage', // resid f32: outputs x rows residuals, then rows losses
    'storage', // partials f32: (hi, lo) per output and chunk
    'storage', // result f32: (hi, lo) per output
  ];
  readonly entryPoints = ['residual', 'reduce_columns', 'finish_columns', 'reduce_segments'] as const;
  readonly cacheKey: string;
  readonly shaderCode: string;

  /** `rowsPerThread` other than the tuned ROWS_PER_THREAD is for tuning runs. */
  constructor(
    readonly kind: GlmKind,
    readonly rowsPerThread = ROWS_PER_THREAD,
  ) {
    this.rowsPerChunk = WORKGROUP_SIZE * rowsPerThread;
    this.cacheKey = `glm-gradient/${kind}/wg${WORKGROUP_SIZE}/rpt${rowsPerThread}/seg${SEGMENT_WORKGROUP_SIZE}`;
    this.shaderCode = buildShader(kind, rowsPerThread);
  }

  /** Chunks of `rowsPerChunk` rows. */
  chunks(rows: number): number {
    return Math.ceil(rows / this.rowsPerChunk);
  }

  /** Reduced by `reduce_columns`: per class every dense column and the intercept, then the loss. */
  denseOutputs(s: GlmGpuShape): number {
    return s.outputs * (s.denseCols + 1) + 1;
  }

  /** Entries of `result` / 2: the dense outputs, then per class every one-hot parameter. */
  resultLength(s: GlmGpuShape): number {
    return this.denseOutputs(s) + s.outputs * s.oneHotParams;
  }

  /** Workgroups per entry point, in `entryPoints` order ([x, y]); 0 means skip the dispatch. */
  dispatches(s: GlmGpuShape): ReadonlyArray<readonly [number, number]> {
    return [
      [Math.ceil(s.rows / WORKGROUP_SIZE), 1],
      [this.chunks(s.rows), this.denseOutputs(s)],
      [Math.ceil(this.denseOutputs(s) / WORKGROUP_SIZE), 1],
      [s.oneHotParams, s.oneHotParams > 0 ? s.outputs : 0],
    ];
  }

  /** The `Shape` uniform; `codes` holds `oneHotFeatures * rows` codes then the segment offsets. */
  uniforms(s: GlmGpuShape): Uint32Array {
    const segBase = s.oneHotFeatures * s.rows;
    const sortedBase = segBase + s.oneHotParams + 1;
    return Uint32Array.of(
      s.rows, s.denseCols, s.dim, s.outputs,
      this.chunks(s.rows), s.oneHotParams, s.oneHotFeatures, segBase,
      sortedBase, this.denseOutputs(s), 0, 0,
    );
  }
}

/** Shader text for one kind. */
function buildShader(kind: GlmKind, rowsPerThread: number): string {
  return /* wgsl */ `
struct Shape {
  rows: u32, dense_cols: u32, dim: u32, outputs: u32,
  chunks: u32, onehot_params: u32, onehot_features: u32, seg_base: u32,
  sorted_base: u32, dense_outputs: u32, pad0: u32, pad1: u32,
}
@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> dense: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<f32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read> codes: array<i32>;
@group(0) @binding(5) var<storage, read_write> resid: array<f32>;
@group(0) @binding(6) var<storage, read_write> partials: array<f32>;
@group(0) @binding(7) var<storage, read_write> result: array<f32>;

const WG: u32 = ${WORKGROUP_SIZE}u;
const RPT: u32 = ${rowsPerThread}u;
const SEG_WG: u32 = ${SEGMENT_WORKGROUP_SIZE}u;
var<workgroup> tree_hi: array<f32, WG>;
var<workgroup> tree_lo: array<f32, WG>;
${DF64_WGSL}
// Sums one double-f32 value per invocation of a workgroup of \`width\` (a power of two) by a tree
// in workgroup memory; the sum is valid in invocation 0. Called in uniform control flow.
fn tree_sum(value: vec2f, lid: u32, width: u32) -> vec2f {
  tree_hi[lid] = value.x;
  tree_lo[lid] = value.y;
  workgroupBarrier();
  for (var s = width / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let v = df_add(vec2f(tree_hi[lid], tree_lo[lid]), vec2f(tree_hi[lid + s], tree_lo[lid + s]));
      tree_hi[lid] = v.x;
      tree_lo[lid] = v.y;
    }
    workgroupBarrier();
  }
  return vec2f(tree_hi[0], tree_lo[0]);
}

${ROW_Z_WGSL}
${glmResidualWgsl(kind)}
@compute @workgroup_size(WG)
fn reduce_columns(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let rows = shape.rows;
  let o = wid.y;
  let per_class = shape.dense_cols + 1u;
  let k = o / per_class;
  let c = o % per_class;
  let is_loss = o + 1u == shape.dense_outputs;
  var acc = vec2f(0.0, 0.0);
  for (var i = 0u; i < RPT; i++) {
    let r = (wid.x * RPT + i) * WG + lid.x;
    if (r < rows) {
      var e = resid[k * rows + r];
      if (!(is_loss || c == shape.dense_cols)) { e *= dense[c * rows + r]; }
      acc = df_add_f(acc, e);
    }
  }
  let sum = tree_sum(acc, lid.x, WG);
  if (lid.x == 0u) {
    let p = 2u * (o * shape.chunks + wid.x);
    partials[p] = sum.x;
    partials[p + 1u] = sum.y;
  }
}

@compute @workgroup_size(WG)
fn finish_columns(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  if (o >= shape.dense_outputs) { return; }
  var acc = vec2f(0.0, 0.0);
  for (var j = 0u; j < shape.chunks; j++) {
    let p = 2u * (o * shape.chunks + j);
    acc = df_add(acc, vec2f(partials[p], partials[p + 1u]));
  }
  result[2u * o] = acc.x;
  result[2u * o + 1u] = acc.y;
}

@compute @workgroup_size(SEG_WG)
fn reduce_segments(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let j = wid.x;
  let k = wid.y;
  let start = u32(codes[shape.seg_base + j]);
  let end = u32(codes[shape.seg_base + j + 1u]);
  var acc = vec2f(0.0, 0.0);
  for (var i = start + lid.x; i < end; i += SEG_WG) {
    acc = df_add_f(acc, resid[k * shape.rows + u32(codes[shape.sorted_base + i])]);
  }
  let sum = tree_sum(acc, lid.x, SEG_WG);
  if (lid.x == 0u) {
    let o = shape.dense_outputs + k * shape.onehot_params + j;
    result[2u * o] = sum.x;
    result[2u * o + 1u] = sum.y;
  }
}
`;
}
