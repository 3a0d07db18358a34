/**
 * Grid search over a discrete space: every combination of the values of its `choice`, `randint`,
 * `quniform` and `qloguniform` nodes, respecting conditional structure (a choice's options each
 * contribute their own sub-grid, so inactive labels never appear). hyperopt has no grid search;
 * this fills the `'grid'` algorithm with the same point format as TPE and random search.
 *
 * The values of a quantized node are k·q for every k from round(low/q) to round(high/q) (with
 * exp(low), exp(high) for qloguniform), the values `round(x / q) * q` can take for x in the range.
 *
 * @module
 */
import { roundHalfEven } from './distributions.ts';
import type { HpNode, Point, Space, SpaceValue } from './space-types.ts';
import { badInput, childrenOf, isHpNode } from './space-types.ts';
import { validateSpace } from './space-validate.ts';

/**
 * Most points {@link gridPoints} will build. Above this a grid is no longer a sensible plan (at one
 * second per trial it is more than a day of evaluations) and the memory for the points grows large.
 */
export const MAX_GRID_POINTS = 100_000;

const WHERE = 'gridPoints(space)';

/** The values a discrete node takes on the grid, or a bad-input error naming a continuous label. */
function nodeValues(node: HpNode): number[] {
  const range = (from: number, to: number, scale: number): number[] => {
    const count = to - from + 1;
    if (count > MAX_GRID_POINTS) tooMany(count);
    return Array.from({ length: count }, (_, i) => (from + i) * scale);
  };
  switch (node.kind) {
    case 'choice':
      return node.options.map((_, i) => i);
    case 'randint':
      return range(node.low, node.high - 1, 1);
    case 'quniform':
      return range(roundHalfEven(node.low / node.q), roundHalfEven(node.high / node.q), node.q);
    case 'qloguniform':
      return range(roundHalfEven(Math.exp(node.low) / node.q), roundHalfEven(Math.exp(node.high) / node.q), node.q);
    default:
      throw badInput(WHERE, `label '${node.label}' is a continuous ${node.kind} node, so it has no finite grid; ` +
        `grid search needs only choice, randint, quniform or qloguniform nodes. Fix: make '${node.label}' ` +
        `hp.quniform or hp.choice, or search with algo 'tpe' or 'random'.`);
  }
}

function tooMany(count: number): never {
  throw badInput(WHERE, `the grid has ${count > 1e15 ? 'more than 1e15' : count} points, more than the ` +
    `${MAX_GRID_POINTS} allowed. Fix: use coarser q, fewer options or smaller randint ranges, ` +
    `or search with algo 'tpe' or 'random'.`);
}

/** Number of grid points of a (sub)space, without building them; shared nodes count once. */
function countOf(value: SpaceValue, seen: Set<string>): number {
  if (isHpNode(value)) {
    if (seen.has(value.label)) return 1;
    seen.add(value.label);
    const values = nodeValues(value);
    if (value.kind !== 'choice') return values.length;
    let total = 0;
    for (const option of value.options) total += countOf(option, new Set(seen));
    return total;
  }
  let product = 1;
  for (const child of childrenOf(value)) product *= countOf(child, seen);
  return product;
}

/** Every partial point of `value`, given the labels already fixed in `fixed`. */
function enumerate(value: SpaceValue, fixed: Readonly<Record<string, number>>): Record<string, number>[] {
  if (isHpNode(value)) {
    const existing = fixed[value.label];
    const values = existing === undefined ? nodeValues(value) : [existing];
    const out: Record<string, number>[] = [];
    for (const v of values) {
      const here = { ...fixed, [value.label]: v };
      if (value.kind !== 'choice') out.push(here);
      else for (const sub of enumerate(value.options[v]!, here)) out.push(sub);
    }
    return out;
  }
  let partials: Record<string, number>[] = [{ ...fixed }];
  for (const child of childrenOf(value)) {
    const next: Record<string, number>[] = [];
    for (const partial of partials) for (const sub of enumerate(child, partial)) next.push(sub);
    partials = next;
  }
  return partials;
}

/**
 * All points of a discrete space, in a fixed order (the first label varies slowest). Throws a
 * bad-input FabricError naming the first continuous label (uniform, loguniform, normal, lognormal),
 * or when the grid would exceed {@link MAX_GRID_POINTS} points.
 */
export function gridPoints(space: Space): Point[] {
  validateSpace(space);
  const count = countOf(space, new Set());
  if (count > MAX_GRID_POINTS) tooMany(count);
  return enumerate(space, {});
}
