/**
 * A volunteer closes while it holds running tasks: they are queued again elsewhere, and the result
 * is still exactly the reference, bit for bit the same as the run without the fault.
 */
import { expect, test, VolunteerPage } from './pages';
import { expectMatchesReference } from './reference';

test('closing a volunteer with tasks in flight loses nothing', async ({ coordinator, browser, errors }) => {
  await coordinator.open('?slots=1');
  const link = await coordinator.joinLink();
  const slow = await VolunteerPage.open(browser, `${link}&name=slowpoke`, errors, 'slowpoke');
  const steady = await VolunteerPage.open(browser, `${link}&name=steady`, errors, 'steady');
  await slow.waitJoined();
  await steady.waitJoined();
  await coordinator.waitForNodes(3);

  const faultFree = await coordinator.runDescribe();
  expectMatchesReference(faultFree);
  const slowId = await coordinator.page.evaluate(() => window.fabric!.nodes().find((n) => n.name === 'slowpoke')!.id);

  // Second run: slow one volunteer down (each task held 500 times as long, over a second for a
  // cached partition), and close it as soon as it is running a task.
  await slow.page.evaluate(() => window.volunteer!.setSlowdown(500));
  await coordinator.page.evaluate(() => {
    delete window.lastDescribe;
    document.getElementById('describe-result')?.removeAttribute('data-state');
  });
  await coordinator.page.getByTestId('describe-button').click();
  await expect.poll(() => coordinator.page.evaluate((id) => window.fabric!.nodes().find((n) => n.id === id)?.running ?? 0, slowId),
    { timeout: 60_000, intervals: [20] }).toBeGreaterThan(0);
  await slow.close();
  await expect(coordinator.page.getByTestId('describe-result')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });

  const afterFault = await coordinator.readDescribeTable();
  expect(afterFault).toEqual(faultFree);
  expectMatchesReference(afterFault);
  // Its tasks were run elsewhere: queued again when it was lost, or copied earlier as stragglers.
  await coordinator.waitForLog(new RegExp(`node ${slowId} was lost with [1-9]\\d* task\\(s\\) running; they were queued again|straggler \\S+ had run [\\d.]+ s on ${slowId} `));
  const byNode = await coordinator.tasksByNode();
  expect(byNode[slowId], 'the lost node committed nothing after it left').toBeUndefined();
  await coordinator.waitForNodes(2);
  await steady.close();
});
