/** The executors of every registered task kind. A kind without an executor does not compile. */
import type { Table } from 'apache-arrow';
import type { TaskKind, TaskTypes } from '../../protocol/tasks';
import { runDescribe } from './describe';

/** Runs one kind over parsed params and the task's partitions as tables. */
export type Executor<K extends TaskKind> = (params: TaskTypes[K]['params'], tables: readonly Table[]) => TaskTypes[K]['result'] | Promise<TaskTypes[K]['result']>;

/** Executors by kind. */
export const EXECUTORS: { readonly [K in TaskKind]: Executor<K> } = {
  describe: runDescribe,
};
