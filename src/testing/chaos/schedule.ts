/**
 * Test support: seeded chaos schedules. A schedule is a list of faults, each fired at a moment
 * counted in the scheduler's own events ("after the 7th task-started"), never at a wall-clock
 * time, so the same seed gives the same schedule and a failing run can be replayed from its
 * printed description.
 */
import { seededRandom } from '../../kernels/random';

/** The scheduler event a fault is counted against. */
export type ChaosMoment = 'task-started' | 'task-committed';

/** What happens at a moment. */
export type ChaosAction =
  /** The node that caused the event is lost, as a closed link (`link-closed`) or a dead tab (`worker-lost`). */
  | { readonly kind: 'close'; readonly code: 'worker-lost' | 'link-closed' }
  /** A fresh node with a new id joins, as a volunteer coming back. */
  | { readonly kind: 'reopen'; readonly slots: number }
  /** The node that caused the event becomes `factor` times slower (speculation's prey). */
  | { readonly kind: 'slow'; readonly factor: number };

/** One fault: `action` right after the `count`-th event of type `after`. */
export interface ChaosEvent {
  readonly after: ChaosMoment;
  readonly count: number;
  readonly action: ChaosAction;
}

/** A reproducible run: where it starts and what happens. */
export interface ChaosSchedule {
  readonly seed: number;
  /** Slots of each node at the start (ids n0, n1, ...). */
  readonly nodes: readonly number[];
  /**
   * Tasks the fault-free run committed: moments are drawn up to it. Committed, not started,
   * because speculation can start extra copies in a fault-free run on a noisy machine, and the
   * schedule of a seed must not depend on that.
   */
  readonly span: number;
  readonly events: readonly ChaosEvent[];
}


/**
 * Faults per schedule. Two to five keeps several faults per run (so they overlap: a node lost
 * while another is slow, a loss right after a rejoin) without losing so many nodes that every run
 * degenerates to one slot.
 */
const MIN_EVENTS = 2;
const MAX_EVENTS = 5;
/**
 * Slowdown factors: the slot runtime holds a result (factor - 1) times its compute time. Tasks
 * here compute in a few ms, so 10 to 100 puts a slowed task past CHAOS_SCHEDULER's 20 ms
 * speculation floor, where a copy can overtake it.
 */
const SLOW_FACTORS = [10, 30, 100];

/**
 * A schedule for `seed`: starting `nodes`, then 2 to 5 faults at moments spread over the
 * fault-free run's `span` of tasks. The first fault is always a loss at a task-started moment, so a task is
 * in flight on the lost node and every schedule exercises a requeue; half have an early slowdown.
 */
export function planChaos(seed: number, nodes: readonly number[], span: number): ChaosSchedule {
  const r = seededRandom(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const events: ChaosEvent[] = [];
  const closeAction = (): ChaosAction => ({ kind: 'close', code: r() < 0.5 ? 'worker-lost' : 'link-closed' });
  events.push({ after: 'task-started', count: int(1, Math.max(1, span)), action: closeAction() });
  // Half the schedules slow a node in the first third of the run, while most tasks are still to
  // come, so speculation has stragglers to copy; a slowdown drawn late often has nothing left to slow.
  if (r() < 0.5) events.push({ after: 'task-started', count: int(1, Math.max(1, Math.floor(span / 3))), action: { kind: 'slow', factor: SLOW_FACTORS[int(0, SLOW_FACTORS.length - 1)]! } });
  const extra = int(MIN_EVENTS, MAX_EVENTS) - events.length;
  for (let i = 0; i < extra; i++) {
    const after: ChaosMoment = r() < 0.6 ? 'task-started' : 'task-committed';
    const count = int(1, Math.max(1, span));
    const roll = r();
    const action: ChaosAction = roll < 0.45 ? closeAction() : roll < 0.8 ? { kind: 'reopen', slots: int(1, 2) } : { kind: 'slow', factor: SLOW_FACTORS[int(0, SLOW_FACTORS.length - 1)]! };
    events.push({ after, count, action });
  }
  return { seed, nodes, span, events };
}

/** One line per schedule, enough to rebuild it: printed when a run fails. */
export function describeSchedule(s: ChaosSchedule): string {
  const ev = s.events.map((e) => {
    const a = e.action;
    const what = a.kind === 'close' ? `close(${a.code})` : a.kind === 'reopen' ? `reopen(${a.slots} slots)` : `slow(x${a.factor})`;
    return `${what} after ${e.after} #${e.count}`;
  });
  return `seed ${s.seed}, nodes [${s.nodes.join(', ')}], span ${s.span} tasks: ${ev.join('; ')}`;
}
