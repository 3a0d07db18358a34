/**
 * A slot's backends across WebGPU device loss. A slot holds up to two devices: the model kernels'
 * ({@link KernelDevice}) and tfjs's webgpu backend's. Each one's `device.lost` is watched. When one
 * is lost, the slot's memo is cleared at once (it holds tfjs models and GPU-backed choices made on
 * that device), then the slot asks for a new device once (MAX_REACQUIRE) and otherwise falls back:
 * tfjs to the fastest other backend the probe measured (wasm or cpu), the kernels to their CPU
 * references. The new report, with `deviceLost` saying what happened, goes to every watcher.
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { liveBufferStats } from '../kernels/gpu-resources';
import { KernelDevice, MAX_REACQUIRE } from '../kernels/kernel-device';
import { FabricError } from '../protocol/errors';
import type { BackendName, ProbeOptions, ProbeReport } from '../protocol/slot-api';
import { probeBackends } from './backend-probe';
import type { SlotBackends } from './slot-runtime';

function navigatorGpu(): GPU | undefined {
  return (navigator as Navigator & { gpu?: GPU }).gpu;
}

/** The fastest backend other than webgpu that the probe saw start (cpu if none did). */
function nextBest(report: ProbeReport): BackendName {
  const others = report.measurements.filter((m) => m.ok && m.backend !== 'webgpu' && m.gflops !== undefined);
  return others.reduce<(typeof others)[number] | undefined>((a, b) => (!a || b.gflops! > a.gflops! ? b : a), undefined)?.backend ?? 'cpu';
}

/**
 * Replaces tfjs's webgpu backend with one on a new device. tfjs registers its backend with a
 * factory that cannot be rerun after the backend is removed, so this registers our own, asking
 * for the same limits tfjs asks for.
 */
async function restartTfjsWebGpu(): Promise<GPUDevice> {
  const gpu = navigatorGpu();
  if (!gpu) throw new FabricError('backend-unavailable', 'navigator.gpu is gone');
  let device: GPUDevice | undefined;
  tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', async () => {
    const adapter = await gpu.requestAdapter();
    if (!adapter) throw new FabricError('backend-unavailable', 'requestAdapter() gave no adapter');
    const l = adapter.limits;
    device = await adapter.requestDevice({
      requiredLimits: {
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      },
    });
    return new WebGPUBackend(device, adapter.info);
  }, 3);
  if (!(await tf.setBackend('webgpu')) || !device) throw new FabricError('backend-unavailable', "tf.setBackend('webgpu') failed on a new device");
  return device;
}

/** The slot's devices and report, kept current across losses. */
export class SlotDevices implements SlotBackends {
  private original: ProbeReport | undefined;
  private current: ProbeReport | undefined;
  private kernel = new KernelDevice(undefined, undefined);
  private tfjsDevice: GPUDevice | undefined;
  private tfjsLosses = 0;
  private tfjsReacquired = 0;
  private tfjsDetail: string | undefined;
  private kernelDetail: string | undefined;
  private recovering: Promise<void> = Promise.resolve();
  private readonly lossListeners: (() => void)[] = [];
  private readonly reportListeners: ((r: ProbeReport) => void)[] = [];

  async probe(options?: ProbeOptions): Promise<ProbeReport> {
    const { report, kernelDevice } = await probeBackends(options);
    this.original = this.current = report;
    this.kernel = new KernelDevice(navigatorGpu(), kernelDevice);
    this.kernel.onLoss(() => {
      for (const cb of this.lossListeners) cb();
    });
    this.kernel.onLoss((e) => {
      this.kernelDetail = `model kernels: ${e.detail}`;
      this.publish();
    });
    if (report.chosen === 'webgpu') this.watchTfjs((tf.backend() as WebGPUBackend).device);
    return report;
  }

  kernelDevice(): GPUDevice | undefined {
    return this.kernel.device();
  }

  losses(): number {
    return this.kernel.losses() + this.tfjsLosses;
  }

  async settled(): Promise<void> {
    await Promise.all([this.kernel.settled(), this.recovering]);
  }

  onLoss(cb: () => void): void {
    // Called at once for tfjs's device; for the kernels' device when its recovery ends, before
    // `settled()` resolves (no task runs in between: tasks wait for `settled()`).
    this.lossListeners.push(cb);
  }

  watchReport(cb: (r: ProbeReport) => void): void {
    this.reportListeners.push(cb);
  }

  async loseDevice(): Promise<ProbeReport> {
    const tfjsDevice = this.tfjsDevice;
    if (tfjsDevice) {
      tfjsDevice.destroy();
      this.tfjsLost(tfjsDevice, 'destroyed: device.destroy() was called');
    }
    this.kernel.destroy();
    await this.settled();
    if (!this.current) throw new FabricError('internal', 'loseDevice: the slot has not been probed yet');
    return this.current;
  }

  kernelBuffers(): { buffers: number; bytes: number } {
    const device = this.kernel.device();
    return device ? liveBufferStats(device) : { buffers: 0, bytes: 0 };
  }

  private watchTfjs(device: GPUDevice): void {
    this.tfjsDevice = device;
    void device.lost.then((info) => this.tfjsLost(device, `${info.reason}${info.message ? `: ${info.message}` : ''}`));
  }

  private tfjsLost(device: GPUDevice, reason: string): void {
    if (device !== this.tfjsDevice) return; // already counted, or replaced
    this.tfjsDevice = undefined;
    this.tfjsLosses += 1;
    // Models and tensors on the lost backend are disposed before tfjs moves off it.
    for (const cb of this.lossListeners) cb();
    this.recovering = this.recoverTfjs(reason);
  }

  private async recoverTfjs(reason: string): Promise<void> {
    if (this.tfjsReacquired < MAX_REACQUIRE) {
      this.tfjsReacquired += 1;
      try {
        this.watchTfjs(await restartTfjsWebGpu());
        this.tfjsDetail = `tfjs: WebGPU device lost (${reason}); got a new device`;
        this.publish();
        return;
      } catch (e) {
        reason = `${reason}; a new device failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    const fallback = nextBest(this.original!);
    await tf.setBackend(fallback);
    this.tfjsDetail = `tfjs: WebGPU device lost (${reason}); fell back to ${fallback}`;
    this.publish();
  }

  /** Rebuilds the report from what the slot uses now and tells the watchers. */
  private publish(): void {
    const original = this.original;
    if (!original) return;
    const chosen = (tf.getBackend() ?? original.chosen) as BackendName;
    const kernelNow = this.kernel.device() ? 'webgpu' : 'cpu';
    this.current = {
      ...original,
      chosen,
      gflops: original.measurements.find((m) => m.backend === chosen)?.gflops ?? original.gflops,
      ...(original.kernel ? { kernel: { ...original.kernel, chosen: kernelNow, reason: this.kernelDetail ?? original.kernel.reason } } : {}),
      deviceLost: {
        count: this.losses(),
        backend: original.chosen,
        kernel: original.kernel?.chosen ?? 'cpu',
        detail: [this.tfjsDetail, this.kernelDetail].filter(Boolean).join('; '),
      },
    };
    for (const cb of this.reportListeners) cb(this.current);
  }
}
