/**
 * When to launch a second copy of a running task (Spark's speculative execution): once a job is in
 * its tail, a task running well past the median of the job's finished tasks is started again on a
 * free slot of another node, and the first result wins. Defaults follow Spark's
 * `spark.speculation.quantile` (0.75) and `spark.speculation.multiplier` (1.5); `minMs` plays the
 * part of `spark.speculation.minTaskRuntime` (100 ms, as Spark's), so short tasks are not doubled
 * for noise, and checks run every `intervalMs` (Spark's `spark.speculation.interval`, 100 ms).
 */

/** Speculation settings; `false` in SchedulerOptions turns it off. */
export interface SpeculationOptions {
  /** Share of a job's tasks that must be committed before any is speculated. */
  readonly quantile?: number;
  /** A task is slow once it has run this many times the median task time. */
  readonly multiplier?: number;
  /** ... and at least this long. */
  readonly minMs?: number;
  /** How often running tasks are checked. */
  readonly intervalMs?: number;
}

/** Settings with every default filled in. */
export type SpeculationSettings = Required<SpeculationOptions>;

export const SPECULATION_DEFAULTS: SpeculationSettings = { quantile: 0.75, multiplier: 1.5, minMs: 100, intervalMs: 100 };

/** The settings from the caller's options, checked. */
export function speculationSettings(options: SpeculationOptions | false | undefined): SpeculationSettings | undefined {
  if (options === false) return undefined;
  const s = { ...SPECULATION_DEFAULTS, ...options };
  if (!(s.quantile > 0 && s.quantile <= 1)) throw new RangeError(`speculation.quantile must be in (0, 1], got ${s.quantile}`);
  if (!(s.multiplier >= 1)) throw new RangeError(`speculation.multiplier must be at least 1, got ${s.multiplier}`);
  if (!(s.minMs >= 0) || !(s.intervalMs > 0)) throw new RangeError('speculation.minMs must be >= 0 and intervalMs > 0');
  return s;
}

/** The median of a list of durations (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * How long a task of this job may run before it is speculated, or undefined while the job is not
 * in its tail yet (fewer than `quantile` of its tasks committed).
 */
export function speculationThreshold(done: number, total: number, durations: readonly number[], s: SpeculationSettings): number | undefined {
  if (total < 2 || done < Math.ceil(s.quantile * total) || durations.length === 0) return undefined;
  return Math.max(s.minMs, s.multiplier * median(durations));
}

const medians = new WeakMap<object, { n: number; median: number }>();

/**
 * The median task time of a job, sorted again only once 2% more tasks have finished: in the tail
 * of a 20,000-task job, sorting every duration on every check cost more than all the scheduling
 * (the simulation measured it), and the median of the first 75% barely moves.
 */
function medianOf(job: { readonly durations: readonly number[] }): number {
  const n = job.durations.length;
  const memo = medians.get(job);
  if (memo && n - memo.n < Math.max(1, 0.02 * memo.n)) return memo.median;
  const m = median(job.durations);
  medians.set(job, { n, median: m });
  return m;
}

/** A straggler and the idle slot its second copy goes to. */
export interface Straggler<T, S> {
  readonly task: T;
  readonly slot: S;
  readonly first: { readonly slot: S; readonly startedAt: number };
  readonly medianMs: number;
}

interface JobLike<T> {
  readonly results: { readonly size: number };
  readonly total: number;
  readonly durations: readonly number[];
  readonly active: ReadonlySet<T>;
}

interface TaskLike<S> {
  readonly committed: boolean;
  readonly speculated: boolean;
  readonly attempts: ReadonlySet<{ readonly slot: S; readonly startedAt: number }>;
  readonly avoid: ReadonlySet<string> | undefined;
}

interface SlotLike {
  readonly node: { readonly id: string };
  readonly running: { readonly size: number };
}

/**
 * The stragglers to copy now, each paired with an idle slot (fastest first, `slots` is in that
 * order) on a node other than the one running it. Each slot is used once.
 */
export function stragglers<T extends TaskLike<S>, S extends SlotLike>(jobs: Iterable<JobLike<T>>, now: number, s: SpeculationSettings, slots: readonly S[]): Straggler<T, S>[] {
  const out: Straggler<T, S>[] = [];
  const used = new Set<S>();
  for (const job of jobs) {
    if (job.total < 2 || job.results.size < Math.ceil(s.quantile * job.total) || job.durations.length === 0) continue;
    const medianMs = medianOf(job);
    const threshold = Math.max(s.minMs, s.multiplier * medianMs);
    for (const task of job.active) {
      if (task.committed || task.speculated || task.attempts.size !== 1) continue;
      const [first] = task.attempts;
      if (now - first!.startedAt < threshold) continue;
      const slot = slots.find((c) => !used.has(c) && c.running.size === 0 && c.node !== first!.slot.node && !task.avoid?.has(c.node.id));
      if (!slot) return out;
      used.add(slot);
      out.push({ task, slot, first: first!, medianMs });
    }
  }
  return out;
}
