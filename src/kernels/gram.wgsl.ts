/**
 * WGSL program for batched Gram matrices: the WebGPU twin of `gramCpu` in gram.ts. One dispatch
 * covers every group: the runner cuts each group into blocks of at most `blockRows` rows (a block
 * never spans two groups), and invocation (block b, output o) adds output o over block b's rows
 * into `partials[b * K + o]`. The host adds a group's block partials in float64, in block order
 * (gram-runner.ts), so results are deterministic.
 *
 * Outputs of a block, in order: the upper triangle (i ≤ j) of the cross products of the columns
 * [x_0 … x_{p-1}, y], row by row — XᵀX, with Xᵀy at (i, p) and yᵀy at (p, p) — and last Σy,
 * as y times a column of ones: K = (p + 1)(p + 2)/2 + 1 sums.
 *
 * Shape: one invocation per (block, output), reading its two columns straight from storage, with
 * no workgroup memory and no barriers. Measured on SwiftShader against a tiled version (rows staged
 * through workgroup memory, split once per value, one workgroup per block): 2,000 groups × 200
 * rows × p = 4: 1,058 ms tiled, 201 ms direct; 40 × 13,000 × p = 8: 680 ms tiled, 775 ms
 * direct. SwiftShader runs barriers as fiber switches and pays them per workgroup, so small
 * groups decide it. On a GPU the K invocations of a block read the same rows at once, which the
 * caches serve.
 *
 * Precision (WGSL has no f64): features are f32 and the target arrives as a double-f32 pair
 * (hi, lo). Each product of two f32 values is computed exactly, as prod + err (Dekker's product
 * over Veltkamp halves); products with y add the x·y_lo term (relative error 2^-48 of |x·y|).
 * The running sum is double-f32: each add rounds by at most about 2^-46 of the running |sum|. A
 * block's sum is thus within about blockRows·2^-46·Σ|terms| of the exact sum (1.5e-11 at 1024
 * rows); rounding errors have random signs and grow like √blockRows, so one measures about
 * 3e-14 (see GRAM_GPU_TOLERANCE). The error terms are exact only if f32 arithmetic is not
 * reassociated; see DF64_WGSL.
 * Range: values must be finite with |v| ≤ 2^48 so no product or sum overflows f32 (the runner
 * sends other groups to the CPU); products below 2^-126 (f32 subnormals, which GPUs may flush)
 * lose their low part.
 */
import { DF64_WGSL } from './gpu-program';
import type { BindingKind, GpuProgram } from './gpu-program';

/**
 * Invocations per workgroup. Invocations are independent (no shared memory), so the size only
 * needs to fill a SIMD unit: 64 is a multiple of every common subgroup width (4 on SwiftShader,
 * 32 and 64 on GPUs), as in sum-vectors.wgsl.ts.
 */
const WORKGROUP_SIZE = 64;

/**
 * Default rows per block. Each invocation adds one block's rows in sequence, so shorter blocks
 * mean more invocations in flight and a smaller double-f32 error bound (see the module comment);
 * longer blocks mean fewer partials to read back. At 1024, 229 groups × 13k rows × p = 8 make
 * 3,100 blocks, 143k invocations and 1.1 MB of partials. On SwiftShader 256 to 4096 rows per
 * block timed the same (717 to 791 ms for 40 × 13,000 × p = 8, within noise).
 */
const DEFAULT_BLOCK_ROWS = 1024;

/**
 * How far a double-f32 Gram may be from the float64 reference: each entry within 1e-12 of its
 * scale Σ_r |a_ri·a_rj| (a = [x, y, 1]). Why: the error of a block of m rows grows like √m
 * roundings of up to 2^-46; measured on SwiftShader at most 3e-14 with 1024-row blocks (and
 * 1.6e-13 with one 100k-row block), over p = 2 to 64 and up to 200k rows per group. The float64
 * reference, summed in 1024-row chunks, is within 4e-15 of a compensated sum at 200k rows. The
 * worst-case bound, m·2^-46 (1.5e-11), needs every rounding to share a sign, which data does
 * not do. Downstream, a Gram error of 1e-12 moves OLS coefficients by about 1e-12 × the
 * condition number of XᵀX.
 */
export const GRAM_GPU_TOLERANCE = 1e-12;

/** The most feature columns the program supports: K grows as p²/2 invocations per block. */
export const GRAM_GPU_MAX_COLS = 64;

/** Batched XᵀX, Xᵀy, yᵀy and Σy for `p` feature columns, in double-f32. */
export class GramProgram implements GpuProgram {
  readonly workgroupSize = WORKGROUP_SIZE;
  readonly bindings: readonly BindingKind[] = [
    'uniform', // Shape: blocks, dim_x
    'read-only-storage', // x: f32, row-major rows × p
    'read-only-storage', // y: (hi, lo) per row
    'read-only-storage', // ranges: [start, end) rows of each block
    'storage', // partials: (hi, lo) per block and output
  ];
  readonly entryPoints = ['gram'] as const;
  readonly cacheKey: string;
  readonly shaderCode: string;
  /** Sums per block: K = (p + 1)(p + 2)/2 + 1. */
  readonly outputs: number;
  /** Rows per block unless the caller asks for others. */
  readonly defaultBlockRows = DEFAULT_BLOCK_ROWS;

  constructor(readonly p: number) {
    this.outputs = ((p + 1) * (p + 2)) / 2 + 1;
    this.cacheKey = `gram/p${p}/wg${WORKGROUP_SIZE}`;
    this.shaderCode = buildShader(p, this.outputs);
  }

  /** Workgroups for `blocks` blocks (one invocation per block and output). */
  workgroups(blocks: number): number {
    return Math.ceil((blocks * this.outputs) / WORKGROUP_SIZE);
  }

  /** The `Shape` uniform; `dimX` is the x size of the (x, y) dispatch. */
  uniforms(blocks: number, dimX: number): Uint32Array {
    return Uint32Array.of(blocks, dimX, 0, 0);
  }

  /** (i, j) of every output in order, as the shader numbers them (the last is (p, p + 1): Σy). */
  pairs(): Array<readonly [number, number]> {
    const out: Array<readonly [number, number]> = [];
    for (let i = 0; i <= this.p; i++) for (let j = i; j <= this.p; j++) out.push([i, j]);
    out.push([this.p, this.p + 1]);
    return out;
  }
}

function buildShader(p: number, k: number): string {
  return /* wgsl */ `
struct Shape { blocks: u32, dim_x: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<vec2f>;
@group(0) @binding(3) var<storage, read> ranges: array<vec2u>;
@group(0) @binding(4) var<storage, read_write> partials: array<vec2f>;

const P: u32 = ${p}u; // feature columns; column P is y, column P + 1 is a column of ones
const K: u32 = ${k}u; // outputs per block
const WG: u32 = ${WORKGROUP_SIZE}u;
${DF64_WGSL}
// Veltkamp's split: hi + lo == a exactly, each with at most 12 significant bits, so every
// product of two halves is exact in f32.
fn split(a: f32) -> vec2f {
  let c = 4097.0 * a;
  let hi = c - (c - a);
  return vec2f(hi, a - hi);
}

// Columns (i, j) of output o: the upper triangle of [x..., y] row by row, then (P, P + 1).
fn pair_of(o: u32) -> vec2u {
  if (o + 1u >= K) { return vec2u(P, P + 1u); }
  var rest = o;
  var i = 0u;
  loop {
    let len = P + 1u - i;
    if (rest < len) { break; }
    rest -= len;
    i += 1u;
  }
  return vec2u(i, i + rest);
}

// Column c of row r as (f32 value, low part): only y has a low part.
fn value(r: u32, c: u32) -> vec2f {
  if (c < P) { return vec2f(x[r * P + c], 0.0); }
  if (c == P) { return y[r]; }
  return vec2f(1.0, 0.0);
}

@compute @workgroup_size(WG)
fn gram(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let id = (wid.x + wid.y * shape.dim_x) * WG + lid.x;
  let block = id / K;
  if (block >= shape.blocks) { return; }
  let o = id % K;
  let ij = pair_of(o);
  let range = ranges[block];
  var acc = vec2f(0.0, 0.0);
  for (var r = range.x; r < range.y; r++) {
    let a = value(r, ij.x);
    let b = value(r, ij.y);
    let u = split(a.x);
    let w = split(b.x);
    let prod = a.x * b.x;
    // Dekker: prod + (the first four terms) == a.x * b.x exactly; then the low parts of y.
    let err = ((u.x * w.x - prod) + u.x * w.y + u.y * w.x) + u.y * w.y + (a.x * b.y + b.x * a.y);
    let s = two_sum(acc.x, prod);
    acc = quick_two_sum(s.x, s.y + (acc.y + err));
  }
  partials[block * K + o] = acc;
}
`;
}
