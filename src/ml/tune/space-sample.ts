/**
 * Drawing points from a space's prior and reading points back: {@link samplePoint} (hyperopt's
 * `pyll.stochastic.sample` restricted to the labels), {@link resolvePoint} (hyperopt's `space_eval`)
 * and {@link activeLabels}. The tree walk {@link assignActive} is shared with TPE, which assigns
 * nodes in the same order (a choice before the nodes of its chosen option).
 *
 * @module
 */
import { normalSample, quantize, uniformSample } from './distributions.ts';
import type { HpNode, Point, Space, SpaceValue } from './space-types.ts';
import { badInput, childrenOf, describeValue, isHpNode, valueOf } from './space-types.ts';
import { validateSpace } from './space-validate.ts';

/**
 * The option a choice value selects, or a bad-input error naming the label when `index` is not an
 * integer in [0, options.length).
 */
export function optionAt(where: string, node: HpNode & { kind: 'choice' }, index: number): SpaceValue {
  const option = Number.isInteger(index) ? node.options[index] : undefined;
  if (option === undefined) {
    throw badInput(where, `label '${node.label}' (choice) has ${node.options.length} options, so its value should be ` +
      `an integer index in [0, ${node.options.length}), received ${describeValue(index)}. ` +
      `Fix: store the option's index, not the option itself.`);
  }
  return option;
}

/**
 * Walks the ACTIVE part of a space depth-first (arrays in order, object keys in insertion order),
 * asking `assign` for each node's value the first time its label is met; a choice's chosen option is
 * walked right after the choice. Returns label → value for exactly the active labels.
 */
export function assignActive(
  space: Space,
  assign: (node: HpNode, partial: Readonly<Record<string, number>>) => number,
  where = 'assignActive(space)',
): Record<string, number> {
  const point: Record<string, number> = {};
  const visit = (value: SpaceValue): void => {
    if (isHpNode(value)) {
      let x = point[value.label];
      if (x === undefined) {
        x = assign(value, point);
        point[value.label] = x;
      }
      if (value.kind === 'choice') visit(optionAt(where, value, x));
      return;
    }
    for (const child of childrenOf(value)) visit(child);
  };
  visit(space);
  return point;
}

/** One draw from a node's prior, with hyperopt's definitions (see {@link HpNode}). */
export function samplePrior(node: HpNode, random: () => number): number {
  switch (node.kind) {
    case 'uniform':
      return uniformSample(random, node.low, node.high);
    case 'quniform':
      return quantize(uniformSample(random, node.low, node.high), node.q);
    case 'loguniform':
      return Math.exp(uniformSample(random, node.low, node.high));
    case 'qloguniform':
      return quantize(Math.exp(uniformSample(random, node.low, node.high)), node.q);
    case 'normal':
      return normalSample(random, node.mu, node.sigma);
    case 'lognormal':
      return Math.exp(normalSample(random, node.mu, node.sigma));
    case 'randint':
      return node.low + Math.floor(random() * (node.high - node.low));
    case 'choice':
      return Math.floor(random() * node.options.length);
  }
}

/** A prior draw of the active labels of an already validated space. */
export function samplePriorPoint(space: Space, random: () => number): Point {
  return assignActive(space, (node) => samplePrior(node, random));
}

/**
 * Draws one point from the space's prior using `random` (e.g. `seededRandom(seed)`), so the same
 * seed gives the same points. Only labels active under the drawn choices appear; a choice stores
 * the index of its option. Throws bad-input (naming the label) when the space is invalid.
 */
export function samplePoint(space: Space, random: () => number): Point {
  validateSpace(space);
  return samplePriorPoint(space, random);
}

/**
 * The labels active under `point`'s choices, in walking order. Throws bad-input naming the label
 * when an active label is missing from the point or a choice index is out of range.
 */
export function activeLabels(space: Space, point: Point): string[] {
  const where = 'activeLabels(space, point)';
  validateSpace(space);
  return Object.keys(assignActive(space, (node) => valueOf(where, point, node.label), where));
}

/**
 * Builds the concrete parameters a point stands for, like hyperopt's `space_eval`: every node is
 * replaced by its value and every choice by its chosen option, resolved recursively; constants,
 * arrays and objects keep their shape. Throws bad-input naming the label when an active label is
 * missing or a choice index is out of range.
 */
export function resolvePoint(space: Space, point: Point): unknown {
  const where = 'resolvePoint(space, point)';
  validateSpace(space);
  const build = (value: SpaceValue): unknown => {
    if (isHpNode(value)) {
      const x = valueOf(where, point, value.label);
      return value.kind === 'choice' ? build(optionAt(where, value, x)) : x;
    }
    if (Array.isArray(value)) return (value as readonly SpaceValue[]).map(build);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(value as { readonly [k: string]: SpaceValue })) out[key] = build(child);
      return out;
    }
    return value;
  };
  return build(space);
}
