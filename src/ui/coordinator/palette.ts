/** Stable colours per node id, so a node has one colour in the table and the partition map. */

/** Colour-blind-safe palette (Okabe–Ito), then a few more. */
const COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#7F7F7F', '#8C564B', '#17BECF'];
const assigned = new Map<string, string>();

/** The colour of a node. */
export function colorOf(nodeId: string): string {
  let c = assigned.get(nodeId);
  if (!c) {
    c = COLORS[assigned.size % COLORS.length]!;
    assigned.set(nodeId, c);
  }
  return c;
}
