/**
 * The scheduler: assigns tasks to slots, survives nodes leaving, retries what may succeed, fails
 * fast on what cannot, and commits each task's result exactly once.
 *
 * - Pull-based: a slot with room in its short queue takes the next task, so faster slots take more
 *   work and a link never sits idle between tasks.
 * - Locality: a slot first takes a task whose partitions it already holds, then one whose
 *   partitions no live slot holds; a task cached elsewhere is taken only after `localityWaitMs`
 *   (Spark's `spark.locality.wait`), so cached partitions are not shipped again for nothing.
 * - Failure: a task on a lost node is queued again without counting against it (Spark does not
 *   count executor loss either); a task that fails on its slot counts, and its fourth failure
 *   fails the job (`spark.task.maxFailures`). An input error fails the job at once, not retried.
 * - Exactly once: the first result of a live attempt is committed; a result from an attempt that
 *   was given up on (its node was declared lost) or that arrives after the commit is dropped.
 */
import { FabricError } from '../protocol/errors';
import type { PartitionRef } from '../protocol/dataset';
import type { TaskRequest } from '../protocol/slot-api';
import type { ExecutorNode, TaskOutput } from './executor-node';

/** Scheduler settings. */
export interface SchedulerOptions {
  /** Failures of one task that fail its job. Spark's default is 4. */
  readonly maxTaskFailures?: number;
  /** Tasks queued per slot, running one and holding the next so the link does not idle. */
  readonly slotQueueDepth?: number;
  /** How long a task waits for a slot holding its partitions before another takes it. */
  readonly localityWaitMs?: number;
}

/** One task's progress events, for dashboards. */
export type SchedulerEvent =
  | { type: 'task-started'; taskId: string; nodeId: string; slot: number }
  | { type: 'task-committed'; taskId: string; nodeId: string; slot: number; ms: number; partitions: number[] }
  | { type: 'task-failed'; taskId: string; nodeId: string; slot: number; error: FabricError; willRetry: boolean }
  | { type: 'duplicate-dropped'; taskId: string; nodeId: string }
  | { type: 'node-lost'; nodeId: string; requeued: number; reason: FabricError };

/** Progress of a job. */
export interface JobProgress {
  readonly done: number;
  readonly total: number;
  readonly running: number;
}

/** A job's tasks and callbacks. */
export interface JobSpec {
  readonly tasks: readonly TaskRequest[];
  readonly onProgress?: ((p: JobProgress) => void) | undefined;
  /** Aborting fails the job with `cancelled`. */
  readonly signal?: AbortSignal | undefined;
}

/** A committed result with where it ran. */
export interface TaskOutcome {
  readonly result: unknown;
  /** Binary outputs (gradient sums, predictions). */
  readonly binary: readonly Uint8Array[];
  readonly nodeId: string;
  readonly slot: number;
}

interface SlotState {
  readonly node: ExecutorNode;
  readonly slot: number;
  readonly key: string;
  readonly speed: number;
  readonly running: Set<number>;
  readonly cached: Set<string>;
}

interface Job {
  readonly id: number;
  readonly total: number;
  readonly results: Map<string, TaskOutcome>;
  readonly spec: JobSpec;
  readonly resolve: (r: Map<string, TaskOutcome>) => void;
  readonly reject: (e: FabricError) => void;
  running: number;
  finished: boolean;
  /** Removes the abort listener once the job is over, so a long-lived signal does not collect them. */
  detach: () => void;
}

interface TaskState {
  readonly request: TaskRequest;
  readonly job: Job;
  failures: number;
  committed: boolean;
  queuedAt: number;
  lastError: FabricError | undefined;
}

interface Attempt {
  readonly id: number;
  readonly task: TaskState;
  readonly slot: SlotState;
  readonly startedAt: number;
  settled: boolean;
}

/** Assigns tasks to the slots of the nodes it is given. */
export class Scheduler {
  private readonly maxTaskFailures: number;
  private readonly depth: number;
  private readonly localityWaitMs: number;
  private readonly slots = new Map<string, SlotState>();
  private readonly pending: TaskState[] = [];
  private readonly attempts = new Map<number, Attempt>();
  private readonly listeners: ((e: SchedulerEvent) => void)[] = [];
  private nextAttemptId = 1;
  private nextJobId = 1;
  private localityTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: SchedulerOptions = {}) {
    this.maxTaskFailures = options.maxTaskFailures ?? 4;
    this.depth = options.slotQueueDepth ?? 2;
    this.localityWaitMs = options.localityWaitMs ?? 3000;
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

  /** Adds a node's slots. Its loss is handled from then on. */
  addNode(node: ExecutorNode): void {
    node.slots.forEach((report, slot) => {
      const key = `${node.id}#${slot}`;
      this.slots.set(key, { node, slot, key, speed: report.gflops, running: new Set(), cached: new Set() });
    });
    node.onLost((reason) => this.removeNode(node.id, reason));
    this.dispatch();
  }

  /** Removes a node: its running tasks go back to the queue. Idempotent. */
  removeNode(nodeId: string, reason: FabricError): void {
    let requeued = 0;
    for (const [key, s] of this.slots) {
      if (s.node.id !== nodeId) continue;
      this.slots.delete(key);
      for (const attemptId of s.running) {
        const attempt = this.attempts.get(attemptId);
        if (!attempt || attempt.settled) continue;
        attempt.settled = true;
        this.attempts.delete(attemptId);
        attempt.task.job.running -= 1;
        if (!attempt.task.committed && !attempt.task.job.finished) {
          this.requeue(attempt.task);
          requeued += 1;
        }
      }
    }
    this.emit({ type: 'node-lost', nodeId, requeued, reason });
    this.dispatch();
  }

  /** Ids of nodes with slots in the scheduler. */
  nodeIds(): string[] {
    return [...new Set([...this.slots.values()].map((s) => s.node.id))];
  }

  /** Runs a job's tasks. Resolves with every result by task id, or rejects with the reason. */
  run(spec: JobSpec): Promise<Map<string, TaskOutcome>> {
    const ids = new Set(spec.tasks.map((t) => t.taskId));
    if (ids.size !== spec.tasks.length) {
      return Promise.reject(new FabricError('bad-input', 'Scheduler.run: task ids must be unique within a job'));
    }
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextJobId++, total: spec.tasks.length, results: new Map(), spec, resolve, reject, running: 0, finished: false, detach: () => undefined };
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
      const now = Date.now();
      for (const request of spec.tasks) {
        this.pending.push({ request, job, failures: 0, committed: false, queuedAt: now, lastError: undefined });
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
    // Front of the queue: a retried task is the oldest work outstanding.
    this.pending.unshift(task);
  }

  private failJob(job: Job, error: FabricError): void {
    if (job.finished) return;
    job.finished = true;
    job.detach();
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i]!.job === job) this.pending.splice(i, 1);
    job.reject(error);
    this.dispatch();
  }

  /** Live slots, fastest first, so the first tasks of a job go to the fastest slots. */
  private liveSlots(): SlotState[] {
    return [...this.slots.values()].sort((a, b) => b.speed - a.speed);
  }

  private pick(slot: SlotState, now: number): number {
    const live = [...this.slots.values()];
    const holds = (s: SlotState, refs: readonly PartitionRef[]): boolean => refs.every((r) => s.cached.has(r.id));
    let unplaced = -1;
    let stale = -1;
    for (let i = 0; i < this.pending.length; i++) {
      const refs = this.pending[i]!.request.partitions;
      if (holds(slot, refs)) return i;
      if (unplaced < 0 && !live.some((s) => s !== slot && refs.length > 0 && holds(s, refs))) unplaced = i;
      if (stale < 0 && now - this.pending[i]!.queuedAt >= this.localityWaitMs) stale = i;
    }
    return unplaced >= 0 ? unplaced : stale;
  }

  private dispatch(): void {
    const now = Date.now();
    while (this.pending.length > 0) {
      // Idle slots first (fastest first among equals): a slot takes a second, queued task only
      // when no slot is idle, so work never piles up on a few slots while others wait (the
      // complaint about SparkTrials), and queue depth still keeps busy links from idling.
      const candidates = this.liveSlots()
        .filter((s) => s.running.size < this.depth)
        .sort((a, b) => a.running.size - b.running.size);
      let started = false;
      for (const slot of candidates) {
        const index = this.pick(slot, now);
        if (index < 0) continue;
        const [task] = this.pending.splice(index, 1);
        this.start(task!, slot);
        started = true;
        break;
      }
      if (!started) break;
    }
    this.armLocalityTimer(now);
  }

  private armLocalityTimer(now: number): void {
    if (this.localityTimer) clearTimeout(this.localityTimer);
    this.localityTimer = undefined;
    if (this.pending.length === 0 || this.slots.size === 0) return;
    const oldest = Math.min(...this.pending.map((t) => t.queuedAt));
    // setTimeout takes at most 2^31 - 1 ms; a longer wait would fire at once and spin.
    const wait = Math.min(2 ** 31 - 1, Math.max(10, oldest + this.localityWaitMs - now));
    this.localityTimer = setTimeout(() => this.dispatch(), wait);
  }

  private start(task: TaskState, slot: SlotState): void {
    const attempt: Attempt = { id: this.nextAttemptId++, task, slot, startedAt: Date.now(), settled: false };
    this.attempts.set(attempt.id, attempt);
    slot.running.add(attempt.id);
    task.job.running += 1;
    this.emit({ type: 'task-started', taskId: task.request.taskId, nodeId: slot.node.id, slot: slot.slot });
    this.progress(task.job);
    slot.node.execute(slot.slot, task.request).then(
      (result) => this.succeed(attempt, result),
      (e: unknown) => this.fail(attempt, FabricError.from(e, 'task-failed')),
    );
  }

  private settle(attempt: Attempt): boolean {
    attempt.slot.running.delete(attempt.id);
    if (attempt.settled) return false;
    attempt.settled = true;
    this.attempts.delete(attempt.id);
    attempt.task.job.running -= 1;
    return true;
  }

  private succeed(attempt: Attempt, output: TaskOutput): void {
    const fresh = this.settle(attempt);
    const { task, slot } = attempt;
    for (const ref of task.request.partitions) slot.cached.add(ref.id);
    if (!fresh || task.committed || task.job.finished) {
      if (task.committed) this.emit({ type: 'duplicate-dropped', taskId: task.request.taskId, nodeId: slot.node.id });
      this.dispatch();
      return;
    }
    task.committed = true;
    task.job.results.set(task.request.taskId, { result: output.result, binary: output.binary, nodeId: slot.node.id, slot: slot.slot });
    this.emit({ type: 'task-committed', taskId: task.request.taskId, nodeId: slot.node.id, slot: slot.slot, ms: Date.now() - attempt.startedAt, partitions: task.request.partitions.map((r) => r.index) });
    this.progress(task.job);
    if (task.job.results.size === task.job.total) {
      task.job.finished = true;
      task.job.detach();
      task.job.resolve(task.job.results);
    }
    this.dispatch();
  }

  private fail(attempt: Attempt, error: FabricError): void {
    const fresh = this.settle(attempt);
    const { task, slot } = attempt;
    if (!fresh || task.committed || task.job.finished) {
      this.dispatch();
      return;
    }
    task.lastError = error;
    const lostNode = error.code === 'worker-lost' || error.code === 'link-closed';
    if (!error.retryable) {
      this.emit({ type: 'task-failed', taskId: task.request.taskId, nodeId: slot.node.id, slot: slot.slot, error, willRetry: false });
      this.failJob(task.job, error);
      return;
    }
    if (!lostNode) task.failures += 1;
    const willRetry = task.failures < this.maxTaskFailures;
    this.emit({ type: 'task-failed', taskId: task.request.taskId, nodeId: slot.node.id, slot: slot.slot, error, willRetry });
    if (!willRetry) {
      this.failJob(task.job, new FabricError('too-many-failures', `task ${task.request.taskId} (${task.request.kind}) failed ${task.failures} times; the last error was: ${error.message}`, { cause: error }));
      return;
    }
    this.requeue(task);
    this.dispatch();
  }
}
