/**
 * The scheduler's live slots: who holds which partition, and the slots in speed order. Holders are
 * indexed so that "does any live slot hold this task's partitions?" is a map lookup, and a
 * partition that loses its last holder is reported, so its waiting tasks can be offered to anyone.
 */
import type { ExecutorNode } from '../executor-node';
import type { SlotState } from './types';

export class SlotRegistry {
  private readonly slots = new Map<string, SlotState>();
  private readonly holders = new Map<string, Set<SlotState>>();
  private ordered: SlotState[] | undefined;

  /** `onOrphaned(partitionId)` runs when a partition's last live holder goes. */
  constructor(private readonly onOrphaned: (partitionId: string) => void) {}

  get size(): number {
    return this.slots.size;
  }

  /** Adds a node's slots. */
  add(node: ExecutorNode): void {
    node.slots.forEach((report, slot) => {
      const key = `${node.id}#${slot}`;
      this.slots.set(key, { node, slot, key, speed: report.gflops, running: new Set(), cached: new Set() });
    });
    this.ordered = undefined;
  }

  /** Removes a node's slots and returns them; their partitions are no longer held by them. */
  remove(nodeId: string): SlotState[] {
    const gone: SlotState[] = [];
    for (const [key, s] of this.slots) {
      if (s.node.id !== nodeId) continue;
      this.slots.delete(key);
      gone.push(s);
      for (const id of s.cached) this.dropHolder(id, s);
    }
    if (gone.length > 0) this.ordered = undefined;
    return gone;
  }

  /** Whether this slot is still live (not removed with its node). */
  isLive(slot: SlotState): boolean {
    return this.slots.get(slot.key) === slot;
  }

  /** The node with this id, if it has live slots. */
  node(nodeId: string): ExecutorNode | undefined {
    for (const s of this.slots.values()) if (s.node.id === nodeId) return s.node;
    return undefined;
  }

  nodeIds(): string[] {
    return [...new Set([...this.slots.values()].map((s) => s.node.id))];
  }

  /** Live slots, fastest first (stable among equals: join order). */
  bySpeed(): readonly SlotState[] {
    return (this.ordered ??= [...this.slots.values()].sort((a, b) => b.speed - a.speed));
  }

  /** Whether a live node other than those named exists. */
  hasNodeOutside(nodeIds: readonly string[]): boolean {
    for (const s of this.slots.values()) if (!nodeIds.includes(s.node.id)) return true;
    return false;
  }

  /** Whether some live slot holds every one of these partitions. */
  isPlaced(partitions: readonly { readonly id: string }[]): boolean {
    if (partitions.length === 0) return false;
    const holders = this.holders.get(partitions[0]!.id);
    if (!holders) return false;
    for (const s of holders) if (partitions.every((p) => s.cached.has(p.id))) return true;
    return false;
  }

  /** The slot now holds this partition (it ran a task on it). Ignored for a removed slot. */
  addHolder(id: string, slot: SlotState): void {
    if (!this.isLive(slot)) return;
    slot.cached.add(id);
    let set = this.holders.get(id);
    if (!set) this.holders.set(id, (set = new Set()));
    set.add(slot);
  }

  private dropHolder(id: string, slot: SlotState): void {
    const set = this.holders.get(id);
    if (!set?.delete(slot) || set.size > 0) return;
    this.holders.delete(id);
    this.onOrphaned(id);
  }
}
