/**
 * The simulated fleet: volunteers with heavy-tailed speeds that join and leave by Poisson
 * processes, each added to the real scheduler as it joins. It records the fleet's capacity over
 * virtual time, from which a job's ideal time is computed.
 *
 * Churn is the M/M/inf model: each volunteer stays for an exponential time of mean
 * 1 / churnPerMinute minutes, and new ones arrive at `nodes * churnPerMinute` per minute, so the
 * fleet holds `nodes` volunteers on average and `churnPerMinute` of them leave each minute.
 */
import type { Scheduler } from '../src/coordinator/scheduler';
import type { VirtualClock } from './clock';
import { Coordinator, DEFAULT_NETWORK, NodeLink, type NetworkParams } from './network';
import { Random } from './random';
import { SimNode } from './sim-node';

/** The fleet's shape. */
export interface FleetParams {
  /** Volunteers at the start, and on average. */
  readonly nodes: number;
  /** Fraction of the volunteers that leave per simulated minute (replaced at the same rate). */
  readonly churnPerMinute: number;
  /** Slots per volunteer, drawn uniformly from this range (browsers give cores minus one). */
  readonly slots: readonly [number, number];
  /** Median slot speed (work units per second) and its log-normal spread. */
  readonly speedMedian: number;
  readonly speedSigma: number;
  /** Chance that a task fails on its slot with a retryable error (exercises retries). */
  readonly failureRate: number;
  /** Share of departures that are silent (lid shut, network lost), noticed only by the heartbeat. */
  readonly silentShare: number;
  /** How long a silent departure goes unnoticed: the room's `lostAfterMs` (src/coordinator/room.ts). */
  readonly heartbeatTimeoutMs: number;
  readonly network: NetworkParams;
  readonly seed: number;
}

/**
 * The defaults. Speed sigma 0.8 is an assumption for a mixed fleet (phones, laptops, desktops with
 * a GPU): the 1st and 99th percentile slots are 6.4x slower and faster than the median, a 41x
 * spread. Slots 1 to 4 is cores minus one on 2- to 5-core machines. The failure rate 0.2% gives a
 * few dozen retried tasks per scenario; four failures of one task (its job failing) would need
 * 1.6e-11 odds. A quarter of departures silent is an assumption (closing a tab closes the data
 * channel at once; a laptop lid or a phone's radio does not); 10 s is the room's default.
 */
export const DEFAULT_FLEET: FleetParams = {
  nodes: 1000,
  churnPerMinute: 0.3,
  slots: [1, 4],
  speedMedian: 1,
  speedSigma: 0.8,
  failureRate: 0.002,
  silentShare: 0.25,
  heartbeatTimeoutMs: 10_000,
  network: DEFAULT_NETWORK,
  seed: 1,
};

/** Capacity from `at` (ms) until the next change: all live slots, and the fastest `top` of them. */
interface CapacityStep {
  readonly at: number;
  readonly all: number;
  readonly top: number;
}

/** Live volunteers, churn, and the capacity record. */
export class Fleet {
  readonly coordinator: Coordinator;
  private readonly random: Random;
  private readonly live = new Map<string, SimNode>();
  private readonly byId = new Map<string, SimNode>();
  private readonly steps: CapacityStep[] = [];
  private nextId = 1;
  private churning = false;
  /** Joins and departures so far, and every node that ever joined. */
  joined = 0;
  left = 0;
  readonly everyNode: SimNode[] = [];

  /** `top`: the job's parallelism, for the ideal of jobs that cannot use every slot. */
  constructor(private readonly clock: VirtualClock, private readonly scheduler: Scheduler, readonly params: FleetParams, private readonly top = Number.POSITIVE_INFINITY) {
    this.random = new Random(params.seed);
    this.coordinator = new Coordinator(params.network);
  }

  /** Adds the starting volunteers and, when churn is on, starts the Poisson processes. */
  start(): void {
    for (let i = 0; i < this.params.nodes; i++) this.join();
    this.churning = this.params.churnPerMinute > 0;
    if (this.churning) this.scheduleJoin();
  }

  /** Stops joins and departures (the timers already set do nothing). */
  stop(): void {
    this.churning = false;
  }

  /** Live volunteers now. */
  get size(): number {
    return this.live.size;
  }

  private join(): void {
    const p = this.params;
    const id = `v${this.nextId++}`;
    const slots = this.random.int(p.slots[0], p.slots[1]);
    const speed = this.random.logNormal(p.speedMedian, p.speedSigma);
    const node = new SimNode(id, slots, speed, new NodeLink(this.coordinator, this.random), this.clock, this.random, p.failureRate);
    this.live.set(id, node);
    this.byId.set(id, node);
    this.everyNode.push(node);
    this.joined += 1;
    this.scheduler.addNode(node);
    if (p.churnPerMinute > 0) {
      const stay = this.random.exponential(60_000 / p.churnPerMinute);
      this.clock.setTimeout(() => this.depart(node), stay);
    }
    this.record();
  }

  private depart(node: SimNode): void {
    if (!this.churning || !this.live.delete(node.id)) return;
    this.left += 1;
    if (this.random.chance(this.params.silentShare)) node.leave('it went silent (lid shut or network lost)', this.params.heartbeatTimeoutMs);
    else node.leave('the tab was closed');
    this.record();
  }

  private scheduleJoin(): void {
    const gap = this.random.exponential(60_000 / (this.params.nodes * this.params.churnPerMinute));
    this.clock.setTimeout(() => {
      if (!this.churning) return;
      this.join();
      this.scheduleJoin();
    }, gap);
  }

  private record(): void {
    let all = 0;
    let slots = 0;
    for (const n of this.live.values()) {
      all += n.speed * n.slots.length;
      slots += n.slots.length;
    }
    let top = all;
    if (slots > this.top) {
      const speeds: number[] = [];
      for (const n of this.live.values()) for (let s = 0; s < n.slots.length; s++) speeds.push(n.speed);
      top = speeds.sort((a, b) => b - a).slice(0, this.top).reduce((a, b) => a + b, 0);
    }
    const last = this.steps[this.steps.length - 1];
    if (last && last.at === this.clock.now()) this.steps.pop();
    this.steps.push({ at: this.clock.now(), all, top });
  }

  /** Slot speed of a node that joined at some time (NaN for an unknown id). */
  speedOf(nodeId: string): number {
    return this.byId.get(nodeId)?.speed ?? Number.NaN;
  }

  /** Live slots now. */
  slotCount(): number {
    let n = 0;
    for (const node of this.live.values()) n += node.slots.length;
    return n;
  }

  /**
   * The ideal time (ms) for `work` units started at `from`: when the capacity present from then on,
   * all of it or the job's `top` fastest slots, adds up to the work. Transfers and latency are free
   * in the ideal, and no work is lost.
   */
  idealMs(from: number, work: number, which: 'all' | 'top'): number {
    let left = work;
    for (let i = 0; i < this.steps.length; i++) {
      const step = this.steps[i]!;
      const end = this.steps[i + 1]?.at ?? Number.POSITIVE_INFINITY;
      if (end <= from) continue;
      const start = Math.max(from, step.at);
      const rate = step[which] / 1000;
      if (rate > 0 && start + left / rate <= end) return start + left / rate - from;
      left -= rate * (end - start);
    }
    return Number.NaN;
  }
}
