/**
 * `gramCpu` on WebGPU: uploads the rows once, runs `GramProgram` over every group in one dispatch
 * (several only when a device limit forces it), reads back the per-block double-f32 partials and
 * adds them per group in float64, in block order, so results are deterministic.
 *
 * Groups the GPU cannot sum faithfully go to the CPU reference instead, so their results are
 * exactly what `gramCpu` gives: any value that is NaN, infinite, or above 2^48 in magnitude (f32
 * products and sums could overflow). Finding them costs one read of x, cheap next to the kernel.
 */
import { FabricError } from '../protocol/errors';
import { upperLength } from './cross-products';
import { BUFFER_USAGE } from './gpu-program';
import { createBuffer, maxBindingElements, programPipelines, readStaging, releaseBuffer, withGpuErrors } from './gpu-resources';
import { checkGroupedRows, emptyGram, gramGroupCpu } from './gram';
import { GRAM_GPU_MAX_COLS, GramProgram } from './gram.wgsl';
import type { GramResult, GroupedRows } from './gram';

/** Largest |value| summed on the GPU: products ≤ 2^96 and sums of up to 2^31 of them stay in f32. */
const GPU_MAX_ABS = 2 ** 48;

/** Options of {@link gramGpu}, for tests and tuning. */
export interface GramGpuOptions {
  /** Rows per block; default the program's (1024). */
  readonly blockRows?: number;
  /** Caps blocks per dispatch (default: what the device limits allow), to exercise several. */
  readonly maxBatchBlocks?: number;
}

const programs = new Map<number, GramProgram>();

/** The program for `p` columns, made once per p so its cache key and shader text are reused. */
function gramProgram(p: number): GramProgram {
  let program = programs.get(p);
  if (!program) programs.set(p, (program = new GramProgram(p)));
  return program;
}

/** Row blocks of the groups summed on the GPU, in row order. */
interface Blocks {
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly group: Int32Array;
  readonly count: number;
}

/** The groups with a value the GPU must not sum (see the module comment). */
function groupsForHost(g: GroupedRows, groups: number): Uint8Array {
  const host = new Uint8Array(groups);
  const { x, y, cols: p, groupStart } = g;
  for (let k = 0; k < groups; k++) {
    const r0 = groupStart[k]!;
    const r1 = groupStart[k + 1]!;
    let bad = false;
    for (let r = r0; r < r1 && !bad; r++) bad = !(Math.abs(y[r]!) <= GPU_MAX_ABS);
    for (let i = r0 * p; i < r1 * p && !bad; i++) bad = !(Math.abs(x[i]!) <= GPU_MAX_ABS);
    host[k] = bad ? 1 : 0;
  }
  return host;
}

function blocksOf(g: GroupedRows, groups: number, host: Uint8Array, blockRows: number): Blocks {
  let count = 0;
  for (let k = 0; k < groups; k++) {
    if (!host[k]) count += Math.ceil((g.groupStart[k + 1]! - g.groupStart[k]!) / blockRows);
  }
  const start = new Int32Array(count);
  const end = new Int32Array(count);
  const group = new Int32Array(count);
  let b = 0;
  for (let k = 0; k < groups; k++) {
    if (host[k]) continue;
    const r1 = g.groupStart[k + 1]!;
    for (let r = g.groupStart[k]!; r < r1; r += blockRows, b++) {
      start[b] = r;
      end[b] = Math.min(r + blockRows, r1);
      group[b] = k;
    }
  }
  return { start, end, group, count };
}

/**
 * `gramCpu` on WebGPU, in double-f32: within about 1e-12 of Σ_r |x_ri·x_rj| of the float64
 * reference in practice (see gram.wgsl.ts for the bound and GRAM_GPU_TOLERANCE in the conformance
 * test). Same checks and messages as `gramCpu`, plus `bad-input` for more than
 * {@link GRAM_GPU_MAX_COLS} columns. Empty groups give zeros; groups holding NaN, Infinity or
 * |v| > 2^48 are summed on the CPU. Throws `backend-unavailable` if the device fails.
 */
export async function gramGpu(device: GPUDevice, g: GroupedRows, options: GramGpuOptions = {}): Promise<GramResult> {
  const groups = checkGroupedRows('gramGpu', g);
  const p = g.cols;
  if (p > GRAM_GPU_MAX_COLS) {
    throw new FabricError(
      'bad-input',
      `gramGpu: cols is ${p}; the WebGPU kernel supports at most ${GRAM_GPU_MAX_COLS} columns. Use gramCpu.`,
    );
  }
  const out = emptyGram(g.groupStart, p);
  const program = gramProgram(p);
  const host = groupsForHost(g, groups);
  // A block's rows must fit one storage binding (only a huge blockRows option could exceed it).
  const maxBlockRows = Math.floor(maxBindingElements(device) / Math.max(p, 2));
  const blockRows = Math.max(1, Math.min(maxBlockRows, Math.floor(options.blockRows ?? program.defaultBlockRows)));
  const blocks = blocksOf(g, groups, host, blockRows);
  if (blocks.count > 0) await runBlocks(device, program, g, blocks, out, options.maxBatchBlocks ?? Infinity);
  const upper = new Float64Array(upperLength(p));
  for (let k = 0; k < groups; k++) if (host[k]) gramGroupCpu(g, k, out, upper);
  return out;
}

/** Runs every block, in batches that fit the device's limits, and adds the partials into `out`. */
async function runBlocks(
  device: GPUDevice,
  program: GramProgram,
  g: GroupedRows,
  blocks: Blocks,
  out: GramResult,
  maxBatchBlocks: number,
): Promise<void> {
  const { pipelines, bindGroupLayout } = await programPipelines(device, program);
  const maxElements = maxBindingElements(device);
  const maxGroups = device.limits.maxComputeWorkgroupsPerDimension;
  const perBatch = Math.max(1, Math.floor(Math.min(
    maxBatchBlocks,
    maxElements / (2 * program.outputs),
    (maxGroups * maxGroups * program.workgroupSize) / program.outputs,
  )));
  const maxSpan = Math.floor(maxElements / Math.max(g.cols, 2));
  for (let b0 = 0; b0 < blocks.count; ) {
    let b1 = b0 + 1;
    while (b1 < blocks.count && b1 - b0 < perBatch && blocks.end[b1]! - blocks.start[b0]! <= maxSpan) b1++;
    const partials = await withGpuErrors(device, `running ${program.cacheKey}`, () =>
      runBatch(device, program, pipelines[0]!, bindGroupLayout, g, blocks, b0, b1),
    );
    addPartials(program, blocks, b0, b1, partials, out);
    b0 = b1;
  }
}

/** Uploads rows for blocks [b0, b1), dispatches one invocation per block and output, reads back. */
async function runBatch(
  device: GPUDevice,
  program: GramProgram,
  pipeline: GPUComputePipeline,
  layout: GPUBindGroupLayout,
  g: GroupedRows,
  blocks: Blocks,
  b0: number,
  b1: number,
): Promise<Float32Array> {
  const p = g.cols;
  const count = b1 - b0;
  const r0 = blocks.start[b0]!;
  const span = blocks.end[b1 - 1]! - r0;
  const ranges = new Uint32Array(2 * count);
  for (let b = 0; b < count; b++) {
    ranges[2 * b] = blocks.start[b0 + b]! - r0;
    ranges[2 * b + 1] = blocks.end[b0 + b]! - r0;
  }
  const yPairs = new Float32Array(2 * span);
  for (let r = 0; r < span; r++) {
    const v = g.y[r0 + r]!;
    const hi = Math.fround(v);
    yPairs[2 * r] = hi;
    yPairs[2 * r + 1] = v - hi;
  }
  const workgroups = program.workgroups(count);
  const dimX = Math.min(workgroups, device.limits.maxComputeWorkgroupsPerDimension);
  const partialFloats = 2 * count * program.outputs;
  const storage = BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_DST;
  const uniform = createBuffer(device, 'gram shape', BUFFER_USAGE.UNIFORM | BUFFER_USAGE.COPY_DST, 16, program.uniforms(count, dimX));
  const xBuf = createBuffer(device, 'gram x', storage, 4 * span * p);
  device.queue.writeBuffer(xBuf, 0, g.x, r0 * p, span * p);
  const yBuf = createBuffer(device, 'gram y', storage, yPairs.byteLength, yPairs);
  const rangeBuf = createBuffer(device, 'gram ranges', storage, ranges.byteLength, ranges);
  const outBuf = createBuffer(device, 'gram partials', BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_SRC, 4 * partialFloats);
  const staging = createBuffer(device, 'gram staging', BUFFER_USAGE.MAP_READ | BUFFER_USAGE.COPY_DST, 4 * partialFloats);
  try {
    const bindGroup = device.createBindGroup({
      layout,
      entries: [uniform, xBuf, yBuf, rangeBuf, outBuf].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(dimX, Math.ceil(workgroups / dimX));
    pass.end();
    encoder.copyBufferToBuffer(outBuf, 0, staging, 0, 4 * partialFloats);
    device.queue.submit([encoder.finish()]);
    return await readStaging(staging, partialFloats);
  } finally {
    for (const buffer of [uniform, xBuf, yBuf, rangeBuf, outBuf, staging]) releaseBuffer(buffer);
  }
}

/** Adds the (hi, lo) partials of blocks [b0, b1) into their groups' sums, in float64. */
function addPartials(
  program: GramProgram,
  blocks: Blocks,
  b0: number,
  b1: number,
  partials: Float32Array,
  out: GramResult,
): void {
  const p = program.p;
  const pairs = program.pairs();
  const k = program.outputs;
  for (let b = b0; b < b1; b++) {
    const group = blocks.group[b]!;
    const base = 2 * (b - b0) * k;
    pairs.forEach(([i, j], o) => {
      const v = partials[base + 2 * o]! + partials[base + 2 * o + 1]!;
      if (j < p) {
        out.xtx[group * p * p + i * p + j]! += v;
        if (i !== j) out.xtx[group * p * p + j * p + i]! += v;
      } else if (j === p && i < p) out.xty[group * p + i]! += v;
      else if (i === p && j === p) out.yty[group]! += v;
      else out.ysum[group]! += v;
    });
  }
}
