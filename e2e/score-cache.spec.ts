/**
 * A model stays with a volunteer: scoring twice sends and loads the model once per slot, and a
 * volunteer tab that is reloaded (a new node to the coordinator) loads the model from the
 * browser's IndexedDB instead of the link. Counted by the coordinator's model bytes sent and the
 * slots' model loads.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, test, VolunteerPage } from './pages';

interface Run { loads: number; sent: number; rows: number }

test('a reloaded volunteer loads its model from IndexedDB, not the link', async ({ coordinator, browser, errors }) => {
  await coordinator.open('?slots=0&dataset=none');
  const page = coordinator.page;
  await page.evaluate(async () => {
    await window.fabric!.load(window.fabricApi!.synthetic.iot({ devices: 50, rowsPerDevice: 200, seed: 3 }));
  });
  const link = await coordinator.joinLink();
  const v = await VolunteerPage.open(browser, `${link}&name=keeper&slots=1`, errors, 'keeper');
  await v.waitJoined();
  await coordinator.waitForNodes(1);

  // A tfjs model of about 1 MB, so its bytes are plain to see in the counts.
  const net = tf.sequential({ layers: [
    tf.layers.dense({ units: 512, inputShape: [3], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
    tf.layers.dense({ units: 512, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }),
    tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }),
  ] });
  let saved: tf.io.ModelArtifacts | undefined;
  await net.save(tf.io.withSaveHandler(async (art) => { saved = art; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const modelJson = { modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: saved!.weightSpecs }] };
  const weights = Array.from(new Uint8Array(saved!.weightData as ArrayBuffer));
  const modelBytes = await page.evaluate(async ({ json, w }) => {
    const m = await window.fabric!.model({ modelJson: json, shards: { 'w.bin': Uint8Array.from(w) } }, { columns: ['x1', 'x2', 'x3'] });
    (window as { cacheModel?: unknown }).cacheModel = m;
    return m.bytes.byteLength;
  }, { json: modelJson, w: weights });
  expect(modelBytes).toBeGreaterThan(1_000_000);
  const score = (): Promise<Run> => page.evaluate(async () => {
    const out = await window.fabric!.score((window as { cacheModel?: never }).cacheModel!, { batchSize: 2000 });
    return { loads: out.loads, sent: out.modelBytesSent, rows: out.rows };
  });

  const first = await score();
  expect(first).toEqual({ loads: 1, sent: modelBytes, rows: 10_000 });
  const second = await score();
  expect(second, 'the slot kept the model: nothing sent, nothing loaded').toEqual({ loads: 0, sent: 0, rows: 10_000 });

  // Reload the tab: a new node whose slot is empty, but whose browser kept the model.
  const oldId = await page.evaluate(() => window.fabric!.nodes()[0]!.id);
  await v.page.reload();
  await v.waitJoined();
  await expect.poll(() => page.evaluate(() => window.fabric!.nodes().map((n) => n.id)), { timeout: 30_000 }).toEqual([expect.not.stringMatching(new RegExp(`^${oldId}$`))]);
  const third = await score();
  expect(third, 'loaded from IndexedDB into the new slot, not sent').toEqual({ loads: 1, sent: 0, rows: 10_000 });
  await v.close();
});
