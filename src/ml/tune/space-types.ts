/**
 * The types of Fabric's hyperparameter search spaces, shaped after hyperopt's `hp.*` expressions:
 * a space is any nesting of plain values, arrays and objects with {@link HpNode}s at the leaves,
 * and `choice` nodes whose options are themselves spaces (conditional parameters).
 *
 * Public names are re-exported from `space.ts`; this file exists so the sampler and TPE can share
 * the types without an import cycle.
 *
 * @module
 */
import { FabricError } from '../../protocol/errors.ts';

/**
 * One labelled random variable, with hyperopt's semantics:
 * - `uniform`: U(low, high); `quniform`: round(U(low, high) / q) * q.
 * - `loguniform`: exp(U(low, high)), so `low`/`high` are bounds of the LOG; `qloguniform`:
 *   round(exp(U(low, high)) / q) * q.
 * - `normal`: N(mu, sigma²); `lognormal`: exp(N(mu, sigma²)).
 * - `randint`: an integer in [low, high).
 * - `choice`: one of `options`; a {@link Point} stores the chosen option's INDEX.
 */
export type HpNode =
  | { kind: 'uniform'; label: string; low: number; high: number }
  | { kind: 'loguniform'; label: string; low: number; high: number }
  | { kind: 'quniform'; label: string; low: number; high: number; q: number }
  | { kind: 'qloguniform'; label: string; low: number; high: number; q: number }
  | { kind: 'normal'; label: string; mu: number; sigma: number }
  | { kind: 'lognormal'; label: string; mu: number; sigma: number }
  | { kind: 'randint'; label: string; low: number; high: number }
  | { kind: 'choice'; label: string; options: readonly SpaceValue[] };

/** Anything that may appear in a space: a node, a constant, or an array/object of spaces. */
export type SpaceValue =
  | HpNode
  | number
  | string
  | boolean
  | null
  | readonly SpaceValue[]
  | { readonly [k: string]: SpaceValue };

/** A whole search space (the argument hyperopt calls `space`). */
export type Space = SpaceValue;

/**
 * One point of a space: label → value, with only the labels that are active under the point's
 * choices. For `choice` the value is the chosen option's index, as hyperopt stores it.
 */
export type Point = Readonly<Record<string, number>>;

/** Every node kind, in the order of {@link HpNode}. */
export const HP_KINDS: readonly HpNode['kind'][] = [
  'uniform', 'loguniform', 'quniform', 'qloguniform', 'normal', 'lognormal', 'randint', 'choice',
];

const KIND_SET: ReadonlySet<string> = new Set(HP_KINDS);

/**
 * True when `value` is read as a node: an object whose `kind` is one of {@link HP_KINDS} and whose
 * `label` is a string. A plain parameter object must therefore not use both of those keys that way.
 */
export function isHpNode(value: unknown): value is HpNode {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as { kind?: unknown; label?: unknown };
  return typeof v.kind === 'string' && KIND_SET.has(v.kind) && typeof v.label === 'string';
}

/** The children of a non-node value in visiting order (array order, then object key order). */
export function childrenOf(value: SpaceValue): readonly SpaceValue[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value as readonly SpaceValue[];
  return Object.values(value as { readonly [k: string]: SpaceValue });
}

/** A `bad-input` FabricError whose message starts with the function (and argument) that got it. */
export function badInput(where: string, message: string): FabricError {
  return new FabricError('bad-input', `${where}: ${message}`);
}

/** A short, safe rendering of any received value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'undefined';
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}

/**
 * The value a point stores for an active `label`, or a bad-input error naming the label when the
 * point lacks it or holds a non-finite number.
 */
export function valueOf(where: string, point: Point, label: string): number {
  const v = point[label];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw badInput(where, `point['${label}'] should be a finite number because label '${label}' is active, ` +
      `received ${describeValue(v)}. Fix: pass a point produced for this space (samplePoint, suggestTpe, gridPoints).`);
  }
  return v;
}
