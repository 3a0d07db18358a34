/** The executors of every registered task kind. A kind without an executor does not compile. */
import type { Table } from 'apache-arrow';
import type { PartitionRef } from '../../protocol/dataset';
import type { TaskKind, TaskTypes } from '../../protocol/tasks';
import { runDescribe } from './describe';
import { runFitGroups } from './groups';
import { runTrial } from './trial';
import { runScore } from './score';
import { runMlpGradient, runMlpPredict } from './mlp';
import { runFeatureStats, runGlmGradient, runGlmPredict } from './train';

/** What an executor gets besides its params. */
export interface ExecutorContext {
  /** The task's partitions, as tables, in the order the task names them. */
  readonly tables: readonly Table[];
  readonly partitions: readonly PartitionRef[];
  /** An artifact the task names, by id; throws `task-failed` if the slot lacks it. */
  artifact(id: string): Uint8Array;
  /** The task's binary inputs. */
  readonly binary: readonly Uint8Array[];
  /**
   * The slot's memo for data derived from cached partitions (design matrices), kept across
   * tasks. Keys start with the id of the artifact they derive from, so they can be evicted.
   */
  readonly memo: Map<string, unknown>;
  /** The WebGPU device for model kernels when the slot's probe measured WebGPU faster; else CPU. */
  readonly gpu?: GPUDevice | undefined;
}

/** An executor's output: a JSON result, and binary outputs that travel as transferables/frames. */
export interface ExecutorOutput<R> {
  readonly result: R;
  readonly binary?: Uint8Array[];
}

/** Runs one kind over parsed params. */
export type Executor<K extends TaskKind> = (params: TaskTypes[K]['params'], ctx: ExecutorContext) => ExecutorOutput<TaskTypes[K]['result']> | Promise<ExecutorOutput<TaskTypes[K]['result']>>;

/** Executors by kind. */
export const EXECUTORS: { readonly [K in TaskKind]: Executor<K> } = {
  describe: (params, ctx) => ({ result: runDescribe(params, ctx.tables) }),
  'feature-stats': runFeatureStats,
  'glm-gradient': runGlmGradient,
  'glm-predict': runGlmPredict,
  'mlp-gradient': runMlpGradient,
  'mlp-predict': runMlpPredict,
  'fit-groups': runFitGroups,
  trial: runTrial,
  score: runScore,
};
