/**
 * Browser side of the physical-limits measurement (bench/limits.ts): memory copy in the page, and
 * the wasm matmul in a worker set up like a slot (bench/limits-worker.ts). The raw data channel
 * limit is measured between two bench/transport.html pages, whose raw channel has no Fabric framing.
 */
import { copyBytesPerSecond } from './copy-bandwidth';
import type { MatmulReply, MatmulRequest } from './limits-worker';

/** The functions bench/limits.ts calls in the page. */
export interface LimitsBenchApi {
  /** Median bytes per second of `Uint8Array.set` copying `byteLength` bytes, over `repeats` copies. */
  copyBytesPerSecond(byteLength: number, repeats: number): number;
  /** FLOP/s of the median of `repeats` n x n f32 matmuls on tfjs-wasm in a module worker, and its threads. */
  wasmMatmul(size: number, repeats: number): Promise<{ flopsPerSecond: number; threads: number; msEach: readonly number[] }>;
  /** Whether the page is cross-origin isolated (tfjs-wasm needs it for threads). */
  readonly crossOriginIsolated: boolean;
}

declare global {
  interface Window {
    limitsBench: LimitsBenchApi;
  }
}

window.limitsBench = {
  copyBytesPerSecond,
  crossOriginIsolated: window.crossOriginIsolated,
  wasmMatmul(size, repeats) {
    const worker = new Worker(new URL('./limits-worker.ts', import.meta.url), { type: 'module' });
    return new Promise((resolve, reject) => {
      worker.addEventListener('message', (e: MessageEvent<MatmulReply>) => {
        worker.terminate();
        if (e.data.type === 'out') resolve(e.data);
        else reject(new Error(`wasm matmul: ${e.data.message}`));
      });
      worker.addEventListener('error', (e) => {
        worker.terminate();
        reject(new Error(`the limits worker failed: ${e.message}`));
      });
      worker.postMessage({ size, repeats } satisfies MatmulRequest);
    });
  },
};
