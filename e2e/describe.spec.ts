/**
 * The whole path: coordinator + two volunteers in separate browser contexts, over real WebRTC
 * through the real PeerServer, run `describe` on flights-3m and get the reference result.
 */
import { mkdirSync } from 'node:fs';
import { expect, test, VolunteerPage } from './pages';
import { expectMatchesReference } from './reference';

test('two volunteers join over WebRTC and describe equals the single-thread reference', async ({ coordinator, browser, errors }) => {
  await coordinator.open();
  const page = coordinator.page;
  // The dataset panel: schema, rows, partitions.
  await expect(page.getByTestId('partition-count')).toHaveText('30');
  await expect(page.getByTestId('schema-table')).toContainText('Timestamp<MICROSECOND>');
  await expect(page.getByTestId('partition-cell')).toHaveCount(30);
  // The join panel: link with room and token, QR code, token of at least 128 bits.
  const link = await coordinator.joinLink();
  const token = new URLSearchParams(new URL(link).hash.slice(1)).get('token')!;
  expect(token.length * 6).toBeGreaterThanOrEqual(128);
  await expect(page.getByTestId('room-token')).toHaveText(token);
  await expect(page.getByTestId('join-qr')).toBeVisible();
  await coordinator.waitForNodes(1);
  await expect(coordinator.nodeRows().first()).toHaveAttribute('data-kind', 'local');

  const volunteers = [
    await VolunteerPage.open(browser, `${link}&name=alice`, errors, 'alice'),
    await VolunteerPage.open(browser, `${link}&name=bob`, errors, 'bob'),
  ];
  for (const v of volunteers) await v.waitJoined();
  await coordinator.waitForNodes(3);
  await expect(page.getByTestId('nodes-table')).toContainText('alice');
  await expect(page.getByTestId('nodes-table')).toContainText('bob');
  // Each node shows its measured model-kernel choice (WebGPU exists here, on SwiftShader, and loses).
  await expect(page.getByTestId('node-backend').first()).toContainText(/kernel (cpu|webgpu)/);
  expect(await page.getByTestId('node-backend').first().getAttribute('title')).toMatch(/cpu [\d.]+ ms, webgpu [\d.]+ ms/);

  const got = await coordinator.runDescribe();
  expectMatchesReference(got);
  // Both volunteers computed partitions sent over WebRTC and sent results back. Which result is
  // committed is a race: the local slot holds the data, and once most of the job is done it copies
  // a volunteer's slower first task (speculation), so the volunteers may commit none of them.
  const byNode = await coordinator.tasksByNode();
  expect(Object.values(byNode).reduce((a, b) => a + b, 0)).toBe(30);
  for (const v of volunteers) await expect(v.page.getByTestId('tasks-done')).not.toHaveText('0');
  await expect(page.getByTestId('describe-progress-text')).toContainText('30 / 30 tasks done');

  mkdirSync('test-results', { recursive: true });
  await page.screenshot({ path: 'test-results/coordinator-two-volunteers.png', fullPage: true });
  await volunteers[0]!.page.screenshot({ path: 'test-results/volunteer.png', fullPage: true });

  // Closing a volunteer removes it from the table.
  await volunteers[1]!.close();
  await coordinator.waitForNodes(2);
  await expect(page.getByTestId('nodes-table')).not.toContainText('bob');
  await volunteers[0]!.close();
});
