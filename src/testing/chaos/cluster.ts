/**
 * Test support: a scheduler over in-process nodes that a {@link ChaosSchedule} attacks while a job
 * runs, and the audit of what the scheduler did about it.
 *
 * Faults fire in a microtask after the event that triggers them, not inside the scheduler's
 * listener call: a real link closes from its own event, never from within the scheduler's emit,
 * and a microtask still runs before the task that was just started can finish.
 */
import type { BlobStore } from '../../coordinator/blob-store';
import { Scheduler } from '../../coordinator/scheduler';
import type { SchedulerEvent, SchedulerOptions } from '../../coordinator/scheduler';
import { InProcessNode } from '../in-process-node';
import type { ChaosEvent, ChaosSchedule } from './schedule';
import type { NodeKind } from '../../coordinator/executor-node';
import type { LieMode } from '../../worker/liar';

/** Who is who in a verification run. */
export interface ChaosRoles {
  /** Nodes 0 .. trusted - 1 are the coordinator's own (trusted); the rest are volunteers. */
  readonly trusted: number;
  readonly liar?: { readonly node: number; readonly mode: LieMode };
}

/**
 * Speculation tuned to fire on this harness's small tasks (a few ms each): the defaults wait
 * 500 ms, longer than most chaos jobs take, so slowed nodes would never be copied.
 */
export const CHAOS_SCHEDULER: SchedulerOptions = { localityWaitMs: 0, speculation: { quantile: 0.5, multiplier: 2, minMs: 20, intervalMs: 10 } };

/** What the scheduler did under a schedule. */
export interface ChaosAudit {
  /** task-started and task-committed events seen (a fault-free run's committed count is the span of moments). */
  readonly started: number;
  readonly committed: number;
  readonly closed: number;
  readonly reopened: number;
  readonly slowed: number;
  /** Node losses the scheduler saw (node-lost events): must equal `closed`. */
  readonly lossesDetected: number;
  /** Faults whose moment never came (the run was shorter than the fault-free one). */
  readonly unreached: number;
  /** Tasks put back in the queue after a loss or a failure. */
  readonly requeued: number;
  readonly speculated: number;
  /** Late copies the scheduler dropped because the task was already committed. */
  readonly duplicatesDropped: number;
  /** Nodes excluded by verification. */
  readonly excluded: readonly string[];
  /** Tasks committed more than once (must be zero). */
  readonly committedTwice: readonly string[];
  /** Tasks started but never committed (must be zero once every job finished). */
  readonly neverCommitted: readonly string[];
  /** What fired, in order. */
  readonly log: readonly string[];
}

/** A scheduler, its nodes, and a schedule of faults wired to its events. */
export class ChaosCluster {
  readonly scheduler: Scheduler;
  private readonly live: InProcessNode[] = [];
  private readonly liars: InProcessNode[] = [];
  private readonly pending: ChaosEvent[];
  private readonly commits = new Map<string, number>();
  private readonly startedIds = new Set<string>();
  private readonly counts = { started: 0, committed: 0, closed: 0, reopened: 0, slowed: 0, lossesDetected: 0, requeued: 0, speculated: 0, duplicatesDropped: 0 };
  private readonly log: string[] = [];
  private readonly excluded: string[] = [];
  private nextId: number;
  private readonly off: () => void;

  /**
   * With a schedule of no events, a fault-free run on the same nodes. With `roles`, the first
   * `trusted` nodes are the coordinator's own and the rest volunteers, one of which may lie.
   */
  constructor(private readonly store: BlobStore, readonly schedule: ChaosSchedule, options: SchedulerOptions = CHAOS_SCHEDULER, roles?: ChaosRoles) {
    this.scheduler = new Scheduler(options);
    this.pending = [...schedule.events];
    schedule.nodes.forEach((slots, i) => {
      const node = this.join(`n${i}`, slots, roles && i >= roles.trusted ? 'volunteer' : 'local', roles?.liar?.node === i ? roles.liar.mode : undefined);
      if (node.lie) this.liars.push(node);
    });
    this.nextId = schedule.nodes.length;
    this.off = this.scheduler.onEvent((e) => this.observe(e));
  }

  /** Stops listening, and returns the audit. */
  finish(): ChaosAudit {
    this.off();
    const committedTwice = [...this.commits].filter(([, n]) => n > 1).map(([id]) => id);
    const neverCommitted = [...this.startedIds].filter((id) => !this.commits.has(id));
    return { ...this.counts, excluded: this.excluded, unreached: this.pending.length, committedTwice, neverCommitted, log: this.log };
  }

  /** Results corrupted by lying nodes so far. */
  get lies(): number {
    return this.liars.reduce((s, n) => s + n.lies, 0);
  }

  private join(id: string, slots: number, kind: NodeKind = 'local', lie?: LieMode): InProcessNode {
    const node = new InProcessNode(id, slots, this.store, id, kind);
    node.lie = lie;
    this.live.push(node);
    this.scheduler.addNode(node);
    return node;
  }

  private observe(e: SchedulerEvent): void {
    switch (e.type) {
      case 'task-started':
        this.counts.started += 1;
        this.startedIds.add(e.taskId);
        this.due('task-started', this.counts.started, e.nodeId);
        return;
      case 'task-committed':
        this.counts.committed += 1;
        this.commits.set(e.taskId, (this.commits.get(e.taskId) ?? 0) + 1);
        this.due('task-committed', this.counts.committed, e.nodeId);
        return;
      case 'node-lost':
        this.counts.lossesDetected += 1;
        this.counts.requeued += e.requeued;
        return;
      case 'task-failed':
        if (e.requeued) this.counts.requeued += 1;
        return;
      case 'task-speculated':
        this.counts.speculated += 1;
        return;
      case 'duplicate-dropped':
        this.counts.duplicatesDropped += 1;
        return;
      case 'trust-changed':
        if (e.state === 'excluded') this.excluded.push(e.nodeId);
        return;
      case 'task-uncommitted':
        this.commits.set(e.taskId, (this.commits.get(e.taskId) ?? 1) - 1);
        return;
      default:
        return;
    }
  }

  /** Fires, in a microtask, every pending fault whose moment this event is. */
  private due(after: ChaosEvent['after'], count: number, nodeId: string): void {
    for (let i = 0; i < this.pending.length; i++) {
      const ev = this.pending[i]!;
      if (ev.after !== after || ev.count !== count) continue;
      this.pending.splice(i--, 1);
      queueMicrotask(() => this.apply(ev, nodeId));
    }
  }

  private apply(ev: ChaosEvent, nodeId: string): void {
    const at = `${ev.after} #${ev.count}`;
    const a = ev.action;
    if (a.kind === 'reopen') {
      const node = this.join(`n${this.nextId++}`, a.slots);
      this.counts.reopened += 1;
      this.log.push(`${at}: ${node.id} joined with ${a.slots} slots`);
      return;
    }
    // The node that caused the event, or (if it is gone already) the oldest live node.
    const target = this.live.find((n) => n.id === nodeId) ?? this.live[0];
    if (!target) return;
    if (a.kind === 'slow') {
      void target.setSlowdown(a.factor);
      this.counts.slowed += 1;
      this.log.push(`${at}: ${target.id} slowed x${a.factor}`);
      return;
    }
    this.live.splice(this.live.indexOf(target), 1);
    target.drop(a.code, `closed by the chaos schedule (seed ${this.schedule.seed}) at ${at}`);
    this.counts.closed += 1;
    this.log.push(`${at}: ${target.id} lost (${a.code})`);
    if (this.live.length === 0) {
      // The last node gone: one comes back, or the job could never finish.
      const node = this.join(`n${this.nextId++}`, target.slots.length);
      this.counts.reopened += 1;
      this.log.push(`${at}: ${node.id} joined with ${target.slots.length} slots (the last node was lost)`);
    }
  }
}
