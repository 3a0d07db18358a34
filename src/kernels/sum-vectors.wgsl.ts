/**
 * WGSL program for the aggregation step: the elementwise sum of K vectors of length n, the WebGPU
 * twin of `sumVectors` in glm-cpu.ts.
 *
 * Determinism: each invocation owns one element and adds vector 0, 1, ..., K-1 in that order, so
 * the result does not depend on how invocations are scheduled.
 *
 * Precision: WGSL has no f64, so values travel and accumulate as double-f32 pairs (hi, lo). The
 * host splits each float64 into hi = fround(x), lo = fround(x - hi), which keeps about 48 bits
 * (2^-48 relative); each `df_add` adds at most about 2^-44 of the running magnitude. The host
 * returns hi + lo as float64. So the result is within about (K + 1) * 2^-44 * Σ_k |v_k[i]| of
 * the float64 sum: a bound of 1e-12 of Σ|v| up to K = 16 vectors; measured 2.5e-15 for K = 8.
 * Range is f32's: |x| up to about 3e38 (the runner sums elements with larger or non-finite
 * inputs on the host), and values below about 1e-38 (f32 subnormals, which GPUs may flush to
 * zero) lose their low part.
 */
import { DF64_WGSL } from './gpu-program';
import type { BindingKind, GpuProgram } from './gpu-program';

/**
 * Invocations per workgroup. The kernel is elementwise with no workgroup memory, so the size only
 * needs to fill a SIMD unit: 64 is a multiple of every common wave/subgroup width (4 on
 * SwiftShader, 32 and 64 on GPUs) and the usual choice for elementwise WebGPU kernels.
 */
const WORKGROUP_SIZE = 64;

/** The ordered double-f32 sum of K vectors. */
export class SumVectorsProgram implements GpuProgram {
  readonly workgroupSize = WORKGROUP_SIZE;
  readonly bindings: readonly BindingKind[] = [
    'uniform', // Shape: n, k
    'read-only-storage', // input: vector-major (hi, lo) pairs, element i of vector k at 2 * (k * n + i)
    'storage', // output: (hi, lo) per element
  ];
  readonly entryPoints = ['sum_vectors'] as const;
  readonly cacheKey = `sum-vectors/df64/wg${WORKGROUP_SIZE}`;
  readonly shaderCode = /* wgsl */ `
struct Shape { n: u32, k: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> input: array<vec2f>;
@group(0) @binding(2) var<storage, read_write> output: array<vec2f>;
${DF64_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn sum_vectors(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= shape.n) { return; }
  var acc = vec2f(0.0, 0.0);
  for (var k = 0u; k < shape.k; k++) { acc = df_add(acc, input[k * shape.n + i]); }
  output[i] = acc;
}
`;

  /** Workgroups along x for `n` elements. */
  dispatch(n: number): number {
    return Math.ceil(n / WORKGROUP_SIZE);
  }

  /** The `Shape` uniform. */
  uniforms(n: number, k: number): Uint32Array {
    return Uint32Array.of(n, k, 0, 0);
  }
}
