/**
 * The `describe` job: per-partition moments of every numeric column on the slots, merged on the
 * coordinator in partition order (so the answer does not depend on which node ran what).
 */
import { mergeMoments, summarize, type ColumnSummary } from '../../ml/moments';
import type { DatasetInfo } from '../../protocol/dataset';
import { FabricError } from '../../protocol/errors';
import type { TaskRequest } from '../../protocol/slot-api';
import type { ColumnMoments, DescribeResult } from '../../protocol/tasks';
import type { JobProgress, Scheduler } from '../scheduler';
import { numericAgreement } from '../agreement';

/** Options of `describe`. */
export interface DescribeOptions {
  /** Numeric columns to describe; all of them when omitted. */
  readonly columns?: readonly string[];
  readonly onProgress?: (p: JobProgress) => void;
  readonly signal?: AbortSignal;
}

/** One column's summary with its type. */
export interface DescribeRow extends ColumnSummary {
  readonly type: string;
}

/** What `describe` returns. */
export interface DescribeReport {
  readonly rows: number;
  readonly columns: DescribeRow[];
  /** Partitions computed by each node id. */
  readonly tasksByNode: Record<string, number>;
  readonly ms: number;
}

let jobSeq = 0;

/** Checks the requested columns against the dataset, before any task runs. */
function checkColumns(dataset: DatasetInfo, columns: readonly string[] | undefined): string[] {
  const numeric = dataset.columns.filter((c) => c.numeric);
  if (columns === undefined) return numeric.map((c) => c.name);
  if (!Array.isArray(columns) || columns.some((c) => typeof c !== 'string')) {
    throw new FabricError('bad-input', `describe: options.columns must be an array of column names, got ${JSON.stringify(columns)}`);
  }
  for (const name of columns) {
    const col = dataset.columns.find((c) => c.name === name);
    if (!col) throw new FabricError('bad-input', `describe: column "${name}" is not in ${dataset.name}. Its numeric columns are: ${numeric.map((c) => c.name).join(', ')}.`);
    if (!col.numeric) throw new FabricError('bad-input', `describe: column "${name}" is ${col.type}, not numeric. Numeric columns are: ${numeric.map((c) => c.name).join(', ')}.`);
  }
  return [...columns];
}

/** Runs `describe` on the scheduler's slots. */
export async function runDescribeJob(scheduler: Scheduler, dataset: DatasetInfo, options: DescribeOptions = {}): Promise<DescribeReport> {
  const t0 = performance.now();
  const columns = checkColumns(dataset, options.columns);
  const job = ++jobSeq;
  const tasks: TaskRequest[] = dataset.partitions.map((ref) => ({
    taskId: `describe-${job}-${ref.index}`,
    kind: 'describe',
    params: { columns },
    partitions: [ref],
  }));
  const outcomes = await scheduler.run({ tasks, onProgress: options.onProgress, signal: options.signal, agree: numericAgreement() });
  let merged: ColumnMoments[] | undefined;
  let rows = 0;
  const tasksByNode: Record<string, number> = {};
  for (const task of tasks) {
    const outcome = outcomes.get(task.taskId)!;
    const r = outcome.result as DescribeResult;
    tasksByNode[outcome.nodeId] = (tasksByNode[outcome.nodeId] ?? 0) + 1;
    rows += r.rows;
    merged = merged ? merged.map((m, i) => mergeMoments(m, r.columns[i]!)) : r.columns;
  }
  const types = new Map(dataset.columns.map((c) => [c.name, c.type]));
  return {
    rows,
    columns: (merged ?? []).map((m) => ({ ...summarize(m), type: types.get(m.name) ?? '' })),
    tasksByNode,
    ms: Math.round(performance.now() - t0),
  };
}
