/**
 * score end to end: a coordinator with no local slots and two volunteers score all of flights-3m
 * with a logistic model trained on the page and with a small tfjs MLP built here. Predictions
 * match a single-thread pass in Node (the GLM's formula on its feature plan; tfjs `model.predict`)
 * to 1e-5 on every 499th row, every row is present once and in order, the model is sent and loaded
 * once per slot, and the output is bit-identical when a volunteer is closed mid-job. A streaming run
 * at a modest rate reports its latency percentiles.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, test, VolunteerPage, withVolunteers } from './pages';
import { flightsTable } from './reference';
import { glmPredict } from '../src/kernels/glm-cpu';
import { scoreDesign } from '../src/worker/features/score-design';
import type { FeaturePlan } from '../src/protocol/train';

/** Every 499th row: about 6,000 rows across all 30 partitions. */
const STRIDE = 499;

interface Scored { rows: number; names: string[]; sample: number[]; loads: number; sent: number; modelBytes: number; nodes: number; nan: number }

declare global {
  interface Window {
    scoreModel?: unknown;
    cleanPredictions?: Float64Array;
  }
}

/** Runs fabric.score on the page with window.scoreModel; keeps the predictions there, returns a sample. */
async function scoreInPage(page: import('@playwright/test').Page, keep: boolean, beforeDone?: () => Promise<void>): Promise<Scored & { sameAsClean: boolean | null }> {
  await page.evaluate(() => { delete (window as { scoring?: unknown }).scoring; });
  await page.evaluate(() => {
    (window as { scoring?: unknown }).scoring = window.fabric!.score(window.scoreModel as never, { batchSize: 20_000 });
  });
  if (beforeDone) await beforeDone();
  return page.evaluate(async ({ stride, keep: k }) => {
    const out = await (window as unknown as { scoring: ReturnType<NonNullable<typeof window.fabric>['score']> }).scoring;
    const sample: number[] = [];
    for (let r = 0; r < out.rows; r += stride) sample.push(out.predictions[r]!);
    let nan = 0;
    for (const v of out.predictions) if (Number.isNaN(v)) nan++;
    const clean = window.cleanPredictions;
    const sameAsClean = clean ? clean.length === out.predictions.length && clean.every((v, i) => Object.is(v, out.predictions[i])) : null;
    if (k) window.cleanPredictions = out.predictions;
    const bytes = (window.scoreModel as { bytes?: Uint8Array }).bytes?.byteLength ?? 0;
    return { rows: out.rows, names: [...out.names], sample, loads: out.loads, sent: out.modelBytesSent, modelBytes: bytes, nodes: Object.keys(out.rowsByNode).length, nan, sameAsClean };
  }, { stride: STRIDE, keep });
}

test('two volunteers score flights-3m with a trained logistic model and a tfjs MLP, also when one leaves', async ({ coordinator, browser, errors }) => {
  test.setTimeout(420_000);
  const [a, b] = (await withVolunteers(coordinator, browser, errors, ['alpha', 'beta'])) as [VolunteerPage, VolunteerPage];
  const page = coordinator.page;
  const flights = flightsTable();

  // 1. A logistic model trained on the page.
  const glm = await page.evaluate(async () => {
    const api = window.fabricApi!;
    const model = await window.fabric!.train({ target: { column: 'delay', threshold: 15 }, features: ['distance', 'hour(date)', 'onehot(origin)'], model: api.logisticRegression({ l2: 1e-3 }), maxIter: 8 });
    window.scoreModel = model;
    return model.format === 'fabric-glm' ? { plan: model.plan, params: Array.from(model.params) } : null;
  });
  expect(glm).not.toBeNull();
  const glmRun = await scoreInPage(page, true);
  expect(glmRun.rows).toBe(3_000_000);
  expect(glmRun.names).toEqual(['probability']);
  expect(glmRun.nan).toBe(0);
  expect(glmRun.nodes).toBe(2);
  expect(glmRun.loads, 'the model is loaded once per volunteer slot').toBe(2);
  const { design } = scoreDesign(flights, glm!.plan as FeaturePlan);
  const want = glmPredict('logistic', design, Float64Array.from(glm!.params), 2);
  glmRun.sample.forEach((v, i) => expect(Math.abs(v - want[i * STRIDE]!), `row ${i * STRIDE}`).toBeLessThan(1e-5));

  // The same job with beta closed while it scores: every row once, bit-identical.
  const betaId = await page.evaluate(() => window.fabric!.nodes().find((n) => n.name === 'beta')!.id);
  await b.page.evaluate(() => window.volunteer!.setSlowdown(20));
  const lossy = await scoreInPage(page, false, async () => {
    await expect.poll(() => page.evaluate((id) => window.fabric!.nodes().find((n) => n.id === id)?.running ?? 0, betaId), { timeout: 60_000, intervals: [20] }).toBeGreaterThan(0);
    await b.close();
  });
  expect(lossy.sameAsClean).toBe(true);
  await coordinator.waitForLog(new RegExp(`node ${betaId} was lost with [1-9]\\d* task\\(s\\) running; they were queued again`));

  // 2. A small tfjs MLP on two numeric columns, built and saved here, scored on the one volunteer left.
  const net = tf.sequential({ layers: [
    tf.layers.dense({ units: 8, inputShape: [2], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
  ] });
  let saved: tf.io.ModelArtifacts | undefined;
  await net.save(tf.io.withSaveHandler(async (art) => { saved = art; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const modelJson = { format: 'layers-model', modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: saved!.weightSpecs }] };
  const weights = Array.from(new Uint8Array(saved!.weightData as ArrayBuffer));
  await page.evaluate(async ({ json, w }) => {
    window.cleanPredictions = undefined;
    window.scoreModel = await window.fabric!.model({ modelJson: json, shards: { 'group1-shard1of1.bin': Uint8Array.from(w) } }, { columns: ['distance', 'delay'] });
  }, { json: modelJson, w: weights });
  const mlpRun = await scoreInPage(page, false);
  expect(mlpRun.rows).toBe(3_000_000);
  expect(mlpRun.loads).toBe(1);
  expect(mlpRun.sent).toBe(mlpRun.modelBytes);
  const rows = Array.from({ length: mlpRun.sample.length }, (_, i) => i * STRIDE);
  const x = tf.tensor2d(rows.map((r) => [Number(flights.getChild('distance')!.get(r)), Number(flights.getChild('delay')!.get(r))]));
  const expected = (net.predict(x) as tf.Tensor).dataSync();
  mlpRun.sample.forEach((v, i) => expect(Math.abs(v - expected[i]!), `row ${rows[i]}`).toBeLessThan(1e-5));

  // A model whose inputs are not in the data: an error that names both.
  const mismatch = await page.evaluate(async ({ json, w }) => {
    const m = await window.fabric!.model({ modelJson: json, shards: { 'group1-shard1of1.bin': Uint8Array.from(w) } }, { columns: ['distance', 'altitude'] });
    return window.fabric!.score(m, {}).then(() => 'no error', (e: Error) => e.message);
  }, { json: modelJson, w: weights });
  expect(mismatch).toMatch(/input column "altitude" is not in .*whose columns are: date, delay, distance, origin, destination/);

  // 3. Streaming at a modest rate: every batch in order, with latency percentiles.
  const stream = await page.evaluate(async () => {
    const s = window.fabric!.scoreStream(window.scoreModel as never, { rate: 20_000, batchRows: 2000, rows: 60_000 });
    const firsts: number[] = [];
    for await (const batch of s) firsts.push(batch.firstRow);
    return { firsts, stats: s.stats() };
  });
  expect(stream.firsts).toEqual(Array.from({ length: 30 }, (_, i) => i * 2000));
  expect(stream.stats.rowsScored).toBe(60_000);
  expect(stream.stats.p50).toBeGreaterThan(0);
  expect(stream.stats.p99).toBeGreaterThanOrEqual(stream.stats.p95);
  expect(stream.stats.p95).toBeGreaterThanOrEqual(stream.stats.p50);
  await a.close();
});
