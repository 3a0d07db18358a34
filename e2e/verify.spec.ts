/**
 * Verification mode against lying volunteers: one scales its gradients by 10, one sends NaN, one
 * reverses its group tables. Each is caught on probation by a check on another node, excluded, and
 * its work computed again; the model and the table equal the honest ones, and the nodes table
 * shows every node's trust state. The liars' pages may log errors when they are cut off, so their
 * errors are collected apart from the test's.
 */
import { expect, test, VolunteerPage, type CoordinatorPage } from './pages';
import { flightsSample, loadFlightsSample } from './flights-sample';
import { trainReference } from '../src/worker/features/train-reference';
import type { FeaturePlan } from '../src/protocol/train';
import type { GlmSpec } from '../src/ml/models';

async function nodeIdOf(coordinator: CoordinatorPage, name: string): Promise<string> {
  return coordinator.page.evaluate((n) => window.fabric!.nodes().find((x) => x.name === n)!.id, name);
}

const trustOf = (coordinator: CoordinatorPage, id: string) => coordinator.page.locator(`tr[data-node-id="${id}"] [data-testid="node-trust"]`);

test('volunteers that scale gradients or send NaN are caught and excluded; the model equals the reference', async ({ coordinator, browser, errors }) => {
  await coordinator.open('?slots=1&verify=2,0.1&dataset=none');
  const page = coordinator.page;
  const link = await coordinator.joinLink();
  const liarErrors: string[] = [];
  const honest = await VolunteerPage.open(browser, `${link}&name=honest`, errors, 'honest');
  const scaler = await VolunteerPage.open(browser, `${link}&name=scaler&lie=scale`, liarErrors, 'scaler');
  const nanner = await VolunteerPage.open(browser, `${link}&name=nanner&lie=nan`, liarErrors, 'nanner');
  for (const v of [honest, scaler, nanner]) await v.waitJoined();
  await coordinator.waitForNodes(4);
  // 300,000 rows in 30 partitions: enough tasks for every liar to be checked, quick to train.
  await loadFlightsSample(page, 300_000, 10_000);
  const ids = { honest: await nodeIdOf(coordinator, 'honest'), scaler: await nodeIdOf(coordinator, 'scaler'), nanner: await nodeIdOf(coordinator, 'nanner') };
  await expect(trustOf(coordinator, ids.scaler)).toHaveAttribute('data-trust', 'probation');
  await expect(page.locator('tr[data-kind="local"] [data-testid="node-trust"]')).toHaveAttribute('data-trust', 'trusted');

  await page.getByTestId('train-preset').selectOption('delayed');
  for (const f of ['onehot(destination)', 'month(date)', 'onehot(origin)']) await page.getByTestId(`feature-${f}`).uncheck();
  await page.getByTestId('train-maxiter').fill('12');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('train-panel')).toHaveAttribute('data-state', 'done', { timeout: 200_000 });

  for (const id of [ids.scaler, ids.nanner]) await coordinator.waitForLog(new RegExp(`node ${id} excluded: its (result for|late copy of) .* disagreed`));
  await coordinator.waitForNodes(2);
  await expect(trustOf(coordinator, ids.honest)).not.toHaveAttribute('data-trust', 'excluded');
  await page.getByTestId('nodes-panel').screenshot({ path: 'test-results/verify-nodes.png' });

  const trained = await page.evaluate(() => {
    const t = window.lastTrain!;
    return { params: Array.from(t.params), plan: t.plan, model: t.model, nodes: Object.keys(t.history.at(-1)!.nodes) };
  });
  expect(trained.nodes.sort()).toEqual([ids.honest, await page.evaluate(() => window.fabric!.nodes().find((n) => n.kind === 'local')!.id)].sort());
  const ref = await trainReference(flightsSample(300_000), trained.plan as FeaturePlan, trained.model as GlmSpec, { maxIter: 12 });
  const scale = Math.max(...Array.from(ref, Math.abs));
  const worst = Math.max(...trained.params.map((v, i) => Math.abs(v - ref[i]!) / scale));
  expect(worst, 'largest difference relative to the largest coefficient').toBeLessThan(1e-6);
  await honest.close();
});

test('a volunteer that sends wrong group tables is caught; the table equals the one without it', async ({ coordinator, browser, errors }) => {
  await coordinator.open('?slots=1&verify=2,0.1');
  const page = coordinator.page;
  const link = await coordinator.joinLink();
  const honest = await VolunteerPage.open(browser, `${link}&name=honest`, errors, 'honest');
  await honest.waitJoined();
  await coordinator.waitForNodes(2);

  const fit = async (): Promise<{ key: string; status: string; coefficients: (number | null)[] }[]> => {
    await page.evaluate(() => {
      delete window.lastGroups;
      document.querySelector('[data-testid="groups-result"]')?.removeAttribute('data-state');
    });
    await page.getByTestId('groups-button').click();
    await expect(page.getByTestId('groups-result')).toHaveAttribute('data-state', 'done', { timeout: 180_000 });
    return page.evaluate(() => window.lastGroups!.rows.map((r) => ({ key: r.key, status: r.status, coefficients: [...r.coefficients] })));
  };
  const clean = await fit();

  const reverser = await VolunteerPage.open(browser, `${link}&name=reverser&lie=reverse`, [], 'reverser');
  await reverser.waitJoined();
  await coordinator.waitForNodes(3);
  const liar = await nodeIdOf(coordinator, 'reverser');
  const checked = await fit();
  await coordinator.waitForLog(new RegExp(`node ${liar} excluded: its (result for|late copy of) .* disagreed`));
  await coordinator.waitForNodes(2);
  expect(checked.map((r) => r.key)).toEqual(clean.map((r) => r.key));
  for (let i = 0; i < clean.length; i++) {
    expect(checked[i]!.status, clean[i]!.key).toBe(clean[i]!.status);
    clean[i]!.coefficients.forEach((c, j) => {
      if (c === null) expect(checked[i]!.coefficients[j]).toBeNull();
      else expect(Math.abs(checked[i]!.coefficients[j]! - c), `${clean[i]!.key} coefficient ${j}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(c)));
    });
  }
  await honest.close();
});
