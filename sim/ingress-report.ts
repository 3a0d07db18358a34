/**
 * The report's section on coordinator ingress per training iteration: bytes and seconds for each
 * way of bringing gradients home, by fleet size, and the fleet size at which each makes the
 * coordinator (or its relays) the bottleneck.
 */
import { bytes, count, table } from './format';
import { bottleneckNodes, commSeconds, computeSeconds, DEFAULT_INGRESS, ingressRows, type IngressForm, type IngressParams } from './ingress';

/** Fleet sizes shown in the table. */
const SIZES = [10, 30, 100, 300, 1_000, 3_000];
/** Coordinator ingress rates compared: a 100 Mbit/s LAN (the figure) and gigabit. */
const RATES = [100e6, 1e9];

const LABELS: Record<IngressForm, string> = {
  'per-slot': 'every slot to the coordinator',
  'per-node': 'node-level pre-sum',
  tree: 'relay tree',
  sharded: 'sharded relays (reduce-scatter)',
};

function secs(s: number): string {
  return s >= 100 ? `${Math.round(s).toLocaleString('en-US')} s` : s >= 10 ? `${s.toFixed(1)} s` : `${s.toFixed(2)} s`;
}

function formsTable(p: IngressParams, bps: number): string {
  const forms: IngressForm[] = ['per-slot', 'per-node', 'tree', 'sharded'];
  const rows = SIZES.map((n) => {
    const byForm = new Map(ingressRows(p, n, bps).map((r) => [r.form, r]));
    return [count(n), secs(computeSeconds(p, n)), ...forms.map((f) => {
      const r = byForm.get(f)!;
      const comm = commSeconds(r);
      const other = comm <= r.coordinatorS ? '' : comm === r.relayS ? ` (relays ${secs(comm)})` : ` (uploads ${secs(comm)})`;
      return `${bytes(r.bytes)}: ${secs(r.coordinatorS)}${other}`;
    })];
  });
  return table(['>nodes', '>compute', ...forms.map((f) => `>${LABELS[f]}`)], rows);
}

function crossoverTable(p: IngressParams): string {
  const forms: IngressForm[] = ['per-slot', 'per-node', 'tree', 'sharded'];
  const cell = (n: number | undefined): string => (n === undefined ? 'never' : count(n));
  const rows = forms.map((f) => [LABELS[f], ...RATES.flatMap((bps) => [cell(bottleneckNodes(p, f, bps, 'coordinator')), cell(bottleneckNodes(p, f, bps, 'comm'))])]);
  const small = { ...p, fanIn: 4 };
  rows.push([`relay tree, fan-in ${small.fanIn}`, ...RATES.flatMap((bps) => [cell(bottleneckNodes(small, 'tree', bps, 'coordinator')), cell(bottleneckNodes(small, 'tree', bps, 'comm'))])]);
  return table(['form', ...RATES.flatMap((bps) => [`>coordinator ingress > compute, ${bps / 1e6} Mbit/s`, `>any communication > compute, ${bps / 1e6} Mbit/s`])], rows);
}

/** Markdown for the ingress section, with the default parameters. */
export function ingressSection(p: IngressParams = DEFAULT_INGRESS): string {
  const vector = p.params * p.bytesPerParam;
  const n = 1_000;
  const at1000 = ingressRows(p, n, RATES[0]!);
  const perSlot = at1000.find((r) => r.form === 'per-slot')!;
  return [
    '## Coordinator ingress per training iteration',
    '',
    `Worked out, not simulated (sim/ingress.ts): a ${count(p.params)}-parameter model with float64 gradients (${bytes(vector)} a vector, as train sends them today), a full-batch iteration over ${count(p.rows)} rows (flights-3m), ${p.flopsPerRowParam} FLOPs per row per parameter, ${p.slotFlops / 1e9} GFLOP/s a slot and ${p.slotsPerNode} slots a node, so compute per iteration is ${secs(computeSeconds(p, 1))} divided by the number of nodes. Each cell is bytes into the coordinator per iteration and their time at ${RATES[0]! / 1e6} Mbit/s. The tree has fan-in ${p.fanIn} and relays are volunteers with ${p.relayBps / 1e6} Mbit/s down, pipelined in chunks so its time is one level's. Every volunteer also uploads its own vector (its slots' vectors, without pre-summing) at ${p.uploadBps / 1e6} Mbit/s. Where relays or uploads, not the coordinator, set the pace, the cell says so.`,
    '',
    formsTable(p, RATES[0]!),
    '',
    'Nodes at which communication overtakes compute, from 1 node up: first the coordinator\'s ingress alone (where the coordinator becomes the bottleneck), then any part of it (coordinator, relays or the volunteers\' own uploads). A form whose uploads alone exceed compute is communication-bound from the number of nodes at which compute falls below them, whatever the coordinator does.',
    '',
    crossoverTable(p),
    '',
    `At ${count(n)} nodes, one vector per slot is ${bytes(perSlot.bytes)} per iteration, ${secs(commSeconds(perSlot))} at ${RATES[0]! / 1e6} Mbit/s against ${secs(computeSeconds(p, n))} of compute. Pre-summing per node divides that by the slots per node, a constant; only a tree or sharding makes the coordinator's ingress independent of the fleet. With ${p.relayBps / 1e6} Mbit/s volunteer relays, a fan-in-${p.fanIn} tree moves the bottleneck from the coordinator to the relays (each receives ${p.fanIn} vectors); a smaller fan-in or relays on the LAN fix that. Sharding (each node sums 1/n of the vector from everyone, then forwards its shard) is the bandwidth-optimal form: one vector in and out per node, one into the coordinator. Past that, only fewer bytes help: each volunteer's upload of one ${bytes(vector)} vector takes ${secs(vector * 8 / p.uploadBps)} at ${p.uploadBps / 1e6} Mbit/s, so float32 or compressed gradients, or more compute per exchange (local steps), are the next lever.`,
  ].join('\n');
}
