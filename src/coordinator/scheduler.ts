/**
 * The scheduler: assigns tasks to slots, survives nodes leaving, retries what may succeed, fails
 * fast on what cannot, relaunches stragglers, checks results from volunteers it does not trust
 * yet, and commits each task's result exactly once.
 *
 * - Pull-based: a slot with room in its short queue takes the next task, so faster slots take more
 *   work and a link never sits idle between tasks. Idle slots take work before busy ones a second.
 * - Locality: a slot first takes a task whose partitions it already holds, then one whose
 *   partitions no live slot holds; a task cached elsewhere is taken only after `localityWaitMs`
 *   (Spark's `spark.locality.wait`), so cached partitions are not shipped again for nothing.
 *   Waiting tasks are indexed (scheduling/task-queue.ts), so a start costs a few heap operations.
 * - Failure: a task on a lost node is queued again without counting against it (Spark does not
 *   count executor loss either); a task that fails on its slot counts, and its fourth failure
 *   fails the job (`spark.task.maxFailures`). An input error fails the job at once, not retried.
 * - Speculation (scheduling/speculation.ts): in a job's tail, a task running far past the median
 *   is started again on an idle slot of another node; the first result wins.
 * - Verification (scheduling/trust.ts, verdict.ts): when on, a volunteer's result counts only
 *   once another node agrees with it; a node that disagrees with the accepted answer is excluded
 *   and its results in unfinished jobs are computed again.
 * - Exactly once: the first accepted result of a task is committed; a result from an attempt that
 *   was given up on, or that arrives after the commit, is dropped.
 */
import { FabricError } from '../protocol/errors';
import type { ExecutorNode, TaskOutput } from './executor-node';
import { speculationSettings, stragglers, type SpeculationSettings } from './scheduling/speculation';
import { SlotRegistry } from './scheduling/slot-registry';
import { TaskQueue } from './scheduling/task-queue';
import { TrustLedger, type TrustState } from './scheduling/trust';
import type { Attempt, Job, JobSpec, SchedulerEvent, SchedulerOptions, SlotState, TaskOutcome, TaskState } from './scheduling/types';
import { judge, type NodeResult } from './scheduling/verdict';

export type { SpeculationOptions } from './scheduling/speculation';
export type { TrustState, VerificationOptions } from './scheduling/trust';
export type { Agreement } from './scheduling/verdict';
export type { JobProgress, JobSpec, SchedulerEvent, SchedulerOptions, TaskOutcome } from './scheduling/types';

const isLoss = (e: FabricError): boolean => e.code === 'worker-lost' || e.code === 'link-closed';

/** Assigns tasks to the slots of the nodes it is given. */
export class Scheduler {
  private readonly maxTaskFailures: number;
  private readonly depth: number;
  private readonly localityWaitMs: number;
  private readonly speculation: SpeculationSettings | undefined;
  private readonly trust: TrustLedger;
  private readonly slots: SlotRegistry;
  private readonly queue: TaskQueue<TaskState>;
  /** Tasks waiting for a check on a node other than those that computed them. */
  private readonly checks = new Set<TaskState>();
  private readonly jobs = new Set<Job>();
  private readonly attempts = new Map<number, Attempt>();
  private readonly listeners: ((e: SchedulerEvent) => void)[] = [];
  private nextAttemptId = 1;
  private nextJobId = 1;
  private localityTimer: ReturnType<typeof setTimeout> | undefined;
  private localityDue = Infinity;
  private speculationTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: SchedulerOptions = {}) {
    this.maxTaskFailures = options.maxTaskFailures ?? 4;
    this.depth = options.slotQueueDepth ?? 2;
    this.localityWaitMs = options.localityWaitMs ?? 3000;
    this.speculation = speculationSettings(options.speculation);
    this.trust = new TrustLedger(options.verification);
    this.queue = new TaskQueue<TaskState>((t) => this.slots.isPlaced(t.request.partitions));
    this.slots = new SlotRegistry((id) => this.queue.partitionLost(id));
  }

  /** Registers an event listener; returns the function that removes it. */
  onEvent(cb: (e: SchedulerEvent) => void): () => void {
    this.listeners.push(cb);
    return () => {
      const i = this.listeners.indexOf(cb);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Live slots over all nodes. */
  get slotCount(): number {
    return this.slots.size;
  }

  /** A node's standing in verification mode ('trusted' for the coordinator's own). */
  trustOf(nodeId: string): { state: TrustState; checksPassed: number } {
    return { state: this.trust.state(nodeId), checksPassed: this.trust.checksPassed(nodeId) };
  }

  /** Adds a node's slots. Its loss is handled from then on. An excluded node is refused. */
  addNode(node: ExecutorNode): void {
    const state = this.trust.register(node.id, node.kind);
    if (state === 'excluded') {
      node.close('this node was excluded after a failed verification check');
      return;
    }
    this.slots.add(node);
    if (this.trust.enabled) this.emit({ type: 'trust-changed', nodeId: node.id, state, checksPassed: 0 });
    node.onLost((reason) => this.removeNode(node.id, reason));
    this.dispatch();
  }

  /** Removes a node: its running tasks go back to the queue. Idempotent. */
  removeNode(nodeId: string, reason: FabricError): void {
    let requeued = 0;
    for (const s of this.slots.remove(nodeId)) {
      for (const attemptId of s.running) {
        const attempt = this.attempts.get(attemptId);
        if (!attempt || !this.settle(attempt)) continue;
        const { task } = attempt;
        // The copy of a straggler (or the straggler) is gone: the other may be copied again.
        task.speculated = false;
        if (!task.committed && !task.job.finished && task.attempts.size === 0) {
          this.requeue(task);
          requeued += 1;
        }
      }
    }
    this.emit({ type: 'node-lost', nodeId, requeued, reason });
    this.dispatch();
  }

  /**
   * Excludes a node for the life of this scheduler: it is removed, and every result it gave to a
   * job still running is computed again elsewhere. Verification calls this; so may a person.
   */
  excludeNode(nodeId: string, reason: string): void {
    if (this.trust.state(nodeId) === 'excluded') return;
    this.trust.exclude(nodeId);
    this.emit({ type: 'trust-changed', nodeId, state: 'excluded', checksPassed: this.trust.checksPassed(nodeId), reason });
    for (const job of this.jobs) {
      for (const task of job.tasks) {
        if (task.committed && task.committedBy === nodeId) {
          task.committed = false;
          task.committedBy = undefined;
          job.results.delete(task.request.taskId);
          this.emit({ type: 'task-uncommitted', taskId: task.request.taskId, nodeId });
          if (task.attempts.size === 0) this.requeue(task);
        }
        if (!task.committed) task.held = task.held.filter((r) => r.nodeId !== nodeId);
      }
    }
    const node = this.slots.node(nodeId);
    this.removeNode(nodeId, new FabricError('untrusted', `node ${nodeId} was excluded: ${reason}`));
    node?.close(`excluded: ${reason}`);
  }

  /** Ids of nodes with slots in the scheduler. */
  nodeIds(): string[] {
    return this.slots.nodeIds();
  }

  /** Runs a job's tasks. Resolves with every result by task id, or rejects with the reason. */
  run(spec: JobSpec): Promise<Map<string, TaskOutcome>> {
    const ids = new Set(spec.tasks.map((t) => t.taskId));
    if (ids.size !== spec.tasks.length) {
      return Promise.reject(new FabricError('bad-input', 'Scheduler.run: task ids must be unique within a job'));
    }
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextJobId++, total: spec.tasks.length, results: new Map(), spec, resolve, reject, tasks: [], active: new Set(), durations: [], cursor: 0, running: 0, finished: false, detach: () => undefined };
      // An already-aborted signal never fires 'abort', so check it here or the job would run anyway.
      if (spec.signal?.aborted) {
        reject(new FabricError('cancelled', 'the job was cancelled by its caller'));
        return;
      }
      if (job.total === 0) {
        job.finished = true;
        resolve(job.results);
        return;
      }
      const onAbort = (): void => this.failJob(job, new FabricError('cancelled', 'the job was cancelled by its caller'));
      spec.signal?.addEventListener('abort', onAbort, { once: true });
      job.detach = () => spec.signal?.removeEventListener('abort', onAbort);
      this.jobs.add(job);
      const now = Date.now();
      for (const request of spec.tasks) {
        const task: TaskState = { request, job, index: job.tasks.length, attempts: new Set(), failures: 0, committed: false, confirmed: false, committedBy: undefined, queuedAt: now, seq: 0, epoch: 0, queued: false, lastError: undefined, speculated: false, held: [], avoid: undefined };
        job.tasks.push(task);
        this.queue.add(task, false);
      }
      this.progress(job);
      this.dispatch();
    });
  }

  private emit(e: SchedulerEvent): void {
    for (const cb of this.listeners) cb(e);
  }

  private progress(job: Job): void {
    job.spec.onProgress?.({ done: job.results.size, total: job.total, running: job.running });
  }

  private requeue(task: TaskState): void {
    task.queuedAt = Date.now();
    // A new attempt may straggle too: it may be copied again.
    task.speculated = false;
    // A task still owing a check waits for a node that has not computed it yet.
    if (task.avoid && task.held.length > 0) this.checks.add(task);
    // Front of the queue: a retried task is the oldest work outstanding.
    else this.queue.add(task, true);
    task.job.cursor = Math.min(task.job.cursor, task.index);
  }

  private finishJob(job: Job): void {
    job.finished = true;
    job.detach();
    this.jobs.delete(job);
    for (const task of job.tasks) {
      this.queue.remove(task);
      this.checks.delete(task);
    }
  }

  private failJob(job: Job, error: FabricError): void {
    if (job.finished) return;
    this.finishJob(job);
    job.reject(error);
    this.dispatch();
  }

  /** The next task for a slot: a pending check, then locality, then the free and stale rules. */
  private pick(slot: SlotState, now: number): TaskState | undefined {
    for (const task of this.checks) {
      if (!task.avoid?.has(slot.node.id) && ![...task.attempts].some((a) => a.slot.node === slot.node)) return task;
    }
    const local = this.queue.local(slot.cached);
    if (local) return local;
    const free = this.queue.firstFree();
    if (free) return free;
    const tail = this.tailTask();
    if (tail) return tail;
    const oldest = this.queue.oldest();
    return oldest && now - oldest.queuedAt >= this.localityWaitMs ? oldest : undefined;
  }

  /**
   * A waiting task of a job in its tail (speculation's quantile committed). The job now waits on
   * its last tasks, so one cached on a busy slot goes to any free slot at once instead of after
   * the locality wait: a slow holder must not hold up the stage (delay scheduling's wait is for
   * the body of a stage, not its end).
   */
  private tailTask(): TaskState | undefined {
    if (!this.speculation) return undefined;
    for (const job of this.jobs) {
      if (job.total < 2 || job.results.size < Math.ceil(this.speculation.quantile * job.total)) continue;
      while (job.cursor < job.tasks.length && !job.tasks[job.cursor]!.queued) job.cursor += 1;
      if (job.cursor < job.tasks.length) return job.tasks[job.cursor];
    }
    return undefined;
  }

  private hasWork(): boolean {
    return this.queue.size > 0 || this.checks.size > 0;
  }

  /** Offers work to every slot with room: idle slots first, fastest first among equals. */
  private dispatch(): void {
    const now = Date.now();
    if (this.hasWork()) {
      const open = this.slots.bySpeed().filter((s) => s.running.size < this.depth);
      for (let level = 0; level < this.depth && this.hasWork(); level++) {
        for (const s of open) {
          if (s.running.size !== level) continue;
          const task = this.pick(s, now);
          if (task) this.start(task, s);
          if (!this.hasWork()) break;
        }
      }
    }
    this.armLocalityTimer(now);
  }

  /**
   * Offers work to one slot that has just finished a task. Every other slot with room already
   * found nothing it could take, and a finished task gives them nothing new, so only this slot
   * needs asking.
   */
  private offer(slot: SlotState): void {
    const now = Date.now();
    while (this.slots.isLive(slot) && slot.running.size < this.depth && this.hasWork()) {
      const task = this.pick(slot, now);
      if (!task) break;
      this.start(task, slot);
    }
    this.armLocalityTimer(now);
  }

  private armLocalityTimer(now: number): void {
    const oldest = this.queue.oldest();
    const due = oldest && this.slots.size > 0 ? oldest.queuedAt + this.localityWaitMs : Infinity;
    // A task already past its wait is taken by the next slot that frees up: no timer needed.
    if (due <= now || due === Infinity) return;
    if (this.localityTimer && this.localityDue <= due) return;
    if (this.localityTimer) clearTimeout(this.localityTimer);
    this.localityDue = due;
    // setTimeout takes at most 2^31 - 1 ms; a longer wait would fire at once and spin.
    this.localityTimer = setTimeout(() => {
      this.localityTimer = undefined;
      this.localityDue = Infinity;
      this.dispatch();
    }, Math.min(2 ** 31 - 1, Math.max(10, due - now)));
  }

  private armSpeculation(): void {
    if (!this.speculation || this.speculationTimer || this.jobs.size === 0) return;
    this.speculationTimer = setTimeout(() => this.speculate(), this.speculation.intervalMs);
  }

  /** Starts a second copy of each straggler of a job in its tail, on an idle slot of another node. */
  private speculate(): void {
    this.speculationTimer = undefined;
    for (const { task, slot, first, medianMs } of stragglers(this.jobs, Date.now(), this.speculation!, this.slots.bySpeed())) {
      task.speculated = true;
      this.emit({ type: 'task-speculated', taskId: task.request.taskId, nodeId: slot.node.id, slot: slot.slot, slowNodeId: first.slot.node.id, runningMs: Date.now() - first.startedAt, medianMs });
      this.start(task, slot, true);
    }
    this.armSpeculation();
  }

  private start(task: TaskState, slot: SlotState, speculative = false): void {
    this.queue.remove(task);
    this.checks.delete(task);
    const attempt: Attempt = { id: this.nextAttemptId++, task, slot, startedAt: Date.now(), settled: false };
    this.attempts.set(attempt.id, attempt);
    slot.running.add(attempt.id);
    task.attempts.add(attempt);
    task.job.active.add(task);
    task.job.running += 1;
    this.emit({ type: 'task-started', taskId: task.request.taskId, nodeId: slot.node.id, slot: slot.slot, speculative });
    this.progress(task.job);
    this.armSpeculation();
    slot.node.execute(slot.slot, task.request).then(
      (result) => this.succeed(attempt, result),
      (e: unknown) => this.fail(attempt, FabricError.from(e, 'task-failed')),
    );
  }

  /** Ends an attempt. False when it had already been given up on (its node was lost). */
  private settle(attempt: Attempt): boolean {
    attempt.slot.running.delete(attempt.id);
    if (attempt.settled) return false;
    attempt.settled = true;
    this.emit({ type: 'attempt-ended', taskId: attempt.task.request.taskId, nodeId: attempt.slot.node.id });
    this.attempts.delete(attempt.id);
    const { task } = attempt;
    task.attempts.delete(attempt);
    if (task.attempts.size === 0) task.job.active.delete(task);
    task.job.running -= 1;
    return true;
  }

  private succeed(attempt: Attempt, output: TaskOutput): void {
    const fresh = this.settle(attempt);
    const { task, slot } = attempt;
    for (const ref of task.request.partitions) this.slots.addHolder(ref.id, slot);
    if (!fresh || task.committed || task.job.finished) {
      if (task.committed) this.emit({ type: 'duplicate-dropped', taskId: task.request.taskId, nodeId: slot.node.id });
      // A late copy is a free check against a result known to be right.
      if (fresh && task.committed && task.confirmed && !task.job.finished) this.checkLate(task, slot.node.id, output);
      this.offer(slot);
      return;
    }
    const nodeId = slot.node.id;
    if (task.held.some((h) => h.nodeId === nodeId)) {
      // A second copy from a node whose result is already held checks nothing: wait for another.
      if (task.attempts.size === 0) this.checks.add(task);
      this.offer(slot);
      return;
    }
    const result: NodeResult = { output, nodeId, slot: slot.slot, ms: Date.now() - attempt.startedAt, trusted: this.trust.state(nodeId) === 'trusted' };
    const agree = task.job.spec.agree;
    const verdict = agree
      ? judge(task.request.taskId, task.held, result, agree, task.held.length === 0 && this.trust.shouldCheck(nodeId) && this.slots.hasNodeOutside([nodeId]))
      : ({ kind: 'commit', result, agreed: [], excluded: [] } as const);
    if (verdict.kind === 'fail') {
      this.failJob(task.job, verdict.error);
      return;
    }
    if (verdict.kind === 'check') {
      if (task.held.length > 0 && !this.slots.hasNodeOutside(verdict.avoid)) {
        this.failJob(task.job, new FabricError('verification-failed', `task ${task.request.taskId}: nodes ${verdict.avoid.join(' and ')} returned different results and no third node is connected to settle it. Add a node (or the coordinator's own slots) and run the job again.`));
        return;
      }
      task.held.push(result);
      task.avoid = new Set(verdict.avoid);
      this.emit({ type: 'task-checking', taskId: task.request.taskId, nodeId, avoid: verdict.avoid.slice() });
      this.checks.add(task);
      this.dispatch();
      return;
    }
    this.commit(task, verdict.result, verdict.result.trusted || verdict.agreed.length > 0);
    for (const id of verdict.agreed) {
      const state = this.trust.passed(id);
      this.emit({ type: 'trust-changed', nodeId: id, state, checksPassed: this.trust.checksPassed(id) });
    }
    for (const x of verdict.excluded) this.excludeNode(x.nodeId, x.reason);
    this.offer(slot);
  }

  /** Excludes an untrusted node whose late copy of a confirmed result disagrees with it. */
  private checkLate(task: TaskState, nodeId: string, output: TaskOutput): void {
    const agree = task.job.spec.agree;
    const committed = task.job.results.get(task.request.taskId);
    if (!agree || !committed || !this.trust.enabled || this.trust.state(nodeId) === 'trusted') return;
    const difference = agree(committed, output);
    if (difference === undefined) return;
    this.excludeNode(nodeId, `its late copy of ${task.request.taskId} disagreed with the confirmed result (${difference})`);
  }

  private commit(task: TaskState, r: NodeResult, confirmed: boolean): void {
    task.committed = true;
    task.confirmed = confirmed;
    task.committedBy = r.nodeId;
    task.held = [];
    task.avoid = undefined;
    this.checks.delete(task);
    const { job } = task;
    job.results.set(task.request.taskId, { result: r.output.result, binary: r.output.binary, nodeId: r.nodeId, slot: r.slot });
    job.durations.push(r.ms);
    this.emit({ type: 'task-committed', taskId: task.request.taskId, nodeId: r.nodeId, slot: r.slot, ms: r.ms, partitions: task.request.partitions.map((p) => p.index) });
    this.progress(job);
    if (job.results.size === job.total) {
      this.finishJob(job);
      job.resolve(job.results);
    }
  }

  private fail(attempt: Attempt, error: FabricError): void {
    const fresh = this.settle(attempt);
    const { task, slot } = attempt;
    if (!fresh || task.committed || task.job.finished) {
      this.offer(slot);
      return;
    }
    task.lastError = error;
    if (!error.retryable) {
      this.emit({ type: 'task-failed', taskId: task.request.taskId, nodeId: slot.node.id, slot: slot.slot, error, willRetry: false, requeued: false });
      this.failJob(task.job, error);
      return;
    }
    if (!isLoss(error)) task.failures += 1;
    const willRetry = task.failures < this.maxTaskFailures;
    // Another attempt of the task (a speculative copy) still running is its retry.
    const requeued = willRetry && task.attempts.size === 0;
    this.emit({ type: 'task-failed', taskId: task.request.taskId, nodeId: slot.node.id, slot: slot.slot, error, willRetry, requeued });
    if (!willRetry) {
      this.failJob(task.job, new FabricError('too-many-failures', `task ${task.request.taskId} (${task.request.kind}) failed ${task.failures} times; the last error was: ${error.message}`, { cause: error }));
      return;
    }
    if (!requeued) {
      // A copy lost with its node may be made again; one that failed is not retried as a copy.
      if (isLoss(error)) task.speculated = false;
      this.offer(slot);
      return;
    }
    this.requeue(task);
    this.dispatch();
  }
}
