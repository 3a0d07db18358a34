/**
 * The exactly-once audit and the scheduler's own cost. The ledger hears every scheduler event and
 * every job's results: each task submitted must be committed once ('task-committed' events) and
 * appear once in its job's results, carrying its own id (a simulated slot returns the id of the
 * task it ran). The probe measures the CPU time of the scheduler's synchronous entry points.
 */
import type { Scheduler, SchedulerEvent, TaskOutcome } from '../src/coordinator/scheduler';
import type { SimResult } from './sim-node';

/** Counts from one scenario's audit. */
export interface LedgerCounts {
  readonly submitted: number;
  /** Task starts, retries and requeues included. */
  readonly started: number;
  readonly committed: number;
  /** Submitted tasks with no commit, in jobs that finished. */
  readonly lost: number;
  /** Tasks of jobs stopped by the CPU budget, not committed (not lost: their job was cancelled). */
  readonly cancelled: number;
  /** Tasks committed more than once, or a result under the wrong id. */
  readonly duplicated: number;
  /** Late results the scheduler dropped (not committed: correct behaviour). */
  readonly dropped: number;
  /** Tasks put back in the queue because their node left. */
  readonly requeued: number;
  /** Retryable task failures, and those that failed a job. */
  readonly retried: number;
  /** Failed tasks put back in the queue (a failure while a speculative copy runs on is not). */
  readonly restarted: number;
  /** Second copies of stragglers started by speculation. */
  readonly speculated: number;
  readonly fatal: number;
  readonly nodesLost: number;
}

/** Records commits per task id and checks results against them. */
export class Ledger {
  private readonly submitted = new Set<string>();
  private readonly abandoned = new Set<string>();
  private readonly commits = new Map<string, number>();
  private readonly starts = new Map<string, number>();
  private readonly inResults = new Map<string, number>();
  private wrongId = 0;
  private started = 0;
  private commitCount = 0;
  private dropped = 0;
  private requeued = 0;
  private retried = 0;
  private restarted = 0;
  private speculated = 0;
  private fatal = 0;
  private nodesLost = 0;
  /** The last commit heard: which task, on which node, after how long. */
  lastCommit: { taskId: string; nodeId: string; ms: number } | undefined;
  /** Called on every event, even in the middle of a long scheduler call. */
  onHear: () => void = () => undefined;

  constructor(scheduler: Scheduler) {
    scheduler.onEvent((e) => this.hear(e));
  }

  /** Notes tasks as they are handed to the scheduler. */
  submit(taskIds: readonly string[]): void {
    for (const id of taskIds) {
      if (this.submitted.has(id)) throw new Error(`Ledger.submit: task id ${id} was submitted twice; scenario ids must be unique`);
      this.submitted.add(id);
    }
  }

  /** Notes the tasks of a job that was cancelled: they owe no result, but still at most one commit. */
  abandon(taskIds: readonly string[]): void {
    for (const id of taskIds) this.abandoned.add(id);
  }

  /** Checks one job's results: every key once, its result naming the same task. */
  results(outcomes: ReadonlyMap<string, TaskOutcome>): void {
    for (const [id, outcome] of outcomes) {
      this.inResults.set(id, (this.inResults.get(id) ?? 0) + 1);
      if ((outcome.result as SimResult).taskId !== id) this.wrongId += 1;
    }
  }

  private hear(e: SchedulerEvent): void {
    this.onHear();
    switch (e.type) {
      case 'task-started':
        this.started += 1;
        this.starts.set(e.taskId, (this.starts.get(e.taskId) ?? 0) + 1);
        return;
      case 'task-committed':
        this.commits.set(e.taskId, (this.commits.get(e.taskId) ?? 0) + 1);
        this.commitCount += 1;
        this.lastCommit = { taskId: e.taskId, nodeId: e.nodeId, ms: e.ms };
        return;
      case 'task-failed':
        if (e.willRetry) this.retried += 1;
        else this.fatal += 1;
        if (e.requeued) this.restarted += 1;
        return;
      case 'task-speculated':
        this.speculated += 1;
        return;
      case 'duplicate-dropped':
        this.dropped += 1;
        return;
      case 'node-lost':
        this.nodesLost += 1;
        this.requeued += e.requeued;
        return;
    }
  }

  /** How many times a task was started (retries and requeues included). */
  startsOf(taskId: string): number {
    return this.starts.get(taskId) ?? 0;
  }

  /** Task starts and commits so far (cheap, for progress reports). */
  get tally(): { started: number; committed: number } {
    return { started: this.started, committed: this.commitCount };
  }

  /** The audit's counts. `lost` and `duplicated` must both be zero. */
  counts(): LedgerCounts {
    let lost = 0;
    let cancelled = 0;
    let duplicated = this.wrongId;
    for (const id of this.submitted) {
      const c = this.commits.get(id) ?? 0;
      const r = this.inResults.get(id) ?? 0;
      if (c > 1 || r > 1) duplicated += 1;
      else if (this.abandoned.has(id)) cancelled += c === 0 ? 1 : 0;
      else if (c === 0 || r === 0) lost += 1;
    }
    for (const id of this.commits.keys()) if (!this.submitted.has(id)) duplicated += 1;
    return {
      submitted: this.submitted.size, started: this.started, committed: this.commitCount,
      lost, cancelled, duplicated, dropped: this.dropped, requeued: this.requeued, retried: this.retried, restarted: this.restarted, speculated: this.speculated, fatal: this.fatal, nodesLost: this.nodesLost,
    };
  }
}

/**
 * The scheduler's entry points: `addNode`, `removeNode`, `excludeNode` and `run` are public; `dispatch`,
 * `succeed`, `fail` and `speculate` are private (task callbacks and timers land there), so they are
 * found by name at run time. A missing name is skipped and listed in `missing`, so a rename in src/
 * shows in the report instead of breaking the simulation.
 */
const ENTRY_POINTS = ['addNode', 'removeNode', 'run', 'dispatch', 'succeed', 'fail', 'speculate', 'excludeNode'] as const;

/** CPU time spent inside the scheduler's code, outermost calls only (no double counting). */
export class SchedulerProbe {
  /** CPU milliseconds in the scheduler (process.cpuUsage, microsecond resolution). */
  ms = 0;
  /** Called as each outermost call starts, and after it returns (the budget check hangs here). */
  onEnter: () => void = () => undefined;
  onExit: () => void = () => undefined;
  readonly missing: string[] = [];
  private depth = 0;

  constructor(scheduler: Scheduler) {
    const target = scheduler as unknown as Record<string, unknown>;
    for (const name of ENTRY_POINTS) {
      const original = target[name];
      if (typeof original !== 'function') {
        this.missing.push(name);
        continue;
      }
      const probe = this;
      target[name] = function timed(this: unknown, ...args: unknown[]): unknown {
        if (probe.depth > 0) return original.apply(this, args);
        probe.depth += 1;
        probe.onEnter();
        const t0 = process.cpuUsage();
        try {
          return original.apply(this, args);
        } finally {
          const t = process.cpuUsage(t0);
          probe.ms += (t.user + t.system) / 1000;
          probe.depth -= 1;
          probe.onExit();
        }
      };
    }
  }
}
