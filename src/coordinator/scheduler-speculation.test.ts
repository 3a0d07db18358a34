import { afterEach, describe, expect, it, vi } from 'vitest';
import { FabricError } from '../protocol/errors';
import { FakeNode, hold, recordEvents, resultOf, task, type Behaviour } from '../testing/fake-executor';
import { Scheduler } from './scheduler';

/** Answers each call after `ms` of (fake) time. */
const after = (ms: number): Behaviour => (call) => void setTimeout(() => call.resolve({ taskId: call.task.taskId, nodeId: call.node.id, slot: call.slot }), ms);

afterEach(() => {
  vi.useRealTimers();
});

describe('Scheduler speculation', () => {
  it('relaunches a straggler on an idle slot of another node once the job is in its tail; the first result wins', async () => {
    vi.useFakeTimers();
    const s = new Scheduler({ slotQueueDepth: 1, speculation: { minMs: 100, intervalMs: 50 } });
    const events = recordEvents(s);
    const slow = new FakeNode('slow', [10], hold);
    const fast = new FakeNode('fast', [1, 1], after(100));
    s.addNode(slow);
    s.addNode(fast);
    const job = s.run({ tasks: Array.from({ length: 8 }, (_, i) => task(`t${i}`)) });
    // The slow node (fastest by its probe) takes t0 and never answers; the fast slots do the rest.
    await vi.advanceTimersByTimeAsync(400);
    const copy = events.find((e) => e.type === 'task-speculated');
    expect(copy).toMatchObject({ type: 'task-speculated', taskId: 't0', slowNodeId: 'slow' });
    expect(fast.callsFor('t0')).toHaveLength(1);
    const results = await job;
    expect(results.size).toBe(8);
    expect(resultOf(results, 't0').nodeId).toBe('fast');
    // The slow copy answers late and is dropped.
    slow.pending()[0]!.resolve({ taskId: 't0', nodeId: 'slow', slot: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(events.filter((e) => e.type === 'duplicate-dropped')).toEqual([{ type: 'duplicate-dropped', taskId: 't0', nodeId: 'slow' }]);
    expect(events.filter((e) => e.type === 'task-committed' && e.taskId === 't0')).toHaveLength(1);
  });

  it('speculates nothing before the quantile of the job is done, nor a task under minMs', async () => {
    vi.useFakeTimers();
    const s = new Scheduler({ slotQueueDepth: 1, speculation: { minMs: 10_000, intervalMs: 50 } });
    const events = recordEvents(s);
    s.addNode(new FakeNode('slow', [10], after(2_000)));
    s.addNode(new FakeNode('fast', [1], after(100)));
    const job = s.run({ tasks: Array.from({ length: 4 }, (_, i) => task(`t${i}`)) });
    await vi.advanceTimersByTimeAsync(3_000);
    expect((await job).size).toBe(4);
    expect(events.some((e) => e.type === 'task-speculated')).toBe(false);
  });

  it('is off with speculation: false', async () => {
    vi.useFakeTimers();
    const s = new Scheduler({ slotQueueDepth: 1, speculation: false });
    const events = recordEvents(s);
    const slow = new FakeNode('slow', [10], hold);
    s.addNode(slow);
    s.addNode(new FakeNode('fast', [1], after(10)));
    const job = s.run({ tasks: Array.from({ length: 4 }, (_, i) => task(`t${i}`)) });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(events.some((e) => e.type === 'task-speculated')).toBe(false);
    slow.pending()[0]!.resolve('late but only');
    expect((await job).size).toBe(4);
  });

  it('neither requeues nor fails a task whose copy failed while the other attempt runs on', async () => {
    vi.useFakeTimers();
    const s = new Scheduler({ slotQueueDepth: 1, speculation: { minMs: 100, intervalMs: 50 } });
    const slow = new FakeNode('slow', [10], hold);
    // The copy of t0 fails at once on the fast node; every other task succeeds there.
    const fast = new FakeNode('fast', [1], (call) => (call.task.taskId === 't0' ? call.reject(new FabricError('task-failed', 'flaky')) : after(50)(call)));
    const events = recordEvents(s);
    s.addNode(slow);
    s.addNode(fast);
    const job = s.run({ tasks: Array.from({ length: 4 }, (_, i) => task(`t${i}`)) });
    await vi.advanceTimersByTimeAsync(600);
    expect(fast.callsFor('t0')).toHaveLength(1);
    expect(events.find((e) => e.type === 'task-failed')).toMatchObject({ taskId: 't0', nodeId: 'fast', willRetry: true });
    expect(slow.callsFor('t0')).toHaveLength(1);
    slow.pending()[0]!.resolve({ taskId: 't0', nodeId: 'slow', slot: 0 });
    const results = await job;
    expect(resultOf(results, 't0').nodeId).toBe('slow');
  });

  it('keeps the copy going when the straggler\'s node is lost, and commits it once', async () => {
    vi.useFakeTimers();
    const s = new Scheduler({ slotQueueDepth: 1, speculation: { minMs: 100, intervalMs: 50 } });
    const events = recordEvents(s);
    const slow = new FakeNode('slow', [10], hold);
    const fast = new FakeNode('fast', [1], after(100));
    s.addNode(slow);
    s.addNode(fast);
    const job = s.run({ tasks: Array.from({ length: 4 }, (_, i) => task(`t${i}`)) });
    await vi.advanceTimersByTimeAsync(450);
    expect(events.some((e) => e.type === 'task-speculated')).toBe(true);
    slow.lose();
    expect(events.find((e) => e.type === 'node-lost')).toMatchObject({ requeued: 0 });
    const results = await job;
    expect(resultOf(results, 't0').nodeId).toBe('fast');
    expect(fast.callsFor('t0')).toHaveLength(1);
  });

  it('copies a straggler again when its first copy is lost with its node', async () => {
    vi.useFakeTimers();
    const s = new Scheduler({ slotQueueDepth: 1, speculation: { minMs: 100, intervalMs: 50 } });
    const events = recordEvents(s);
    const slow = new FakeNode('slow', [10], hold);
    const fast = new FakeNode('fast', [5], after(100));
    const spare = new FakeNode('spare', [1], after(100));
    s.addNode(slow);
    s.addNode(fast);
    s.addNode(spare);
    const job = s.run({ tasks: Array.from({ length: 6 }, (_, i) => task(`t${i}`)) });
    await vi.advanceTimersByTimeAsync(300);
    const first = events.find((e) => e.type === 'task-speculated');
    expect(first).toMatchObject({ taskId: 't0' });
    // The node running the copy goes away before the copy finishes: t0 is copied again elsewhere.
    const copyNode = first!.type === 'task-speculated' ? first!.nodeId : '';
    (copyNode === 'fast' ? fast : spare).lose();
    await vi.advanceTimersByTimeAsync(400);
    const copies = events.filter((e) => e.type === 'task-speculated' && e.taskId === 't0');
    expect(copies).toHaveLength(2);
    const results = await job;
    expect(resultOf(results, 't0').nodeId).not.toBe('slow');
  });
});
