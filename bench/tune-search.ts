/**
 * The pure-Node parts of `npm run bench:tune`: how many evaluations TPE and random search need to
 * reach a target on Branin and Hartmann-6 (part 1), and what running k trials at once costs TPE in
 * quality (part 3). Both drive `simulateParallelSearch` (src/ml/tune/simulate.ts), the same
 * suggestion code the tune job runs, with no browser: a loss costs microseconds, so only the
 * search itself is measured.
 */
import { simulateParallelSearch } from '../src/ml/tune/simulate.ts';
import { seededRandom } from '../src/kernels/random.ts';
import { hp, samplePoint, type Point, type Space } from '../src/ml/tune/space.ts';
import { gridPoints, type Algo, type Liar } from '../src/ml/tune/tpe.ts';
import { branin, BRANIN_MIN, braninSpace, hartmann6, HARTMANN6_MIN, hartmann6Space } from '../src/ml/tune/test-functions.ts';

/** A test function with the target of part 1. */
export interface TargetFunction {
  readonly name: string;
  readonly space: Space;
  readonly objective: (point: Point) => number;
  readonly minimum: number;
  /** Part 1 counts evaluations until a loss at or below this. */
  readonly target: number;
}

/**
 * The targets of part 1 (set by the benchmark's brief, not tuned): Branin ≤ 0.5 is within 0.102 of
 * its minimum 0.397887, on a function that spans 0.4…308 over its box; Hartmann-6 ≤ −2.8 is 84% of
 * the depth of its minimum −3.32237, on a function that is near 0 over most of [0, 1]⁶.
 */
export const TARGET_FUNCTIONS: readonly TargetFunction[] = [
  { name: 'Branin', space: braninSpace, objective: branin, minimum: BRANIN_MIN, target: 0.5 },
  { name: 'Hartmann-6', space: hartmann6Space, objective: hartmann6, minimum: HARTMANN6_MIN, target: -2.8 },
];

/**
 * Branin on a 0.5 grid (31 × 31 = 961 points, `hp.quniform`): a discrete space, where parallel TPE
 * without a liar can suggest a point already being evaluated. On the continuous spaces a repeated
 * point has probability zero, so their duplicate counts are 0 by construction.
 */
export const BRANIN_GRID: TargetFunction = (() => {
  const space: Space = { x1: hp.quniform('x1', -5, 10, 0.5), x2: hp.quniform('x2', 0, 15, 0.5) };
  // The grid's own minimum (0.4266 at (9.5, 2.5)), found by visiting all 961 points.
  const minimum = Math.min(...gridPoints(space).map(branin));
  // Only part 3 uses it, which has no target.
  return { name: 'Branin on a 0.5 grid', space, objective: branin, minimum, target: Number.NaN };
})();

/** Evaluations to the target in one run, or undefined when the cap came first. */
export interface ToTargetRun {
  readonly seed: number;
  readonly evaluations: number | undefined;
  readonly best: number;
}

/** Part 1 for one function and algorithm. */
export interface ToTargetResult {
  readonly fn: string;
  readonly algo: Algo;
  readonly target: number;
  readonly cap: number;
  readonly runs: readonly ToTargetRun[];
  /** Wall time of the runs, ms (the suggestions dominate it). */
  readonly ms: number;
}

/** Sequential search (parallelism 1) up to `cap` evaluations per seed; counts evaluations to the target. */
export function measureToTarget(fn: TargetFunction, algo: Algo, seeds: readonly number[], cap: number): ToTargetResult {
  const t0 = performance.now();
  const runs = seeds.map((seed): ToTargetRun => {
    const run = simulateParallelSearch({ space: fn.space, objective: fn.objective, algo, maxEvals: cap, parallelism: 1, seed });
    const first = run.losses.findIndex((l) => l <= fn.target);
    return { seed, evaluations: first < 0 ? undefined : first + 1, best: run.best };
  });
  return { fn: fn.name, algo, target: fn.target, cap, runs, ms: performance.now() - t0 };
}

/** How much of the box is at or below a target: random search's per-draw chance of reaching it. */
export interface TargetShare {
  readonly fn: string;
  readonly draws: number;
  readonly hits: number;
  /** hits / draws. */
  readonly share: number;
  /**
   * Random search's median evaluations to the target, from the share: draws are independent, so
   * the count is geometric, with median ⌈ln ½ / ln(1 − share)⌉ ≈ ln 2 / share, and no cap.
   */
  readonly randomMedian: number;
}

/** Monte Carlo estimate of the share of the space at or below `fn.target`, from `draws` prior draws. */
export function measureTargetShare(fn: TargetFunction, draws: number): TargetShare {
  // A seed no search run uses, so the estimate is independent of the runs it is compared with.
  const random = seededRandom(0x5eed);
  let hits = 0;
  for (let i = 0; i < draws; i++) if (fn.objective(samplePoint(fn.space, random)) <= fn.target) hits++;
  const share = hits / draws;
  return { fn: fn.name, draws, hits, share, randomMedian: share > 0 ? Math.ceil(Math.log(0.5) / Math.log1p(-share)) : Number.POSITIVE_INFINITY };
}

/** One setting of part 3: k trials in flight, with a liar. */
export interface ParallelSetting {
  readonly algo: Algo;
  readonly parallelism: number;
  readonly liar: Liar;
}

/** The settings of part 3, sequential TPE first (the reference), random search last (the floor). */
export const PARALLEL_SETTINGS: readonly ParallelSetting[] = [
  { algo: 'tpe', parallelism: 1, liar: 'max' },
  { algo: 'tpe', parallelism: 8, liar: 'max' },
  { algo: 'tpe', parallelism: 8, liar: 'none' },
  { algo: 'random', parallelism: 1, liar: 'max' },
];

/** Part 3 for one function and setting, over every seed. */
export interface ParallelQualityResult {
  readonly fn: string;
  readonly minimum: number;
  readonly setting: ParallelSetting;
  readonly maxEvals: number;
  /** Best loss of each seed's run. */
  readonly best: readonly number[];
  /** Duplicate suggestions of each seed's run. */
  readonly duplicates: readonly number[];
}

/** Best loss after `maxEvals` evaluations and duplicate suggestions, per seed. */
export function measureParallelQuality(fn: TargetFunction, setting: ParallelSetting, seeds: readonly number[], maxEvals: number): ParallelQualityResult {
  const runs = seeds.map((seed) => simulateParallelSearch({
    space: fn.space, objective: fn.objective, algo: setting.algo, maxEvals, parallelism: setting.parallelism, seed, liar: setting.liar,
  }));
  return { fn: fn.name, minimum: fn.minimum, setting, maxEvals, best: runs.map((r) => r.best), duplicates: runs.map((r) => r.duplicates) };
}

/** The q-th quantile (0…1) of `xs` by linear interpolation between order statistics (numpy's default). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/**
 * Quartiles of evaluations-to-target with runs that never reached it counted as +Infinity (they are
 * "more than the cap"), so a quartile that falls on such a run reads "> cap", not a made-up number.
 */
export function toTargetQuartiles(r: ToTargetResult): { q25: number; median: number; q75: number; missed: number } {
  const xs = r.runs.map((run) => run.evaluations ?? Number.POSITIVE_INFINITY);
  const q = (p: number): number => {
    const v = quantile(xs, p);
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  };
  return { q25: q(0.25), median: q(0.5), q75: q(0.75), missed: r.runs.filter((run) => run.evaluations === undefined).length };
}

/** What parts 1 and 3 run. */
export interface SearchSettings {
  /** Seeds 1…seeds, for parts 1 and 3. */
  readonly seeds: number;
  /** Part 1: evaluations per run at most (the brief's 300). */
  readonly cap: number;
  /** Part 3: the budget whose best loss is compared (100, the usual SparkTrials demo size). */
  readonly qualityEvals: number;
  /** Part 1: prior draws estimating the share of the box at the target. */
  readonly shareDraws: number;
}

/** Parts 1 and 3, logging each result as it comes. */
export function runSearchParts(s: SearchSettings, log: (line: string) => void): { toTarget: ToTargetResult[]; shares: TargetShare[]; quality: ParallelQualityResult[] } {
  const seeds = Array.from({ length: s.seeds }, (_, i) => i + 1);
  const toTarget: ToTargetResult[] = [];
  const shares: TargetShare[] = [];
  for (const fn of TARGET_FUNCTIONS) {
    const share = measureTargetShare(fn, s.shareDraws);
    log(`1. ${fn.name} ≤ ${fn.target}: ${share.hits} of ${share.draws} prior draws; random search's median from that: ${share.randomMedian} evaluations`);
    shares.push(share);
    for (const algo of ['tpe', 'random'] as const) {
      const r = measureToTarget(fn, algo, seeds, s.cap);
      const q = toTargetQuartiles(r);
      log(`1. ${fn.name} ≤ ${fn.target}, ${algo}: median ${q.median} evaluations (25% ${q.q25}, 75% ${q.q75}), ${q.missed} of ${s.seeds} runs past ${s.cap}`);
      toTarget.push(r);
    }
  }
  const quality: ParallelQualityResult[] = [];
  for (const fn of [...TARGET_FUNCTIONS, BRANIN_GRID]) {
    for (const setting of PARALLEL_SETTINGS) {
      const r = measureParallelQuality(fn, setting, seeds, s.qualityEvals);
      log(`3. ${fn.name}, ${setting.algo} k=${setting.parallelism} liar ${setting.liar}: median best ${quantile(r.best, 0.5).toFixed(4)}, ${r.duplicates.reduce((a, b) => a + b, 0)} duplicates`);
      quality.push(r);
    }
  }
  return { toTarget, shares, quality };
}
