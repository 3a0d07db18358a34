/**
 * What the scheduler needs from a node: its slots, and a way to run a task on one of them. The
 * local node (Web Workers) and a volunteer node (a link) both provide it.
 */
import type { FabricError } from '../protocol/errors';
import type { ProbeReport, TaskRequest } from '../protocol/slot-api';

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
   * Runs a task on a slot, first sending it any partition it lacks. Resolves with the result
   * (already checked against the kind's schema); rejects with a FabricError.
   */
  execute(slot: number, task: TaskRequest): Promise<unknown>;
  /** Bytes sent to and received from the node. */
  traffic(): { bytesIn: number; bytesOut: number };
  /** Registers a callback for the node's loss (link closed, heartbeat stopped, worker died). */
  onLost(cb: (reason: FabricError) => void): void;
  /** Releases the node. */
  close(reason: string): void;
}
