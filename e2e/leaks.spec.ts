/**
 * Leaks (issue 7, item 8): 1,000 tasks on one real slot (a volunteer's Web Worker, forced onto
 * WebGPU), mixing task kinds that use tfjs's webgpu backend (MLP gradients, MLP scoring), our
 * WGSL kernels (GLM gradients), and the CPU (describe, feature statistics, GLM scoring where the
 * slot measured the CPU faster). After a warm-up round and after each measurement's garbage
 * collection (`--js-flags=--expose-gc`): `tf.memory().numTensors` is exactly what it was, and so
 * are the kernels' live GPU buffers and tfjs's GPU bytes in use; the worker's JS heap
 * (`performance.measureUserAgentSpecificMemory`, attributed to the worker) grows by less than
 * HEAP_SLACK_BYTES.
 */
import type { Page } from '@playwright/test';
import { chromiumPath, CHROMIUM_ARGS } from '../scripts/chromium';
import { loadFlightsSample } from './flights-sample';
import { expect, test, VolunteerPage } from './pages';
import type { SlotMemory } from '../src/protocol/slot-api';

/** Exposes `gc()` in every isolate (workers too), and makes memory measurement run at once. */
const execPath = chromiumPath();
test.use({
  launchOptions: {
    ...(execPath ? { executablePath: execPath } : {}),
    args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc', '--enable-blink-features=ForceEagerMeasureMemory'],
  },
});

const TASKS = 1000;
/**
 * The JS heap may grow this much over 1,000 tasks: V8 keeps compiled code and inline caches,
 * and the heap it reports after a GC moves by a few MB between measurements. A task leaking its
 * 10k-row design matrix (about 0.5 MB) or its scores (80 KB) would pass it within 1,000 tasks.
 */
const HEAP_SLACK_BYTES = 20 * 1024 * 1024;

interface Snapshot {
  slot: SlotMemory;
  workerHeap: number | undefined;
  tasksDone: number;
}

/** The slot's counters and the worker's heap, each after a garbage collection. */
async function snapshot(volunteer: Page): Promise<Snapshot> {
  return volunteer.evaluate(async () => {
    const slot = await window.volunteer!.slotMemory(0);
    const perf = performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ breakdown: { bytes: number; attribution: { scope?: string }[] }[] }> };
    const measured = await perf.measureUserAgentSpecificMemory?.();
    const workerHeap = measured?.breakdown
      .filter((b) => b.attribution.some((a) => a.scope === 'DedicatedWorkerGlobalScope'))
      .reduce((s, b) => s + b.bytes, 0);
    return { slot, workerHeap, tasksDone: window.volunteerStatus!.tasksDone };
  });
}

/**
 * One round of tasks: describe five times, a GLM trained (feature statistics on the CPU, gradients
 * on the WGSL kernel), and the warm-up's GLM scoring every row three times in batches of 500
 * (GEMV on the CPU or WebGPU, as the slot measured). With `mlp`, also an MLP trained (gradients
 * on tfjs's webgpu backend) and the warm-up's MLP scoring (tfjs). MLP tasks take about a second
 * each on SwiftShader, so most rounds leave them out. The warm-up's models are reused so that
 * the slot's model cache (one entry per model, by design) holds the same models before and after.
 */
async function round(page: Page, mlp: boolean): Promise<void> {
  await page.evaluate(async (mlp) => {
    const { fabric, fabricApi } = window;
    const held = window as unknown as { leakModels?: { glm: import('../src/index').TrainedModel; net: import('../src/index').TrainedModel } };
    const target = { column: 'delay', threshold: 15 };
    const trainGlm = () => fabric!.train({ target, features: ['distance', 'hour(date)', 'onehot(origin)'], model: fabricApi!.logisticRegression(), maxIter: held.leakModels ? 1 : 3 });
    const trainNet = () => fabric!.train({ target, features: ['distance', 'hour(date)'], model: fabricApi!.mlp({ hidden: [4], epochs: 1, batchSize: 100_000 }) });
    if (!held.leakModels) held.leakModels = { glm: await trainGlm(), net: await trainNet() };
    else await trainGlm();
    for (let i = 0; i < 5; i++) await fabric!.describe();
    for (let i = 0; i < 3; i++) await fabric!.score(held.leakModels.glm, { batchSize: 500 });
    if (!mlp) return;
    await trainNet();
    await fabric!.score(held.leakModels.net, { batchSize: 10_000 });
  }, mlp);
}

test('1,000 tasks on one WebGPU slot leave its tensors, GPU buffers and heap where they were', async ({ coordinator, browser, errors }) => {
  await coordinator.open('?slots=0&dataset=none');
  const page = coordinator.page;
  test.setTimeout(480_000);
  await loadFlightsSample(page, 50_000, 5_000);
  const link = await coordinator.joinLink();
  const volunteer = await VolunteerPage.open(browser, `${link}&name=gpu&slots=1&backend=webgpu`, errors, 'gpu');
  await volunteer.waitJoined();
  await coordinator.waitForNodes(1);
  await expect(coordinator.nodeRows().first().getByTestId('node-backend')).toHaveText(/^webgpu\s*kernel webgpu$/);

  // Warm-up: compiles pipelines, loads the models, builds each partition's design matrices once.
  await round(page, true);
  const before = await snapshot(volunteer.page);
  expect(before.slot.collected, 'gc() is exposed in the worker').toBe(true);
  expect(before.workerHeap, 'measureUserAgentSpecificMemory attributes bytes to the worker').toBeGreaterThan(0);
  for (let r = 0; (await snapshot(volunteer.page)).tasksDone - before.tasksDone < TASKS; r++) await round(page, r === 0);
  const after = await snapshot(volunteer.page);
  // A device lost on the way would make the counters compare a fallback with WebGPU.
  expect(await volunteer.page.evaluate(() => window.volunteerStatus!.slots[0]!.deviceLost), 'no WebGPU device was lost').toBeUndefined();

  const report = { warmUpTasks: before.tasksDone, tasks: after.tasksDone - before.tasksDone, before, after };
  console.log(`leaks: ${JSON.stringify(report)}`);
  expect(after.slot.numTensors, 'tf.memory().numTensors').toBe(before.slot.numTensors);
  expect(after.slot.tfjsGpuBytes, "tfjs's webgpu bytes in use").toBe(before.slot.tfjsGpuBytes);
  expect(after.slot.kernelBuffers, 'live WGSL kernel buffers').toBe(before.slot.kernelBuffers);
  expect(after.slot.kernelBytes, 'live WGSL kernel bytes').toBe(before.slot.kernelBytes);
  expect(after.slot.memoEntries, 'memo entries').toBe(before.slot.memoEntries);
  expect(after.workerHeap! - before.workerHeap!, 'worker JS heap growth, bytes').toBeLessThan(HEAP_SLACK_BYTES);
  await volunteer.close();
});
