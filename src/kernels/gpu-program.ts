/**
 * What every WGSL program in src/kernels shares: the shape a program presents to the runner
 * (gpu-runner.ts), the WebGPU flag values, and the double-f32 ("df64") arithmetic in WGSL.
 *
 * Flag values are the numbers from the WebGPU spec rather than the `GPUBufferUsage` globals: the
 * globals exist in browsers but not in Node's `webgpu` package unless its `globals` are installed,
 * and the kernels must run in both.
 */

/** How a program binds one buffer: its `@binding(i)` is the index in {@link GpuProgram.bindings}. */
export type BindingKind = 'uniform' | 'read-only-storage' | 'storage';

/** A WGSL program: it owns its shader text, workgroup size, entry points and pipeline cache key. */
export interface GpuProgram {
  /** Pipelines are cached per device under this key: equal keys mean identical shader text. */
  readonly cacheKey: string;
  /** The WGSL source of every entry point. */
  readonly shaderCode: string;
  /** Invocations per workgroup along x (y and z are 1). */
  readonly workgroupSize: number;
  /** Buffer bindings of group 0, in binding order; one layout serves every entry point. */
  readonly bindings: readonly BindingKind[];
  /** Compute entry points, each compiled into its own pipeline. */
  readonly entryPoints: readonly string[];
}

/** `GPUBufferUsage` flag values from the WebGPU spec. */
export const BUFFER_USAGE = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

/** `GPUMapMode.READ` from the WebGPU spec. */
export const MAP_MODE_READ = 0x0001;

/** `GPUShaderStage.COMPUTE` from the WebGPU spec. */
export const SHADER_STAGE_COMPUTE = 0x0004;

/**
 * Double-f32 arithmetic: a value is `vec2f(hi, lo)` with |lo| <= ulp(hi)/2, about 48 significant
 * bits. `two_sum` is Knuth's error-free sum (6 flops); `df_add` is the accurate double-f32 add
 * (both parts summed with `two_sum`, then renormalized), relative error about 2^-44 per add.
 *
 * The error terms are only exact if the compiler keeps f32 addition unreassociated. WGSL does not
 * license fast-math reassociation and Dawn/Tint keep the order; the conformance suite checks it on
 * every backend it runs (sum-vectors GPU vs float64 CPU within 1e-12), so a driver that breaks
 * this shows up as a failed test, not as silently lost bits.
 */
export const DF64_WGSL = /* wgsl */ `
fn two_sum(a: f32, b: f32) -> vec2f {
  let s = a + b;
  let bb = s - a;
  return vec2f(s, (a - (s - bb)) + (b - bb));
}

fn quick_two_sum(a: f32, b: f32) -> vec2f {
  let s = a + b;
  return vec2f(s, b - (s - a));
}

fn df_add(a: vec2f, b: vec2f) -> vec2f {
  var s = two_sum(a.x, b.x);
  let t = two_sum(a.y, b.y);
  s.y += t.x;
  s = quick_two_sum(s.x, s.y);
  s.y += t.y;
  return quick_two_sum(s.x, s.y);
}

fn df_add_f(a: vec2f, b: f32) -> vec2f {
  var s = two_sum(a.x, b);
  s.y += a.y;
  return quick_two_sum(s.x, s.y);
}
`;

/** Splits a float64 into a double-f32 pair `[hi, lo]` with `hi + lo` within 2^-48 relative of x. */
export function splitFloat64(x: number): [number, number] {
  const hi = Math.fround(x);
  return [hi, Math.fround(x - hi)];
}
