/**
 * Test doubles for the scheduler's tests: an executor node whose `execute` calls the test settles
 * (or answers at once), and small task and partition builders. Pure test support; no browser.
 */
import type { PartitionRef } from '../protocol/dataset';
import { FabricError } from '../protocol/errors';
import type { ProbeReport, TaskRequest } from '../protocol/slot-api';
import type { ExecutorNode, NodeKind, TaskOutput } from '../coordinator/executor-node';
import type { Scheduler, SchedulerEvent, TaskOutcome } from '../coordinator/scheduler';

/** One call of `execute`, settled by the test (or by the node's behaviour). */
export interface Call {
  readonly node: FakeNode;
  readonly slot: number;
  readonly task: TaskRequest;
  settled: boolean;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

export type Behaviour = (call: Call) => void;

/** Answers at once with a result that names the task and where it ran. */
export const answer: Behaviour = (call) => call.resolve({ taskId: call.task.taskId, nodeId: call.node.id, slot: call.slot });
/** Leaves every call pending until the test settles it. */
export const hold: Behaviour = () => undefined;

export function report(gflops: number): ProbeReport {
  return { chosen: 'cpu', gflops, measurements: [{ backend: 'cpu', ok: true, gflops }], crossOriginIsolated: false };
}

/** An executor node whose `execute` the test controls. */
export class FakeNode implements ExecutorNode {
  kind: NodeKind = 'volunteer';
  /** The reason given to close(), once closed. */
  closed: string | undefined;
  readonly name: string;
  readonly slots: ProbeReport[];
  readonly calls: Call[] = [];
  private readonly lostCallbacks: ((reason: FabricError) => void)[] = [];

  constructor(readonly id: string, speeds: readonly number[], public behaviour: Behaviour = answer) {
    this.name = `fake ${id}`;
    this.slots = speeds.map(report);
  }

  execute(slot: number, task: TaskRequest): Promise<TaskOutput> {
    return new Promise<TaskOutput>((res, reject) => {
      const resolve = (r: unknown): void => res({ result: r, binary: [] });
      const call: Call = {
        node: this,
        slot,
        task,
        settled: false,
        resolve: (r) => {
          call.settled = true;
          resolve(r);
        },
        reject: (e) => {
          call.settled = true;
          reject(e);
        },
      };
      this.calls.push(call);
      this.behaviour(call);
    });
  }

  traffic(): { bytesIn: number; bytesOut: number } {
    return { bytesIn: 0, bytesOut: 0 };
  }

  onLost(cb: (reason: FabricError) => void): void {
    this.lostCallbacks.push(cb);
  }

  /** Reports the node lost, as a closed link or a dead worker would. */
  lose(reason = new FabricError('worker-lost', `${this.id} went away`)): void {
    for (const cb of this.lostCallbacks) cb(reason);
  }

  close(reason: string): void {
    this.closed = reason;
  }

  pending(): Call[] {
    return this.calls.filter((c) => !c.settled);
  }

  callsFor(taskId: string): Call[] {
    return this.calls.filter((c) => c.task.taskId === taskId);
  }
}

export function ref(index: number): PartitionRef {
  return { id: `ds/${index}`, index, rowStart: index * 100, numRows: 100, byteLength: 1000, hash: index.toString(16).padStart(64, '0') };
}

export function task(taskId: string, partitions: readonly number[] = []): TaskRequest {
  return { taskId, kind: 'describe', params: {}, partitions: partitions.map(ref) };
}

/** Lets pending promise callbacks and zero-delay timers run. */
export const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

export function recordEvents(s: Scheduler): SchedulerEvent[] {
  const events: SchedulerEvent[] = [];
  s.onEvent((e) => events.push(e));
  return events;
}

export function resultOf(results: Map<string, TaskOutcome>, taskId: string): { taskId: string; nodeId: string; slot: number } {
  return results.get(taskId)!.result as { taskId: string; nodeId: string; slot: number };
}
