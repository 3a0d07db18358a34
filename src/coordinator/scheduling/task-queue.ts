/**
 * The scheduler's waiting tasks, indexed so that choosing a task for a slot costs a few heap
 * operations instead of a scan of every waiting task against every slot (the simulation of 1,000
 * volunteers measured that scan at up to 94 ms a start; docs/scale.md).
 *
 * Three views of the same tasks, each a heap with lazy deletion:
 * - by partition: for a slot, the first waiting task whose partitions it holds;
 * - free: tasks that no live slot holds (or that need no partition), which any slot may take;
 * - by age: the task that has waited longest, for the locality wait and its timer.
 * Order among tasks is a sequence number: new tasks go to the back, requeued ones to the front.
 */
import type { TaskRequest } from '../../protocol/slot-api';
import { Heap } from './heap';

/** What the queue needs of a task; the scheduler's task state carries these fields. */
export interface QueuedTask {
  readonly request: TaskRequest;
  queuedAt: number;
  /** Position in the queue: lower goes first. */
  seq: number;
  /** Bumped on every enqueue and dequeue, so heap entries from an earlier stay are recognised. */
  epoch: number;
  queued: boolean;
}

interface Entry<T> {
  readonly task: T;
  readonly epoch: number;
}

const bySeq = <T extends QueuedTask>(a: Entry<T>, b: Entry<T>): boolean => a.task.seq < b.task.seq;
const byAge = <T extends QueuedTask>(a: Entry<T>, b: Entry<T>): boolean =>
  a.task.queuedAt < b.task.queuedAt || (a.task.queuedAt === b.task.queuedAt && a.task.seq < b.task.seq);

/** Waiting tasks. `isPlaced(task)` tells whether some live slot holds all of a task's partitions. */
export class TaskQueue<T extends QueuedTask> {
  private readonly byPartition = new Map<string, Heap<Entry<T>>>();
  private free = new Heap<Entry<T>>(bySeq);
  private age = new Heap<Entry<T>>(byAge);
  private readonly members = new Set<T>();
  private front = 0;
  private back = 0;
  private garbage = 0;

  constructor(private readonly isPlaced: (task: T) => boolean) {}

  get size(): number {
    return this.members.size;
  }

  /** Adds a task at the back, or at the front for a task that runs again. */
  add(task: T, atFront: boolean): void {
    task.seq = atFront ? --this.front : ++this.back;
    task.queued = true;
    task.epoch += 1;
    this.members.add(task);
    this.index(task);
  }

  /** Takes a task out (it starts, or its job ended). */
  remove(task: T): void {
    if (!task.queued) return;
    task.queued = false;
    task.epoch += 1;
    this.members.delete(task);
    // Each index holds one entry per partition plus one by age and maybe one free: count them as
    // garbage and rebuild once dead entries outnumber live ones, so cancelled jobs do not pile up.
    this.garbage += task.request.partitions.length + 2;
    if (this.garbage > 4 * this.members.size + 4096) this.rebuild();
  }

  /** The first waiting task whose partitions are all in `cached` (a slot's blobs). */
  local(cached: ReadonlySet<string>): T | undefined {
    let best: T | undefined;
    const scanCached = cached.size <= this.byPartition.size;
    const ids = scanCached ? cached : this.byPartition.keys();
    for (const id of ids) {
      if (!scanCached && !cached.has(id)) continue;
      const heap = this.byPartition.get(id);
      if (!heap) continue;
      const head = this.clean(heap);
      if (!head) {
        this.byPartition.delete(id);
        continue;
      }
      // A task of several partitions is taken here only when its head slot holds all of them; a
      // partly held one behind it waits for the free or stale rule (rare: tasks have one partition).
      if ((!best || head.seq < best.seq) && head.request.partitions.every((r) => cached.has(r.id))) best = head;
    }
    return best;
  }

  /** The first waiting task no live slot holds. Placed tasks met on the way are dropped from this view. */
  firstFree(): T | undefined {
    for (;;) {
      const head = this.clean(this.free);
      if (!head || !this.isPlaced(head)) return head;
      this.free.pop();
    }
  }

  /** The task that has waited longest, if any. */
  oldest(): T | undefined {
    return this.clean(this.age);
  }

  /** A partition lost its last live holder: its waiting tasks become free. */
  partitionLost(partitionId: string): void {
    const heap = this.byPartition.get(partitionId);
    if (!heap) return;
    for (const e of heap.values()) {
      if (this.valid(e) && !this.isPlaced(e.task)) this.free.push({ task: e.task, epoch: e.task.epoch });
    }
  }

  /** Every waiting task, in no particular order. */
  tasks(): IterableIterator<T> {
    return this.members.values();
  }

  private index(task: T): void {
    const entry: Entry<T> = { task, epoch: task.epoch };
    for (const r of task.request.partitions) {
      let heap = this.byPartition.get(r.id);
      if (!heap) this.byPartition.set(r.id, (heap = new Heap<Entry<T>>(bySeq)));
      heap.push(entry);
    }
    this.age.push(entry);
    if (!this.isPlaced(task)) this.free.push(entry);
  }

  private valid(e: Entry<T>): boolean {
    return e.task.queued && e.task.epoch === e.epoch;
  }

  private clean(heap: Heap<Entry<T>>): T | undefined {
    for (;;) {
      const top = heap.peek();
      if (!top) return undefined;
      if (this.valid(top)) return top.task;
      heap.pop();
    }
  }

  private rebuild(): void {
    this.byPartition.clear();
    this.free = new Heap<Entry<T>>(bySeq);
    this.age = new Heap<Entry<T>>(byAge);
    this.garbage = 0;
    for (const task of this.members) this.index(task);
  }
}
