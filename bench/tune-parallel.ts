/**
 * Part 2 of `npm run bench:tune`, in real browsers: a coordinator with no local slots
 * (bench/train.html?slots=0&dataset=none) and volunteer tabs, each in its own browser context,
 * joined over WebRTC from the coordinator's join link with a slot count in its fragment, built by
 * the same code as `npm run volunteer -- --slots N` (scripts/volunteer-tabs.ts). The tabs run in
 * this benchmark's browser rather than in a `npm run volunteer` process because their main-thread
 * CPU and slot times are read through DevTools and the page. For each k, fresh volunteers with k slots in total run
 * `fabric.tune` with the `wait` objective (a sleep with no CPU), so the ideal wall time is known
 * exactly and everything above it is Fabric's: suggestion, scheduling, the link and the slot.
 */
import os from 'node:os';
import type { Browser, CDPSession } from '@playwright/test';
import { hp, type Space } from '../src/ml/tune/space.ts';
import { volunteerTabUrl } from '../scripts/volunteer-tabs.ts';
import { inPage, openBenchPage, type BenchPage } from './harness.ts';
import { coresBetween, cpuTicks } from './proc-cpu.ts';

/** What part 2 runs. */
export interface ParallelConfig {
  /** Slot counts in total over the volunteers; parallelism equals it. */
  readonly ks: readonly number[];
  /** The `wait` objective's sleep, ms; max(minEvals, waves·k) trials per run. */
  readonly waitMs: number;
  readonly waves: number;
  readonly minEvals: number;
  /** Each algorithm runs ⌈measuredSeconds / ideal seconds of a run⌉ times at each k, interleaved. */
  readonly measuredSeconds: number;
  /** Measure the last k again with volunteers that join without the volunteer page's status panel. */
  readonly bareAtLastK: boolean;
}

/** One trial of `TuneResult.trials`: ms from the scheduler call to the result, the node that ran it, ok or not. */
export interface TrialTiming { readonly ms: number; readonly node: string; readonly ok: boolean }

/** One `fabric.tune` call. */
export interface TuneRun {
  readonly algo: 'random' | 'tpe';
  /** 1, 2, …: runs alternate random, TPE, random, TPE, … */
  readonly round: number;
  readonly maxEvals: number;
  readonly waitMs: number;
  /** `TuneResult.ms`: the whole call. */
  readonly wallMs: number;
  readonly trials: readonly TrialTiming[];
  /** Trials per volunteer node id, 0 for a node that ran none. */
  readonly trialsByNode: Readonly<Record<string, number>>;
  /** Per trial finished, ms from its `onTrial` report to the next trial's start: suggestion and launch. */
  readonly suggestMs: readonly number[];
  /** Per trial, ms the volunteer's slot took to run it (sleep included), as the volunteer reports it. */
  readonly slotMs: readonly number[];
  /** Cores busy during the run, of the machine's: all of it, and this benchmark's process tree (Node and Chromium). */
  readonly cores: { readonly machine: number; readonly bench: number };
  /** Main-thread CPU per trial, ms (DevTools' ThreadTime): the coordinator page's, and all volunteer tabs' together. */
  readonly mainThreadMs: { readonly coordinator: number; readonly volunteers: number };
}

/** Everything measured at one k. */
export interface ParallelAtK {
  readonly k: number;
  /** The volunteers joined through `Volunteer.join` in a page that renders no status (a diagnosis), not join.html's app. */
  readonly bare: boolean;
  readonly tabs: number;
  readonly slotsPerTab: number;
  /** From opening the tabs to every volunteer in the coordinator's nodes table, ms. */
  readonly joinMs: number;
  /** A run of `wait` with ms 0: each trial's time is the dispatch round trip alone. */
  readonly probe: TuneRun;
  readonly runs: readonly TuneRun[];
}

/** Starting slots means probing webgpu, wasm and cpu in each: 8 of them on 2 cores took 23-47 s here. */
const JOIN_TIMEOUT_MS = 120_000;
/** A coordinator page with no slots and no dataset is ready in about 2 s; this allows a cold Vite. */
const PAGE_TIMEOUT_MS = 60_000;
/**
 * Two slots per volunteer tab at most: the k slots then sit on k/2 WebRTC links, so the link and
 * the volunteer's relay are exercised as with real volunteers, while 8 slots need 4 renderer
 * processes rather than 8 on this 2-core machine.
 */
export const MAX_SLOTS_PER_TAB = 2;
/** DevTools sessions of the pages whose main-thread CPU is read. */
const sessions = new WeakMap<BenchPage, CDPSession>();

/** The search space of every run: two uniform params (the loss is Σ (v − 0.5)²) and the sleep. */
function waitSpace(waitMs: number): Space {
  return { a: hp.uniform('a', 0, 1), b: hp.uniform('b', 0, 1), ms: waitMs };
}

/**
 * tsx compiles this file with esbuild's keepNames, which wraps functions declared inside an
 * evaluated callback (onTrial and the status listener below) in `__name(fn, "name")`, a helper
 * pages lack. A string is evaluated as it is, so it can define the helper.
 */
async function defineNameHelper(p: BenchPage): Promise<void> {
  await p.page.evaluate('window.__name = (fn) => fn');
}

/** A page's main-thread CPU so far, s, through a DevTools session opened at the first call. */
async function threadSeconds(p: BenchPage): Promise<number> {
  let cdp = sessions.get(p);
  if (!cdp) {
    cdp = await p.page.context().newCDPSession(p.page);
    await cdp.send('Performance.enable');
    sessions.set(p, cdp);
  }
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'ThreadTime')?.value ?? Number.NaN;
}

/** Main-thread CPU so far of the coordinator and of all volunteers, s. */
async function mainThreads(coordinator: BenchPage, volunteers: readonly BenchPage[]): Promise<{ coordinator: number; volunteers: number }> {
  const each = await Promise.all(volunteers.map(threadSeconds));
  return { coordinator: await threadSeconds(coordinator), volunteers: each.reduce((a, b) => a + b, 0) };
}

/** Opens the coordinator without dashboard, no local slots and no dataset; returns it and its join link. */
export async function openCoordinator(browser: Browser, origin: string): Promise<{ page: BenchPage; link: string }> {
  const page = await openBenchPage(browser, `${origin}/bench/train.html?slots=0&dataset=none`, 'coordinator', 'fabricReady', PAGE_TIMEOUT_MS);
  await defineNameHelper(page);
  const link = await inPage(page, async () => (await window.fabricReady!).join?.link ?? '', undefined);
  if (!link) throw new Error('the coordinator opened no room: fabric.join is undefined');
  return { page, link };
}

/** Volunteer nodes in the coordinator's table: count and slots. */
function volunteerNodes(coordinator: BenchPage): Promise<{ ids: string[]; slots: number }> {
  return inPage(coordinator, () => {
    const nodes = window.fabric!.nodes().filter((n) => n.kind === 'volunteer');
    return { ids: nodes.map((n) => n.id), slots: nodes.reduce((s, n) => s + n.slots, 0) };
  }, undefined);
}

async function pollUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A volunteer tab that joins by `Volunteer.join` alone: join.html with no fragment renders its error and nothing else. */
async function openBareVolunteer(browser: Browser, link: string, name: string, slots: number): Promise<BenchPage> {
  // The bench injects a module script to join by the API alone; the pages' CSP refuses inline
  // scripts (as it should), so this instrument's tab bypasses it. Fabric's own pages never need to.
  const p = await openBenchPage(browser, new URL('/join.html', link).href, name, 'document', PAGE_TIMEOUT_MS, { bypassCSP: true });
  const hash = new URLSearchParams(new URL(link).hash.slice(1));
  const options = JSON.stringify({ room: hash.get('room'), token: hash.get('token'), name, slots });
  await p.page.addScriptTag({ type: 'module', content: `import { Volunteer } from '/src/index.ts'; window.volunteer = await Volunteer.join(${options});` });
  await p.page.waitForFunction(() => 'volunteer' in window, undefined, { timeout: JOIN_TIMEOUT_MS });
  return p;
}

/** Opens `tabs` volunteer tabs of `slots` slots each and waits until the coordinator lists them all. */
export async function startVolunteers(browser: Browser, coordinator: BenchPage, link: string, tabs: number, slots: number, bare: boolean): Promise<BenchPage[]> {
  const pages = await Promise.all(Array.from({ length: tabs }, (_, i) => bare
    ? openBareVolunteer(browser, link, `bare-${i + 1}`, slots)
    : openBenchPage(browser, volunteerTabUrl(new URL(link), { name: `bench-${i + 1}`, slots }), `volunteer ${i + 1}`, 'volunteer', JOIN_TIMEOUT_MS)));
  await pollUntil(`${tabs} volunteer(s) with ${tabs * slots} slot(s) in the coordinator's nodes table`, JOIN_TIMEOUT_MS, async () => {
    const v = await volunteerNodes(coordinator);
    return v.ids.length === tabs && v.slots === tabs * slots;
  });
  for (const p of pages) {
    await defineNameHelper(p);
    // The volunteer reports each finished task as "done trial in N ms", N being the slot's own
    // reply.ms (src/worker/volunteer.ts), in the same status update that counts it done.
    await inPage(p, () => {
      const w = window as unknown as { benchSlotMs: number[] };
      w.benchSlotMs = [];
      let done = window.volunteer!.status.tasksDone;
      window.volunteer!.onStatus((s) => {
        const m = /^done trial in (\d+) ms$/.exec(s.detail);
        if (m && s.tasksDone > done) w.benchSlotMs.push(Number(m[1]));
        done = s.tasksDone;
      });
    }, undefined);
  }
  return pages;
}

/** The slot times every volunteer reported since the last call, emptied. */
async function takeSlotMs(volunteers: readonly BenchPage[]): Promise<number[]> {
  const all: number[] = [];
  for (const p of volunteers) all.push(...await inPage(p, () => (window as unknown as { benchSlotMs: number[] }).benchSlotMs.splice(0), undefined));
  return all;
}

/** Leaves and closes every volunteer tab (failing on their errors); waits until the coordinator has dropped them. */
export async function stopVolunteers(coordinator: BenchPage, pages: readonly BenchPage[]): Promise<void> {
  for (const p of pages) {
    await inPage(p, () => window.volunteer?.leave('bench:tune done with this k'), undefined);
    await p.page.context().close();
  }
  await pollUntil('the coordinator to drop the volunteers', 30_000, async () => (await volunteerNodes(coordinator)).ids.length === 0);
}

/** One `fabric.tune` run of the wait objective in the coordinator page. */
export async function runTune(coordinator: BenchPage, volunteers: readonly BenchPage[], algo: 'random' | 'tpe', round: number, k: number, maxEvals: number, waitMs: number): Promise<TuneRun> {
  const nodeIds = (await volunteerNodes(coordinator)).ids;
  await takeSlotMs(volunteers);
  const threadsBefore = await mainThreads(coordinator, volunteers);
  const before = cpuTicks();
  const options = { space: waitSpace(waitMs), algo, maxEvals, parallelism: k, seed: 100 * k + round };
  const r = await inPage(coordinator, async (o) => {
    const suggestMs: number[] = [];
    let finishedAt: number | undefined;
    const result = await window.fabric!.tune({
      ...o,
      objective: 'wait',
      // Called synchronously at a trial's end and again, in the same task, when the job has
      // suggested and launched the next one: the gap is suggest() plus the launch bookkeeping.
      onTrial: (t) => {
        const now = performance.now();
        if (t.status !== 'running') finishedAt = now;
        else if (finishedAt !== undefined) {
          suggestMs.push(now - finishedAt);
          finishedAt = undefined;
        }
      },
    });
    return {
      wallMs: result.ms,
      trials: result.trials.map((t) => ({ ms: t.ms, node: t.node, ok: t.status === 'ok' })),
      trialsByNode: result.trialsByNode,
      suggestMs,
    };
  }, options);
  const cpu = coresBetween(before, cpuTicks(), os.cpus().length);
  const threadsAfter = await mainThreads(coordinator, volunteers);
  const perTrial = (key: 'coordinator' | 'volunteers'): number => ((threadsAfter[key] - threadsBefore[key]) * 1000) / maxEvals;
  const slotMs = await takeSlotMs(volunteers);
  const failed = r.trials.filter((t) => !t.ok).length;
  if (failed > 0 || r.trials.length !== maxEvals) throw new Error(`tune ${algo} k=${k}: ${r.trials.length} trials, ${failed} not ok; expected ${maxEvals} ok`);
  const trialsByNode: Record<string, number> = { ...Object.fromEntries(nodeIds.map((id) => [id, 0])), ...r.trialsByNode };
  return { algo, round, maxEvals, waitMs, wallMs: r.wallMs, trials: r.trials, trialsByNode, suggestMs: r.suggestMs, slotMs,
    cores: { machine: cpu.machine, bench: cpu.tree }, mainThreadMs: { coordinator: perTrial('coordinator'), volunteers: perTrial('volunteers') } };
}
