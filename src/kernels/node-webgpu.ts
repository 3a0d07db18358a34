/**
 * Test and benchmark support, not part of the app: a WebGPU device in Node from the `webgpu`
 * package (Dawn), here on Chromium's SwiftShader (vitest.config.ts sets the environment the
 * driver needs). The app gets its devices from `navigator.gpu` instead; nothing in src/ imports
 * this outside tests and benches, so the bundle never pulls in the package.
 */
import { requestDevice } from './gpu-runner';

/** A device, or the reason there is none (for a `describe.skip` title or a bench note). */
export interface NodeWebGpu {
  readonly device?: GPUDevice;
  /** Where the device came from, or why there is none and how to get one. */
  readonly reason: string;
}

/**
 * A WebGPU device from the `webgpu` package, or why there is none. Never throws: a missing
 * package or adapter is a reason, so callers can skip instead of failing.
 */
export async function openNodeWebGpu(): Promise<NodeWebGpu> {
  try {
    const { create } = await import('webgpu');
    const device = await requestDevice(create([]));
    if (device) return { device, reason: 'Dawn (webgpu package)' };
    return {
      reason:
        'the webgpu package found no adapter (no GPU, and no SwiftShader at /usr/lib/chromium: install ' +
        'chromium, or set SWIFTSHADER_DIR; vitest.config.ts passes LD_LIBRARY_PATH and VK_ICD_FILENAMES)',
    };
  } catch (e) {
    return { reason: `the webgpu package did not load: ${e instanceof Error ? e.message : String(e)}` };
  }
}
