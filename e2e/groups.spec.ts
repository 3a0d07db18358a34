/**
 * fitGroups end to end: a coordinator with no local slots and two volunteers fit one OLS model per
 * origin of flights-3m from the page's Fit groups button. The table matches an independent float64
 * reference computed here in Node, renders with its plots, and is the same when one volunteer is
 * closed while it holds groups.
 */
import { expect, test, VolunteerPage, withVolunteers, type CoordinatorPage } from './pages';
import { flightsTable } from './reference';
import { columnSpread, flightsDistanceHour, gaussSolve, groupNormalEquations } from '../src/testing/ols-reference';

interface Row { key: string; rows: number; status: string; coefficients: (number | null)[]; node: string }

/** Presses Fit groups (the panel's defaults: origin, delay on distance and hour(date), OLS) and returns the table. */
async function fitGroups(coordinator: CoordinatorPage, beforeDone?: () => Promise<void>): Promise<Row[]> {
  const page = coordinator.page;
  await page.evaluate(() => {
    delete window.lastGroups;
    document.querySelector('[data-testid="groups-result"]')?.removeAttribute('data-state');
  });
  await page.getByTestId('groups-button').click();
  if (beforeDone) await beforeDone();
  await expect(page.getByTestId('groups-result')).toHaveAttribute('data-state', 'done', { timeout: 180_000 });
  return page.evaluate(() => window.lastGroups!.rows.map((r) => ({ key: r.key, rows: r.rows, status: r.status, coefficients: [...r.coefficients], node: r.node })));
}

function expectMatchesReference(rows: Row[]): void {
  const reference = groupNormalEquations([flightsTable()], 'origin', 'delay', flightsDistanceHour);
  expect(rows.map((r) => r.key)).toEqual([...reference.keys()].sort());
  let ok = 0;
  for (const row of rows) {
    const a = reference.get(row.key)!;
    expect(row.rows, row.key).toBe(a.n);
    if (a.n <= 3) expect(row.status, row.key).toBe('too-few-rows');
    else if (Math.min(columnSpread(a, 0), columnSpread(a, 1)) < 1e-9 * (a.xtx[0]![0]! / a.n)) expect(row.status, row.key).toBe('singular');
    else {
      expect(row.status, row.key).toBe('ok');
      const want = gaussSolve(a.xtx, a.xty);
      row.coefficients.forEach((c, j) => expect(Math.abs(c! - want[j]!) / Math.abs(want[j]!), `${row.key} coefficient ${j}`).toBeLessThan(1e-6));
      ok++;
    }
  }
  expect(ok).toBeGreaterThan(150);
}

test('two volunteers fit one model per origin; closing one mid-job changes nothing', async ({ coordinator, browser, errors }) => {
  const [a, b] = (await withVolunteers(coordinator, browser, errors, ['alpha', 'beta'])) as [VolunteerPage, VolunteerPage];

  const clean = await fitGroups(coordinator);
  expectMatchesReference(clean);
  const nodes = new Set(clean.map((r) => r.node).filter((n) => n !== ''));
  expect(nodes.size, 'both volunteers fitted groups').toBe(2);

  // The table, its legend and both plots render.
  const page = coordinator.page;
  await expect(page.getByTestId('groups-table').locator('tbody tr')).toHaveCount(229);
  await expect(page.getByTestId('groups-table').locator('tr[data-key="ORD"]')).toHaveAttribute('data-status', 'ok');
  await expect(page.getByTestId('groups-coef-plot').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('groups-metric-plot').locator('canvas')).toBeVisible();
  await page.getByTestId('groups-filter').fill('ORD');
  await expect(page.getByTestId('groups-table').locator('tbody tr')).toHaveCount(1);
  await page.getByTestId('groups-filter').fill('');
  await page.screenshot({ path: 'test-results/groups.png', fullPage: true });

  // Again, closing beta as soon as it runs a task: its groups are fitted by alpha.
  const betaId = await page.evaluate(() => window.fabric!.nodes().find((n) => n.name === 'beta')!.id);
  await b.page.evaluate(() => window.volunteer!.setSlowdown(50));
  const lossy = await fitGroups(coordinator, async () => {
    await expect.poll(() => page.evaluate((id) => window.fabric!.nodes().find((n) => n.id === id)?.running ?? 0, betaId),
      { timeout: 60_000, intervals: [20] }).toBeGreaterThan(0);
    await b.close();
  });
  const strip = (rows: Row[]): unknown => rows.map((r) => ({ ...r, node: '' }));
  expect(strip(lossy)).toEqual(strip(clean));
  expect(lossy.filter((r) => r.node === betaId), 'the lost node committed nothing after it left').toHaveLength(0);
  await coordinator.waitForLog(new RegExp(`node ${betaId} was lost with [1-9]\\d* task\\(s\\) running; they were queued again`));
  await a.close();
});
