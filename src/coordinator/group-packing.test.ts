import { describe, expect, it } from 'vitest';
import {
  assignLpt, budgetRows, DEFAULT_MAX_GROUPS_PER_TASK, DEFAULT_TARGET_ROWS_PER_TASK, planGroupTasks, simulatePull, type GroupSize, type GroupTaskPlan,
} from './group-packing';

const DEFAULTS = { targetRowsPerTask: DEFAULT_TARGET_ROWS_PER_TASK, maxGroupsPerTask: DEFAULT_MAX_GROUPS_PER_TASK };

/** Every group that is not too large is in exactly one task, and task rows add up. */
function expectComplete(plan: GroupTaskPlan, groups: readonly GroupSize[]): void {
  const tasked = plan.tasks.flatMap((t) => t.groups);
  expect([...tasked, ...plan.tooLarge].sort((a, b) => a - b)).toEqual(groups.map((g) => g.index).sort((a, b) => a - b));
  const rowsOf = new Map(groups.map((g) => [g.index, g.rows]));
  for (const t of plan.tasks) expect(t.rows).toBe(t.groups.reduce((s, g) => s + rowsOf.get(g)!, 0));
}

/** Sizes with a heavy tail, like flights-3m's origins: a few huge groups and many small ones. */
function heavyTail(n: number): GroupSize[] {
  return Array.from({ length: n }, (_, i) => ({ index: i, rows: Math.round(200_000 / (1 + i) ** 1.3) }));
}

describe('planGroupTasks', () => {
  it('packs 10,000 tiny groups into a few tasks', () => {
    const groups = Array.from({ length: 10_000 }, (_, i) => ({ index: i, rows: 1 + (i % 20) }));
    const plan = planGroupTasks(groups, DEFAULTS);
    expectComplete(plan, groups);
    // 105,000 rows: the 1,000-groups cap, not the row target, sets the count.
    expect(plan.tasks).toHaveLength(10);
    expect(plan.tasks.every((t) => t.groups.length <= DEFAULT_MAX_GROUPS_PER_TASK && t.rows <= DEFAULT_TARGET_ROWS_PER_TASK)).toBe(true);
    // With a higher cap, the row target packs them into 3 tasks.
    expect(planGroupTasks(groups, { targetRowsPerTask: 50_000, maxGroupsPerTask: 100_000 }).tasks).toHaveLength(3);
  });

  it('gives each large group its own task and orders tasks largest first (LPT)', () => {
    const groups = heavyTail(229);
    const plan = planGroupTasks(groups, DEFAULTS);
    expectComplete(plan, groups);
    const rows = plan.tasks.map((t) => t.rows);
    expect(rows).toEqual([...rows].sort((a, b) => b - a));
    expect(plan.tasks[0]).toEqual({ groups: [0], rows: 200_000 });
    for (const g of groups.filter((x) => x.rows >= DEFAULT_TARGET_ROWS_PER_TASK)) expect(plan.tasks.some((t) => t.groups.length === 1 && t.groups[0] === g.index)).toBe(true);
    // The small groups share tasks.
    expect(plan.tasks.length).toBeLessThan(groups.length / 4);
    expect(plan.tooLarge).toEqual([]);
  });

  it('lists groups over the budget as too large, largest first, and plans the rest', () => {
    const groups = [
      { index: 0, rows: 10 },
      { index: 1, rows: 900 },
      { index: 2, rows: 1001 },
      { index: 3, rows: 5000 },
      { index: 4, rows: 1000 },
    ];
    const plan = planGroupTasks(groups, { targetRowsPerTask: 800, maxGroupsPerTask: 10, budgetRows: 1000 });
    expect(plan.tooLarge).toEqual([3, 2]);
    expect(plan.tasks).toEqual([
      { groups: [4], rows: 1000 },
      { groups: [1], rows: 900 },
      { groups: [0], rows: 10 },
    ]);
    expect(budgetRows(128, 256 * 1024 * 1024)).toBe(2_097_152);
  });

  it('lowers the target to make at least minTasks tasks for many slots', () => {
    const groups = Array.from({ length: 10_000 }, (_, i) => ({ index: i, rows: 10 }));
    expect(planGroupTasks(groups, { targetRowsPerTask: 50_000, maxGroupsPerTask: 100_000 }).tasks).toHaveLength(2);
    const plan = planGroupTasks(groups, { targetRowsPerTask: 50_000, maxGroupsPerTask: 100_000, minTasks: 8 });
    expect(plan.tasks).toHaveLength(8);
    expectComplete(plan, groups);
  });

  it('plans the same whatever the order of its input, and handles empty groups and no groups', () => {
    const groups = heavyTail(300).concat([{ index: 300, rows: 0 }]);
    const plan = planGroupTasks(groups, DEFAULTS);
    expect(planGroupTasks([...groups].reverse(), DEFAULTS)).toEqual(plan);
    expectComplete(plan, groups);
    expect(planGroupTasks([], DEFAULTS)).toEqual({ tasks: [], tooLarge: [] });
  });

  it('rejects bad options and group lists with bad-input', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => planGroupTasks([], { targetRowsPerTask: 0, maxGroupsPerTask: 1 }), /options\.targetRowsPerTask must be a whole number of at least 1, got 0/],
      [() => planGroupTasks([], { targetRowsPerTask: 10, maxGroupsPerTask: 1.5 }), /options\.maxGroupsPerTask must be a whole number of at least 1, got 1\.5/],
      [() => planGroupTasks([], { ...DEFAULTS, budgetRows: -1 }), /options\.budgetRows must be a whole number of at least 1, got -1/],
      [() => planGroupTasks([{ index: 4, rows: -2 }], DEFAULTS), /the rows of group 4 must be a whole number of at least 0, got -2/],
      [() => planGroupTasks([{ index: 1, rows: 2 }, { index: 1, rows: 3 }], DEFAULTS), /group index 1 appears twice/],
      [() => assignLpt([{ rows: 1 }], []), /assignLpt: slots is empty/],
      [() => simulatePull([{ rows: 1 }], [{ id: 'a', speed: 0 }]), /simulatePull: slot "a" has speed 0; speeds must be positive finite numbers/],
      [() => budgetRows(0), /bytesPerRow and budgetBytes must be positive numbers, got 0/],
    ];
    for (const [call, message] of cases) expect(call).toThrow(expect.objectContaining({ code: 'bad-input', message: expect.stringMatching(message) }));
  });
});

describe('assignLpt and the pull scheduler', () => {
  it('places tasks largest first on the least-loaded of equal slots, as the pull order does', () => {
    const tasks = [3, 5, 3, 4, 3].map((rows) => ({ rows }));
    const slots = [
      { id: 'a', speed: 1 },
      { id: 'b', speed: 1 },
    ];
    const lpt = assignLpt(tasks, slots);
    expect(lpt.slots.map((s) => s.tasks)).toEqual([[1, 2], [3, 0, 4]]);
    expect(lpt.makespan).toBe(10);
    expect(simulatePull(tasks, slots)).toEqual(lpt);
  });

  it('weights by speed: a slot three times faster takes three times the rows', () => {
    const tasks = Array.from({ length: 8 }, () => ({ rows: 30 }));
    const slots = [
      { id: 'slow', speed: 1 },
      { id: 'fast', speed: 3 },
    ];
    const lpt = assignLpt(tasks, slots);
    expect(lpt.slots.map((s) => s.rows)).toEqual([60, 180]);
    expect(lpt.makespan).toBe(60);
    const pull = simulatePull(tasks, slots);
    expect(pull.slots.map((s) => s.rows)).toEqual([60, 180]);
    expect(pull.makespan).toBe(60);
  });

  it('shows where pulling loses to finish-time placement: a slow slot takes a large task', () => {
    const tasks = [{ rows: 30 }, { rows: 30 }];
    const slots = [
      { id: 'fast', speed: 3 },
      { id: 'slow', speed: 1 },
    ];
    expect(assignLpt(tasks, slots).slotOf).toEqual(['fast', 'fast']);
    expect(assignLpt(tasks, slots).makespan).toBe(20);
    expect(simulatePull(tasks, slots).slotOf).toEqual(['fast', 'slow']);
    expect(simulatePull(tasks, slots).makespan).toBe(30);
  });

  it('keeps the makespan of a planned heavy-tailed job within 15% of the ideal on 4 slots', () => {
    const plan = planGroupTasks(heavyTail(229), { ...DEFAULTS, minTasks: 16 });
    const slots = ['a', 'b', 'c', 'd'].map((id, k) => ({ id, speed: 1 + k / 3 }));
    const ideal = plan.tasks.reduce((s, t) => s + t.rows, 0) / slots.reduce((s, x) => s + x.speed, 0);
    // The largest group alone on the fastest slot bounds any schedule from below.
    const floor = Math.max(ideal, plan.tasks[0]!.rows / 2);
    expect(assignLpt(plan.tasks, slots).makespan).toBeLessThan(floor * 1.15);
    expect(simulatePull(plan.tasks, slots).makespan).toBeLessThan(floor * 1.15);
  });
});
