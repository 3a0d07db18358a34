import { describe, expect, it } from 'vitest';
import { ref } from '../../testing/fake-executor';
import type { TaskRequest } from '../../protocol/slot-api';
import { TaskQueue, type QueuedTask } from './task-queue';

function qt(taskId: string, partitions: number[] = [], queuedAt = 0): QueuedTask {
  const request: TaskRequest = { taskId, kind: 'describe', params: {}, partitions: partitions.map(ref) };
  return { request, queuedAt, seq: 0, epoch: 0, queued: false };
}

describe('TaskQueue', () => {
  it('keeps new tasks in order and puts requeued ones in front', () => {
    const q = new TaskQueue<QueuedTask>(() => false);
    const [a, b, c] = [qt('a'), qt('b'), qt('c')];
    q.add(a, false);
    q.add(b, false);
    expect(q.firstFree()).toBe(a);
    q.add(c, true);
    expect(q.firstFree()).toBe(c);
    q.remove(c);
    q.remove(a);
    expect(q.firstFree()).toBe(b);
    expect(q.size).toBe(1);
  });

  it('gives a slot the first task whose partitions it holds, and no task it only partly holds', () => {
    const q = new TaskQueue<QueuedTask>(() => true);
    const tasks = [qt('t1', [1]), qt('t2', [2]), qt('t12', [1, 2]), qt('t3', [3])];
    for (const t of tasks) q.add(t, false);
    expect(q.local(new Set(['ds/2']))).toBe(tasks[1]);
    expect(q.local(new Set(['ds/3', 'ds/1']))).toBe(tasks[0]);
    q.remove(tasks[0]!);
    // t12 heads partition 1's heap but the slot holds only partition 1: not taken here.
    expect(q.local(new Set(['ds/1']))).toBeUndefined();
    expect(q.local(new Set(['ds/1', 'ds/2']))).toBe(tasks[1]);
    expect(q.local(new Set())).toBeUndefined();
  });

  it('treats a placed task as not free until its partition loses its last holder', () => {
    const placed = new Set<string>(['p']);
    const q = new TaskQueue<QueuedTask>((t) => placed.has(t.request.taskId));
    const p = qt('p', [7]);
    const f = qt('f', [8]);
    q.add(p, false);
    q.add(f, false);
    expect(q.firstFree()).toBe(f);
    q.remove(f);
    expect(q.firstFree()).toBeUndefined();
    placed.delete('p');
    q.partitionLost('ds/7');
    expect(q.firstFree()).toBe(p);
  });

  it('finds the task that has waited longest, skipping ones that left', () => {
    const q = new TaskQueue<QueuedTask>(() => false);
    const old = qt('old', [], 5);
    const young = qt('young', [], 10);
    q.add(young, false);
    q.add(old, false);
    expect(q.oldest()).toBe(old);
    q.remove(old);
    expect(q.oldest()).toBe(young);
  });

  it('stays correct through rebuilds after many removals', () => {
    const q = new TaskQueue<QueuedTask>(() => false);
    const keep = qt('keep', [1]);
    q.add(keep, false);
    for (let i = 0; i < 10_000; i++) {
      const t = qt(`t${i}`, [i % 50]);
      q.add(t, false);
      q.remove(t);
    }
    expect(q.size).toBe(1);
    expect([...q.tasks()]).toEqual([keep]);
    expect(q.local(new Set(['ds/1']))).toBe(keep);
    expect(q.firstFree()).toBe(keep);
  });
});
