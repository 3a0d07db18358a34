/**
 * Device loss on the kernel layer, on a real WebGPU device (Dawn on SwiftShader in Node, see
 * vitest.config.ts): the device is destroyed in the middle of a run, exactly as the issue asks,
 * and the next run either gets a new device or falls back to the CPU reference. Either way its
 * results equal the float64 CPU reference (within F32_RELATIVE_TOLERANCE on the GPU, exactly on
 * the CPU). Also: the live-buffer counter of gpu-resources.ts returns to zero after a release.
 */
import { describe, expect, it } from 'vitest';
import { glmLossGrad } from './glm-cpu';
import { glmLossGradGpu, releaseDesign, requestDevice, sumVectorsGpu } from './gpu-runner';
import { liveBufferStats } from './gpu-resources';
import { KernelDevice, type DeviceLossEvent } from './kernel-device';
import { F32_RELATIVE_TOLERANCE, relativeError } from './kernel-choice';
import { randomDesign, randomParams } from './random-design';
import { parameterCount } from './design';
import type { DesignMatrix } from './design';

/** Dawn's `GPU`, or undefined (the suite is then skipped with the reason in its title). */
async function openGpu(): Promise<{ gpu?: GPU; reason: string }> {
  try {
    const { create } = await import('webgpu');
    const gpu = create([]);
    return (await gpu.requestAdapter()) ? { gpu, reason: 'Dawn' } : { reason: 'no WebGPU adapter (install chromium for SwiftShader)' };
  } catch (e) {
    return { reason: `the webgpu package did not load: ${e instanceof Error ? e.message : String(e)}` };
  }
}

const { gpu, reason } = await openGpu();
const sample = randomDesign({ rows: 30_000, denseCols: 4, categories: [229, 30], kind: 'logistic', seed: 5 });
const params = randomParams('logistic', sample, 2, 3, 0.05);

function reference(m: DesignMatrix): { loss: number; grad: Float64Array } {
  const grad = new Float64Array(parameterCount('logistic', m.dim, 2));
  return { loss: glmLossGrad('logistic', m, params, 2, grad), grad };
}

/** What a slot's executor does: the kernel device when there is one, else the CPU reference. */
function lossGrad(kd: KernelDevice, m: DesignMatrix): Promise<{ loss: number; grad: Float64Array }> {
  const device = kd.device();
  return device ? glmLossGradGpu(device, 'logistic', m, params, 2) : Promise.resolve(reference(m));
}

function expectClose(got: { loss: number; grad: Float64Array }, tolerance: number): void {
  const err = relativeError(reference(sample), got);
  expect(err.loss).toBeLessThanOrEqual(tolerance);
  expect(err.grad).toBeLessThanOrEqual(tolerance);
}

describe.skipIf(!gpu)(`KernelDevice on WebGPU (${reason})`, () => {
  it('replaces a device destroyed mid-run, then falls back to the CPU when the new one is lost too', async () => {
    const kd = new KernelDevice(gpu!, await requestDevice(gpu!));
    const events: DeviceLossEvent[] = [];
    kd.onLoss((e) => events.push(e));
    const first = kd.device()!;
    expectClose(await lossGrad(kd, sample), F32_RELATIVE_TOLERANCE);

    // Destroyed while a run is in flight: the run must not pass off a result as good unnoticed.
    const before = kd.losses();
    const running = lossGrad(kd, sample).then(() => 'resolved', () => 'rejected');
    kd.destroy();
    expect(kd.losses()).toBe(before + 1);
    expect(kd.device()).toBeUndefined();
    await running;
    await kd.settled();
    expect(events.map((e) => e.reacquired)).toEqual([true]);
    expect(events[0]!.detail).toMatch(/WebGPU device lost \(destroyed.*\); got a new device/);
    const second = kd.device();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expectClose(await lossGrad(kd, sample), F32_RELATIVE_TOLERANCE);

    // A second loss, while idle: the slot gives up on WebGPU and the CPU reference takes over.
    kd.destroy();
    await kd.settled();
    expect(kd.device()).toBeUndefined();
    expect(events.map((e) => e.reacquired)).toEqual([true, false]);
    expect(events[1]!.detail).toMatch(/model kernels fell back to the CPU \(a device was already replaced 1 time\(s\)\)/);
    expectClose(await lossGrad(kd, sample), 0);
  });

  it('falls back at once when it may not replace the device', async () => {
    const kd = new KernelDevice(gpu!, await requestDevice(gpu!), 0);
    kd.destroy();
    await kd.settled();
    expect(kd.device()).toBeUndefined();
    expect(kd.losses()).toBe(1);
    expectClose(await lossGrad(kd, sample), 0);
  });

  it('sees a real loss through device.lost, not only destroy() calls made through it', async () => {
    const device = (await requestDevice(gpu!))!;
    const kd = new KernelDevice(gpu!, device, 0);
    device.destroy();
    await expect.poll(() => kd.losses()).toBe(1);
    await kd.settled();
    expect(kd.device()).toBeUndefined();
  });

  it('counts live GPU buffers until they are released', async () => {
    const device = (await requestDevice(gpu!))!;
    expect(liveBufferStats(device)).toEqual({ buffers: 0, bytes: 0 });
    await glmLossGradGpu(device, 'logistic', sample, params, 2);
    const resident = liveBufferStats(device);
    expect(resident.buffers).toBeGreaterThan(0);
    expect(resident.bytes).toBeGreaterThan(sample.rows * 4);
    await sumVectorsGpu(device, [new Float64Array(100).fill(1), new Float64Array(100).fill(2)]);
    expect(liveBufferStats(device)).toEqual(resident);
    releaseDesign(device, sample);
    expect(liveBufferStats(device)).toEqual({ buffers: 0, bytes: 0 });
    device.destroy();
  });
});
