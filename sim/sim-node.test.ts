import { describe, expect, it } from 'vitest';
import { FabricError } from '../src/protocol/errors';
import type { TaskRequest } from '../src/protocol/slot-api';
import { VirtualClock } from './clock';
import { Coordinator, NodeLink, type NetworkParams } from './network';
import { Random } from './random';
import { SimNode, type SimWork } from './sim-node';

/** 10 ms each way, 8 Mbit/s everywhere (1 MB takes 1 s), no spread. */
const NET: NetworkParams = { latencyMedianMs: 10, latencySigma: 0, downMedianBps: 8e6, upMedianBps: 8e6, rateSigma: 0, coordinatorBps: 8e6 };

function setup(speed = 2): { clock: VirtualClock; node: SimNode } {
  const clock = new VirtualClock();
  const random = new Random(1);
  const node = new SimNode('n1', 2, speed, new NodeLink(new Coordinator(NET), random), clock, random, 0);
  return { clock, node };
}

function task(id: string, work: number, partition?: string): TaskRequest {
  const params: SimWork = { work, sendBytes: 0, resultBytes: 0 };
  return { taskId: id, kind: 'describe', params, partitions: partition ? [{ id: partition, index: 0, rowStart: 0, numRows: 1, byteLength: 1e6, hash: partition }] : [] };
}

describe('SimNode', () => {
  it('takes the time of the partition, the task and its result, and sends a partition once per slot', async () => {
    const { clock, node } = setup();
    const done: number[] = [];
    void node.execute(0, task('a', 4, 'p')).then(() => done.push(clock.now()));
    await clock.run();
    // Partition: 1 s on the wire + 10 ms there + 10 ms ack; task header (300 B, 0.3 ms) + 10 ms;
    // 4 units at speed 2 = 2 s; result header 0.3 ms + 10 ms.
    expect(done[0]).toBeCloseTo(1000 + 20 + 10.3 + 2000 + 10.3, 6);
    const sent = node.traffic().bytesOut;
    void node.execute(0, task('b', 4, 'p'));
    void node.execute(1, task('c', 4, 'p'));
    await clock.run();
    expect(node.traffic().bytesOut - sent).toBe(300 + 300 + 1e6); // slot 1 needed the partition, slot 0 did not
  });

  it('runs a slot\'s tasks one at a time', async () => {
    const { clock, node } = setup(1);
    const done: string[] = [];
    for (const id of ['a', 'b']) void node.execute(0, task(id, 1)).then(() => done.push(`${id}@${Math.round(clock.now())}`));
    await clock.run();
    expect(done).toEqual(['a@1021', 'b@2021']);
  });

  it('on leaving, rejects its tasks and tells the scheduler with worker-lost', async () => {
    const { clock, node } = setup();
    const lost: FabricError[] = [];
    node.onLost((e) => lost.push(e));
    const running = node.execute(0, task('a', 100)).then(() => 'committed', (e: FabricError) => e.code);
    clock.setTimeout(() => node.leave('closed'), 1_000);
    await clock.run();
    expect(await running).toBe('worker-lost');
    expect(lost.map((e) => e.code)).toEqual(['worker-lost']);
    expect(lost[0]).toBeInstanceOf(FabricError);
    expect(node.workLost).toBeCloseTo((1_000 - 10.3) / 1000 * 2, 6);
    await expect(node.execute(1, task('b', 1))).rejects.toMatchObject({ code: 'worker-lost' });
  });

  it('leaving silently, is noticed only after the heartbeat timeout, and takes new tasks into the void', async () => {
    const { clock, node } = setup();
    let noticedAt = -1;
    node.onLost(() => { noticedAt = clock.now(); });
    const settled: string[] = [];
    void node.execute(0, task('a', 100)).catch((e: FabricError) => settled.push(`a ${e.code}@${clock.now()}`));
    clock.setTimeout(() => {
      node.leave('lid shut', 10_000);
      void node.execute(1, task('b', 1)).catch((e: FabricError) => settled.push(`b ${e.code}@${clock.now()}`));
    }, 500);
    await clock.run();
    expect(noticedAt).toBe(10_500);
    expect(settled).toEqual(['a worker-lost@10500', 'b worker-lost@10500']);
  });
});
