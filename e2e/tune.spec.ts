/**
 * tune end to end: a coordinator with no local slots and two volunteers search a small MLP's
 * hyperparameters by TPE on a flights-3m sample, 24 trials four at a time. Every trial appears
 * once; closing a volunteer mid-run still gives exactly maxEvals finished trials.
 */
import { expect, test, VolunteerPage, withVolunteers } from './pages';

interface Summary { ids: number[]; statuses: string[]; nodes: string[]; stopped: string; best: number | null }

declare global {
  interface Window {
    tuneRun?: Promise<Summary>;
    tuneStarted?: number;
    tuneFinished?: number;
  }
}

/** Starts a tune run in the page, counting trials as they start and finish. */
async function startTune(page: import('@playwright/test').Page): Promise<void> {
  await page.evaluate(() => {
    window.tuneStarted = 0;
    window.tuneFinished = 0;
    window.tuneRun = window.fabric!.tune({
      space: {
        // hp.quniform, hp.loguniform, hp.choice and hp.uniform, written as the plain nodes they build.
        units: { kind: 'quniform', label: 'units', low: 4, high: 32, q: 4 },
        lr: { kind: 'loguniform', label: 'lr', low: Math.log(1e-3), high: Math.log(3e-2) },
        arch: { kind: 'choice', label: 'arch', options: [{ layers: 1 }, { layers: 2, dropout: { kind: 'uniform', label: 'dropout', low: 0, high: 0.5 } }] },
        batchSize: 512, epochs: 1,
      },
      objective: 'mlp', algo: 'tpe', maxEvals: 24, parallelism: 4, seed: 7,
      data: { target: { column: 'delay', threshold: 15 }, features: ['distance', 'hour(date)'], rows: 8000 },
      onTrial: (t) => {
        if (t.status === 'running') window.tuneStarted!++;
        else window.tuneFinished!++;
      },
    }).then((r) => ({ ids: r.trials.map((t) => t.id), statuses: r.trials.map((t) => t.status), nodes: r.trials.map((t) => t.node), stopped: r.stopped, best: r.best?.loss ?? null }));
  });
}

test('two volunteers tune an MLP; maxEvals holds exactly when one leaves mid-run', async ({ coordinator, browser, errors }) => {
  const [a, b] = (await withVolunteers(coordinator, browser, errors, ['alpha', 'beta'])) as [VolunteerPage, VolunteerPage];
  const page = coordinator.page;

  await startTune(page);
  const clean = await page.evaluate(() => window.tuneRun!);
  expect(clean.ids).toEqual([...Array(24).keys()]);
  expect(clean.statuses.every((s) => s === 'ok')).toBe(true);
  expect(clean.stopped).toBe('max-evals');
  expect(new Set(clean.nodes).size, 'both volunteers ran trials').toBe(2);
  expect(clean.best).toBeLessThan(0.7);

  // Again, closing beta once a few trials are done: its running trials run again on alpha. Beta is
  // slowed down (each trial held 40 times as long) so that it is still running one when it closes.
  const betaId = await page.evaluate(() => window.fabric!.nodes().find((n) => n.name === 'beta')!.id);
  await b.page.evaluate(() => window.volunteer!.setSlowdown(40));
  await startTune(page);
  await expect.poll(() => page.evaluate(() => window.tuneFinished ?? 0), { timeout: 120_000, intervals: [50] }).toBeGreaterThanOrEqual(4);
  await expect.poll(() => page.evaluate((id) => window.fabric!.nodes().find((n) => n.id === id)?.running ?? 0, betaId), { timeout: 60_000, intervals: [20] }).toBeGreaterThan(0);
  await b.close();
  const lossy = await page.evaluate(() => window.tuneRun!);
  expect(lossy.ids).toEqual([...Array(24).keys()]);
  expect(lossy.statuses.filter((s) => s === 'ok')).toHaveLength(24);
  expect(lossy.stopped).toBe('max-evals');
  expect(await page.evaluate(() => window.tuneStarted)).toBe(24);
  await coordinator.waitForLog(new RegExp(`node ${betaId} was lost with [1-9]\\d* task\\(s\\) running; they were queued again`));
  await a.close();
});
