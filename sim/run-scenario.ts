/**
 * Runs one scenario: a fresh virtual clock, the real Scheduler, a fleet of simulated volunteers
 * with churn, the audit and the probe; then the figures of the report. A CPU budget bounds the
 * run: once the scheduler has spent it, the jobs in flight are cancelled through their
 * AbortSignal (the scheduler's own `cancelled` path) and the scenario reports how far it got.
 */
import { setMaxListeners } from 'node:events';
import { Scheduler, type SchedulerOptions } from '../src/coordinator/scheduler';
import { FabricError } from '../src/protocol/errors';
import { VirtualClock } from './clock';
import { Fleet, type FleetParams } from './fleet';
import { Ledger, SchedulerProbe, type LedgerCounts } from './ledger';
import { Random } from './random';
import type { Scenario } from './scenarios';
import type { SimWork } from './sim-node';

/** Virtual start time: 2026-01-01 UTC, so Date.now() looks like a date to any code that prints it. */
const EPOCH_MS = Date.UTC(2026, 0, 1);
/** A scenario still running after this much virtual time is stopped and reported as stuck. */
const VIRTUAL_LIMIT_MS = 6 * 3600_000;

/** One scenario's figures. */
export interface ScenarioResult {
  readonly name: string;
  readonly pattern: string;
  /** Virtual ms from the start of the measured part to the end of its last finished job (NaN: none). */
  readonly jobMs: number;
  /** Virtual ms of each finished measured job (an iteration, a trial), and scheduler CPU ms until its end. */
  readonly jobTimes: readonly number[];
  readonly jobCpuMs: readonly number[];
  /** Ideal with every live slot, and with the job's parallelism (its fastest `parallelism` slots). */
  readonly idealMs: number;
  readonly idealTopMs: number;
  readonly parallelism: number;
  /** Work units (slot-seconds at speed 1) of the finished measured jobs, and work lost with nodes. */
  readonly work: number;
  readonly workLost: number;
  /** The audit over the whole run (warm-up included); starts and commits in the measured part. */
  readonly counts: LedgerCounts;
  readonly startsMeasured: number;
  readonly committedMeasured: number;
  readonly submittedMeasured: number;
  /** CPU ms in the scheduler's entry points, and of the whole process, in the measured part. */
  readonly schedulerMs: number;
  readonly processCpuMs: number;
  /** Real ms of the whole scenario, warm-up and fleet start included. */
  readonly wallMs: number;
  readonly timersFired: number;
  readonly probeMissing: readonly string[];
  readonly nodesAtStart: number;
  readonly slotsAtStart: number;
  readonly joined: number;
  readonly left: number;
  /** Bytes through the coordinator's link in the measured part: out (blobs, parameters) and in. */
  readonly egressBytes: number;
  readonly ingressBytes: number;
  readonly coordinatorBps: number;
  /** The last task to commit: its work, its node's slot speed, its attempts, its last attempt's virtual ms. */
  readonly lastTask: { readonly work: number; readonly speed: number; readonly attempts: number; readonly ms: number } | undefined;
  /** Why the scenario stopped early, if it did. */
  readonly note: string | undefined;
}

/** How far a run has got: reported often, even from inside a long scheduler call. */
export interface RunProgress {
  /** Tasks submitted, task starts and commits in the measured part, and its finished jobs. */
  readonly submitted: number;
  readonly starts: number;
  readonly commits: number;
  readonly jobsDone: number;
  /** Virtual ms since the measured part began. */
  readonly virtualMs: number;
  /** Scheduler CPU ms of the measured part, calls that have returned only. */
  readonly schedulerMs: number;
  /** Process CPU ms (process.cpuUsage) when the measured part began. */
  readonly cpuBeforeMs: number;
  /** Task starts and scheduler CPU ms before the measured part (fleet start and warm-up). */
  readonly startsBefore: number;
  readonly schedulerMsBefore: number;
  /** Live slots in the scheduler now. */
  readonly slots: number;
  /** Wall time (ms since the epoch, real clock) at which the scheduler call running now began. */
  readonly inCallSince: number | undefined;
}

/** How to run a scenario. */
export interface RunOptions {
  readonly scheduler?: SchedulerOptions;
  /** Scheduler CPU (ms) after which the jobs in flight are cancelled. */
  readonly cpuBudgetMs?: number;
  /** Called after every scheduler call and event; throttle inside if it is costly. */
  readonly onProgress?: (p: RunProgress) => void;
}

/** Real wall time in ms since the epoch; Date.now is virtual during a run. */
function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Runs `scenario` on a fleet of `fleetParams` shape. */
export async function runScenario(scenario: Scenario, fleetParams: FleetParams, options: RunOptions = {}): Promise<ScenarioResult> {
  const clock = new VirtualClock(EPOCH_MS);
  clock.install();
  try {
    const scheduler = new Scheduler(options.scheduler);
    const ledger = new Ledger(scheduler);
    const probe = new SchedulerProbe(scheduler);
    const fleet = new Fleet(clock, scheduler, fleetParams, scenario.parallelism);
    const random = new Random(fleetParams.seed * 7919 + 17);
    const stop = new AbortController();
    // Every job listens on this one signal (tune runs hundreds at once): not a leak.
    setMaxListeners(0, stop.signal);
    const budget = options.cpuBudgetMs ?? Number.POSITIVE_INFINITY;
    let inCallSince: number | undefined;
    const report = (): void => {
      const t = ledger.tally;
      options.onProgress?.({ submitted: m.submitted, slots: scheduler.slotCount, starts: t.started - m.started, commits: t.committed - m.committed, jobsDone: jobTimes.length, virtualMs: clock.now() - m.from, schedulerMs: probe.ms - m.scheduler, cpuBeforeMs: m.cpuBefore, startsBefore: m.started, schedulerMsBefore: m.scheduler, inCallSince });
    };
    probe.onEnter = () => {
      inCallSince = wallNow();
    };
    probe.onExit = () => {
      inCallSince = undefined;
      if (probe.ms > budget && !stop.signal.aborted) clock.setTimeout(() => stop.abort(), 0);
      report();
    };
    ledger.onHear = report;
    const m = { from: clock.now(), lastEnd: Number.NaN, on: false, work: 0, submitted: 0, scheduler: 0, started: 0, committed: 0, egress: 0, ingress: 0, cpuBefore: 0 };
    let done = false;
    let note: string | undefined;
    let failure: unknown;
    const jobTimes: number[] = [];
    const jobCpuMs: number[] = [];
    const workOf = new Map<string, number>();
    const wall0 = performance.now();
    let cpu0 = process.cpuUsage();
    fleet.start();
    const nodesAtStart = fleet.size;
    const slotsAtStart = fleet.slotCount();
    const onStop = (): string => `stopped: the scheduler spent its CPU budget (${(budget / 1000).toFixed(0)} s) at ${((clock.now() - m.from) / 1000).toFixed(1)} s of virtual time; the jobs in flight were cancelled`;
    scenario.run({
      random,
      measure: () => {
        const c = ledger.tally;
        Object.assign(m, { from: clock.now(), on: true, scheduler: probe.ms, started: c.started, committed: c.committed, egress: fleet.coordinator.egress.bytes, ingress: fleet.coordinator.ingress.bytes });
        cpu0 = process.cpuUsage();
        m.cpuBefore = (cpu0.user + cpu0.system) / 1000;
      },
      runJob: async (tasks) => {
        ledger.submit(tasks.map((t) => t.taskId));
        for (const t of tasks) workOf.set(t.taskId, (t.params as SimWork).work);
        if (m.on) m.submitted += tasks.length;
        const t0 = clock.now();
        try {
          const outcomes = await scheduler.run({ tasks, signal: stop.signal });
          ledger.results(outcomes);
          if (m.on) {
            jobTimes.push(clock.now() - t0);
            jobCpuMs.push(probe.ms - m.scheduler);
            m.work += tasks.reduce((sum, t) => sum + (t.params as SimWork).work, 0);
            m.lastEnd = clock.now();
          }
          return outcomes;
        } catch (e) {
          if (e instanceof FabricError && e.code === 'cancelled') ledger.abandon(tasks.map((t) => t.taskId));
          throw e;
        }
      },
    }).then(() => {
      done = true;
    }, (e: unknown) => {
      if (stop.signal.aborted && e instanceof FabricError && e.code === 'cancelled') note = onStop();
      else failure = e;
      done = true;
    });
    const end = await clock.run(() => done, EPOCH_MS + VIRTUAL_LIMIT_MS);
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - wall0;
    fleet.stop();
    if (failure !== undefined) throw failure;
    if (end !== 'done') note = `stopped at the virtual time limit (${VIRTUAL_LIMIT_MS / 3600_000} h) with jobs unfinished`;
    if (note === undefined && stop.signal.aborted) note = onStop();
    const counts = ledger.counts();
    const last = ledger.lastCommit;
    return {
      name: scenario.name, pattern: scenario.pattern, parallelism: scenario.parallelism,
      jobMs: m.lastEnd - m.from, jobTimes, jobCpuMs,
      idealMs: fleet.idealMs(m.from, m.work, 'all'),
      idealTopMs: fleet.idealMs(m.from, m.work, 'top'),
      work: m.work, workLost: fleet.everyNode.reduce((s, n) => s + n.workLost, 0),
      counts, startsMeasured: counts.started - m.started, committedMeasured: counts.committed - m.committed, submittedMeasured: m.submitted,
      schedulerMs: probe.ms - m.scheduler, processCpuMs: (cpu.user + cpu.system) / 1000, wallMs, timersFired: clock.fired, probeMissing: probe.missing,
      nodesAtStart, slotsAtStart, joined: fleet.joined - nodesAtStart, left: fleet.left,
      egressBytes: fleet.coordinator.egress.bytes - m.egress, ingressBytes: fleet.coordinator.ingress.bytes - m.ingress,
      coordinatorBps: fleetParams.network.coordinatorBps,
      lastTask: last ? { work: workOf.get(last.taskId) ?? Number.NaN, speed: fleet.speedOf(last.nodeId), attempts: ledger.startsOf(last.taskId), ms: last.ms } : undefined,
      note,
    };
  } finally {
    clock.uninstall();
  }
}
