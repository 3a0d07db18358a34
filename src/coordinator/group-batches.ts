/**
 * The coordinator's side of the fitGroups shuffle: group the dataset's rows by key, in the order
 * of the task plan, so that each task's groups are adjacent and a task's rows are one zero-copy
 * slice, written once as Arrow IPC for the slot that runs it. Runs in the shuffle worker
 * (shuffle.worker.ts) in the page, and directly in tests and benchmarks.
 */
import { tableToIPC, type Table } from 'apache-arrow';
import { groupByKey } from '../data/group-shuffle';
import { FabricError } from '../protocol/errors';
import { DEFAULT_MAX_GROUPS_PER_TASK, DEFAULT_TARGET_ROWS_PER_TASK, planGroupTasks } from './group-packing';

/** What to shuffle and how to pack it. */
export interface ShuffleRequest {
  readonly key: string;
  /** Columns each task carries (features and target, or all a custom task reads). */
  readonly columns: readonly string[];
  /**
   * Bytes a row takes on a slot besides its Arrow columns: the fit's own arrays (a float32 design
   * row and a float64 target, plus the float64 columns read from Arrow). Added to twice the Arrow
   * bytes per row (the cached IPC bytes and the table read from them) for the memory budget.
   */
  readonly workingBytesPerRow: number;
  /** A group needing more bytes than this on a slot is not tasked but reported too large. */
  readonly budgetBytes: number;
  /** Plan at least this many tasks when the groups allow it (e.g. 4 per slot). */
  readonly minTasks: number;
  readonly targetRowsPerTask?: number | undefined;
  readonly maxGroupsPerTask?: number | undefined;
}

/** One task's groups (indices in key order) and its rows as Arrow IPC. */
export interface GroupBatch {
  readonly groups: number[];
  readonly rows: number;
  readonly ipc: Uint8Array<ArrayBuffer>;
}

/** The shuffled, packed dataset. */
export interface ShuffledBatches {
  /** Every group's key as text, in key order. */
  readonly keys: string[];
  /** Every group's rows, in key order. */
  readonly sizes: number[];
  /** Tasks, largest first (LPT). */
  readonly batches: GroupBatch[];
  /** Groups over the budget (indices in key order), with their estimated bytes on a slot. */
  readonly tooLarge: { group: number; rows: number; bytes: number }[];
  /** Estimated bytes one row takes on a slot. */
  readonly bytesPerRow: number;
  /** Time spent grouping and writing the batches. */
  readonly ms: number;
}

/** Arrow bytes per row of `columns` over all partitions (buffers, offsets, validity, dictionaries). */
export function arrowBytesPerRow(tables: readonly Table[], columns: readonly string[]): number {
  let bytes = 0;
  let rows = 0;
  for (const t of tables) {
    rows += t.numRows;
    for (const name of columns) for (const d of t.getChild(name)?.data ?? []) bytes += d.byteLength;
  }
  return rows === 0 ? 0 : bytes / rows;
}

/** Groups `tables` by `request.key` and packs the groups into tasks (see the module comment). */
export function shuffleIntoBatches(tables: readonly Table[], request: ShuffleRequest): ShuffledBatches {
  const t0 = performance.now();
  if (!(request.budgetBytes > 0)) throw new FabricError('bad-input', `groupBy: budgetBytes must be a positive number of bytes, got ${request.budgetBytes}`);
  const bytesPerRow = 2 * arrowBytesPerRow(tables, request.columns) + request.workingBytesPerRow;
  const budgetRows = Math.max(1, Math.floor(request.budgetBytes / bytesPerRow));
  let plan: ReturnType<typeof planGroupTasks> | undefined;
  const grouped = groupByKey(tables, request.key, {
    columns: request.columns,
    arrange: (sizes) => {
      plan = planGroupTasks(sizes.map((rows, index) => ({ index, rows })), {
        targetRowsPerTask: request.targetRowsPerTask ?? DEFAULT_TARGET_ROWS_PER_TASK,
        maxGroupsPerTask: request.maxGroupsPerTask ?? DEFAULT_MAX_GROUPS_PER_TASK,
        budgetRows,
        minTasks: request.minTasks,
      });
      return [...plan.tasks.flatMap((t) => t.groups), ...plan.tooLarge];
    },
  });
  const sizes = new Array<number>(grouped.keys.length);
  const keys = new Array<string>(grouped.keys.length);
  grouped.keyRank.forEach((k, g) => {
    keys[k] = grouped.keys[g]!;
    sizes[k] = grouped.groupStart[g + 1]! - grouped.groupStart[g]!;
  });
  let g = 0;
  const batches = plan!.tasks.map((task) => {
    const start = grouped.groupStart[g]!;
    g += task.groups.length;
    const slice = grouped.table.slice(start, grouped.groupStart[g]!);
    return { groups: task.groups, rows: task.rows, ipc: tableToIPC(slice, 'stream') as Uint8Array<ArrayBuffer> };
  });
  const tooLarge = plan!.tooLarge.map((k) => ({ group: k, rows: sizes[k]!, bytes: Math.round(sizes[k]! * bytesPerRow) }));
  return { keys, sizes, batches, tooLarge, bytesPerRow, ms: performance.now() - t0 };
}
