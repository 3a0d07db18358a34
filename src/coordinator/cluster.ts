/**
 * Membership as the nodes table shows it: one row per live node, with its slots, backends, speed,
 * state, tasks done and traffic. Fed by node joins and losses and by the scheduler's events.
 */
import type { FabricError } from '../protocol/errors';
import type { BackendName, ProbeReport } from '../protocol/slot-api';
import type { ExecutorNode, NodeKind } from './executor-node';
import type { SchedulerEvent, TrustState } from './scheduler';

/** A row of the nodes table. */
export interface NodeInfo {
  readonly id: string;
  readonly kind: NodeKind;
  readonly name: string;
  readonly slots: number;
  /** The backend each slot chose, most common first (e.g. `wasm`, or `wasm ×3, webgpu ×1`). */
  readonly backend: string;
  /** Sum of the slots' measured GFLOP/s. */
  readonly gflops: number;
  /** Model kernel per slot (cpu or webgpu, as measured), e.g. `cpu` or `webgpu ×2`. */
  readonly kernel: string;
  /** What the kernel probe measured, for a tooltip. */
  readonly kernelReason: string;
  /** WebGPU adapter, when any slot has one. */
  readonly gpu?: string | undefined;
  readonly state: 'idle' | 'busy';
  readonly running: number;
  readonly tasksDone: number;
  readonly tasksFailed: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly joinedAt: number;
  /** Verification mode only: trusted (the coordinator's own), probation, verified or excluded. */
  readonly trust?: TrustState | undefined;
  /** Verification checks this node's results have passed. */
  readonly checksPassed: number;
}

interface Member {
  readonly node: ExecutorNode;
  readonly joinedAt: number;
  running: number;
  done: number;
  failed: number;
  trust?: TrustState | undefined;
  checks: number;
}

function summarize(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const parts = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return parts.length === 1 ? parts[0]![0] : parts.map(([b, n]) => `${b} ×${n}`).join(', ');
}

/** A slot's backend, with what it was before a lost WebGPU device: `webgpu → wasm (device lost)`. */
function backendLabel(s: ProbeReport): string {
  const lost = s.deviceLost;
  if (!lost) return s.chosen satisfies BackendName;
  return lost.backend === s.chosen ? `${s.chosen} (device lost, new device)` : `${lost.backend} → ${s.chosen} (device lost)`;
}

/** The same for the model kernel: `webgpu → cpu (device lost)`. */
function kernelLabel(s: ProbeReport): string {
  const now = s.kernel?.chosen ?? 'cpu';
  const lost = s.deviceLost;
  if (!lost || lost.kernel !== 'webgpu') return now;
  return now === 'webgpu' ? 'webgpu (device lost, new device)' : `webgpu → ${now} (device lost)`;
}

function backendSummary(node: ExecutorNode): string {
  return summarize(node.slots.map(backendLabel));
}

/** Tracks the live nodes. */
export class Cluster {
  private readonly members = new Map<string, Member>();

  constructor(private readonly onChange: () => void) {}

  /** Adds a node; it leaves the table when it is lost. */
  add(node: ExecutorNode, onLost: (node: ExecutorNode, reason: FabricError) => void): void {
    this.members.set(node.id, { node, joinedAt: Date.now(), running: 0, done: 0, failed: 0, checks: 0 });
    node.onLost((reason) => {
      this.members.delete(node.id);
      onLost(node, reason);
      this.onChange();
    });
    node.onReport?.(() => this.onChange());
    this.onChange();
  }

  /** The live nodes, oldest first. */
  executors(): ExecutorNode[] {
    return [...this.members.values()].map((m) => m.node);
  }

  /** Updates counters from a scheduler event. */
  record(e: SchedulerEvent): void {
    if (e.type === 'node-lost') return;
    const m = this.members.get(e.nodeId);
    if (!m) return;
    if (e.type === 'trust-changed') {
      m.trust = e.state;
      m.checks = e.checksPassed;
    } else if (e.type === 'task-started') m.running += 1;
    else if (e.type === 'attempt-ended') m.running -= 1;
    else if (e.type === 'task-committed') m.done += 1;
    else if (e.type === 'task-failed') m.failed += 1;
    this.onChange();
  }

  /** The node with this id, if live. */
  get(id: string): ExecutorNode | undefined {
    return this.members.get(id)?.node;
  }

  /** The table's rows: the local node first, then volunteers by join time. */
  list(): NodeInfo[] {
    return [...this.members.values()]
      .sort((a, b) => (a.node.kind === b.node.kind ? a.joinedAt - b.joinedAt : a.node.kind === 'local' ? -1 : 1))
      .map((m) => {
        const t = m.node.traffic();
        return {
          id: m.node.id,
          kind: m.node.kind,
          name: m.node.name,
          slots: m.node.slots.length,
          backend: backendSummary(m.node),
          gflops: Math.round(m.node.slots.reduce((s, r) => s + r.gflops, 0) * 10) / 10,
          gpu: m.node.slots.find((s) => s.gpu)?.gpu,
          kernel: summarize(m.node.slots.map(kernelLabel)),
          kernelReason: m.node.slots.map((s) => [s.kernel?.reason ?? 'not measured', s.deviceLost?.detail].filter(Boolean).join('; ')).join('; '),
          state: m.running > 0 ? 'busy' : 'idle',
          running: Math.max(0, m.running),
          tasksDone: m.done,
          tasksFailed: m.failed,
          bytesIn: t.bytesIn,
          bytesOut: t.bytesOut,
          joinedAt: m.joinedAt,
          trust: m.trust,
          checksPassed: m.checks,
        };
      });
  }
}
