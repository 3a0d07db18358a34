/**
 * Web Worker of bench/limits-page.ts: the wasm matmul limit, measured where Fabric's slots compute
 * (a module worker) and with the slots' tfjs setup (src/worker/backend-probe.ts registers the wasm
 * files, threaded SIMD included), so its thread count is the one the slots get.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import '../src/worker/backend-probe';

/** What the page asks: an n x n by n x n f32 matmul, timed `repeats` times after one warm-up. */
export interface MatmulRequest { readonly size: number; readonly repeats: number }
/** FLOP/s of the median run (2 n^3 FLOP a run), and the threads tfjs-wasm used. */
export type MatmulReply =
  | { readonly type: 'out'; readonly flopsPerSecond: number; readonly threads: number; readonly msEach: readonly number[] }
  | { readonly type: 'err'; readonly message: string };

async function measure({ size, repeats }: MatmulRequest): Promise<MatmulReply> {
  if (!(await tf.setBackend('wasm'))) return { type: 'err', message: "tf.setBackend('wasm') returned false in the limits worker" };
  await tf.ready();
  const a = tf.randomUniform([size, size], -1, 1, 'float32', 1);
  const b = tf.randomUniform([size, size], -1, 1, 'float32', 2);
  const warm = tf.matMul(a, b);
  await warm.data(); // first run: XNNPACK packs the weights and the threads start
  warm.dispose();
  const msEach: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    msEach.push(performance.now() - t0);
    c.dispose();
  }
  tf.dispose([a, b]);
  const sorted = [...msEach].sort((x, y) => x - y);
  const medianMs = sorted[Math.floor(sorted.length / 2)]!;
  return { type: 'out', flopsPerSecond: (2 * size ** 3) / (medianMs / 1000), threads: getThreadsCount(), msEach };
}

self.addEventListener('message', (e: MessageEvent<MatmulRequest>) => {
  measure(e.data).then(
    (reply) => self.postMessage(reply),
    (err: unknown) => self.postMessage({ type: 'err', message: err instanceof Error ? err.message : String(err) } satisfies MatmulReply),
  );
});
