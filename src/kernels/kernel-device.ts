/**
 * The model kernels' WebGPU device on a slot, kept usable across device loss. It watches
 * `device.lost`; when the device is lost it asks the adapter for a new one (at most
 * {@link MAX_REACQUIRE} times in its life), and otherwise leaves the kernels on their CPU
 * references (`device()` is then undefined, which every caller already treats as "use the CPU").
 *
 * tfjs-backend-webgpu 4.22 has no handler for `GPUDevice.lost` (TESTING-NOTES.md), and neither did
 * our kernels: a lost device made every later task fail. A loss is counted the moment it is seen,
 * so a task can tell that its GPU work ran on a lost device (see `losses`).
 */
import { requestDevice } from './gpu-runner';

/**
 * New devices one slot asks for after losses. One: a loss is usually a driver reset or the GPU
 * process restarting, after which a new device works; a second loss says the device is unreliable
 * (Chromium itself blocks WebGPU for a page after repeated GPU crashes), so the slot then stays on
 * its fallback for the rest of its life instead of failing tasks over and over.
 */
export const MAX_REACQUIRE = 1;

/** What became of one loss. */
export interface DeviceLossEvent {
  /** Losses so far, this one included. */
  readonly count: number;
  /** The browser's reason (`destroyed` when `device.destroy()` was called) and message. */
  readonly reason: string;
  /** True when a new device replaced the lost one; false when the kernels fell back to the CPU. */
  readonly reacquired: boolean;
  /** What happened, in words, for the slot's report. */
  readonly detail: string;
}

/** A device that is replaced, or given up for the CPU, when it is lost. */
export class KernelDevice {
  private current: GPUDevice | undefined;
  private lossCount = 0;
  private reacquiredCount = 0;
  private recovering: Promise<void> = Promise.resolve();
  private readonly listeners: ((e: DeviceLossEvent) => void)[] = [];

  /**
   * @param gpu where new devices come from (`navigator.gpu`, or the `webgpu` package in Node).
   * @param device the device the probe chose, or undefined when the kernels run on the CPU.
   * @param maxReacquire how many lost devices may be replaced (tests pass 0 to see the fallback).
   */
  constructor(private readonly gpu: GPU | undefined, device: GPUDevice | undefined, private readonly maxReacquire = MAX_REACQUIRE) {
    if (device) this.adopt(device);
  }

  /** The device to run kernels on now, or undefined for the CPU reference. */
  device(): GPUDevice | undefined {
    return this.current;
  }

  /** Devices lost so far. A task that sees this change while it runs did GPU work on a lost device. */
  losses(): number {
    return this.lossCount;
  }

  /** Resolves when the slot has dealt with the last loss (a new device, or the CPU). */
  settled(): Promise<void> {
    return this.recovering;
  }

  /** Calls `cb` after each loss has been dealt with. */
  onLoss(cb: (e: DeviceLossEvent) => void): void {
    this.listeners.push(cb);
  }

  /** Simulates a loss the way the issue asks: `device.destroy()` on the real device. */
  destroy(): void {
    const device = this.current;
    if (!device) return;
    device.destroy();
    // Counted now, not when `lost` resolves a moment later, so a task running now sees it.
    this.lost(device, 'destroyed: device.destroy() was called');
  }

  private adopt(device: GPUDevice): void {
    this.current = device;
    void device.lost.then((info) => this.lost(device, `${info.reason}${info.message ? `: ${info.message}` : ''}`));
  }

  private lost(device: GPUDevice, reason: string): void {
    // A device replaced earlier, or already counted by destroy(), resolves `lost` later: ignored.
    if (device !== this.current) return;
    this.current = undefined;
    this.lossCount += 1;
    const count = this.lossCount;
    this.recovering = this.recover().then((replacement) => {
      const detail = replacement
        ? `WebGPU device lost (${reason}); got a new device`
        : `WebGPU device lost (${reason}); model kernels fell back to the CPU${this.reacquiredCount >= this.maxReacquire ? ` (a device was already replaced ${this.reacquiredCount} time(s))` : ''}`;
      const event: DeviceLossEvent = { count, reason, reacquired: replacement !== undefined, detail };
      for (const cb of this.listeners) cb(event);
    });
  }

  private async recover(): Promise<GPUDevice | undefined> {
    if (!this.gpu || this.reacquiredCount >= this.maxReacquire) return undefined;
    this.reacquiredCount += 1;
    const device = await requestDevice(this.gpu).catch(() => undefined);
    if (device) this.adopt(device);
    return device;
  }
}
