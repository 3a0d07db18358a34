import { afterEach, describe, expect, it, vi } from 'vitest';
import { FabricError } from '../protocol/errors';
import { answer, FakeNode, flush, hold, recordEvents, resultOf, task } from '../testing/fake-executor';
import { Scheduler, type JobProgress } from './scheduler';

afterEach(() => {
  vi.useRealTimers();
});

describe('Scheduler', () => {
  it('runs every task and maps each result to its task id', async () => {
    const s = new Scheduler();
    const a = new FakeNode('a', [1, 1]);
    const b = new FakeNode('b', [1]);
    s.addNode(a);
    s.addNode(b);
    const tasks = Array.from({ length: 12 }, (_, i) => task(`t${i}`, [i]));
    const results = await s.run({ tasks });
    expect([...results.keys()].sort()).toEqual(tasks.map((t) => t.taskId).sort());
    for (const [taskId, outcome] of results) {
      const r = resultOf(results, taskId);
      expect(r.taskId).toBe(taskId);
      // The outcome says where the result came from.
      expect(outcome.nodeId).toBe(r.nodeId);
      expect(outcome.slot).toBe(r.slot);
    }
    // Each task ran once, and the work was spread over every slot.
    expect(a.calls.length + b.calls.length).toBe(12);
    expect(new Set([...results.values()].map((o) => `${o.nodeId}#${o.slot}`))).toEqual(new Set(['a#0', 'a#1', 'b#0']));
  });

  it('resolves a job with zero tasks at once, with an empty map', async () => {
    const s = new Scheduler();
    const results = await s.run({ tasks: [] });
    expect(results.size).toBe(0);
  });

  it('holds tasks until a node joins', async () => {
    const s = new Scheduler();
    let done = false;
    const job = s.run({ tasks: [task('t0'), task('t1')] }).then((r) => {
      done = true;
      return r;
    });
    await flush();
    expect(done).toBe(false);
    s.addNode(new FakeNode('late', [1]));
    expect((await job).size).toBe(2);
    expect(s.nodeIds()).toEqual(['late']);
  });

  it('reports progress up to done === total', async () => {
    const s = new Scheduler();
    s.addNode(new FakeNode('a', [1, 1]));
    const seen: JobProgress[] = [];
    await s.run({ tasks: Array.from({ length: 7 }, (_, i) => task(`t${i}`)), onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(7);
    expect(seen.every((p) => p.total === 7)).toBe(true);
    expect(seen.at(-1)).toEqual({ done: 7, total: 7, running: 0 });
    // `done` never goes back, and `running` never exceeds the two slots' queues.
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
    expect(Math.max(...seen.map((p) => p.running))).toBeLessThanOrEqual(4);
  });

  it('rejects a job whose task ids repeat, with bad-input, running nothing', async () => {
    const s = new Scheduler();
    const a = new FakeNode('a', [1]);
    s.addNode(a);
    await expect(s.run({ tasks: [task('x'), task('y'), task('x')] })).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/task ids must be unique/) });
    await flush();
    expect(a.calls).toHaveLength(0);
  });

  it('gives the first task to the fastest slot', async () => {
    const s = new Scheduler();
    const slow = new FakeNode('slow', [1, 2]);
    const fast = new FakeNode('fast', [3, 50]);
    s.addNode(slow);
    s.addNode(fast);
    const results = await s.run({ tasks: [task('only')] });
    expect(results.get('only')).toMatchObject({ nodeId: 'fast', slot: 1 });
    expect(slow.calls).toHaveLength(0);
  });

  it('fills slots fastest first', async () => {
    const s = new Scheduler({ slotQueueDepth: 1 });
    const nodes = [new FakeNode('s1', [1], hold), new FakeNode('s9', [9], hold), new FakeNode('s5', [5], hold)];
    for (const n of nodes) s.addNode(n);
    const job = s.run({ tasks: [task('t0'), task('t1')] });
    job.catch(() => undefined);
    await flush();
    expect(nodes.map((n) => n.calls.map((c) => c.task.taskId))).toEqual([[], ['t0'], ['t1']]);
    for (const n of nodes) for (const c of n.pending()) c.resolve(1);
    await job;
  });

  describe('node loss', () => {
    it('requeues the running tasks of a lost node on another node and completes the job', async () => {
      const s = new Scheduler();
      const events = recordEvents(s);
      const flaky = new FakeNode('flaky', [100], hold); // fastest: takes the first tasks
      const steady = new FakeNode('steady', [1]);
      s.addNode(flaky);
      s.addNode(steady);
      let done = false;
      const job = s.run({ tasks: Array.from({ length: 6 }, (_, i) => task(`t${i}`, [i])) }).then((r) => {
        done = true;
        return r;
      });
      await flush();
      const stranded = flaky.pending().map((c) => c.task.taskId);
      expect(stranded).toHaveLength(2);
      expect(done).toBe(false);

      flaky.lose();
      const results = await job;
      expect(results.size).toBe(6);
      for (const id of stranded) expect(results.get(id)!.nodeId).toBe('steady');
      expect(events.filter((e) => e.type === 'node-lost')).toEqual([{ type: 'node-lost', nodeId: 'flaky', requeued: 2, reason: expect.any(FabricError) }]);
      // Every task committed exactly once.
      const commits = events.filter((e) => e.type === 'task-committed').map((e) => e.taskId).sort();
      expect(commits).toEqual(['t0', 't1', 't2', 't3', 't4', 't5']);
      expect(s.nodeIds()).toEqual(['steady']);
    });

    it('does not count node losses toward maxTaskFailures', async () => {
      const s = new Scheduler({ maxTaskFailures: 2 });
      const job = s.run({ tasks: [task('t')] });
      // The task is stranded by five lost nodes in turn, more than maxTaskFailures.
      for (let i = 0; i < 5; i++) {
        const node = new FakeNode(`gone${i}`, [1], hold);
        s.addNode(node);
        await flush();
        expect(node.calls.map((c) => c.task.taskId)).toEqual(['t']);
        node.lose(new FabricError('link-closed', 'heartbeat stopped'));
      }
      s.addNode(new FakeNode('last', [1]));
      expect((await job).get('t')!.nodeId).toBe('last');
    });

    it('does not count worker-lost or link-closed errors from execute toward maxTaskFailures', async () => {
      const s = new Scheduler({ maxTaskFailures: 2 });
      const events = recordEvents(s);
      let n = 0;
      const node = new FakeNode('n', [1], (call) => {
        n += 1;
        if (n <= 4) call.reject(new FabricError(n % 2 ? 'worker-lost' : 'link-closed', `lost #${n}`));
        else answer(call);
      });
      s.addNode(node);
      const results = await s.run({ tasks: [task('t')] });
      expect(results.get('t')!.nodeId).toBe('n');
      expect(node.callsFor('t')).toHaveLength(5);
      expect(events.filter((e) => e.type === 'task-failed').every((e) => e.type === 'task-failed' && e.willRetry)).toBe(true);
    });

    it('ignores a node lost twice, and a lost node that had no work', async () => {
      const s = new Scheduler();
      const events = recordEvents(s);
      const idle = new FakeNode('idle', [1]);
      s.addNode(idle);
      idle.lose();
      idle.lose();
      expect(s.nodeIds()).toEqual([]);
      expect(events.filter((e) => e.type === 'node-lost').map((e) => e.type === 'node-lost' && e.requeued)).toEqual([0, 0]);
    });
  });

  describe('failures', () => {
    it('retries a task-failed task and fails the job with too-many-failures after exactly 4 failures', async () => {
      const s = new Scheduler();
      const events = recordEvents(s);
      const a = new FakeNode('a', [1], (call) => {
        if (call.task.taskId === 'bad') call.reject(new FabricError('task-failed', 'out of memory'));
        else answer(call);
      });
      const b = new FakeNode('b', [1], a.behaviour);
      s.addNode(a);
      s.addNode(b);
      const tasks = [task('ok0'), task('bad'), task('ok1'), task('ok2')];
      const err = await s.run({ tasks }).then(() => undefined, (e: unknown) => e as FabricError);
      expect(err).toBeInstanceOf(FabricError);
      expect(err!.code).toBe('too-many-failures');
      expect(err!.message).toMatch(/task bad \(describe\) failed 4 times; the last error was: out of memory/);
      expect(err!.retryable).toBe(false);
      await flush();
      expect(a.callsFor('bad').length + b.callsFor('bad').length).toBe(4);
      const failed = events.filter((e) => e.type === 'task-failed');
      expect(failed.map((e) => e.type === 'task-failed' && e.willRetry)).toEqual([true, true, true, false]);
    });

    it('honours maxTaskFailures', async () => {
      const s = new Scheduler({ maxTaskFailures: 2 });
      const node = new FakeNode('a', [1], (call) => call.reject(new FabricError('task-failed', 'flaky')));
      s.addNode(node);
      await expect(s.run({ tasks: [task('t')] })).rejects.toMatchObject({ code: 'too-many-failures' });
      expect(node.calls).toHaveLength(2);
    });

    it('retries a task that throws a plain Error and commits its later success', async () => {
      const s = new Scheduler();
      const node = new FakeNode('a', [1], (call) => {
        if (node.callsFor(call.task.taskId).length < 3) call.reject(new Error('transient'));
        else answer(call);
      });
      s.addNode(node);
      const results = await s.run({ tasks: [task('t')] });
      expect(resultOf(results, 't').taskId).toBe('t');
      expect(node.calls).toHaveLength(3);
    });

    it('fails the job at once with a non-retryable error, without retrying that task', async () => {
      const s = new Scheduler();
      const events = recordEvents(s);
      const inputError = new FabricError('bad-input', 'describe: column "nope" is not in the dataset');
      const node = new FakeNode('a', [1, 1], (call) => {
        if (call.task.taskId === 'bad') call.reject(inputError);
        else answer(call);
      });
      s.addNode(node);
      const tasks = Array.from({ length: 10 }, (_, i) => task(i === 1 ? 'bad' : `t${i}`));
      await expect(s.run({ tasks })).rejects.toBe(inputError);
      await flush();
      await flush();
      expect(node.callsFor('bad')).toHaveLength(1);
      // The rest of the job was dropped, not run.
      expect(node.calls.length).toBeLessThan(10);
      expect(events.filter((e) => e.type === 'task-failed')).toEqual([{ type: 'task-failed', taskId: 'bad', nodeId: 'a', slot: expect.any(Number), error: inputError, willRetry: false, requeued: false }]);
    });

    it('lets a second job run after the first failed', async () => {
      const s = new Scheduler();
      let broken = true;
      s.addNode(new FakeNode('a', [1], (call) => (broken ? call.reject(new FabricError('bad-input', 'no')) : answer(call))));
      await expect(s.run({ tasks: [task('t0'), task('t1'), task('t2')] })).rejects.toMatchObject({ code: 'bad-input' });
      broken = false;
      expect((await s.run({ tasks: [task('t0'), task('t1')] })).size).toBe(2);
    });
  });

  describe('exactly-once commit', () => {
    it('drops a late result from a lost node after the task re-ran elsewhere', async () => {
      const s = new Scheduler();
      const events = recordEvents(s);
      const lost = new FakeNode('lost', [100], hold);
      const other = new FakeNode('other', [1], hold);
      s.addNode(lost);
      s.addNode(other);
      const job = s.run({ tasks: [task('t')] });
      await flush();
      const [first] = lost.pending();
      expect(first!.task.taskId).toBe('t');
      lost.lose();
      await flush();
      const [rerun] = other.pending();
      expect(rerun!.task.taskId).toBe('t');
      rerun!.resolve('from other');
      const results = await job;
      // The lost node answers after all.
      first!.resolve('late from lost');
      await flush();
      expect(results.get('t')).toEqual({ result: 'from other', binary: [], nodeId: 'other', slot: 0 });
      expect(results.size).toBe(1);
      expect(events.filter((e) => e.type === 'task-committed')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'duplicate-dropped')).toEqual([{ type: 'duplicate-dropped', taskId: 't', nodeId: 'lost' }]);
    });

    it('commits the re-run and not a late result that arrives before it', async () => {
      const s = new Scheduler();
      const events = recordEvents(s);
      const lost = new FakeNode('lost', [100], hold);
      const other = new FakeNode('other', [1], hold);
      s.addNode(lost);
      s.addNode(other);
      let settled = false;
      const job = s.run({ tasks: [task('t')] }).finally(() => {
        settled = true;
      });
      await flush();
      const [first] = lost.pending();
      lost.lose();
      await flush();
      first!.resolve('late from lost');
      await flush();
      // The stale attempt neither committed nor finished the job; the re-run is still owed.
      expect(settled).toBe(false);
      expect(events.filter((e) => e.type === 'task-committed')).toHaveLength(0);
      other.pending()[0]!.resolve('from other');
      const results = await job;
      expect(results.get('t')!.result).toBe('from other');
      expect(events.filter((e) => e.type === 'task-committed')).toHaveLength(1);
    });
  });

  describe('locality', () => {
    it('runs each task of a second job on the slot that cached its partitions', async () => {
      const s = new Scheduler({ localityWaitMs: 60_000 });
      const a = new FakeNode('a', [1, 1]);
      const b = new FakeNode('b', [1]);
      s.addNode(a);
      s.addNode(b);
      const first = await s.run({ tasks: [0, 1, 2, 3, 4, 5].map((i) => task(`first-${i}`, [i])) });
      const home = new Map<number, string>();
      for (const [taskId, o] of first) home.set(Number(taskId.split('-')[1]), `${o.nodeId}#${o.slot}`);
      expect(new Set(home.values()).size).toBe(3);

      // Two new partitions first, then the cached ones in reverse order: without locality the first
      // slot would take the new ones, then 5 and 4.
      const callsBefore = a.calls.length + b.calls.length;
      const second = await s.run({ tasks: [6, 7, 5, 4, 3, 2, 1, 0].map((i) => task(`second-${i}`, [i])) });
      for (const [taskId, o] of second) {
        const index = Number(taskId.split('-')[1]);
        if (index < 6) expect(`${o.nodeId}#${o.slot}`).toBe(home.get(index));
      }
      // Each slot started the second job on a partition it already held, before any new one.
      for (const node of [a, b]) {
        const jobCalls = node.calls.filter((c) => c.task.taskId.startsWith('second-'));
        for (let slot = 0; slot < node.slots.length; slot++) {
          const firstOnSlot = jobCalls.find((c) => c.slot === slot)!;
          expect(home.get(firstOnSlot.task.partitions[0]!.index)).toBe(`${node.id}#${slot}`);
        }
      }
      expect(a.calls.length + b.calls.length - callsBefore).toBe(8);
    });

    it('gives a task cached on a busy slot to another slot only after localityWaitMs', async () => {
      vi.useFakeTimers();
      const s = new Scheduler({ localityWaitMs: 1000, slotQueueDepth: 1 });
      const holder = new FakeNode('holder', [1]);
      s.addNode(holder);
      await s.run({ tasks: [task('warm', [0])] });

      holder.behaviour = hold;
      const busy = s.run({ tasks: [task('busy')] });
      busy.catch(() => undefined);
      await vi.advanceTimersByTimeAsync(0);
      expect(holder.pending()).toHaveLength(1);

      const helper = new FakeNode('helper', [10]);
      s.addNode(helper);
      const job = s.run({ tasks: [task('cold', [1]), task('cached', [0])] });
      await vi.advanceTimersByTimeAsync(0);
      // The helper takes the task nobody holds, and leaves the cached one to its holder...
      expect(helper.calls.map((c) => c.task.taskId)).toEqual(['cold']);
      await vi.advanceTimersByTimeAsync(900);
      expect(helper.callsFor('cached')).toHaveLength(0);
      // ...until the locality wait runs out.
      await vi.advanceTimersByTimeAsync(200);
      expect(helper.callsFor('cached')).toHaveLength(1);
      const results = await job;
      expect(results.get('cached')!.nodeId).toBe('helper');
      holder.pending()[0]!.resolve('done');
      await busy;
    });
  });

  describe('cancellation', () => {
    it('rejects with cancelled when the signal aborts, and starts nothing more', async () => {
      const s = new Scheduler({ slotQueueDepth: 1 });
      const node = new FakeNode('a', [1], hold);
      s.addNode(node);
      const controller = new AbortController();
      const job = s.run({ tasks: Array.from({ length: 5 }, (_, i) => task(`t${i}`)), signal: controller.signal });
      await flush();
      expect(node.calls).toHaveLength(1);
      controller.abort();
      await expect(job).rejects.toMatchObject({ code: 'cancelled', message: expect.stringMatching(/cancelled by its caller/) });
      node.calls[0]!.resolve('too late');
      await flush();
      expect(node.calls).toHaveLength(1);
    });

    it('rejects with cancelled when the signal was aborted before the job started', async () => {
      const s = new Scheduler();
      const node = new FakeNode('a', [1], hold);
      s.addNode(node);
      const job = s.run({ tasks: [task('t0')], signal: AbortSignal.abort() });
      // An aborted signal never fires 'abort' again, so a job that missed it would hang: race it.
      const outcome = await Promise.race([job.then(() => 'resolved', (e: unknown) => e), flush().then(() => 'still running')]);
      expect(outcome).toMatchObject({ code: 'cancelled' });
      await flush();
      expect(node.calls).toHaveLength(0);
    });

    it('leaves other jobs running when one is cancelled', async () => {
      const s = new Scheduler();
      const node = new FakeNode('a', [1, 1]);
      s.addNode(node);
      const controller = new AbortController();
      node.behaviour = hold;
      const doomed = s.run({ tasks: [task('d0'), task('d1')], signal: controller.signal });
      doomed.catch(() => undefined);
      node.behaviour = answer;
      const survivor = s.run({ tasks: [task('s0'), task('s1')] });
      controller.abort();
      for (const c of node.pending()) c.resolve('late');
      expect((await survivor).size).toBe(2);
      await expect(doomed).rejects.toMatchObject({ code: 'cancelled' });
    });
  });
});
