/**
 * Developers' own tune objectives (the `fn` of hyperopt's `fmin(fn, space, ...)`), compiled into
 * the app's slot bundle: `defineObjective(name, fn)` in src/app-objectives.ts. Only the name and
 * the parameters cross the wire, never code.
 */
import type { Table } from 'apache-arrow';
import { FabricError } from '../protocol/errors';

/** What an objective returns: the loss to minimise, an optional status, and any other numbers. */
export interface ObjectiveOutput {
  readonly loss: number;
  readonly status?: 'ok' | 'fail';
  readonly [metric: string]: number | string | undefined;
}

/** What an objective receives besides its parameters. */
export interface ObjectiveContext {
  /** The tune run's data sample, when the run has `data`. */
  readonly table?: Table | undefined;
  /** The trial's seed. */
  readonly seed: number;
}

/** An objective: parameters in, loss out. Throwing, or a non-finite loss, makes the trial `fail`. */
export type ObjectiveFn = (params: Readonly<Record<string, unknown>>, ctx: ObjectiveContext) => ObjectiveOutput | Promise<ObjectiveOutput>;

const registry = new Map<string, ObjectiveFn>();

/** Names the built-in objectives take; a developer's objective may not reuse them. */
export const BUILTIN_OBJECTIVES = ['mlp', 'glm', 'wait'] as const;

/** Registers `fn` as the objective `name` (letters, digits, `-` and `_`; at most 64). */
export function defineObjective(name: string, fn: ObjectiveFn): void {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new FabricError('bad-input', `defineObjective: name must be 1 to 64 letters, digits, - or _, got ${JSON.stringify(name)}`);
  }
  if ((BUILTIN_OBJECTIVES as readonly string[]).includes(name)) throw new FabricError('bad-input', `defineObjective: "${name}" is a built-in objective; choose another name`);
  if (typeof fn !== 'function') throw new FabricError('bad-input', `defineObjective: fn of "${name}" must be a function (params, ctx) => { loss }`);
  if (registry.has(name) && registry.get(name) !== fn) throw new FabricError('bad-input', `defineObjective: "${name}" is already defined; choose another name`);
  registry.set(name, fn);
}

/** The developer's objective `name`, or undefined. */
export function customObjective(name: string): ObjectiveFn | undefined {
  return registry.get(name);
}

/** Every objective a trial can name. */
export function objectiveNames(): string[] {
  return [...BUILTIN_OBJECTIVES, ...[...registry.keys()].sort()];
}
