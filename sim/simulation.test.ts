import { describe, expect, it } from 'vitest';
import type { PartitionRef } from '../src/protocol/dataset';
import { DEFAULT_FLEET, type FleetParams } from './fleet';
import { bottleneckNodes, DEFAULT_INGRESS, ingressRows } from './ingress';
import { DEFAULT_NETWORK } from './network';
import { runScenario } from './run-scenario';
import type { Scenario } from './scenarios';
import type { SimWork } from './sim-node';

/** A job of `count` tasks of `work` s, task i reading partition i % partitions (none when 0). */
function oneJob(count: number, work: number, partitions: number): Scenario {
  const refs: PartitionRef[] = Array.from({ length: partitions }, (_, index) => ({ id: `t/${index}`, index, rowStart: 0, numRows: 1, byteLength: 100_000, hash: `h${index}` }));
  const cost: SimWork = { work, sendBytes: 0, resultBytes: 100 };
  return {
    name: 'test', pattern: 'test', parallelism: Number.POSITIVE_INFINITY,
    async run(ctx) {
      ctx.measure();
      const tasks = Array.from({ length: count }, (_, i) => ({ taskId: `t${i}`, kind: 'describe' as const, params: cost, partitions: partitions > 0 ? [refs[i % partitions]!] : [] }));
      const outcomes = await ctx.runJob(tasks);
      expect(outcomes.size).toBe(count);
    },
  };
}

describe('the real scheduler on a simulated fleet', () => {
  it('commits every task exactly once through heavy churn and transient failures', async () => {
    // 40 nodes, each leaving once a minute on average (replaced), 2% of tasks failing on their slot.
    const fleet: FleetParams = { ...DEFAULT_FLEET, nodes: 40, churnPerMinute: 1, failureRate: 0.02, seed: 7 };
    const r = await runScenario(oneJob(1_500, 4, 30), fleet);
    expect(r.note).toBeUndefined();
    expect(r.counts.submitted).toBe(1_500);
    expect(r.counts.lost).toBe(0);
    expect(r.counts.duplicated).toBe(0);
    expect(r.counts.committed).toBe(1_500);
    // The run must have exercised both paths, or the zeros above prove nothing.
    expect(r.counts.requeued).toBeGreaterThan(10);
    expect(r.counts.retried).toBeGreaterThan(10);
    expect(r.left).toBeGreaterThan(10);
    expect(r.counts.started).toBe(1_500 + r.counts.requeued + r.counts.restarted + r.counts.speculated);
  });

  it('comes within 5% of the ideal with no churn and equal speeds', async () => {
    const fleet: FleetParams = {
      ...DEFAULT_FLEET, nodes: 50, churnPerMinute: 0, failureRate: 0, speedSigma: 0, slots: [2, 2], seed: 3,
      network: { ...DEFAULT_NETWORK, latencySigma: 0, rateSigma: 0 },
    };
    // 100 slots of speed 1, 2,000 tasks of 1 s: the ideal is 20 s.
    const r = await runScenario(oneJob(2_000, 1, 0), fleet);
    expect(r.idealMs).toBeCloseTo(20_000, 6);
    expect(r.jobMs).toBeGreaterThanOrEqual(r.idealMs);
    expect(r.jobMs / r.idealMs).toBeLessThan(1.05);
    expect(r.counts.requeued + r.counts.retried).toBe(0);
  });

  it('gives the ideal of a job that uses only its fastest slots', async () => {
    const fleet: FleetParams = { ...DEFAULT_FLEET, nodes: 20, churnPerMinute: 0, failureRate: 0, seed: 5 };
    const r = await runScenario({ ...oneJob(200, 1, 0), parallelism: 10 }, fleet);
    expect(r.idealTopMs).toBeGreaterThan(r.idealMs);
  });
});

describe('coordinator ingress per iteration', () => {
  it('counts one float64 vector per slot, per node, per tree child and one in all when sharded', () => {
    const rows = ingressRows(DEFAULT_INGRESS, 1_000, 100e6);
    const bytes = Object.fromEntries(rows.map((r) => [r.form, r.bytes]));
    expect(bytes).toEqual({ 'per-slot': 2_500 * 8e6, 'per-node': 1_000 * 8e6, tree: 16 * 8e6, sharded: 8e6 });
    // 8 GB at 100 Mbit/s is 640 s.
    expect(rows.find((r) => r.form === 'per-node')!.coordinatorS).toBeCloseTo(640, 9);
  });

  it('finds where ingress overtakes compute, later for forms that send less', () => {
    const at = (form: 'per-slot' | 'per-node' | 'tree' | 'sharded') => bottleneckNodes(DEFAULT_INGRESS, form, 100e6, 'coordinator')!;
    // Compute is 360 / n s; per slot, ingress is 1.6 n s, so they cross between 14 and 15 nodes.
    expect(at('per-slot')).toBe(15);
    expect(at('per-node')).toBeGreaterThan(at('per-slot'));
    expect(at('tree')).toBeGreaterThan(at('per-node'));
    expect(at('sharded')).toBeGreaterThan(at('tree'));
  });
});
