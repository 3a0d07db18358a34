/**
 * Security settings, on the built app through the real server: the Content-Security-Policy on both
 * pages (and that a real job with a volunteer trips none of it), PeerServer discovery off, and
 * removing a volunteer mid-job from the nodes table.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test, VolunteerPage } from './pages';
import { expectMatchesReference } from './reference';

declare global {
  interface Window {
    cspViolations?: string[];
  }
}

/** Records every `securitypolicyviolation` event of a page, from its first script on. */
async function recordViolations(target: Page | BrowserContext): Promise<void> {
  await target.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations!.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
}

interface CspReports {
  count: number;
  reports: { 'csp-report'?: { 'blocked-uri'?: string; 'violated-directive'?: string; 'source-file'?: string } }[];
}

test('both pages carry the CSP, and a job with a volunteer trips none of it', async ({ coordinator, browser, errors, request }) => {
  for (const path of ['/', '/join.html']) {
    const res = await request.get(path);
    const csp = res.headers()['content-security-policy'] ?? '';
    expect(csp, path).toContain("script-src 'self' 'wasm-unsafe-eval' blob:");
    expect(csp, path).toContain("object-src 'none'");
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(/script-src[^;]*'unsafe-(inline|eval)'/.test(csp), `${path}: no unsafe-inline or unsafe-eval scripts`).toBe(false);
  }
  // The worker scripts carry it too, so slots run under the same policy.
  await recordViolations(coordinator.page);
  await coordinator.open('?slots=1');
  const volunteer = await VolunteerPage.open(browser, `${await coordinator.joinLink()}&name=csp&slots=1`, errors, 'csp', recordViolations);
  await volunteer.waitJoined();
  await coordinator.waitForNodes(2);
  expectMatchesReference(await coordinator.runDescribe());
  // The volunteer computed under the policy (whether its result or the local slot's copy of a
  // slow first task was committed is a race: speculation).
  await expect(volunteer.page.getByTestId('tasks-done')).not.toHaveText('0');

  // A canary: an inline script must be blocked, reported in the page and to the server. Once the
  // server has it, every report sent before it (from pages and workers) has arrived too.
  await coordinator.page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.canaryRan = true';
    document.body.append(s);
  });
  expect(await coordinator.page.evaluate(() => (window as unknown as { canaryRan?: boolean }).canaryRan)).toBeUndefined();
  await expect.poll(async () => ((await (await request.get('/fabric/csp-reports')).json()) as CspReports).count, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
  const server = (await (await request.get('/fabric/csp-reports')).json()) as CspReports;
  expect(server.reports.map((r) => r['csp-report']?.['blocked-uri'])).toEqual(['inline']);
  expect(await coordinator.page.evaluate(() => window.cspViolations)).toEqual([expect.stringMatching(/^script-src-elem inline /)]);
  expect(await volunteer.page.evaluate(() => window.cspViolations)).toEqual([]);
  // The canary logs its own console error; it is the only one allowed.
  const canary = errors.findIndex((e) => /Content Security Policy/.test(e));
  if (canary >= 0) errors.splice(canary, 1);
  await volunteer.close();
});

test('the PeerServer does not list peers (discovery off)', async ({ coordinator, request }) => {
  await coordinator.open('?slots=0&dataset=none');
  for (const path of ['/peerjs/peerjs/peers', '/peerjs/peers', '/peerjs/peerjs/peers?x=1']) {
    const res = await request.get(path);
    expect(res.status(), path).not.toBe(200);
    expect(await res.text(), path).not.toContain('fabric-');
  }
});

test('a volunteer removed mid-job is told so, its tasks run elsewhere, and the result is the reference', async ({ coordinator, browser, errors }) => {
  await coordinator.open('?slots=1');
  const link = await coordinator.joinLink();
  const keep = await VolunteerPage.open(browser, `${link}&name=keep&slots=1`, errors, 'keep');
  const gone = await VolunteerPage.open(browser, `${link}&name=gone&slots=1&slow=3`, errors, 'gone');
  await keep.waitJoined();
  await gone.waitJoined();
  await coordinator.waitForNodes(3);
  const goneId = await gone.page.evaluate(() => window.volunteerStatus!.nodeId!);

  await coordinator.page.getByTestId('describe-button').click();
  const row = coordinator.page.locator(`[data-testid="node-row"][data-node-id="${goneId}"]`);
  await expect(row).toHaveAttribute('data-state', 'busy', { timeout: 60_000 });
  // By keyboard: focus the row's Remove button and press Enter. The local node has no such button.
  await expect(coordinator.page.locator('[data-testid="node-row"][data-kind="local"] [data-testid="remove-node"]')).toHaveCount(0);
  await row.getByTestId('remove-node').focus();
  await coordinator.page.keyboard.press('Enter');

  await expect(gone.state()).toHaveAttribute('data-state', 'removed', { timeout: 30_000 });
  await expect(gone.page.getByTestId('volunteer-detail')).toContainText('removed by the coordinator');
  await coordinator.waitForLog(new RegExp(`volunteer gone \\(${goneId}\\) removed by the coordinator`));
  await expect(coordinator.page.getByTestId('describe-result')).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  expectMatchesReference(await coordinator.readDescribeTable());
  expect(await coordinator.page.evaluate(() => window.fabric!.nodes().map((n) => n.name))).toEqual(['this machine', 'keep']);
  // It stays removed: no rejoin on its own.
  expect(await gone.page.evaluate(() => window.volunteerStatus!.state)).toBe('removed');
  await keep.close();
  await gone.close();
});
