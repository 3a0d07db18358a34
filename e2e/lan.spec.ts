/**
 * LAN (classroom) mode: `npm start -- --lan` serves HTTPS with a self-signed certificate on all
 * interfaces, the join link carries the LAN address, and the coordinator opens on the projector
 * view.
 *
 * 1. The "LAN address" is 127.0.0.2, a second loopback address: the volunteer reaches the server
 *    at another address than the coordinator's, over TLS, from the projector's short link, and
 *    joins over WebRTC; it names itself after joining.
 * 2. A second host: a network namespace joined to this one by a veth pair on addresses this test
 *    sets up. A headless volunteer (`npm run volunteer`) started inside the namespace opens the
 *    projector's join link (the URL its QR code encodes), joins over HTTPS and WebRTC across the
 *    veth, and computes a whole job alone. Skipped, with the reason, where namespaces cannot be
 *    made (not root, or no `ip netns`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { expect, test, VolunteerPage } from './pages';

// Derived from the suite's port, so checkouts running side by side use different ports and subnets.
const E2E_PORT = Number(process.env.FABRIC_E2E_PORT ?? 4317);
const PORT = E2E_PORT + 74;
const NS_PORT = E2E_PORT + 75;
const SUBNET = `10.213.${(E2E_PORT % 200) + 20}`;
const NS = `fabric-${E2E_PORT}`;
const VETH_HOST = `fab${E2E_PORT}a`;
const VETH_NS = `fab${E2E_PORT}b`;

/** Starts `npm start -- --preview --lan` on a port; resolves once it says where it listens. */
async function startLanServer(publicHost: string, port: number): Promise<ChildProcess> {
  const server = spawn('npx', ['tsx', 'server/start.ts', '--preview', '--lan', '--public-host', publicHost, '--port', String(port)], { stdio: 'pipe', detached: true });
  const output: string[] = [];
  server.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  server.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  await expect.poll(() => output.join(''), { timeout: 60_000, message: 'LAN server start' }).toContain('LAN address:');
  return server;
}

/** Ends a process group this test started. */
function stopGroup(p: ChildProcess | undefined): void {
  if (p?.pid) {
    try {
      process.kill(-p.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
}

/**
 * An HTTPS request made from inside the namespace (Node's own client, the certificate being
 * self-signed): resolves with the status and the Location header.
 */
function requestFromNamespace(method: string, url: string, body = ''): { status: number; location: string } {
  const script = `const r = require('node:https').request(process.argv[1], { method: process.argv[2], rejectUnauthorized: false }, (res) => { console.log(JSON.stringify({ status: res.statusCode, location: res.headers.location ?? '' })); res.resume(); }); r.end(process.argv[3]);`;
  return JSON.parse(execFileSync('ip', ['netns', 'exec', NS, process.execPath, '-e', script, url, method, body], { encoding: 'utf8' })) as { status: number; location: string };
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

/** Removes the namespace and the veth pair, whatever exists of them. */
function removeNamespace(): void {
  for (const args of [['link', 'del', VETH_HOST], ['netns', 'del', NS]]) {
    try {
      ip(...args);
    } catch {
      // Not there: nothing to clean.
    }
  }
}

/** Makes the namespace and the veth pair; returns why it could not, or undefined. */
function makeNamespace(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add); this run is not root';
  removeNamespace(); // a run killed before its cleanup
  try {
    ip('netns', 'add', NS);
  } catch (e) {
    return `ip netns add failed here: ${(e as Error).message.split('\n')[0]}`;
  }
  try {
    ip('link', 'add', VETH_HOST, 'type', 'veth', 'peer', 'name', VETH_NS);
    ip('link', 'set', VETH_NS, 'netns', NS);
    ip('addr', 'add', `${SUBNET}.1/24`, 'dev', VETH_HOST);
    ip('link', 'set', VETH_HOST, 'up');
    ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${SUBNET}.2/24`, 'dev', VETH_NS);
    ip('netns', 'exec', NS, 'ip', 'link', 'set', VETH_NS, 'up');
    ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
    // As on a school network, this machine is the second host's gateway. Chromium gathers WebRTC
    // candidates only on the interface of its default route (without camera permission): with no
    // default route in the namespace, the data channel never opened ("did not open within 20000 ms").
    ip('netns', 'exec', NS, 'ip', 'route', 'add', 'default', 'via', `${SUBNET}.1`);
  } catch (e) {
    removeNamespace();
    return `a veth pair into the namespace could not be set up: ${(e as Error).message.split('\n')[0]}`;
  }
  return undefined;
}

test.describe('LAN mode on a second loopback address', () => {
  let server: ChildProcess | undefined;
  test.beforeAll(async () => {
    server = await startLanServer('127.0.0.2', PORT);
  });
  test.afterAll(() => stopGroup(server));

  test('LAN mode serves HTTPS, opens the projector view, join links carry the LAN address, the short link leads to the room', async ({ browser, errors }) => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`lan coordinator: ${e.message}`));
    await page.goto(`https://localhost:${PORT}/?dataset=none`);
    await expect(page.getByTestId('projector')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('projector-short-link')).toHaveText(`https://127.0.0.2:${PORT}/j`);
    const link = await page.getByTestId('projector-link').inputValue();
    expect(link).toMatch(new RegExp(`^https://127\\.0\\.0\\.2:${PORT}/join\\.html#room=fabric-[0-9a-f]+&token=`));
    expect(link).toBe(await page.getByTestId('join-link').inputValue());
    expect(await page.evaluate(() => crossOriginIsolated && isSecureContext)).toBe(true);

    // The short link leads to the room: a student can type it where scanning fails.
    const volunteer = await VolunteerPage.open(browser, `https://127.0.0.2:${PORT}/j`, errors, 'lan-student');
    await volunteer.waitJoined();
    expect(volunteer.page.url()).toBe(link);
    await volunteer.page.getByTestId('nickname').fill('lan-student');
    await volunteer.page.getByTestId('nickname').press('Enter');
    expect(await volunteer.page.evaluate(() => [location.origin, crossOriginIsolated && isSecureContext])).toEqual([`https://127.0.0.2:${PORT}`, true]);
    // Named after joining, from the nickname field.
    await expect(page.getByTestId('device-card').filter({ hasText: 'lan-student' })).toBeVisible({ timeout: 30_000 });
    await volunteer.close();
    await context.close();
  });
});

test.describe('LAN mode from a second host (network namespace)', () => {
  let server: ChildProcess | undefined;
  let volunteer: ChildProcess | undefined;
  let skipReason: string | undefined;
  test.beforeAll(async () => {
    skipReason = makeNamespace();
    if (!skipReason) server = await startLanServer(`${SUBNET}.1`, NS_PORT);
  });
  test.afterAll(() => {
    stopGroup(volunteer);
    stopGroup(server);
    removeNamespace();
  });

  test('a volunteer in another network namespace joins from the QR link over HTTPS and completes a job', async ({ browser, errors }) => {
    test.skip(skipReason !== undefined, skipReason);
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`netns coordinator: ${e.message}`));
    await page.goto(`https://localhost:${NS_PORT}/?slots=0`);
    await expect(page.getByTestId('projector-dataset')).toContainText('3,000,000 rows', { timeout: 90_000 });
    const link = await page.getByTestId('projector-link').inputValue();
    expect(link).toMatch(new RegExp(`^https://${SUBNET.replaceAll('.', '\\.')}\\.1:${NS_PORT}/join\\.html#room=`));

    // The short link leads there from the second host too, and the second host cannot change it.
    const origin = `https://${SUBNET}.1:${NS_PORT}`;
    await expect(page.getByTestId('projector-short-link')).toHaveText(`${origin}/j`);
    expect(requestFromNamespace('GET', `${origin}/j`)).toEqual({ status: 302, location: link });
    expect(requestFromNamespace('POST', `${origin}/fabric/short-link`, JSON.stringify({ link: `${origin}/join.html#room=other&token=stolen` })).status).toBe(403);
    expect(requestFromNamespace('GET', `${origin}/j`).location).toBe(link);

    // The second host: only the veth's far end and its own loopback exist in there.
    const addresses = execFileSync('ip', ['netns', 'exec', NS, 'ip', '-4', '-o', 'addr'], { encoding: 'utf8' });
    expect(addresses).toContain(`${SUBNET}.2/24`);
    expect(addresses).not.toMatch(/eth0/);
    const output: string[] = [];
    volunteer = spawn('ip', ['netns', 'exec', NS, 'npx', 'tsx', 'scripts/volunteer.ts', '--join', link, '--name', 'netns-student', '--slots', '2'], { stdio: 'pipe', detached: true });
    volunteer.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    volunteer.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    await expect.poll(() => output.join(''), { timeout: 90_000, message: 'volunteer in the namespace joined' }).toMatch(/\[tab 1\] joined/);
    expect(output.join('')).toContain(`headless tab(s) on https://${SUBNET}.1:${NS_PORT}`);

    const card = page.getByTestId('device-card').filter({ hasText: 'netns-student' });
    await expect(card).toBeVisible({ timeout: 30_000 });
    // WebGPU exists only in a secure context: the volunteer's slots found an adapter over HTTPS.
    const node = await page.evaluate(() => window.fabric!.nodes().find((n) => n.name === 'netns-student')!);
    expect(node.gpu, 'a WebGPU adapter on the volunteer (secure context)').toBeTruthy();

    // A whole job on it alone: the coordinator has no slots of its own.
    const report = await page.evaluate(() => window.fabric!.describe().then((r) => ({ tasksByNode: r.tasksByNode, count: r.columns.find((c) => c.name === 'delay')?.count })));
    expect(report.count).toBe(3_000_000);
    expect(report.tasksByNode).toEqual({ [node.id]: 30 });
    await expect(card.getByTestId('device-tasks')).toHaveText('30 tasks done');
    // A job started outside the guided demo shows on the projector's "now running" line too.
    await expect(page.getByTestId('job-name')).toHaveText('describe');
    await expect(page.getByTestId('job-status')).toHaveAttribute('data-state', 'done');
    expect(output.join(''), 'no page errors in the volunteer').not.toMatch(/page error/);
    await context.close();
  });
});
