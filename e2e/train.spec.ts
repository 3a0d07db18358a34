/**
 * train on flights-3m with a coordinator and two volunteers over WebRTC: logistic regression of
 * "delayed more than 15 minutes" from the page, checked against the single-machine reference
 * (the same optimizer over the whole table in Node), and trained again with a volunteer closed
 * mid-run: identical coefficients.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, VolunteerPage } from './pages';
import { flightsTable } from './reference';
import { trainReference } from '../src/worker/features/train-reference';
import type { FeaturePlan } from '../src/protocol/train';
import type { GlmSpec } from '../src/ml/models';

interface Trained {
  params: number[];
  plan: FeaturePlan;
  model: GlmSpec;
  names: string[];
  iterations: number;
}

const readTrained = (page: import('@playwright/test').Page): Promise<Trained> => page.evaluate(() => {
  const t = window.lastTrain!;
  return { params: Array.from(t.params), plan: t.plan, model: t.model as GlmSpec, names: [...t.names], iterations: t.history.length - 1 };
});

test('logistic regression on flights-3m equals the reference, and survives a volunteer closing mid-run', async ({ coordinator, browser, errors }) => {
  await coordinator.open('?slots=1');
  const page = coordinator.page;
  const link = await coordinator.joinLink();
  const volunteers = [
    await VolunteerPage.open(browser, `${link}&name=ann`, errors, 'ann'),
    await VolunteerPage.open(browser, `${link}&name=ben`, errors, 'ben'),
  ];
  for (const v of volunteers) await v.waitJoined();
  await coordinator.waitForNodes(3);

  // The "delayed > 15 min" preset, with fewer features to keep the run short on two cores.
  await page.getByTestId('train-preset').selectOption('delayed');
  await page.getByTestId('feature-onehot(destination)').uncheck();
  await page.getByTestId('feature-month(date)').uncheck();
  await page.getByTestId('train-maxiter').fill('30');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('train-panel')).toHaveAttribute('data-state', 'done', { timeout: 200_000 });

  // Rendered: the loss curve, the nodes per pass, the metrics, the coefficients.
  await expect(page.getByTestId('loss-chart').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('train-nodes').locator('.strip').first()).toBeVisible();
  for (const metric of ['logLoss', 'accuracy', 'auc']) await expect(page.locator(`[data-metric="${metric}"]`)).toBeVisible();
  const auc = Number(await page.locator('[data-metric="auc"]').getAttribute('data-value'));
  expect(auc).toBeGreaterThan(0.5);
  await expect(page.getByTestId('coefficients')).toContainText('origin=');
  await page.screenshot({ path: 'test-results/train.png', fullPage: true });

  await coordinator.waitForLog(/gradient aggregation on (cpu|webgpu) \(cpu [\d.]+ ms, webgpu [\d.]+ ms for 30 × 16k\)/);
  const first = await readTrained(page);
  expect(first.iterations).toBeGreaterThan(3);
  const lastHistory = await page.evaluate(() => window.lastTrain!.history.at(-1)!.nodes);
  expect(Object.keys(lastHistory).length, JSON.stringify(lastHistory)).toBe(3);

  // The single-machine reference: the same optimizer over the whole table in Node.
  const ref = await trainReference(flightsTable(), first.plan, first.model, { maxIter: 30 });
  const scale = Math.max(...Array.from(ref, Math.abs));
  const worst = Math.max(...first.params.map((v, i) => Math.abs(v - ref[i]!) / scale));
  expect(worst, `largest difference relative to the largest coefficient`).toBeLessThan(1e-6);

  // Again, closing a volunteer after a few iterations: the same coefficients, bit for bit.
  await page.getByTestId('train-button').click();
  await expect.poll(() => page.evaluate(() => document.querySelectorAll('[data-testid="train-nodes"] .strip').length), { timeout: 120_000, intervals: [100] }).toBeGreaterThan(3);
  await volunteers[1]!.close();
  await expect(page.getByTestId('train-panel')).toHaveAttribute('data-state', 'done', { timeout: 200_000 });
  const second = await readTrained(page);
  expect(second.params).toEqual(first.params);
  await coordinator.waitForNodes(2);
  await volunteers[0]!.close();
});

test('an MLP trains over the volunteers and exports a LayersModel that tfjs loads', async ({ coordinator, browser, errors }) => {
  await coordinator.open('?slots=1');
  const page = coordinator.page;
  const link = await coordinator.joinLink();
  const volunteer = await VolunteerPage.open(browser, `${link}&name=cat`, errors, 'cat');
  await volunteer.waitJoined();
  await coordinator.waitForNodes(2);

  await page.getByTestId('train-preset').selectOption('delayed');
  await page.getByTestId('train-model').selectOption('mlp');
  for (const f of ['onehot(destination)', 'month(date)', 'onehot(origin)']) await page.getByTestId(`feature-${f}`).uncheck();
  await page.getByTestId('train-hidden').fill('8');
  await page.getByTestId('train-batch').fill('100000');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('train-panel')).toHaveAttribute('data-state', 'done', { timeout: 200_000 });
  await expect(page.locator('[data-metric="auc"]')).toBeVisible();
  const trained = await page.evaluate(() => {
    const t = window.lastTrain!;
    return { format: t.format, steps: t.history.length, first: t.history[0]!.trainLoss, last: t.history.at(-1)!.trainLoss, nodes: Object.keys(t.history.at(-1)!.nodes) };
  });
  expect(trained.format).toBe('fabric-mlp');
  expect(trained.last).toBeLessThan(trained.first);
  expect(trained.nodes.length).toBe(2);

  // Export: two downloads, model.json and weights.bin, which tfjs loads in Node.
  const files: import('@playwright/test').Download[] = [];
  page.on('download', (d) => files.push(d));
  await page.getByTestId('export-model').click();
  await expect.poll(() => files.length, { timeout: 30_000 }).toBe(2);
  const byName = new Map(await Promise.all(files.map(async (d) => [d.suggestedFilename(), await readFile((await d.path())!)] as const)));
  expect([...byName.keys()].sort()).toEqual(['model.json', 'weights.bin']);
  const tf = await import('@tensorflow/tfjs');
  const json = JSON.parse(byName.get('model.json')!.toString()) as { format: string; modelTopology: object; weightsManifest: { weights: import('@tensorflow/tfjs').io.WeightsManifestEntry[] }[] };
  expect(json.format).toBe('layers-model');
  const weights = byName.get('weights.bin')!;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) }));
  const inputs = model.inputs[0]!.shape[1]!;
  const out = (model.predict(tf.zeros([1, inputs])) as import('@tensorflow/tfjs').Tensor).dataSync();
  expect(out.length).toBe(1);
  expect(Number.isFinite(out[0])).toBe(true);
  await volunteer.close();
});
