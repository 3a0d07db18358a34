/**
 * Fabric's search-space DSL, a TypeScript rendering of hyperopt's `hp` module: build a space with
 * `hp.*` nodes nested in plain objects and arrays, check it with {@link validateSpace}, draw points
 * with {@link samplePoint} and turn a point into concrete parameters with {@link resolvePoint}
 * (hyperopt's `space_eval`).
 *
 * ```ts
 * const space = {
 *   lr: hp.loguniform('lr', Math.log(1e-4), Math.log(1e-1)),
 *   model: hp.choice('model', [{ kind: 'linear' }, { kind: 'mlp', width: hp.quniform('width', 16, 256, 16) }]),
 * };
 * ```
 *
 * @module
 */
import type { HpNode, SpaceValue } from './space-types.ts';
import { badInput, describeValue } from './space-types.ts';
import { checkNode } from './space-validate.ts';

export type { HpNode, Point, Space, SpaceValue } from './space-types.ts';
export { isHpNode } from './space-types.ts';
export { validateSpace } from './space-validate.ts';
export { activeLabels, resolvePoint, samplePoint } from './space-sample.ts';

/** Builds a node, checking it at once so the error points at the `hp.*` call that is wrong. */
function made<T extends HpNode>(fn: string, node: T): T {
  if (typeof node.label !== 'string') {
    throw badInput(`hp.${fn}`, `expected a string label as the first argument, received ${describeValue(node.label)}. ` +
      `Fix: pass a name such as 'lr'.`);
  }
  checkNode(`hp.${fn}('${node.label}')`, node);
  return node;
}

/** Builders of {@link HpNode}s with hyperopt's names and argument order. Each checks its arguments. */
export const hp = {
  /** U(low, high). */
  uniform: (label: string, low: number, high: number): HpNode => made('uniform', { kind: 'uniform', label, low, high }),
  /** exp(U(low, high)): `low` and `high` bound log(value), as in hyperopt. */
  loguniform: (label: string, low: number, high: number): HpNode =>
    made('loguniform', { kind: 'loguniform', label, low, high }),
  /** round(U(low, high) / q) * q. */
  quniform: (label: string, low: number, high: number, q: number): HpNode =>
    made('quniform', { kind: 'quniform', label, low, high, q }),
  /** round(exp(U(low, high)) / q) * q, with log-space bounds. */
  qloguniform: (label: string, low: number, high: number, q: number): HpNode =>
    made('qloguniform', { kind: 'qloguniform', label, low, high, q }),
  /** N(mu, sigma²). */
  normal: (label: string, mu: number, sigma: number): HpNode => made('normal', { kind: 'normal', label, mu, sigma }),
  /** exp(N(mu, sigma²)). */
  lognormal: (label: string, mu: number, sigma: number): HpNode =>
    made('lognormal', { kind: 'lognormal', label, mu, sigma }),
  /** An integer in [low, high); `randint(label, upper)` means [0, upper). */
  randint: (label: string, low: number, high?: number): HpNode =>
    made('randint', high === undefined ? { kind: 'randint', label, low: 0, high: low } : { kind: 'randint', label, low, high }),
  /** One of `options` (each itself a space); points store the chosen index. */
  choice: (label: string, options: readonly SpaceValue[]): HpNode =>
    made('choice', { kind: 'choice', label, options: Array.isArray(options) ? [...options] : options }),
};
