/**
 * Developers' own per-group functions (the body of Spark's `applyInPandas(fn)`), compiled into the
 * app's slot bundle: `defineGroupTask(name, fn)` in a module the slot worker imports
 * (src/app-group-tasks.ts). A volunteer loads the same app, so it runs the same function; only the
 * name crosses the wire, never code.
 */
import type { Table } from 'apache-arrow';
import { FabricError } from '../protocol/errors';

/** One value of a group task's result row. */
export type GroupValue = number | string | boolean | null;

/** What a group task receives besides its rows. */
export interface GroupTaskContext {
  /** The group's key, as text. */
  readonly key: string;
}

/** A per-group function: one group's rows as an Arrow table in, one result row out. */
export type GroupTaskFn = (rows: Table, ctx: GroupTaskContext) => Record<string, GroupValue> | Promise<Record<string, GroupValue>>;

const registry = new Map<string, GroupTaskFn>();

/** Registers `fn` as the group task `name` (letters, digits, `-` and `_`; at most 64). */
export function defineGroupTask(name: string, fn: GroupTaskFn): void {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new FabricError('bad-input', `defineGroupTask: name must be 1 to 64 letters, digits, - or _, got ${JSON.stringify(name)}`);
  }
  if (typeof fn !== 'function') throw new FabricError('bad-input', `defineGroupTask: fn of "${name}" must be a function (rows: Table, ctx) => result row`);
  if (registry.has(name) && registry.get(name) !== fn) {
    throw new FabricError('bad-input', `defineGroupTask: "${name}" is already defined; choose another name`);
  }
  registry.set(name, fn);
}

/** The task `name`; throws `bad-input` naming the registered ones when there is none. */
export function groupTask(name: string): GroupTaskFn {
  const fn = registry.get(name);
  if (!fn) {
    throw new FabricError('bad-input', `group task "${name}" is not defined in this app's slot bundle; defined: ${groupTaskNames().join(', ') || 'none'}. Define it with defineGroupTask in src/app-group-tasks.ts`);
  }
  return fn;
}

/** Names of the registered group tasks. */
export function groupTaskNames(): string[] {
  return [...registry.keys()].sort();
}
