/**
 * Hostile peers at scale, while a job runs with an honest volunteer: a rogue peer (hand-built
 * frames, no Fabric code; e2e/rogue-peer.ts) sends at least 10,000 random and mutated frames over
 * many connections (each closed at its first violation, so it reconnects), floods joins with one
 * wrong token, and insiders join with the right token and then answer tasks never sent, replay the
 * ack of a real blob, ack a blob never sent and answer with the wrong kind. The coordinator must throw
 * nothing, close every bad link with a logged reason, commit the reference result exactly once
 * per task, and stay responsive (a second job after the attack matches too).
 *
 * It writes what it counted to bench/results/reliability-hostile.json;
 * `npx tsx scripts/reliability-table.ts` turns that into rows of bench/results/reliability.md.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LinkCloseStats } from '../src/index';
import { expect, test, VolunteerPage } from './pages';
import { expectMatchesReference } from './reference';
import { fuzzBatch, insiderSession, type FuzzReport, type InsiderArgs, type InsiderReport } from './rogue-peer';

const PEERJS = fileURLToPath(new URL('../node_modules/peerjs/dist/peerjs.min.js', import.meta.url));
const OUT = fileURLToPath(new URL('../bench/results/reliability-hostile.json', import.meta.url));
/** The issue asks for at least 10,000 frames delivered to the coordinator. */
const TARGET_FRAMES = 10_000;
/** Codes a link is closed with for breaking the wire contract (or the join rules). */
const VIOLATION_CODES = ['bad-frame', 'message-too-large', 'schema-mismatch', 'bad-token', 'bad-input', 'protocol-violation', 'rate-limited'];

test('10,000 hostile frames, a join flood and insiders are refused while the job completes correctly', async ({ coordinator, browser, errors }) => {
  test.setTimeout(420_000);
  await coordinator.open('?slots=1');
  const link = await coordinator.joinLink();
  const honest = await VolunteerPage.open(browser, `${link}&name=honest&slots=1`, errors, 'honest');
  await honest.waitJoined();
  const hash = new URLSearchParams(new URL(link).hash.slice(1));
  const room = hash.get('room')!;
  const token = hash.get('token')!;

  const rogueContext = await browser.newContext({ bypassCSP: true }); // the attacker is not bound by our CSP
  const rogue = await rogueContext.newPage();
  rogue.on('pageerror', (e) => errors.push(`rogue: page error: ${e.message}`));
  await rogue.goto('/join.html#'); // any page of the origin: the attacker only needs the PeerServer
  await rogue.addScriptTag({ path: PEERJS });

  // Each describe job is checked against the reference; tasks committed are counted over all jobs.
  const partitions = await coordinator.page.evaluate(() => window.fabric!.dataset!.partitions.length);
  let jobs = 0;
  let committed = 0;
  const startDescribe = async (): Promise<void> => {
    await coordinator.page.evaluate(() => {
      delete window.lastDescribe;
      document.getElementById('describe-result')?.removeAttribute('data-state');
    });
    await coordinator.page.getByTestId('describe-button').click();
  };
  const finishDescribe = async (): Promise<void> => {
    await expect(coordinator.page.getByTestId('describe-result')).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
    expectMatchesReference(await coordinator.readDescribeTable());
    const report = await coordinator.page.evaluate(() => window.lastDescribe!);
    jobs += 1;
    committed += Object.values(report.tasksByNode).reduce((a, b) => a + b, 0);
  };

  // Insiders. Those that attack a real blob or task all join first, then the first job starts,
  // so they are handed work: nothing is cached anywhere yet, and each reports 1000 GFLOP/s, so it
  // counts as the fastest slot. (In later jobs the partitions are cached on the honest slots, and
  // locality keeps them there.)
  const insiders: (InsiderReport & { attack: string; code: string | undefined })[] = [];
  const insider = (attack: InsiderArgs['attack'], i: number): { name: string; session: Promise<InsiderReport> } => {
    const name = `insider-${i}-${attack}`;
    return { name, session: rogue.evaluate(insiderSession, { room, token, name, attack }) };
  };
  const record = async (attack: string, name: string, r: InsiderReport): Promise<void> => {
    const line = (await coordinator.logs()).find((l) => l.includes(`volunteer node ${name} removed`));
    insiders.push({ ...r, attack, code: /removed: \[([a-z-]+)\]/.exec(line ?? '')?.[1] });
  };
  const onRealWork = (['wrong-kind', 'replay', 'wrong-kind', 'replay'] as const).map((attack, i) => ({ attack, ...insider(attack, i) }));
  for (const { name } of onRealWork) await coordinator.waitForLog(new RegExp(`volunteer ${name} joined`));
  await startDescribe();
  for (const { attack, name, session } of onRealWork) await record(attack, name, await session);
  await finishDescribe();
  for (const [i, attack] of (['never-sent', 'unknown-blob'] as const).entries()) {
    const { name, session } = insider(attack, onRealWork.length + i);
    await record(attack, name, await session);
  }

  // While a job runs: a join flood with one wrong token (the first 20 are told "bad token", then
  // "rate-limited"), then random and mutated frames until the coordinator has taken 10,000.
  await startDescribe();
  const flood = await rogue.evaluate(fuzzBatch, { room, connections: 30, parallel: 6, seed: 99, fixedToken: 'flood-token-0000000000000' });
  const batches: FuzzReport[] = [];
  const stats = (): Promise<LinkCloseStats> => coordinator.page.evaluate(() => window.fabric!.linkCloseStats()!);
  for (let seed = 1; seed <= 30 && (await stats()).frames < TARGET_FRAMES; seed++) {
    batches.push(await rogue.evaluate(fuzzBatch, { room, connections: 30, parallel: 4, seed }));
  }
  const closes = await stats();
  await finishDescribe();

  // Still responsive: another job after the attack gives the reference too.
  await startDescribe();
  await finishDescribe();
  await coordinator.waitForNodes(2);
  expect(await coordinator.page.evaluate(() => window.fabric!.nodes().map((n) => n.name))).toEqual(['this machine', 'honest']);

  const logs = await coordinator.logs();
  // A late copy dropped (speculation ran a straggler twice; the first result won) is not a
  // duplicated result: a task committed twice would show as more commits than partitions.
  const lateCopiesDropped = logs.filter((l) => l.includes('late duplicate result')).length;
  const duplicates = Math.max(0, committed - jobs * partitions);
  const fuzz = batches.reduce((a, b) => ({
    connections: a.connections + b.connections, framesSent: a.framesSent + b.framesSent,
    closedByCoordinator: a.closedByCoordinator + b.closedByCoordinator,
    mutations: Object.fromEntries([...new Set([...Object.keys(a.mutations), ...Object.keys(b.mutations)])].map((k) => [k, (a.mutations[k] ?? 0) + (b.mutations[k] ?? 0)])),
  }), { connections: 0, framesSent: 0, closedByCoordinator: 0, mutations: {} as Record<string, number> });
  const violations = VIOLATION_CODES.reduce((n, c) => n + (closes.byCode[c] ?? 0), 0);

  writeFileSync(OUT, `${JSON.stringify({
    measuredAt: new Date().toISOString(),
    jobs, partitions: jobs * partitions, committed, duplicates, lateCopiesDropped, lost: Math.max(0, jobs * partitions - committed),
    closes, fuzz, flood, insiders,
  }, null, 2)}\n`);

  expect(fuzz.connections).toBeGreaterThan(0);
  expect(closes.frames, 'frames delivered to the coordinator').toBeGreaterThanOrEqual(TARGET_FRAMES);
  // Every rogue link was closed by the coordinator, for a wire-contract reason.
  expect(fuzz.closedByCoordinator + flood.closedByCoordinator).toBe(fuzz.connections + flood.connections);
  expect(violations).toBeGreaterThanOrEqual(fuzz.connections + flood.connections + insiders.length);
  expect(closes.byCode.internal ?? 0).toBe(0);
  expect(closes.byCode['bad-token'] ?? 0).toBeGreaterThanOrEqual(20);
  expect(closes.byCode['rate-limited'] ?? 0).toBeGreaterThanOrEqual(flood.connections - 20);
  for (const i of insiders) {
    expect(i.welcomed, `${i.attack}: joined`).toBe(true);
    expect(i.closedByCoordinator, `${i.attack}: closed`).toBe(true);
    expect(i.code, `${i.attack}: reason`).toBe(i.attack === 'wrong-kind' ? 'schema-mismatch' : 'protocol-violation');
  }
  expect(committed).toBe(jobs * partitions);
  expect(duplicates).toBe(0);
  await rogueContext.close();
  await honest.close();
});
