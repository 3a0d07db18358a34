/**
 * The one WebGPU runner for the kernels in src/kernels: it gets pipelines (cached per device by
 * each program's cache key), uploads buffers, dispatches and reads back, and returns float64 on
 * the host. It works with a browser's `navigator.gpu` and with Node's `webgpu` package alike.
 */
import { FabricError } from '../protocol/errors';
import { BUFFER_USAGE, splitFloat64 } from './gpu-program';
import { checkGlmArgs, checkVectorLengths } from './glm-checks';
import { GlmGradientProgram } from './glm-gradient.wgsl';
import { uploadDesign } from './glm-gpu-upload';
import { createBuffer, maxBindingElements, programPipelines, readStaging, releaseBuffer, withGpuErrors } from './gpu-resources';
import { SumVectorsProgram } from './sum-vectors.wgsl';
import { parameterCount } from './design';
import type { DesignMatrix, GlmKind } from './design';
import type { GlmGpuShape } from './glm-gradient.wgsl';

export { releaseDesign } from './glm-gpu-upload';

/**
 * Each device's `GPU`, held for as long as the device lives. In Node's `webgpu` package the `GPU`
 * object owns the Dawn instance: once garbage-collected, a device still in use aborts the process
 * (seen here as "futex facility returned an unexpected error code" or a pthread assertion).
 */
const gpuOfDevice = new WeakMap<GPUDevice, GPU>();

/**
 * A device from `gpu`, or undefined when it offers no adapter. Asks for the adapter's largest
 * storage binding and buffer sizes (SwiftShader offers 1 GiB; the default is 128 MiB), so fewer
 * row blocks are needed. Throws `backend-unavailable` if the adapter refuses a device.
 */
export async function requestDevice(gpu: GPU): Promise<GPUDevice | undefined> {
  const adapter = await gpu.requestAdapter();
  if (!adapter) return undefined;
  try {
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
    gpuOfDevice.set(device, gpu);
    return device;
  } catch (e) {
    throw new FabricError('backend-unavailable', `WebGPU: the adapter refused a device: ${String(e)}`, { cause: e });
  }
}

/** Options of the GPU kernels, for tests and tuning. */
export interface GpuRunOptions {
  /** Caps rows per block (default: what the device limits allow), to exercise multi-block runs. */
  readonly maxBlockRows?: number;
  /** Caps elements per `sumVectorsGpu` dispatch (default: what the device limits allow). */
  readonly maxSliceElements?: number;
}

const glmPrograms = new Map<GlmKind, GlmGradientProgram>();
const sumProgram = new SumVectorsProgram();

/** The program for `kind`, made once per kind so its cache key and shader text are reused. */
function glmProgram(kind: GlmKind): GlmGradientProgram {
  let program = glmPrograms.get(kind);
  if (!program) glmPrograms.set(kind, (program = new GlmGradientProgram(kind)));
  return program;
}

/**
 * `glmLossGrad` on WebGPU in f32 (see glm-gradient.wgsl.ts for precision), for linear,
 * logistic and softmax. Same argument checks and messages as the CPU kernel. 0 rows give loss 0
 * and a zero gradient without a dispatch. WGSL does not specify NaN behaviour, so a NaN in the
 * matrix or params gives a NaN loss and an all-NaN gradient, checked on the host.
 */
export async function glmLossGradGpu(
  device: GPUDevice,
  kind: GlmKind,
  m: DesignMatrix,
  params: Float64Array,
  classes: number,
  options: GpuRunOptions = {},
): Promise<{ loss: number; grad: Float64Array }> {
  checkGlmArgs('glmLossGradGpu', kind, m, params, classes);
  const grad = new Float64Array(parameterCount(kind, m.dim, classes));
  if (m.rows === 0) return { loss: 0, grad };
  if (params.some(Number.isNaN)) return { loss: NaN, grad: grad.fill(NaN) };
  const prog = glmProgram(kind);
  const outputs = kind === 'softmax' ? classes : 1;
  const { bindGroupLayout, pipelines } = await programPipelines(device, prog);
  const upload = await withGpuErrors(device, 'uploading a design matrix', async () =>
    uploadDesign(device, m, outputs, bindGroupLayout, prog, options.maxBlockRows),
  );
  if (upload.hasNaN) return { loss: NaN, grad: grad.fill(NaN) };
  // Copied now: runs on one upload are queued, and the caller may change params meanwhile.
  const params32 = new Float32Array(params);
  const run = async (): Promise<number> => {
    device.queue.writeBuffer(upload.params, 0, params32);
    const encoder = device.createCommandEncoder();
    for (const block of upload.blocks) {
      const pass = encoder.beginComputePass();
      pass.setBindGroup(0, block.bindGroup);
      prog.dispatches(block.shape).forEach(([x, y], i) => {
        if (x === 0 || y === 0) return;
        pass.setPipeline(pipelines[i]!);
        pass.dispatchWorkgroups(x, y);
      });
      pass.end();
      encoder.copyBufferToBuffer(block.result, 0, block.staging, 0, 4 * block.resultFloats);
    }
    device.queue.submit([encoder.finish()]);
    const results = await Promise.all(upload.blocks.map((b) => readStaging(b.staging, b.resultFloats)));
    let loss = 0;
    upload.blocks.forEach((block, b) => (loss += addBlockResult(block.shape, results[b]!, grad)));
    return loss;
  };
  const queued = upload.tail.catch(() => undefined).then(() => withGpuErrors(device, `running ${prog.cacheKey}`, run));
  upload.tail = queued;
  return { loss: await queued, grad };
}

/** Adds one block's (hi, lo) outputs into `grad` in float64 and returns its loss. */
function addBlockResult(s: GlmGpuShape, out: Float32Array, grad: Float64Array): number {
  const at = (o: number): number => out[2 * o]! + out[2 * o + 1]!;
  const perClass = s.denseCols + 1;
  const denseOutputs = s.outputs * perClass + 1;
  for (let k = 0; k < s.outputs; k++) {
    const base = k * s.dim;
    for (let c = 0; c < s.denseCols; c++) grad[base + c]! += at(k * perClass + c);
    grad[base + s.dim - 1]! += at(k * perClass + s.denseCols);
    for (let j = 0; j < s.oneHotParams; j++) grad[base + s.denseCols + j]! += at(denseOutputs + k * s.oneHotParams + j);
  }
  return at(denseOutputs - 1);
}

/**
 * `sumVectors` on WebGPU in double-f32 (see sum-vectors.wgsl.ts: about 48 bits, deterministic
 * order). Elements where any input is not finite in f32 are summed on the host instead, so
 * NaN/Infinity give what the CPU kernel gives. Same length checks and messages as `sumVectors`.
 */
export async function sumVectorsGpu(
  device: GPUDevice,
  vectors: readonly Float64Array[],
  options: GpuRunOptions = {},
): Promise<Float64Array> {
  const n = checkVectorLengths('sumVectorsGpu', vectors);
  const k = vectors.length;
  const out = new Float64Array(n);
  if (k === 0 || n === 0) return out;
  const { bindGroupLayout, pipelines } = await programPipelines(device, sumProgram);
  const slice = Math.max(1, Math.floor(Math.min(
    maxBindingElements(device) / (2 * k),
    device.limits.maxComputeWorkgroupsPerDimension * sumProgram.workgroupSize,
    options.maxSliceElements ?? Infinity,
  )));
  const hostElements: number[] = [];
  for (let e0 = 0; e0 < n; e0 += slice) {
    const len = Math.min(slice, n - e0);
    const input = new Float32Array(2 * k * len);
    vectors.forEach((v, j) => {
      for (let i = 0; i < len; i++) {
        const [hi, lo] = splitFloat64(v[e0 + i]!);
        if (!Number.isFinite(hi)) hostElements.push(e0 + i);
        input[2 * (j * len + i)] = hi;
        input[2 * (j * len + i) + 1] = lo;
      }
    });
    const sums = await withGpuErrors(device, `running ${sumProgram.cacheKey}`, async () => {
      const storage = BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_DST;
      const uniform = createBuffer(device, 'sum shape', BUFFER_USAGE.UNIFORM | BUFFER_USAGE.COPY_DST, 16, sumProgram.uniforms(len, k));
      const inBuf = createBuffer(device, 'sum input', storage, input.byteLength, input);
      const outBuf = createBuffer(device, 'sum output', BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_SRC, 8 * len);
      const staging = createBuffer(device, 'sum staging', BUFFER_USAGE.MAP_READ | BUFFER_USAGE.COPY_DST, 8 * len);
      try {
        const bindGroup = device.createBindGroup({
          layout: bindGroupLayout,
          entries: [uniform, inBuf, outBuf].map((buffer, binding) => ({ binding, resource: { buffer } })),
        });
        const encoder = device.createCommandEncoder();
        const pass = encoder.beginComputePass();
        pass.setPipeline(pipelines[0]!);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(sumProgram.dispatch(len));
        pass.end();
        encoder.copyBufferToBuffer(outBuf, 0, staging, 0, 8 * len);
        device.queue.submit([encoder.finish()]);
        return await readStaging(staging, 2 * len);
      } finally {
        for (const b of [uniform, inBuf, outBuf, staging]) releaseBuffer(b);
      }
    });
    for (let i = 0; i < len; i++) out[e0 + i] = sums[2 * i]! + sums[2 * i + 1]!;
  }
  for (const i of hostElements) {
    let s = 0;
    for (const v of vectors) s += v[i]!;
    out[i] = s;
  }
  return out;
}
