/**
 * Classroom mode, end to end with three volunteers on phone-sized pages: the projector view at
 * phone size runs the sample check from the keyboard (single-node and distributed agree); at
 * projector size (1920x1080) the guided demo runs its four steps; then the teacher slows one
 * device 5x and removes another mid-run from their cards, the class sees the speculation and
 * re-assignment in the event strip, and the reruns give the same result. Screenshots go to
 * docs/screenshots/.
 */
import type { Page } from '@playwright/test';
import { expect, test, VolunteerPage, type CoordinatorPage } from './pages';

const PROJECTOR = { width: 1920, height: 1080 };
const PHONE = { width: 390, height: 844 };
const SHOTS = 'docs/screenshots';

/** Presses a step's Run button and waits until the step is done. */
async function runStep(page: Page, id: string): Promise<void> {
  await page.getByTestId(`step-run-${id}`).click();
  await expect(page.getByTestId(`step-${id}`)).toHaveAttribute('data-state', 'running');
  await expect(page.getByTestId(`step-${id}`)).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
}

function card(page: Page, name: string) {
  return page.getByTestId('device-card').filter({ has: page.getByTestId('device-name').getByText(name, { exact: true }) });
}

async function openClassroom(coordinator: CoordinatorPage, browser: import('@playwright/test').Browser, errors: string[]): Promise<VolunteerPage[]> {
  await coordinator.page.setViewportSize(PROJECTOR);
  await coordinator.open('?view=projector&slots=0');
  const page = coordinator.page;
  await expect(page.getByTestId('projector')).toBeVisible();
  await expect(page.getByTestId('projector-qr')).toBeVisible();
  await expect(page.getByTestId('projector-dataset')).toContainText('3,000,000 rows');
  const link = await page.getByTestId('projector-link').inputValue();
  expect(link).toBe(await coordinator.joinLink());
  const t0 = Date.now();
  const volunteers = await Promise.all(['ann', 'ben', 'cat'].map((name) => VolunteerPage.open(browser, `${link}&name=${name}`, errors, name)));
  for (const v of volunteers) {
    await v.page.setViewportSize(PHONE);
    await v.waitJoined();
  }
  // Reported, not asserted (timings are noisy here): from opening the link to computing.
  console.log(`classroom: 3 volunteers joined ${((Date.now() - t0) / 1000).toFixed(1)} s after opening the join link`);
  await expect(page.getByTestId('device-card')).toHaveCount(3, { timeout: 60_000 });
  return volunteers;
}

test('classroom: sample check, the four-step guided demo and live fault demos with three volunteers', async ({ coordinator, browser, errors }) => {
  test.setTimeout(480_000);
  const page = coordinator.page;
  const [ann, ben, cat] = (await openClassroom(coordinator, browser, errors)) as [VolunteerPage, VolunteerPage, VolunteerPage];

  // Phone size: one column, and the sample check works from the keyboard.
  await page.setViewportSize(PHONE);
  const sampleButton = page.getByTestId('sample-check-run');
  await sampleButton.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('sample-check')).toHaveAttribute('data-state', 'done', { timeout: 180_000 });
  await expect(page.getByTestId('sample-verdict')).toHaveAttribute('data-agree', 'true');
  await expect(page.getByTestId('sample-verdict')).toContainText(/agree (exactly )?\(\d+ values, max difference/);
  await expect(page.getByTestId('projector-dataset')).toContainText('3,000,000 rows');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, 'no sideways scrolling on a phone').toBeLessThanOrEqual(PHONE.width);
  await page.screenshot({ path: `${SHOTS}/classroom-phone.png`, fullPage: true });

  // Projector size: the four steps in order; step 4 scores with step 1's model.
  await page.setViewportSize(PROJECTOR);
  await runStep(page, 'train');
  await expect(page.getByTestId('step-figure-train').locator('canvas')).toBeVisible();
  await runStep(page, 'groups');
  await expect(page.getByTestId('step-figure-groups').locator('li')).toHaveCount(12);
  await runStep(page, 'tune');
  await expect(page.getByTestId('step-figure-tune').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('step-result-tune')).toContainText('16 trials');
  await runStep(page, 'score');
  await expect(page.getByTestId('step-result-score')).toContainText('3,000,000 rows scored');
  await expect(page.getByTestId('stream-p99')).toHaveText(/^\d+ ms$/);
  await expect(page.getByTestId('job-status')).toHaveAttribute('data-state', 'done');
  // Every device did part of the work, and each volunteer's page says how much.
  for (const name of ['ann', 'ben', 'cat']) await expect(card(page, name).getByTestId('device-share')).not.toHaveText('0% of the work');
  await expect(ann.page.getByTestId('volunteer-standing')).toContainText(/You did [\d.]+% of the work so far: \d(st|nd|rd) of 3 device\(s\)\./);
  await page.screenshot({ path: `${SHOTS}/classroom-projector.png`, fullPage: true });
  await ann.page.screenshot({ path: `${SHOTS}/classroom-volunteer-phone.png`, fullPage: true });

  // Fault demo 1: cat slowed 5x from its card (keyboard), the training step again: same model.
  const slow = card(page, 'cat').getByTestId('device-slow');
  await slow.focus();
  await page.keyboard.press('Enter');
  await expect(cat.page.getByTestId('volunteer-speed')).toHaveText('slowed 5×');
  await expect(card(page, 'cat').getByTestId('device-state')).toContainText('slowed 5×');
  await expect(slow).toHaveText('Normal speed');
  await runStep(page, 'train');
  await expect(page.getByTestId('step-compare-train')).toHaveAttribute('data-agree', 'true');
  await expect(page.getByTestId('step-compare-train')).toContainText('Same result as the run before');
  await expect(page.getByTestId('event-strip')).toContainText('Speculation: straggler');

  // Fault demo 2: cat back to normal speed; ben removed while the per-airport fit runs on it: its
  // tasks are queued again on the others, and the table is the same. The button is pressed in the
  // page the moment ben holds a task, so the task cannot finish in between.
  await slow.click();
  await expect(cat.page.getByTestId('volunteer-speed')).toHaveText('normal');
  await expect(slow).toHaveText('Slow ×5');
  const benId = await card(page, 'ben').getAttribute('data-node-id');
  await page.getByTestId('step-run-groups').click();
  await page.evaluate((id) => new Promise<void>((resolve) => {
    const pressWhenBusy = (): void => {
      if ((window.fabric!.nodes().find((n) => n.id === id)?.running ?? 0) > 0) {
        document.querySelector<HTMLButtonElement>(`[data-testid="device-card"][data-node-id="${id}"] [data-testid="device-remove"]`)!.click();
        resolve();
      } else setTimeout(pressWhenBusy, 2);
    };
    pressWhenBusy();
  }), benId);
  await expect(page.getByTestId('step-groups')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
  await expect(page.getByTestId('step-compare-groups')).toHaveAttribute('data-agree', 'true');
  await expect(page.getByTestId('event-strip')).toContainText(/Re-assigned: node .* was lost with \d+ task\(s\) running; they were queued again/);
  await expect(page.getByTestId('event-strip')).toContainText('Removed: volunteer ben');
  await expect(page.getByTestId('device-card')).toHaveCount(2);
  await expect(ben.page.getByTestId('volunteer-state')).toHaveAttribute('data-state', 'removed');
  await expect(ben.page.getByTestId('volunteer-detail')).toContainText('the teacher removed this device (a fault demo)');
  await page.screenshot({ path: `${SHOTS}/classroom-faults.png`, fullPage: true });

  // The API under the slow button tells a caller what went wrong and what to do.
  const mistakes = await page.evaluate(async () => {
    const f = window.fabric!;
    const text = (e: { code: string; message: string }): string => `${e.code}: ${e.message}`;
    return {
      factor: await f.setNodeSlowdown(f.nodes()[0]!.id, 0.5).then(() => 'no error', text),
      node: await f.setNodeSlowdown('no-such-node', 5).then(() => 'no error', text),
    };
  });
  expect(mistakes.factor).toBe('bad-input: setNodeSlowdown: factor must be a number from 1 (normal) to 100, got 0.5');
  expect(mistakes.node).toMatch(/^bad-input: setNodeSlowdown: no live node has id "no-such-node"; the live ones are v\d+, v\d+\. Read ids from fabric\.nodes\(\)\.$/);

  for (const v of [ann, ben, cat]) await v.close();
});
