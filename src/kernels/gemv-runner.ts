/**
 * `scoreCpu` on WebGPU: the design matrix is uploaded (dense f32 columns and one-hot indices),
 * the params as f32, and one dispatch per row chunk computes z and the link for every row and
 * class (ScoreProgram, gemv.wgsl.ts); the scores are read back as f32 and widened to float64.
 * A matrix that fits the device's binding and dispatch limits is one chunk, so one dispatch.
 *
 * Upload cache: a slot scores the same cached partition many times with different models, so
 * the matrix's buffers are kept per device and matrix object (`WeakMap`s, gone when either is)
 * and only the params and outputs are sent per call. A matrix must not be mutated after its first
 * GPU use; {@link releaseScoreDesign} frees its buffers early, and must not overlap a call on it.
 *
 * Values WGSL does not promise to handle (it may assume no NaN or Infinity) are scored on the
 * host with the CPU reference, so they give exactly what `scoreCpu` gives: rows holding a
 * non-finite feature (found once per upload), and every row when a parameter is non-finite or
 * large enough that z could overflow f32.
 */
import { FabricError } from '../protocol/errors';
import { checkScoreArgs, scoreCpu, scoreOutputs } from './gemv';
import { ScoreProgram } from './gemv.wgsl';
import { BUFFER_USAGE } from './gpu-program';
import { createBuffer, maxBindingElements, programPipelines, readStaging, releaseBuffer, withGpuErrors } from './gpu-resources';
import type { DesignMatrix, GlmKind } from './design';

/**
 * Largest bound on |z| scored on the GPU: f32 holds 2^128, and 2^120 leaves room for the f32
 * rounding of every term and sum, so no sum of finite terms overflows.
 */
const F32_SAFE_Z = 2 ** 120;

/** Options of {@link scoreGpu}, for tests and tuning. */
export interface ScoreGpuOptions {
  /** Caps rows per chunk (default: what the device limits allow), to exercise several chunks. */
  readonly maxChunkRows?: number;
}

/** Rows [r0, r0 + rows) of a matrix, resident on the device. */
interface ScoreChunk {
  readonly r0: number;
  readonly rows: number;
  readonly dense: GPUBuffer;
  readonly codes: GPUBuffer;
}

/** A matrix resident on one device. */
interface ScoreUpload {
  readonly chunkRows: number;
  readonly chunks: readonly ScoreChunk[];
  /** Rows with a non-finite feature, scored on the host (their GPU copy holds 0 instead). */
  readonly hostRows: readonly number[];
  /** Largest finite |feature|, for the overflow bound on z. */
  readonly maxAbsDense: number;
}

const uploads = new WeakMap<GPUDevice, WeakMap<DesignMatrix, ScoreUpload>>();
const programs = new Map<GlmKind, ScoreProgram>();

/** The program for `kind`, made once per kind so its cache key and shader text are reused. */
function scoreProgram(kind: GlmKind): ScoreProgram {
  let program = programs.get(kind);
  if (!program) programs.set(kind, (program = new ScoreProgram(kind)));
  return program;
}

/** Rows per chunk: the most whose columns, codes and scores each fit one binding and dispatch. */
function chunkRowsFor(device: GPUDevice, m: DesignMatrix, outputs: number, program: ScoreProgram): number {
  const maxFloats = maxBindingElements(device);
  if (outputs * m.dim > maxFloats) {
    throw new FabricError(
      'bad-input',
      `scoreGpu: params has ${outputs * m.dim} entries; this device binds at most ${maxFloats}. Use scoreCpu.`,
    );
  }
  return Math.max(1, Math.floor(Math.min(
    m.denseCols > 0 ? maxFloats / m.denseCols : Infinity,
    m.oneHot.length > 0 ? maxFloats / m.oneHot.length : Infinity,
    maxFloats / outputs,
    device.limits.maxComputeWorkgroupsPerDimension * program.workgroupSize,
  )));
}

/** The upload of `m` on `device` in chunks of at most `chunkRows` rows, made on first use. */
function uploadFor(device: GPUDevice, m: DesignMatrix, chunkRows: number): ScoreUpload {
  let perDevice = uploads.get(device);
  if (!perDevice) uploads.set(device, (perDevice = new WeakMap()));
  const cached = perDevice.get(m);
  // Smaller chunks than needed still fit, so a cached upload is reused unless its chunks are too big.
  if (cached && cached.chunkRows <= chunkRows) return cached;
  if (cached) destroyUpload(cached);
  const { rows, denseCols } = m;
  const bad = new Uint8Array(rows);
  let maxAbsDense = 0;
  for (let i = 0; i < m.dense.length; i++) {
    const v = Math.abs(m.dense[i]!);
    if (v === Infinity || Number.isNaN(v)) bad[i % rows] = 1;
    else if (v > maxAbsDense) maxAbsDense = v;
  }
  const hostRows: number[] = [];
  bad.forEach((b, r) => b && hostRows.push(r));
  const dense = hostRows.length > 0 ? m.dense.map((v) => (Number.isFinite(v) ? v : 0)) : m.dense;
  const storage = BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_DST;
  const chunks: ScoreChunk[] = [];
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const n = Math.min(chunkRows, rows - r0);
    const denseBuf = createBuffer(device, 'gemv dense', storage, 4 * n * denseCols);
    for (let c = 0; c < denseCols; c++) device.queue.writeBuffer(denseBuf, 4 * c * n, dense, c * rows + r0, n);
    const codesBuf = createBuffer(device, 'gemv codes', storage, 4 * n * m.oneHot.length);
    m.oneHot.forEach((codes, f) => device.queue.writeBuffer(codesBuf, 4 * f * n, codes, r0, n));
    chunks.push({ r0, rows: n, dense: denseBuf, codes: codesBuf });
  }
  const upload = { chunkRows, chunks, hostRows, maxAbsDense };
  perDevice.set(m, upload);
  return upload;
}

function destroyUpload(u: ScoreUpload): void {
  for (const chunk of u.chunks) for (const buffer of [chunk.dense, chunk.codes]) releaseBuffer(buffer);
}

/** Frees the GPU buffers of `m` on `device`, if any; a later call uploads it again. */
export function releaseScoreDesign(device: GPUDevice, m: DesignMatrix): void {
  const cached = uploads.get(device)?.get(m);
  if (cached) destroyUpload(cached);
  uploads.get(device)?.delete(m);
}

/** The rows `rows` of `m` as a matrix of their own, for the host. */
function selectRows(m: DesignMatrix, rows: readonly number[]): DesignMatrix {
  const n = rows.length;
  const dense = new Float32Array(n * m.denseCols);
  for (let c = 0; c < m.denseCols; c++) rows.forEach((r, i) => (dense[c * n + i] = m.dense[c * m.rows + r]!));
  const oneHot = m.oneHot.map((codes) => Int32Array.from(rows, (r) => codes[r]!));
  return { rows: n, denseCols: m.denseCols, dense, oneHot, y: Float64Array.from(rows, (r) => m.y[r]!), dim: m.dim };
}

/**
 * `scoreCpu` on WebGPU in f32: each output within SCORE_GPU_TOLERANCE (gemv.wgsl.ts) of
 * max(1, the row's scale) of the float64 reference. Same checks and messages as `scoreCpu`, plus
 * `bad-input` when the params exceed one storage binding. 0 rows give an empty array without a
 * dispatch. Non-finite features and parameters give exactly the CPU reference's values (see the
 * module comment). Throws `backend-unavailable` if the device fails or runs out of memory.
 */
export async function scoreGpu(
  device: GPUDevice,
  kind: GlmKind,
  m: DesignMatrix,
  params: Float64Array,
  classes: number,
  options: ScoreGpuOptions = {},
): Promise<Float64Array> {
  checkScoreArgs('scoreGpu', kind, m, params, classes);
  const outputs = scoreOutputs(kind, classes);
  const out = new Float64Array(m.rows * outputs);
  if (m.rows === 0) return out;
  const program = scoreProgram(kind);
  const chunkRows = Math.max(1, Math.min(chunkRowsFor(device, m, outputs, program), Math.floor(options.maxChunkRows ?? Infinity)));
  const { pipelines, bindGroupLayout } = await programPipelines(device, program);
  const upload = await withGpuErrors(device, 'uploading a design matrix', async () => uploadFor(device, m, chunkRows));
  let maxAbsParam = 0;
  for (const p of params) maxAbsParam = Math.max(maxAbsParam, Math.abs(p));
  const zBound = maxAbsParam * (upload.maxAbsDense * m.denseCols + m.oneHot.length + 1);
  if (!(zBound <= F32_SAFE_Z)) return scoreCpu(kind, m, params, classes);
  const weights32 = new Float32Array(params);
  const scores = await withGpuErrors(device, `running ${program.cacheKey}`, async () => {
    const weights = createBuffer(device, 'gemv weights', BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_DST, weights32.byteLength, weights32);
    const owned: GPUBuffer[] = [weights];
    try {
      const encoder = device.createCommandEncoder();
      const staged = upload.chunks.map((chunk) => {
        const floats = chunk.rows * outputs;
        const shape = { rows: chunk.rows, denseCols: m.denseCols, dim: m.dim, outputs, oneHotFeatures: m.oneHot.length };
        const uniform = createBuffer(device, 'gemv shape', BUFFER_USAGE.UNIFORM | BUFFER_USAGE.COPY_DST, 32, program.uniforms(shape));
        const result = createBuffer(device, 'gemv scores', BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_SRC, 4 * floats);
        const staging = createBuffer(device, 'gemv staging', BUFFER_USAGE.MAP_READ | BUFFER_USAGE.COPY_DST, 4 * floats);
        owned.push(uniform, result, staging);
        const bindGroup = device.createBindGroup({
          layout: bindGroupLayout,
          entries: [uniform, chunk.dense, chunk.codes, weights, result].map((buffer, binding) => ({ binding, resource: { buffer } })),
        });
        const pass = encoder.beginComputePass();
        pass.setPipeline(pipelines[0]!);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(program.workgroups(chunk.rows));
        pass.end();
        encoder.copyBufferToBuffer(result, 0, staging, 0, 4 * floats);
        return { staging, floats };
      });
      device.queue.submit([encoder.finish()]);
      return await Promise.all(staged.map((s) => readStaging(s.staging, s.floats)));
    } finally {
      for (const buffer of owned) releaseBuffer(buffer);
    }
  });
  upload.chunks.forEach((chunk, i) => out.set(scores[i]!, chunk.r0 * outputs));
  if (upload.hostRows.length > 0) {
    const host = scoreCpu(kind, selectRows(m, upload.hostRows), params, classes);
    upload.hostRows.forEach((r, i) => out.set(host.subarray(i * outputs, (i + 1) * outputs), r * outputs));
  }
  return out;
}
