import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeNode, flush, hold, recordEvents, task, type Behaviour } from '../testing/fake-executor';
import { Scheduler, type Agreement } from './scheduler';

/** The honest answer of a task: a number derived from its id. */
const truth = (taskId: string): number => Number(taskId.slice(1)) * 3 + 1;
const honest: Behaviour = (call) => call.resolve({ v: truth(call.task.taskId) });
const scaled: Behaviour = (call) => call.resolve({ v: truth(call.task.taskId) * 10 });
const agree: Agreement = (a, b) => {
  const x = (a.result as { v: number }).v;
  const y = (b.result as { v: number }).v;
  return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x)) ? undefined : `${x} vs ${y}`;
};
const tasks = (n: number) => Array.from({ length: n }, (_, i) => task(`t${i}`));
const values = (r: Map<string, { result: unknown }>): number[] => [...r.keys()].sort().map((k) => (r.get(k)!.result as { v: number }).v);
const expected = (n: number): number[] => Array.from({ length: n }, (_, i) => `t${i}`).sort().map(truth);

function local(id: string, speeds: number[]): FakeNode {
  const n = new FakeNode(id, speeds, honest);
  n.kind = 'local';
  return n;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Scheduler verification', () => {
  it('checks a straggler\'s late copy against the confirmed result and excludes a liar', async () => {
    vi.useFakeTimers();
    const s = new Scheduler({ verification: { probation: 1 }, slotQueueDepth: 1, speculation: { quantile: 0.5, minMs: 50, intervalMs: 20 } });
    const liar = new FakeNode('liar', [100], () => undefined);
    const coord = local('coord', [1, 1]);
    coord.behaviour = (call) => void setTimeout(() => honest(call), call.task.taskId === 't5' ? 1000 : 100);
    s.addNode(liar);
    s.addNode(coord);
    const job = s.run({ tasks: tasks(6), agree });
    await vi.advanceTimersByTimeAsync(400);
    // t0 was copied to the coordinator's slot and committed from there; the liar answers late.
    expect(coord.callsFor('t0')).toHaveLength(1);
    liar.pending()[0]!.resolve({ v: truth('t0') * 10 });
    await vi.advanceTimersByTimeAsync(0);
    expect(s.trustOf('liar').state).toBe('excluded');
    await vi.advanceTimersByTimeAsync(2000);
    expect(values(await job)).toEqual(expected(6));
  });

  it('catches a volunteer that scales its results on probation, excludes it, and commits only honest results', async () => {
    const s = new Scheduler({ verification: { probation: 2 }, speculation: false });
    const events = recordEvents(s);
    const liar = new FakeNode('liar', [100, 100], scaled);
    s.addNode(liar);
    s.addNode(local('coord', [1]));
    const results = await s.run({ tasks: tasks(12), agree });
    expect(values(results)).toEqual(expected(12));
    expect([...results.values()].every((o) => o.nodeId === 'coord')).toBe(true);
    expect(s.trustOf('liar').state).toBe('excluded');
    expect(liar.closed).toMatch(/excluded/);
    expect(events.filter((e) => e.type === 'trust-changed' && e.state === 'excluded')).toHaveLength(1);
    // An excluded node that comes back is refused.
    const again = new FakeNode('liar', [100], scaled);
    s.addNode(again);
    expect(again.closed).toMatch(/excluded/);
    expect(s.nodeIds()).toEqual(['coord']);
  });

  it('catches NaN the same way', async () => {
    const s = new Scheduler({ verification: { probation: 1 }, speculation: false });
    s.addNode(new FakeNode('nan', [100], (call) => call.resolve({ v: Number.NaN })));
    s.addNode(local('coord', [1]));
    const results = await s.run({ tasks: tasks(5), agree });
    expect(values(results)).toEqual(expected(5));
    expect(s.trustOf('nan').state).toBe('excluded');
  });

  it('verifies an honest volunteer after its probation and then checks only the chosen fraction', async () => {
    const s = new Scheduler({ verification: { probation: 3, fraction: 0 }, speculation: false });
    const events = recordEvents(s);
    const volunteer = new FakeNode('vol', [100], honest);
    const coord = local('coord', [1]);
    s.addNode(volunteer);
    s.addNode(coord);
    const results = await s.run({ tasks: tasks(20), agree });
    expect(values(results)).toEqual(expected(20));
    // Checks already running when the third passes still count; after that none is started.
    const { state, checksPassed } = s.trustOf('vol');
    expect(state).toBe('verified');
    expect(checksPassed).toBeGreaterThanOrEqual(3);
    expect(events.filter((e) => e.type === 'task-checking')).toHaveLength(checksPassed);
    expect(events.filter((e) => e.type === 'task-committed')).toHaveLength(20);
  });

  it('settles a disagreement between two volunteers with a third, and excludes the odd one out', async () => {
    const s = new Scheduler({ verification: { probation: 5 }, speculation: false, slotQueueDepth: 1 });
    s.addNode(new FakeNode('liar', [100], scaled));
    s.addNode(new FakeNode('a', [10], honest));
    s.addNode(new FakeNode('b', [1], honest));
    const results = await s.run({ tasks: tasks(6), agree });
    expect(values(results)).toEqual(expected(6));
    expect(s.trustOf('liar').state).toBe('excluded');
    expect(s.trustOf('a').state).not.toBe('excluded');
    expect(s.trustOf('b').state).not.toBe('excluded');
  });

  it('recomputes the results a node had committed in a running job when it is caught later', async () => {
    // Probation 0 and fraction 1: every result is checked, but the liar's first results are
    // honest, so it is caught only after some of its results were committed.
    const s = new Scheduler({ verification: { fraction: 1 }, speculation: false, slotQueueDepth: 1 });
    const events = recordEvents(s);
    let answered = 0;
    const turncoat = new FakeNode('turncoat', [100], (call) => ((answered += 1) <= 4 ? honest(call) : scaled(call)));
    s.addNode(turncoat);
    s.addNode(new FakeNode('other', [10], honest));
    s.addNode(new FakeNode('third', [1], honest));
    const results = await s.run({ tasks: tasks(10), agree });
    expect(values(results)).toEqual(expected(10));
    expect(s.trustOf('turncoat').state).toBe('excluded');
    const uncommitted = events.filter((e) => e.type === 'task-uncommitted');
    expect(uncommitted.length).toBeGreaterThan(0);
    expect([...results.values()].some((o) => o.nodeId === 'turncoat')).toBe(false);
  });

  it('fails clearly when two volunteers disagree and no third node can settle it', async () => {
    const s = new Scheduler({ verification: { probation: 5 }, speculation: false, slotQueueDepth: 1 });
    s.addNode(new FakeNode('liar', [100], scaled));
    s.addNode(new FakeNode('a', [10], honest));
    await expect(s.run({ tasks: tasks(3), agree })).rejects.toMatchObject({ code: 'verification-failed', message: expect.stringMatching(/no third node/) });
  });

  it('fails the job when three nodes give three different answers', async () => {
    const s = new Scheduler({ verification: { probation: 5 }, speculation: false, slotQueueDepth: 1 });
    const factor = new Map([['x', 2], ['y', 3], ['z', 4]]);
    for (const [id, f] of factor) s.addNode(new FakeNode(id, [1], (call) => call.resolve({ v: truth(call.task.taskId) * f })));
    await expect(s.run({ tasks: tasks(1), agree })).rejects.toMatchObject({ code: 'verification-failed', message: expect.stringMatching(/t0 gave 3 different results/) });
  });

  it('checks nothing for a job without an agreement function', async () => {
    const s = new Scheduler({ verification: { probation: 5 }, speculation: false });
    const events = recordEvents(s);
    s.addNode(new FakeNode('liar', [100], scaled));
    s.addNode(local('coord', [1]));
    await s.run({ tasks: tasks(4) });
    await flush();
    expect(events.some((e) => e.type === 'task-checking')).toBe(false);
    expect(s.trustOf('liar').state).toBe('probation');
  });

  it('excludes two liars of different kinds beside an honest volunteer, with the honest result', async () => {
    const s = new Scheduler({ verification: { probation: 2 }, speculation: false });
    const scaler = new FakeNode('scaler', [100, 100], scaled);
    const nanner = new FakeNode('nanner', [90, 90], (call) => call.resolve({ v: Number.NaN }));
    s.addNode(scaler);
    s.addNode(nanner);
    s.addNode(new FakeNode('honest', [50], honest));
    const coord = local('coord', [1]);
    s.addNode(coord);
    const results = await s.run({ tasks: tasks(16), agree });
    expect(values(results)).toEqual(expected(16));
    expect(s.trustOf('scaler').state).toBe('excluded');
    expect(s.trustOf('nanner').state).toBe('excluded');
    expect(s.trustOf('honest').state).not.toBe('excluded');
    // Every check ran on the coordinator's own slot.
    for (const node of [scaler, nanner]) for (const c of node.calls) expect(c.task.taskId).toMatch(/^t\d+$/);
  });

  it('still checks a late copy after its job finished, and keeps the liar out of the next job', async () => {
    vi.useFakeTimers();
    const s = new Scheduler({ verification: { probation: 1 }, slotQueueDepth: 1, speculation: { quantile: 0.5, minMs: 50, intervalMs: 20 } });
    const liar = new FakeNode('liar', [100], () => undefined);
    const coord = local('coord', [1, 1]);
    coord.behaviour = (call) => void setTimeout(() => honest(call), 100);
    s.addNode(liar);
    s.addNode(coord);
    const job = s.run({ tasks: tasks(4), agree });
    await vi.advanceTimersByTimeAsync(1000);
    expect(values(await job)).toEqual(expected(4));
    liar.pending()[0]!.resolve({ v: truth('t0') * 10 });
    await vi.advanceTimersByTimeAsync(0);
    expect(s.trustOf('liar').state).toBe('excluded');
    expect(s.nodeIds()).toEqual(['coord']);
  });

  it('never lets a check of an honest result go to a volunteer while the coordinator has a slot', async () => {
    const s = new Scheduler({ verification: { probation: 2 }, speculation: false, slotQueueDepth: 1 });
    const h = new FakeNode('honest', [100], hold);
    s.addNode(h);
    s.addNode(new FakeNode('scaler', [90], scaled));
    s.addNode(new FakeNode('nanner', [80], (call) => call.resolve({ v: Number.NaN })));
    const coord = local('coord', [1]);
    coord.behaviour = hold;
    s.addNode(coord);
    const job = s.run({ tasks: tasks(1), agree });
    await flush();
    h.pending()[0]!.resolve({ v: truth('t0') });
    await flush();
    // The idle liars were faster, but the check waits for the coordinator's own slot.
    expect(coord.callsFor('t0')).toHaveLength(1);
    coord.pending()[0]!.resolve({ v: truth('t0') });
    expect(values(await job)).toEqual(expected(1));
    expect(s.trustOf('honest').checksPassed).toBe(1);
  });
});
