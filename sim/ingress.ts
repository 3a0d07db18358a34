/**
 * Coordinator ingress per training iteration, worked out rather than simulated: how many bytes of
 * gradient reach the coordinator each iteration when every slot sends its own vector, when each
 * node pre-sums its slots, and when volunteers relay partial sums up a tree, against the compute
 * time of the same iteration spread over the fleet. Where ingress time passes compute time, the
 * coordinator's link, not the fleet, sets the pace.
 */

/** The model, data and links of the calculation. */
export interface IngressParams {
  /** Model parameters, and bytes per gradient entry (float64, as train sends today). */
  readonly params: number;
  readonly bytesPerParam: number;
  /** Rows per iteration (a full-batch gradient, as MLlib and Fabric's train compute). */
  readonly rows: number;
  /** FLOPs per row per parameter for a gradient: 2 forward and 4 backward, the usual 6N rule. */
  readonly flopsPerRowParam: number;
  /** Sustained FLOP/s of one slot. */
  readonly slotFlops: number;
  readonly slotsPerNode: number;
  /** Fan-in of the relay tree. */
  readonly fanIn: number;
  /** Download rate of a volunteer relay (bit/s). */
  readonly relayBps: number;
  /** Upload rate of a volunteer (bit/s): every node sends at least its own vector. */
  readonly uploadBps: number;
}

/**
 * The defaults: a 1M-parameter model over flights-3m (3,000,000 rows). 20 GFLOP/s is a mid-range
 * WebGPU or a good wasm SIMD slot (bench/results/train.md measures this machine's); 2.5 slots a
 * node is the fleet's mean (1 to 4); fan-in 16, 50 Mbit/s down and 20 Mbit/s up as the median
 * volunteer of sim/network.ts.
 */
export const DEFAULT_INGRESS: IngressParams = {
  params: 1_000_000, bytesPerParam: 8, rows: 3_000_000, flopsPerRowParam: 6, slotFlops: 20e9,
  slotsPerNode: 2.5, fanIn: 16, relayBps: 50e6, uploadBps: 20e6,
};

/** How gradients reach the coordinator. */
export type IngressForm = 'per-slot' | 'per-node' | 'tree' | 'sharded';

/** One row of the comparison. */
export interface IngressRow {
  readonly form: IngressForm;
  /** Bytes into the coordinator per iteration. */
  readonly bytes: number;
  /** Seconds those bytes take at the coordinator's rate. */
  readonly coordinatorS: number;
  /** Seconds the slowest relay spends receiving (0 without relays). */
  readonly relayS: number;
  /** Seconds a volunteer spends sending its share (its slots' vectors, or one vector). */
  readonly uploadS: number;
}

/** Seconds of compute per iteration with `nodes` nodes sharing the work evenly. */
export function computeSeconds(p: IngressParams, nodes: number): number {
  return (p.rows * p.params * p.flopsPerRowParam) / (nodes * p.slotsPerNode * p.slotFlops);
}

/**
 * Ingress of each form with `nodes` nodes, at `coordinatorBps`. The tree is pipelined in chunks
 * (a relay forwards a chunk's partial sum as soon as its children's chunks are in), so its time is
 * one level's, not depth times it. 'sharded' is a reduce-scatter: every node owns 1/nodes of the
 * vector, sums that shard from all nodes and sends it on, so the coordinator receives one vector
 * and each node about one; it is here as the bandwidth-optimal bound, beyond the three forms asked.
 */
export function ingressRows(p: IngressParams, nodes: number, coordinatorBps: number): IngressRow[] {
  const vector = p.params * p.bytesPerParam;
  const seconds = (bytes: number, bps: number): number => (bytes * 8) / bps;
  const perSlot = vector * Math.round(nodes * p.slotsPerNode);
  const perNode = vector * nodes;
  const tree = vector * Math.min(nodes, p.fanIn);
  const treeRelay = nodes > p.fanIn ? seconds(vector * p.fanIn, p.relayBps) : 0;
  const one = seconds(vector, p.uploadBps);
  return [
    { form: 'per-slot', bytes: perSlot, coordinatorS: seconds(perSlot, coordinatorBps), relayS: 0, uploadS: one * p.slotsPerNode },
    { form: 'per-node', bytes: perNode, coordinatorS: seconds(perNode, coordinatorBps), relayS: 0, uploadS: one },
    { form: 'tree', bytes: tree, coordinatorS: seconds(tree, coordinatorBps), relayS: treeRelay, uploadS: one },
    { form: 'sharded', bytes: vector, coordinatorS: seconds(vector, coordinatorBps), relayS: nodes > 1 ? seconds(vector, p.relayBps) : 0, uploadS: one },
  ];
}

/** Communication time of a row: coordinator, relays and uploads overlap; the slowest sets the pace. */
export function commSeconds(row: IngressRow): number {
  return Math.max(row.coordinatorS, row.relayS, row.uploadS);
}

/**
 * The smallest node count (up to `maxNodes`; past 100 in steps of 1%) at which the coordinator's
 * ingress (`which` = 'coordinator') or the whole communication, relays and uploads included ('comm'), takes
 * longer than the iteration's compute; undefined if it never does.
 */
export function bottleneckNodes(p: IngressParams, form: IngressForm, coordinatorBps: number, which: 'coordinator' | 'comm', maxNodes = 1_000_000): number | undefined {
  for (let n = 1; n <= maxNodes; n = n < 100 ? n + 1 : Math.ceil(n * 1.01)) {
    const row = ingressRows(p, n, coordinatorBps).find((r) => r.form === form)!;
    if ((which === 'coordinator' ? row.coordinatorS : commSeconds(row)) > computeSeconds(p, n)) return n;
  }
  return undefined;
}
