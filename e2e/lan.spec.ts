/**
 * LAN (classroom) mode: `npm start -- --lan` serves HTTPS with a self-signed certificate on all
 * interfaces, and the join link carries the LAN address. Here the "LAN address" is 127.0.0.2, a
 * second loopback address, so the volunteer really reaches the server at another address than
 * the coordinator's, over TLS, and joins over WebRTC.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test, VolunteerPage } from './pages';

const PORT = 4391;
let server: ChildProcess | undefined;

test.beforeAll(async () => {
  server = spawn('npx', ['tsx', 'server/start.ts', '--preview', '--lan', '--public-host', '127.0.0.2', '--port', String(PORT)], { stdio: 'pipe', detached: true });
  const output: string[] = [];
  server.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  server.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  await expect.poll(() => output.join(''), { timeout: 60_000, message: 'LAN server start' }).toContain('LAN address:');
});

test.afterAll(() => {
  if (server?.pid) process.kill(-server.pid, 'SIGTERM');
});

test('LAN mode serves HTTPS and join links carry the LAN address', async ({ browser, errors }) => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`lan coordinator: ${e.message}`));
  await page.goto(`https://localhost:${PORT}/?dataset=none`);
  await expect(page.getByText('LAN mode: https://127.0.0.2:')).toBeVisible({ timeout: 60_000 });
  const link = await page.getByTestId('join-link').inputValue();
  expect(link).toMatch(new RegExp(`^https://127\\.0\\.0\\.2:${PORT}/join\\.html#room=fabric-[0-9a-f]+&token=`));
  expect(await page.evaluate(() => crossOriginIsolated && isSecureContext)).toBe(true);

  const volunteer = await VolunteerPage.open(browser, `${link}&name=lan-student`, errors, 'lan-student');
  await volunteer.waitJoined();
  expect(await volunteer.page.evaluate(() => [location.origin, crossOriginIsolated && isSecureContext])).toEqual([`https://127.0.0.2:${PORT}`, true]);
  await expect(page.getByTestId('nodes-table')).toContainText('lan-student', { timeout: 30_000 });
  await volunteer.close();
  await context.close();
});
