/**
 * Coordinator reload: a logistic regression on flights-3m with one volunteer is trained once
 * uninterrupted (the reference), then again with the coordinator page reloaded mid-run. The
 * reloaded page offers "A training run (...) was interrupted. Resume / Discard"; the volunteer
 * rejoins from the new join link (a reloaded coordinator opens a new room, with a new id and
 * token), Resume is pressed from the keyboard, and the resumed run must end with exactly the
 * reference's parameters, its checkpoint deleted. The same for a tune job (TPE, one trial at a time):
 * the resumed run gives the uninterrupted run's trial set and runs only the unfinished trials.
 */
import type { Page } from '@playwright/test';
import { expect, test, VolunteerPage } from './pages';

const MAX_ITER = 10;

const trained = (page: Page) => page.evaluate(() => {
  const t = window.lastTrain!;
  return { params: Array.from(t.params), iterations: t.history.map((h) => h.iteration), losses: t.history.map((h) => h.trainLoss), evaluations: t.history.map((h) => h.evaluations) };
});

const checkpoints = (page: Page) => page.evaluate(() => window.fabric!.checkpoints().then((list) => list.map((c) => ({ kind: c.kind, done: c.done, total: c.total }))));

/** The "delayed > 15 min" preset with three features, so a run takes a minute on two cores. */
async function setUpTrain(page: Page): Promise<void> {
  await page.getByTestId('train-preset').selectOption('delayed');
  for (const f of ['month(date)', 'onehot(origin)', 'onehot(destination)']) await page.getByTestId(`feature-${f}`).uncheck();
  await page.getByTestId('train-maxiter').fill(String(MAX_ITER));
}

test('a train job survives a coordinator reload: Resume reaches the uninterrupted run\'s parameters', async ({ coordinator, browser, errors }) => {
  await coordinator.open('?slots=1');
  const page = coordinator.page;
  const volunteer = await VolunteerPage.open(browser, `${await coordinator.joinLink()}&name=ann`, errors, 'ann');
  await volunteer.waitJoined();
  await coordinator.waitForNodes(2);

  // The reference: the same job, uninterrupted, on the same two nodes. A finished job leaves no checkpoint.
  await setUpTrain(page);
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('train-panel')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
  const reference = await trained(page);
  expect(reference.iterations.length - 1).toBeGreaterThan(4);
  expect(await checkpoints(page)).toEqual([]);

  // Again, and reload the coordinator once a few iterations are checkpointed.
  await page.getByTestId('train-button').click();
  await expect.poll(async () => (await checkpoints(page))[0]?.done ?? 0, { timeout: 120_000, intervals: [200] }).toBeGreaterThanOrEqual(3);
  await page.reload();
  await coordinator.open('?slots=1');
  const notice = page.getByTestId('train-resume-notice');
  await expect(notice).toContainText(new RegExp(`A training run \\(logistic, \\d+ of ${MAX_ITER} iterations, saved (just now|\\d+ s ago)\\) was interrupted\\.`));

  // The volunteer lost its coordinator; it joins the new room from the new link (a new tab: the old
  // one's link differs only after '#', which the volunteer page reads once).
  await volunteer.close();
  const rejoined = await VolunteerPage.open(browser, `${await coordinator.joinLink()}&name=ann`, errors, 'ann again');
  await rejoined.waitJoined();
  await coordinator.waitForNodes(2);

  // Resume from the keyboard, counting the passes over the data the resumed job makes.
  const [saved] = await checkpoints(page);
  await page.evaluate(() => {
    const w = window as unknown as { passes: Set<string>; stats: number };
    w.passes = new Set();
    w.stats = 0;
    window.fabric!.on('task', (t) => {
      const pass = /^train-\d+-(e\d+)-/.exec(t.taskId)?.[1];
      if (pass) w.passes.add(pass);
      if (t.taskId.includes('-stats-')) w.stats++;
    });
  });
  await page.getByTestId('train-resume').focus();
  await page.keyboard.press('Enter');
  await expect(notice).toHaveCount(0);
  await expect(page.getByTestId('train-panel')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
  const resumed = await trained(page);
  expect(resumed.iterations).toEqual(reference.iterations);
  expect(resumed.losses).toEqual(reference.losses);
  expect(resumed.params, 'the resumed model equals the uninterrupted one, bit for bit').toEqual(reference.params);
  // It continued: no statistics pass, and only the passes after the checkpoint's iteration.
  const after = await page.evaluate(() => {
    const w = window as unknown as { passes: Set<string>; stats: number };
    return { passes: w.passes.size, stats: w.stats };
  });
  expect(after).toEqual({ passes: reference.evaluations.at(-1)! - reference.evaluations[saved!.done]!, stats: 0 });
  // The curve and the nodes strip show the whole run: the checkpoint's iterations, then the new ones.
  await expect(page.getByTestId('train-nodes').locator('.strip')).toHaveCount(reference.iterations.length);
  await coordinator.waitForLog(/resume: train "logistic" from its checkpoint/);
  expect(await checkpoints(page)).toEqual([]);
  await rejoined.close();
});

test('a tune job survives a coordinator reload: Resume gives the uninterrupted run\'s trial set', async ({ coordinator }) => {
  await coordinator.open('?slots=1&dataset=none');
  const page = coordinator.page;
  // TPE one trial at a time (modelling after 3 start-up trials), on the 'wait' objective: no data, 300 ms a trial.
  const run = (checkpoint: boolean) => page.evaluate((withCheckpoint) => {
    const { hp } = window.fabricApi!;
    return window.fabric!.tune({
      space: { ms: 300, x: hp.uniform('x', -1, 1), y: hp.quniform('y', 0, 1, 0.1), z: hp.choice('z', [0, 1, 2]) },
      objective: 'wait', algo: 'tpe', maxEvals: 14, parallelism: 1, seed: 5, tpe: { nStartupJobs: 3 },
      ...(withCheckpoint ? { checkpoint: { every: 1 } } : {}),
    }).then((r) => r.trials.map((t) => ({ id: t.id, params: t.params, status: t.status, loss: t.loss })));
  }, checkpoint);
  const reference = await run(false);
  expect(reference).toHaveLength(14);

  void run(true).catch(() => undefined); // dies with the page
  await expect.poll(async () => (await checkpoints(page))[0]?.done ?? 0, { timeout: 60_000, intervals: [100] }).toBeGreaterThanOrEqual(4);
  await page.reload();
  await coordinator.open('?slots=1&dataset=none');
  await expect(page.getByTestId('tune-resume-notice')).toContainText(/A tuning run \(tune tpe on wait, \d+ of 14 trials, saved (just now|\d+ s ago)\) was interrupted\./);
  // Count the trials the resumed job runs: only those the checkpoint had not finished.
  const [saved] = await checkpoints(page);
  await page.evaluate(() => {
    const w = window as unknown as { trialTasks: number };
    w.trialTasks = 0;
    window.fabric!.on('task', (t) => void (t.taskId.startsWith('tune-') && w.trialTasks++));
  });
  await page.getByTestId('tune-resume').click();
  await expect(page.getByTestId('tune-result')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const resumed = await page.evaluate(() => window.lastTune!.trials.map((t) => ({ id: t.id, params: t.params, status: t.status, loss: t.loss })));
  expect(resumed, 'every trial id has the same params and loss; maxEvals exact').toEqual(reference);
  expect(await page.evaluate(() => (window as unknown as { trialTasks: number }).trialTasks)).toBe(14 - saved!.done);
  expect(await checkpoints(page)).toEqual([]);
});
