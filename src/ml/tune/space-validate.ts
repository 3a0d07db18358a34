/**
 * Checks of search spaces: each node's own parameters ({@link checkNode}, used by the `hp.*`
 * builders) and a whole space ({@link validateSpace}). Every failure is a bad-input FabricError whose
 * message names the label, what was expected, what was received and how to fix it.
 *
 * @module
 */
import type { HpNode, Space, SpaceValue } from './space-types.ts';
import { badInput, childrenOf, describeValue, isHpNode } from './space-types.ts';

function finite(where: string, node: HpNode, name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw badInput(where, `label '${node.label}' (${node.kind}) needs a finite number for ${name}, ` +
      `received ${describeValue(value)}. Fix: pass a finite ${name}.`);
  }
}

function ordered(where: string, node: HpNode & { low: number; high: number }, fix: string): void {
  if (!(node.low < node.high)) {
    throw badInput(where, `label '${node.label}' (${node.kind}) needs low < high, received low=${node.low}, ` +
      `high=${node.high}. Fix: ${fix}`);
  }
}

function positive(where: string, node: HpNode, name: 'q' | 'sigma', value: number): void {
  if (!(value > 0)) {
    throw badInput(where, `label '${node.label}' (${node.kind}) needs ${name} > 0, received ${name}=${value}. ` +
      `Fix: pass a positive ${name}.`);
  }
}

/** Checks one node's own parameters (not its options' contents); throws bad-input naming its label. */
export function checkNode(where: string, node: HpNode): void {
  if (node.label.length === 0) {
    throw badInput(where, `a ${node.kind} node has an empty label; expected a non-empty string. Fix: name it, e.g. 'lr'.`);
  }
  switch (node.kind) {
    case 'uniform':
    case 'quniform':
    case 'loguniform':
    case 'qloguniform': {
      const log = node.kind === 'loguniform' || node.kind === 'qloguniform';
      finite(where, node, 'low', node.low);
      finite(where, node, 'high', node.high);
      ordered(where, node, log ? 'low/high are bounds of log(value), e.g. Math.log(1e-4), Math.log(1e-1).' : 'swap the bounds or widen the range.');
      if (node.kind === 'quniform' || node.kind === 'qloguniform') {
        finite(where, node, 'q', node.q);
        positive(where, node, 'q', node.q);
      }
      return;
    }
    case 'normal':
    case 'lognormal':
      finite(where, node, 'mu', node.mu);
      finite(where, node, 'sigma', node.sigma);
      positive(where, node, 'sigma', node.sigma);
      return;
    case 'randint':
      finite(where, node, 'low', node.low);
      finite(where, node, 'high', node.high);
      if (!Number.isInteger(node.low) || !Number.isInteger(node.high)) {
        throw badInput(where, `label '${node.label}' (randint) needs integer bounds, received low=${node.low}, ` +
          `high=${node.high}. Fix: round them, or use hp.quniform for a non-integer grid.`);
      }
      ordered(where, node, 'randint draws from [low, high), so high must exceed low.');
      return;
    case 'choice':
      if (!Array.isArray(node.options) || node.options.length === 0) {
        throw badInput(where, `label '${node.label}' (choice) needs a non-empty array of options, received ` +
          `${describeValue(node.options)}. Fix: pass at least one option.`);
      }
      return;
  }
}

/**
 * Checks a whole space and returns each distinct node once (nested ones included, depth-first).
 * Throws a bad-input FabricError naming the label for: two different nodes sharing a label,
 * low ≥ high, q ≤ 0, sigma ≤ 0, an empty choice, non-integer randint bounds and non-finite numbers.
 * The same node object may appear in several places (a shared parameter, as in hyperopt).
 */
export function validateSpace(space: Space): HpNode[] {
  const where = 'validateSpace(space)';
  const byLabel = new Map<string, HpNode>();
  const nodes: HpNode[] = [];
  const visit = (value: SpaceValue): void => {
    if (isHpNode(value)) {
      const seen = byLabel.get(value.label);
      if (seen === value) return;
      if (seen !== undefined) {
        throw badInput(where, `label '${value.label}' is used by two different nodes (${seen.kind} and ${value.kind}); ` +
          `expected each label once. Fix: rename one, or reuse the same node object to share it.`);
      }
      checkNode(where, value);
      byLabel.set(value.label, value);
      nodes.push(value);
      if (value.kind === 'choice') for (const option of value.options) visit(option);
      return;
    }
    for (const child of childrenOf(value)) visit(child);
  };
  visit(space);
  return nodes;
}
