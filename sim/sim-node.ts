/**
 * A simulated volunteer: an {@link ExecutorNode} that runs no code but takes the time a task would.
 * Like the real VolunteerNode it sends a slot each partition or artifact once (then the slot holds
 * it), waits for the slot's acknowledgement, then sends the task; the slot runs its tasks one at a
 * time at the node's speed, and the result travels back. When the node leaves, every task it holds
 * is rejected with `worker-lost` and its onLost callbacks run with a `worker-lost` FabricError,
 * the path a closed WebRTC link takes.
 */
import type { ExecutorNode, TaskOutput } from '../src/coordinator/executor-node';
import { FabricError } from '../src/protocol/errors';
import type { ProbeReport, TaskRequest } from '../src/protocol/slot-api';
import type { VirtualClock } from './clock';
import type { NodeLink } from './network';
import type { Random } from './random';

/** What a simulated task costs, carried in its `params`. */
export interface SimWork {
  /** Compute, in seconds on a slot of speed 1. */
  readonly work: number;
  /** Bytes sent with the task besides cached blobs (model parameters). */
  readonly sendBytes: number;
  /** Bytes of the result (gradient, predictions). */
  readonly resultBytes: number;
}

/** The result a simulated slot returns: which task ran where, for the exactly-once audit. */
export interface SimResult {
  readonly taskId: string;
  readonly nodeId: string;
  readonly slot: number;
}

/** Bytes of a task message without payload (JSON header and framing), as the real link sends. */
const TASK_HEADER_BYTES = 300;

function workOf(task: TaskRequest): SimWork {
  const p = task.params as Partial<SimWork> | null;
  if (typeof p?.work !== 'number' || typeof p.sendBytes !== 'number' || typeof p.resultBytes !== 'number') {
    throw new FabricError('bad-input', `SimNode.execute: task ${task.taskId} needs params { work, sendBytes, resultBytes }`);
  }
  return p as SimWork;
}

interface InFlight {
  readonly reject: (e: FabricError) => void;
  timer: number;
  /** When the slot starts and ends this task's compute (ms), once it is known. */
  start: number;
  end: number;
}

/** A volunteer of the simulated fleet. */
export class SimNode implements ExecutorNode {
  readonly kind = 'volunteer';
  readonly slots: readonly ProbeReport[];
  /** Per slot: blob id to the time the slot acknowledged holding it. */
  private readonly held: Map<string, number>[];
  /** Per slot: when it finishes the tasks it has been given. */
  private readonly freeAt: number[];
  private readonly inFlight = new Set<InFlight>();
  private readonly lostCallbacks: ((reason: FabricError) => void)[] = [];
  private lostWith: FabricError | undefined;
  /** Stopped working (left); `lostWith` is set once the coordinator notices. */
  private gone = false;
  /** Slot-seconds of compute finished, and lost with the node. */
  workDone = 0;
  workLost = 0;

  constructor(
    readonly id: string,
    slots: number,
    /** Tasks' work units per second, per slot. */
    readonly speed: number,
    private readonly link: NodeLink,
    private readonly clock: VirtualClock,
    private readonly random: Random,
    /** Chance that a task fails on its slot with a retryable `task-failed`. */
    private readonly failureRate: number,
    readonly name = id,
  ) {
    const report: ProbeReport = { chosen: 'wasm', gflops: speed, measurements: [{ backend: 'wasm', ok: true, gflops: speed }], crossOriginIsolated: true };
    this.slots = Array.from({ length: slots }, () => report);
    this.held = Array.from({ length: slots }, () => new Map<string, number>());
    this.freeAt = Array.from({ length: slots }, () => 0);
  }

  /** True once the node has left, noticed or not. */
  get lost(): boolean {
    return this.gone;
  }

  execute(slot: number, task: TaskRequest): Promise<TaskOutput> {
    if (this.lostWith) return Promise.reject(this.lostError());
    // Gone but not yet noticed: the task is sent into the void and fails when the heartbeat does.
    if (this.gone) return new Promise<TaskOutput>((_, reject) => this.inFlight.add({ reject, timer: 0, start: Number.POSITIVE_INFINITY, end: Number.POSITIVE_INFINITY }));
    if (slot < 0 || slot >= this.slots.length) return Promise.reject(new FabricError('internal', `${this.name} has no slot ${slot}`));
    let cost: SimWork;
    try {
      cost = workOf(task);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<TaskOutput>((resolve, reject) => {
      const run: InFlight = { reject, timer: 0, start: Number.POSITIVE_INFINITY, end: Number.POSITIVE_INFINITY };
      this.inFlight.add(run);
      const at = (time: number, fn: () => void): void => {
        run.timer = this.clock.setTimeout(fn, time - this.clock.now());
      };
      const sendTask = (): void => {
        const arrive = this.link.send(this.clock.now(), TASK_HEADER_BYTES + cost.sendBytes);
        run.start = Math.max(arrive, this.freeAt[slot]!);
        run.end = run.start + (cost.work / this.speed) * 1000;
        this.freeAt[slot] = run.end;
        at(run.end, () => {
          this.workDone += cost.work;
          const failed = this.random.chance(this.failureRate);
          at(this.link.receive(this.clock.now(), TASK_HEADER_BYTES + (failed ? 0 : cost.resultBytes)), () => {
            this.inFlight.delete(run);
            if (failed) reject(new FabricError('task-failed', `${this.name} slot ${slot}: simulated transient failure of ${task.taskId}`));
            else resolve({ result: { taskId: task.taskId, nodeId: this.id, slot } satisfies SimResult, binary: [] });
          });
        });
      };
      const ready = this.ensureHeld(slot, task);
      if (ready > this.clock.now()) at(ready, sendTask);
      else sendTask();
    });
  }

  /** Sends the slot every blob it lacks; returns when the last acknowledgement is back. */
  private ensureHeld(slot: number, task: TaskRequest): number {
    const held = this.held[slot]!;
    let ready = this.clock.now();
    for (const ref of [...task.partitions, ...(task.artifacts ?? [])]) {
      let ack = held.get(ref.id);
      if (ack === undefined) {
        ack = this.link.send(this.clock.now(), ref.byteLength) + this.link.latencyMs;
        held.set(ref.id, ack);
      }
      ready = Math.max(ready, ack);
    }
    return ready;
  }

  traffic(): { bytesIn: number; bytesOut: number } {
    return this.link.traffic();
  }

  onLost(cb: (reason: FabricError) => void): void {
    if (this.lostWith) cb(this.lostWith);
    else this.lostCallbacks.push(cb);
  }

  /** The coordinator drops the node: noticed at once. */
  close(reason: string): void {
    this.leave(reason);
  }

  /**
   * The volunteer goes away: its work stops at once. A closed tab is noticed at once (the data
   * channel closes); a shut laptop lid or a lost network only when the heartbeat times out,
   * `noticedAfterMs` later. Then its tasks are rejected and the scheduler is told.
   */
  leave(reason: string, noticedAfterMs = 0): void {
    if (this.gone) return;
    this.gone = true;
    const now = this.clock.now();
    for (const run of this.inFlight) {
      this.clock.clearTimeout(run.timer);
      if (now > run.start) this.workLost += ((Math.min(now, run.end) - run.start) / 1000) * this.speed;
    }
    if (noticedAfterMs > 0) this.clock.setTimeout(() => this.notice(reason), noticedAfterMs);
    else this.notice(reason);
  }

  private notice(reason: string): void {
    this.lostWith = new FabricError('worker-lost', `${this.name} left: ${reason}`);
    const err = this.lostError();
    const runs = [...this.inFlight];
    this.inFlight.clear();
    for (const run of runs) run.reject(err);
    for (const cb of this.lostCallbacks) cb(this.lostWith);
  }

  private lostError(): FabricError {
    return new FabricError('worker-lost', `volunteer ${this.name} was lost: ${this.lostWith?.message ?? 'unknown reason'}`, { cause: this.lostWith });
  }
}
