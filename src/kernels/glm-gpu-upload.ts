/**
 * A design matrix resident on a GPUDevice for `GlmGradientProgram`: uploaded once and reused by
 * every iteration (the matrix of a partition is built once per slot and never changes), split
 * into row blocks when a column set exceeds the device's storage binding size or the dispatch
 * limits. Each block has its own buffers and bind group; the runner sums blocks in float64.
 *
 * Uploads are cached per device and matrix object (`WeakMap`s, so they go when either does). A
 * matrix must not be mutated after its first GPU use; call {@link releaseDesign} to free its
 * buffers early. Runs on one upload are queued one after another; calling with another class
 * count re-uploads the matrix, so do not overlap calls on one matrix with different `classes`.
 */
import { FabricError } from '../protocol/errors';
import { checkSoftmaxLabels } from './glm-checks';
import { BUFFER_USAGE } from './gpu-program';
import { createBuffer, maxBindingElements, releaseBuffer, storageWith } from './gpu-resources';
import type { DesignMatrix } from './design';
import type { GlmGpuShape, GlmGradientProgram } from './glm-gradient.wgsl';

/** One row block and its buffers. */
export interface GlmBlock {
  /** Sizes of this block, as the shader's uniforms. */
  readonly shape: GlmGpuShape;
  /** Every binding of the program, for this block. */
  readonly bindGroup: GPUBindGroup;
  /** (hi, lo) per output; copied to `staging` for read-back. */
  readonly result: GPUBuffer;
  /** Mappable copy of `result`. */
  readonly staging: GPUBuffer;
  /** f32 elements of `result`. */
  readonly resultFloats: number;
  /** Every buffer the block owns (not the shared params), to destroy. */
  readonly buffers: readonly GPUBuffer[];
}

/** A matrix resident on one device, for one number of model outputs. */
export interface GlmUpload {
  /** Outputs (1, or classes for softmax) the buffers were sized for. */
  readonly outputs: number;
  /** Row cap per block the upload was made with. */
  readonly blockRows: number;
  /** Row blocks in row order. */
  readonly blocks: readonly GlmBlock[];
  /** f32 params, shared by every block; written before each run. */
  readonly params: GPUBuffer;
  /** True when `dense` or `y` holds a NaN: results are NaN without running the kernel. */
  readonly hasNaN: boolean;
  /** Tail of the queue of runs on this upload (runs share params and staging buffers). */
  tail: Promise<unknown>;
}

const uploads = new WeakMap<GPUDevice, WeakMap<DesignMatrix, GlmUpload>>();

/** Rows per block: the most that fit every binding and dispatch limit of `device`. */
export function blockRowsFor(device: GPUDevice, m: DesignMatrix, outputs: number, program: GlmGradientProgram): number {
  const maxFloats = maxBindingElements(device);
  const maxGroups = device.limits.maxComputeWorkgroupsPerDimension;
  const features = m.oneHot.length;
  const oneHotParams = m.dim - m.denseCols - 1;
  const denseOutputs = outputs * (m.denseCols + 1) + 1;
  const resultFloats = 2 * (denseOutputs + outputs * oneHotParams);
  if (denseOutputs > maxGroups || oneHotParams > maxGroups || resultFloats > maxFloats) {
    throw new FabricError(
      'bad-input',
      `glmLossGradGpu: ${outputs} output(s) x dim ${m.dim} exceeds this device's dispatch limit ` +
        `(${maxGroups} workgroups per dimension). Use the cpu backend, or fewer features.`,
    );
  }
  const caps = [
    m.denseCols > 0 ? maxFloats / m.denseCols : Infinity,
    features > 0 ? (maxFloats - oneHotParams - 1) / (2 * features) : Infinity,
    maxFloats / (outputs + 1),
    (maxFloats / (2 * denseOutputs)) * program.rowsPerChunk,
    maxGroups * program.workgroupSize,
    maxGroups * program.rowsPerChunk,
  ];
  return Math.max(1, Math.floor(Math.min(...caps)));
}

/** The upload of `m` on `device` for `outputs`, made on first use (or when sizes changed). */
export function uploadDesign(
  device: GPUDevice,
  m: DesignMatrix,
  outputs: number,
  layout: GPUBindGroupLayout,
  program: GlmGradientProgram,
  maxBlockRows = Infinity,
): GlmUpload {
  let perDevice = uploads.get(device);
  if (!perDevice) uploads.set(device, (perDevice = new WeakMap()));
  const blockRows = Math.min(blockRowsFor(device, m, outputs, program), maxBlockRows);
  const cached = perDevice.get(m);
  if (cached && cached.outputs === outputs && cached.blockRows === blockRows) return cached;
  if (cached) destroyUpload(cached);
  // The shader would silently skip an out-of-range class; the matrix is checked once, here.
  if (outputs > 1) checkSoftmaxLabels('glmLossGradGpu', m.y, outputs);
  const params = createBuffer(device, 'glm params', BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_DST, 4 * outputs * m.dim);
  const blocks: GlmBlock[] = [];
  for (let r0 = 0; r0 < m.rows; r0 += blockRows) {
    blocks.push(uploadBlock(device, m, r0, Math.min(blockRows, m.rows - r0), outputs, params, layout, program));
  }
  const hasNaN = m.dense.some(Number.isNaN) || m.y.some(Number.isNaN);
  const upload: GlmUpload = { outputs, blockRows, blocks, params, hasNaN, tail: Promise.resolve() };
  perDevice.set(m, upload);
  return upload;
}

/** Frees the GPU buffers of `m` on `device`, if any; a later call uploads it again. */
export function releaseDesign(device: GPUDevice, m: DesignMatrix): void {
  const cached = uploads.get(device)?.get(m);
  if (cached) destroyUpload(cached);
  uploads.get(device)?.delete(m);
}

function destroyUpload(u: GlmUpload): void {
  releaseBuffer(u.params);
  for (const b of u.blocks) for (const buffer of b.buffers) releaseBuffer(buffer);
}

function uploadBlock(
  device: GPUDevice,
  m: DesignMatrix,
  r0: number,
  rows: number,
  outputs: number,
  params: GPUBuffer,
  layout: GPUBindGroupLayout,
  program: GlmGradientProgram,
): GlmBlock {
  const oneHotParams = m.dim - m.denseCols - 1;
  const shape: GlmGpuShape = {
    rows, denseCols: m.denseCols, dim: m.dim, outputs, oneHotFeatures: m.oneHot.length, oneHotParams,
  };
  const storage = BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_DST;
  const dense = createBuffer(device, 'glm dense', storage, 4 * rows * m.denseCols);
  if (rows === m.rows) device.queue.writeBuffer(dense, 0, m.dense);
  else for (let c = 0; c < m.denseCols; c++) device.queue.writeBuffer(dense, 4 * c * rows, m.dense, c * m.rows + r0, rows);
  const labels = storageWith(device, 'glm labels', new Float32Array(m.y.subarray(r0, r0 + rows)));
  const codes = storageWith(device, 'glm codes', sortedCodes(m, r0, rows, oneHotParams));
  const resid = createBuffer(device, 'glm resid', BUFFER_USAGE.STORAGE, 4 * (outputs + 1) * rows);
  const partials = createBuffer(device, 'glm partials', BUFFER_USAGE.STORAGE, 8 * program.denseOutputs(shape) * program.chunks(rows));
  const resultFloats = 2 * program.resultLength(shape);
  const result = createBuffer(device, 'glm result', BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_SRC, 4 * resultFloats);
  const staging = createBuffer(device, 'glm staging', BUFFER_USAGE.MAP_READ | BUFFER_USAGE.COPY_DST, 4 * resultFloats);
  const uniform = createBuffer(device, 'glm shape', BUFFER_USAGE.UNIFORM | BUFFER_USAGE.COPY_DST, 48, program.uniforms(shape));
  const bound = [uniform, dense, labels, params, codes, resid, partials, result];
  const bindGroup = device.createBindGroup({
    layout,
    entries: bound.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const buffers = [uniform, dense, labels, codes, resid, partials, result, staging];
  return { shape, bindGroup, result, staging, resultFloats, buffers };
}

/**
 * The `codes` buffer of one block: the one-hot codes (feature-major), then for each one-hot
 * parameter j the start of its segment (plus one end offset), then the block's row indices
 * counting-sorted by parameter (stable: by feature, then row), so segment j lists exactly the
 * rows whose residual adds to parameter denseCols + j.
 */
function sortedCodes(m: DesignMatrix, r0: number, rows: number, oneHotParams: number): Int32Array {
  const features = m.oneHot.length;
  const offsets = new Int32Array(oneHotParams + 1);
  let nonEmpty = 0;
  for (const codes of m.oneHot) {
    for (let r = r0; r < r0 + rows; r++) {
      const j = codes[r]!;
      if (j >= 0) {
        offsets[j - m.denseCols + 1]!++;
        nonEmpty++;
      }
    }
  }
  for (let j = 0; j < oneHotParams; j++) offsets[j + 1]! += offsets[j]!;
  const out = new Int32Array(features * rows + oneHotParams + 1 + nonEmpty);
  m.oneHot.forEach((codes, f) => out.set(codes.subarray(r0, r0 + rows), f * rows));
  const segBase = features * rows;
  out.set(offsets, segBase);
  const sortedBase = segBase + oneHotParams + 1;
  const cursor = offsets.slice(0, oneHotParams);
  for (const codes of m.oneHot) {
    for (let r = r0; r < r0 + rows; r++) {
      const j = codes[r]!;
      if (j >= 0) out[sortedBase + cursor[j - m.denseCols]!++] = r - r0;
    }
  }
  return out;
}
