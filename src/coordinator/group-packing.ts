/**
 * Planning the tasks of a fitGroups job: which groups go together, in what order, and which are
 * too large for a slot. Pure: no scheduler, no network.
 *
 * Large groups get a task each. Small groups are packed together up to a row target, so 10,000
 * tiny groups make about ten tasks, not 10,000 round trips. Tasks come out largest first: LPT
 * (longest processing time first), the classic rule that keeps the last task short, so no slot
 * finishes long after the others.
 *
 * LPT under the pull scheduler (scheduler.ts): the job submits its tasks in this order, and the
 * pending queue is first in, first out. A slot that frees up takes the next task, which is the
 * largest left. That is list scheduling in LPT order, i.e. LPT itself for equal slots
 * ({@link simulatePull} plays it out). Slot speed enters by itself: a fast slot frees up sooner
 * and so takes more tasks, and when several slots are free at once the fastest picks first.
 * Differences from {@link assignLpt}, which places each task where it would *finish* first:
 * - a slow slot that frees up takes the next large task even when a fast slot would finish it
 *   sooner. Small tasks at the tail bound the loss, and speculation relaunches a straggler.
 * - with `slotQueueDepth` 2, a slot holds its next task while it runs one, so it commits to work
 *   one task early. The same two remedies apply.
 * - a task put back after a lost node goes to the front of the queue: it is among the oldest
 *   and, in this order, likely among the largest, which is what LPT wants too.
 * - the scheduler's locality rule takes a task whose partitions a slot already holds first. Each
 *   group task carries its own batch, which no slot holds before it runs, so the order stands;
 *   a job that reuses cached batches across runs would trade some LPT order for locality.
 */
import { FabricError } from '../protocol/errors';

/** A group to plan: its index in the grouped table and its row count. */
export interface GroupSize {
  readonly index: number;
  readonly rows: number;
}

/** One task: the groups it fits, and their total rows. */
export interface GroupTask {
  readonly groups: number[];
  readonly rows: number;
}

/** The tasks, largest first, and the groups left out for being over the memory budget. */
export interface GroupTaskPlan {
  readonly tasks: GroupTask[];
  /** Indexes of groups over `budgetRows`, largest first. Each should fail as `group-too-large`. */
  readonly tooLarge: number[];
}

/** Options of {@link planGroupTasks}. */
export interface GroupPackingOptions {
  /** Small groups are packed until a task holds about this many rows. */
  readonly targetRowsPerTask: number;
  /** A packed task holds at most this many groups. */
  readonly maxGroupsPerTask: number;
  /** Groups over this many rows are not tasked but listed in `tooLarge`. No limit when omitted. */
  readonly budgetRows?: number | undefined;
  /**
   * Plan at least this many tasks when the groups allow it (e.g. 4 per slot), by lowering the
   * target: 10,000 groups of 10 rows would otherwise make 2 tasks and leave most slots idle.
   */
  readonly minTasks?: number | undefined;
}

/**
 * Default rows per task. 50,000 rows of flights-3m are about 2.2 MB of Arrow: about 0.1 s on the
 * ~20 MB/s a data channel reaches here (TESTING-NOTES.md), half a default partition. A task's fixed
 * cost (a message, a schema check, a commit) is under a millisecond locally and about 0.4 ms per
 * round trip on a link, so it stays small, while 3M rows still make about 60 tasks to balance
 * the tail across a classroom of slots. A first estimate: `npm run bench:groups` should tune it.
 */
export const DEFAULT_TARGET_ROWS_PER_TASK = 50_000;
/**
 * Default groups per packed task. Each group returns one result row (key, n, coefficients,
 * metrics: ~100 bytes with 10 features), so 1,000 groups are a ~100 KB result, and 10,000 IoT
 * devices make at least 10 tasks. A first estimate, to tune with `npm run bench:groups`.
 */
export const DEFAULT_MAX_GROUPS_PER_TASK = 1_000;
/**
 * Default memory budget of one group on a slot. A slot holds the group's Arrow rows and a float64
 * design matrix (8 bytes per feature per row) at once; 256 MiB leaves room for the rest of a tab
 * on a 4 GiB machine, and fits about 2M rows of flights-3m with 10 features.
 */
export const DEFAULT_GROUP_BUDGET_BYTES = 256 * 1024 * 1024;

/** Rows of a group that fit a byte budget, given the bytes a row takes on a slot. */
export function budgetRows(bytesPerRow: number, budgetBytes = DEFAULT_GROUP_BUDGET_BYTES): number {
  if (!(bytesPerRow > 0) || !(budgetBytes > 0)) {
    throw new FabricError('bad-input', `budgetRows: bytesPerRow and budgetBytes must be positive numbers, got ${bytesPerRow} and ${budgetBytes}`);
  }
  return Math.floor(budgetBytes / bytesPerRow);
}

function checkWhole(value: number | undefined, name: string, min: number): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= min)) {
    throw new FabricError('bad-input', `planGroupTasks: ${name} must be a whole number of at least ${min}, got ${value}`);
  }
}

/** Largest first; equal sizes by index, so a plan depends on its input only. */
function bySizeThenIndex<T>(rows: (t: T) => number, index: (t: T) => number): (a: T, b: T) => number {
  return (a, b) => rows(b) - rows(a) || index(a) - index(b);
}

/**
 * Plans a fitGroups job's tasks: groups over the budget go to `tooLarge`; each group of at least
 * the target rows gets a task; smaller groups, largest first, fill tasks up to the target rows or
 * `maxGroupsPerTask` groups. Tasks are returned largest first (LPT order).
 */
export function planGroupTasks(groups: readonly GroupSize[], options: GroupPackingOptions): GroupTaskPlan {
  checkWhole(options.targetRowsPerTask, 'options.targetRowsPerTask', 1);
  checkWhole(options.maxGroupsPerTask, 'options.maxGroupsPerTask', 1);
  checkWhole(options.budgetRows, 'options.budgetRows', 1);
  checkWhole(options.minTasks, 'options.minTasks', 1);
  const seen = new Set<number>();
  for (const g of groups) {
    checkWhole(g.rows, `the rows of group ${g.index}`, 0);
    if (seen.has(g.index)) throw new FabricError('bad-input', `planGroupTasks: group index ${g.index} appears twice; each group must be listed once`);
    seen.add(g.index);
  }
  const sorted = [...groups].sort(bySizeThenIndex((g) => g.rows, (g) => g.index));
  const budget = options.budgetRows ?? Infinity;
  const tooLarge = sorted.filter((g) => g.rows > budget).map((g) => g.index);
  const fitting = sorted.filter((g) => g.rows <= budget);
  const total = fitting.reduce((s, g) => s + g.rows, 0);
  const target = Math.max(1, Math.min(options.targetRowsPerTask, options.minTasks ? Math.ceil(total / options.minTasks) : Infinity));

  const tasks: GroupTask[] = [];
  let open: { groups: number[]; rows: number } | undefined;
  for (const g of fitting) {
    if (g.rows >= target) {
      tasks.push({ groups: [g.index], rows: g.rows });
      continue;
    }
    if (open && (open.rows + g.rows > target || open.groups.length >= options.maxGroupsPerTask)) open = undefined;
    if (!open) tasks.push((open = { groups: [], rows: 0 }));
    open.groups.push(g.index);
    open.rows += g.rows;
  }
  tasks.sort(bySizeThenIndex((t) => t.rows, (t) => t.groups[0]!));
  return { tasks, tooLarge };
}

/** A slot as LPT sees it: an id and a relative speed (rows per unit of time). */
export interface SlotSpeed {
  readonly id: string;
  readonly speed: number;
}

/** Where each task would run, and when each slot would finish, in units of rows / speed. */
export interface LptSchedule {
  /** The slot id of each task, by task index. */
  readonly slotOf: string[];
  /** Per slot, in the order given: its tasks (by index, in the order taken) and finish time. */
  readonly slots: { id: string; tasks: number[]; rows: number; finish: number }[];
  /** The latest finish: the job's expected duration. */
  readonly makespan: number;
}

function checkSlots(slots: readonly SlotSpeed[], what: string): void {
  if (slots.length === 0) throw new FabricError('bad-input', `${what}: slots is empty; at least one slot is needed to place tasks`);
  for (const s of slots) {
    if (!(Number.isFinite(s.speed) && s.speed > 0)) throw new FabricError('bad-input', `${what}: slot "${s.id}" has speed ${s.speed}; speeds must be positive finite numbers`);
  }
}

type Placement = Omit<LptSchedule, 'makespan'>;

function emptySchedule(tasks: readonly { rows: number }[], slots: readonly SlotSpeed[]): Placement {
  return { slotOf: tasks.map(() => ''), slots: slots.map((s) => ({ id: s.id, tasks: [], rows: 0, finish: 0 })) };
}

function withMakespan(placement: Placement): LptSchedule {
  return { ...placement, makespan: placement.slots.reduce((m, s) => Math.max(m, s.finish), 0) };
}

function taskOrder(tasks: readonly { rows: number }[]): number[] {
  return tasks.map((_, i) => i).sort(bySizeThenIndex((i) => tasks[i]!.rows, (i) => i));
}

/**
 * LPT weighted by speed: tasks, largest first, each go to the slot where they would finish
 * earliest (ties to the faster slot, then the first listed). A planning and testing aid: the real
 * scheduler pulls, and gets close to this by the task order alone (see the file comment).
 */
export function assignLpt(tasks: readonly { rows: number }[], slots: readonly SlotSpeed[]): LptSchedule {
  checkSlots(slots, 'assignLpt');
  const schedule = emptySchedule(tasks, slots);
  for (const t of taskOrder(tasks)) {
    let best = 0;
    let bestFinish = Infinity;
    slots.forEach((s, k) => {
      const finish = schedule.slots[k]!.finish + tasks[t]!.rows / s.speed;
      if (finish < bestFinish || (finish === bestFinish && s.speed > slots[best]!.speed)) [best, bestFinish] = [k, finish];
    });
    place(schedule, t, best, tasks[t]!.rows, bestFinish, slots);
  }
  return withMakespan(schedule);
}

/**
 * What the pull scheduler does with tasks in LPT order: whichever slot frees up first (the faster
 * when several do) takes the next-largest task. For comparing with {@link assignLpt}.
 */
export function simulatePull(tasks: readonly { rows: number }[], slots: readonly SlotSpeed[]): LptSchedule {
  checkSlots(slots, 'simulatePull');
  const schedule = emptySchedule(tasks, slots);
  for (const t of taskOrder(tasks)) {
    let next = 0;
    slots.forEach((s, k) => {
      const free = schedule.slots[k]!.finish;
      const bestFree = schedule.slots[next]!.finish;
      if (free < bestFree || (free === bestFree && s.speed > slots[next]!.speed)) next = k;
    });
    place(schedule, t, next, tasks[t]!.rows, schedule.slots[next]!.finish + tasks[t]!.rows / slots[next]!.speed, slots);
  }
  return withMakespan(schedule);
}

function place(schedule: Placement, task: number, slot: number, rows: number, finish: number, slots: readonly SlotSpeed[]): void {
  const s = schedule.slots[slot]!;
  s.tasks.push(task);
  s.rows += rows;
  s.finish = finish;
  schedule.slotOf[task] = slots[slot]!.id;
}
