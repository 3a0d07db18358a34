/**
 * What the scheduler needs from a node: its slots, and a way to run a task on one of them. The
 * local node (Web Workers) and a volunteer node (a link) both provide it.
 */
import type { FabricError } from '../protocol/errors';
import type { ProbeReport, TaskRequest } from '../protocol/slot-api';

/** A task's outputs as the scheduler receives them. */
export interface TaskOutput {
  readonly result: unknown;
  readonly binary: readonly Uint8Array[];
}

/** Local to the coordinator page, or a volunteer tab. */
export type NodeKind = 'local' | 'volunteer';

/** A node the scheduler can use. */
export interface ExecutorNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly name: string;
  /** One report per slot. */
  readonly slots: readonly ProbeReport[];
  /**
   * Runs a task on a slot, first sending it any partition or artifact it lacks. Resolves with the
   * result (already checked against the kind's schema) and its binary outputs; rejects with a
   * FabricError.
   */
  execute(slot: number, task: TaskRequest): Promise<TaskOutput>;
  /** Bytes sent to and received from the node. */
  traffic(): { bytesIn: number; bytesOut: number };
  /**
   * Registers a callback for a slot's new report (it lost a WebGPU device and moved to a new one
   * or to a fallback backend); `slots` already holds the new report when it is called.
   */
  onReport?(cb: (slot: number, report: ProbeReport) => void): void;
  /** Registers a callback for the node's loss (link closed, heartbeat stopped, worker died). */
  onLost(cb: (reason: FabricError) => void): void;
  /** Releases the node. */
  close(reason: string): void;
  /** Makes every task on the node take `factor` times as long (fault demos); absent where a node cannot. */
  setSlowdown?(factor: number): Promise<void>;
}
