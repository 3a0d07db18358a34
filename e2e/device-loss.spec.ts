/**
 * WebGPU device loss (issue 7, item 7): one volunteer slot forced onto WebGPU (`backend=webgpu`:
 * tfjs's webgpu backend and the WGSL model kernels) trains logistic regression on flights-3m.
 * Its devices are destroyed (`device.destroy()`, through the slot's `loseDevice()`) while a
 * gradient task runs: that task fails with `device-lost`, the slot gets new devices, the task is
 * retried and the job's coefficients equal the single-machine reference. A second loss, while idle,
 * makes the slot fall back (tfjs to wasm, the kernels to the CPU); the nodes table shows both
 * changes, and training again on the fallback gives the reference too.
 */
import type { Page } from '@playwright/test';
import { expect, test, VolunteerPage } from './pages';
import { flightsSample, loadFlightsSample } from './flights-sample';
import { trainReference } from '../src/worker/features/train-reference';
import type { FeaturePlan } from '../src/protocol/train';
import type { GlmSpec } from '../src/ml/models';
import type { ProbeReport } from '../src/protocol/slot-api';

const MAX_ITER = 8;
/** 200k rows in 10 partitions: a pass on one SwiftShader slot takes about a second (3M: 20 s). */
const ROWS = 200_000;
const PARTITION_ROWS = 20_000;

interface Trained {
  params: number[];
  plan: FeaturePlan;
  model: GlmSpec;
}

/** Starts a training job on the coordinator page; resolves with its model. */
function train(page: Page): Promise<Trained> {
  return page.evaluate(async (maxIter) => {
    const { fabric, fabricApi } = window;
    const t = await fabric!.train({
      target: { column: 'delay', threshold: 15 },
      features: ['distance', 'hour(date)', 'onehot(origin)'],
      model: fabricApi!.logisticRegression(),
      maxIter,
    });
    return { params: Array.from(t.params), plan: t.plan, model: t.model as GlmSpec };
  }, MAX_ITER);
}

/** Largest difference from the reference, relative to the largest reference coefficient. */
function worstDifference(got: readonly number[], want: Float64Array): number {
  const scale = Math.max(...Array.from(want, Math.abs));
  return Math.max(...got.map((v, i) => Math.abs(v - want[i]!) / scale));
}

test('a slot that loses its WebGPU device gets a new one, then falls back to wasm and cpu; jobs finish with the reference result', async ({ coordinator, browser, errors }) => {
  await coordinator.open('?slots=0&dataset=none');
  const page = coordinator.page;
  await loadFlightsSample(page, ROWS, PARTITION_ROWS);
  const link = await coordinator.joinLink();
  const volunteer = await VolunteerPage.open(browser, `${link}&name=gpu&slots=1&backend=webgpu`, errors, 'gpu');
  await volunteer.waitJoined();
  await coordinator.waitForNodes(1);
  const backendCell = coordinator.nodeRows().first().getByTestId('node-backend');
  await expect(backendCell).toHaveText(/^webgpu\s*kernel webgpu$/);

  // Destroy the devices while gradient tasks run on them: after the statistics pass and the first
  // gradient pass (the slot's message loop is free while a task waits for the GPU, not while a
  // CPU task such as feature-stats runs, so a loss then would land between tasks).
  const job = train(page);
  const partitions = ROWS / PARTITION_ROWS;
  await expect.poll(() => volunteer.page.evaluate(() => ({ done: window.volunteerStatus!.tasksDone, detail: window.volunteerStatus!.detail })).then((s) => s.done >= 2 * partitions && /running glm-gradient/.test(s.detail)), { timeout: 120_000, intervals: [20] }).toBe(true);
  const firstLoss = await volunteer.page.evaluate(() => window.volunteer!.loseDevice(0)) as ProbeReport;
  expect(firstLoss.chosen).toBe('webgpu');
  expect(firstLoss.kernel?.chosen).toBe('webgpu');
  expect(firstLoss.deviceLost?.detail).toMatch(/tfjs: WebGPU device lost \(destroyed.*\); got a new device; model kernels: WebGPU device lost \(destroyed.*\); got a new device/);
  await expect(backendCell).toHaveText('webgpu (device lost, new device)kernel webgpu (device lost, new device)');

  const first = await job;
  await coordinator.waitForLog(/task .* failed on .*: \[device-lost\] run: this slot's WebGPU device was lost while it ran glm-gradient task .* \(will retry\)/);
  await expect(coordinator.nodeRows().first().getByTestId('node-tasks')).toContainText('failed');
  const reference = await trainReference(flightsSample(ROWS), first.plan, first.model, { maxIter: MAX_ITER });
  // The WGSL kernel sums f32 per-row terms (F32_RELATIVE_TOLERANCE, 1e-5, per gradient);
  // through 8 L-BFGS steps that moved the coefficients by 6.6e-6 of their scale here (one run).
  console.log(`device-loss: mid-job loss, largest difference ${worstDifference(first.params, reference).toExponential(2)} of the largest coefficient`);
  expect(worstDifference(first.params, reference), 'after a lost device, largest difference relative to the largest coefficient').toBeLessThan(1e-4);

  // A second loss, while idle: the slot stops trusting WebGPU.
  const secondLoss = await volunteer.page.evaluate(() => window.volunteer!.loseDevice(0)) as ProbeReport;
  expect(secondLoss.chosen).toBe('wasm');
  expect(secondLoss.kernel?.chosen).toBe('cpu');
  expect(secondLoss.deviceLost?.count).toBe(4);
  await expect(backendCell).toHaveText('webgpu → wasm (device lost)kernel webgpu → cpu (device lost)');

  const second = await train(page);
  expect(second.plan).toEqual(first.plan);
  // The CPU kernel is the float64 reference's own arithmetic, summed per partition.
  console.log(`device-loss: on the fallback, largest difference ${worstDifference(second.params, reference).toExponential(2)}`);
  expect(worstDifference(second.params, reference), 'on the fallback, largest difference relative to the largest coefficient').toBeLessThan(1e-6);
  await volunteer.close();
});
