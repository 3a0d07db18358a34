/**
 * The scheduler's types: its settings, events and job shapes (public), and the state it keeps per
 * slot, job, task and attempt (internal to src/coordinator/scheduler.ts and scheduling/).
 */
import type { FabricError } from '../../protocol/errors';
import type { TaskRequest } from '../../protocol/slot-api';
import type { ExecutorNode } from '../executor-node';
import type { SpeculationOptions } from './speculation';
import type { QueuedTask } from './task-queue';
import type { TrustState, VerificationOptions } from './trust';
import type { Agreement, NodeResult } from './verdict';

/** Scheduler settings. */
export interface SchedulerOptions {
  /** Failures of one task that fail its job. Spark's default is 4. */
  readonly maxTaskFailures?: number;
  /** Tasks queued per slot, running one and holding the next so the link does not idle. */
  readonly slotQueueDepth?: number;
  /** How long a task waits for a slot holding its partitions before another takes it. */
  readonly localityWaitMs?: number;
  /** Relaunching stragglers; on by default, `false` turns it off. */
  readonly speculation?: SpeculationOptions | false;
  /** Checking volunteers' results on a second node; off by default. */
  readonly verification?: VerificationOptions;
}

/** One task's progress events, for dashboards. */
export type SchedulerEvent =
  | { type: 'task-started'; taskId: string; nodeId: string; slot: number; speculative: boolean }
  | { type: 'task-committed'; taskId: string; nodeId: string; slot: number; ms: number; partitions: number[] }
  | { type: 'task-failed'; taskId: string; nodeId: string; slot: number; error: FabricError; willRetry: boolean; requeued: boolean }
  | { type: 'task-speculated'; taskId: string; nodeId: string; slot: number; slowNodeId: string; runningMs: number; medianMs: number }
  | { type: 'task-checking'; taskId: string; nodeId: string; avoid: string[] }
  | { type: 'task-uncommitted'; taskId: string; nodeId: string }
  | { type: 'duplicate-dropped'; taskId: string; nodeId: string }
  /** An attempt ended on its node (committed, failed, dropped, held for a check, or given up). */
  | { type: 'attempt-ended'; taskId: string; nodeId: string }
  | { type: 'trust-changed'; nodeId: string; state: TrustState; checksPassed: number; reason?: string }
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
  /** How two results of one task are compared in verification mode; without it, none is checked. */
  readonly agree?: Agreement | undefined;
}

/** A committed result with where it ran. */
export interface TaskOutcome {
  readonly result: unknown;
  /** Binary outputs (gradient sums, predictions). */
  readonly binary: readonly Uint8Array[];
  readonly nodeId: string;
  readonly slot: number;
}

export interface SlotState {
  readonly node: ExecutorNode;
  readonly slot: number;
  readonly key: string;
  readonly speed: number;
  readonly running: Set<number>;
  readonly cached: Set<string>;
}

export interface Job {
  readonly id: number;
  readonly total: number;
  readonly results: Map<string, TaskOutcome>;
  readonly spec: JobSpec;
  readonly resolve: (r: Map<string, TaskOutcome>) => void;
  readonly reject: (e: FabricError) => void;
  readonly tasks: TaskState[];
  /** Tasks with an attempt running. */
  readonly active: Set<TaskState>;
  /** Milliseconds of each committed task, for speculation's median. */
  readonly durations: number[];
  /** Tasks before this index are not waiting (for the tail rule's scan). */
  cursor: number;
  running: number;
  finished: boolean;
  /** Removes the abort listener once the job is over, so a long-lived signal does not collect them. */
  detach: () => void;
}

export interface TaskState extends QueuedTask {
  readonly job: Job;
  /** Position in its job's task list. */
  readonly index: number;
  readonly attempts: Set<Attempt>;
  failures: number;
  committed: boolean;
  /** Committed from a trusted node or after two nodes agreed. */
  confirmed: boolean;
  committedBy: string | undefined;
  lastError: FabricError | undefined;
  speculated: boolean;
  /** Results held until another node agrees (verification mode). */
  held: NodeResult[];
  /** Nodes a check of this task must not run on. */
  avoid: Set<string> | undefined;
}

export interface Attempt {
  readonly id: number;
  readonly task: TaskState;
  readonly slot: SlotState;
  readonly startedAt: number;
  settled: boolean;
}
