/**
 * The task patterns of Fabric's four paradigms, and 10,000 tiny tasks, as jobs on the scheduler.
 * Each scenario builds its tasks as the real job drivers do (src/coordinator/jobs: one task per
 * partition per stage for train, one job of packed groups for fitGroups, one one-task job per trial
 * for tune, batches over partitions for score) with simulated costs in `params` (see SimWork).
 * Sizes are assumptions, stated with each constant; the scheduler's behaviour, not the kernels'
 * speed, is what the simulation measures.
 */
import type { TaskOutcome } from '../src/coordinator/scheduler';
import type { ArtifactRef, PartitionRef } from '../src/protocol/dataset';
import type { TaskKind } from '../src/protocol/tasks';
import type { TaskRequest } from '../src/protocol/slot-api';
import type { Random } from './random';
import type { SimWork } from './sim-node';

/** What a scenario can do: run jobs (audited) and draw random numbers. */
export interface ScenarioContext {
  readonly random: Random;
  /** Runs one job through the scheduler; its tasks and results go to the audit. */
  runJob(tasks: readonly TaskRequest[]): Promise<Map<string, TaskOutcome>>;
  /** Marks the start of the measured part (after any warm-up): jobs from here on are measured. */
  measure(): void;
}

/** One scenario. */
export interface Scenario {
  readonly name: string;
  /** The pattern in words, for the report. */
  readonly pattern: string;
  /** Slots the job can keep busy at once (Infinity: all of them), for its parallelism-bound ideal. */
  readonly parallelism: number;
  /** Runs the jobs; rejects with the scheduler's error if one fails (or is cancelled). */
  run(ctx: ScenarioContext): Promise<void>;
}

/** Sizes that differ between the quick and the full run. */
export interface ScenarioSizes {
  readonly trainIterations: number;
  readonly groupTasks: number;
  readonly tuneTrials: number;
  readonly scoreBatchesPerPartition: number;
}

/** The full run, as the issue sets it. */
export const FULL_SIZES: ScenarioSizes = { trainIterations: 50, groupTasks: 20_000, tuneTrials: 2_000, scoreBatchesPerPartition: 2 };
/** `--quick`: fewer iterations, groups, trials and batches; the same fleet and churn. */
export const QUICK_SIZES: ScenarioSizes = { trainIterations: 10, groupTasks: 5_000, tuneTrials: 500, scoreBatchesPerPartition: 1 };

const MB = 1_000_000;

function task(taskId: string, kind: TaskKind, cost: SimWork, partitions: readonly PartitionRef[], artifacts: readonly ArtifactRef[] = []): TaskRequest {
  return { taskId, kind, params: cost, partitions, artifacts };
}

function partitions(dataset: string, count: number, bytes: number): PartitionRef[] {
  return Array.from({ length: count }, (_, index) => ({ id: `${dataset}/${index}`, index, rowStart: index * 100_000, numRows: 100_000, byteLength: bytes, hash: `${dataset}-${index}` }));
}

/**
 * train: 300 partitions of 4 MB (100,000 rows of 5 float64 columns), one gradient task per
 * partition per iteration, each iteration waiting for all 300. A task is 0.5 s on a median slot (a
 * small MLP's gradient over 100,000 rows) and moves a 10,000-parameter float64 vector each way.
 */
export function trainScenario(iterations: number): Scenario {
  const parts = partitions('train', 300, 4 * MB);
  const cost: SimWork = { work: 0.5, sendBytes: 10_000 * 8, resultBytes: 10_000 * 8 };
  return {
    name: 'train', parallelism: parts.length,
    pattern: `${parts.length} partitions x ${iterations} synchronous iterations; 0.5 s tasks, 80 KB parameters each way, 4 MB partitions`,
    async run(ctx) {
      ctx.measure();
      for (let it = 0; it < iterations; it++) {
        await ctx.runJob(parts.map((p) => task(`train-${it}-${p.index}`, 'glm-gradient', cost, [p])));
      }
    },
  };
}

/**
 * fitGroups: one job of packed groups, largest first (LPT). Sizes are Pareto with shape 1.5 from
 * 1 s (a few groups hold most rows, as airports do in flights-3m), capped at 60 s, the packer's
 * largest single group; each task ships its rows as an artifact, 16 KB per second of work.
 */
export function fitGroupsScenario(count: number): Scenario {
  return {
    name: 'fitGroups', parallelism: Number.POSITIVE_INFINITY,
    pattern: `one job of ${count.toLocaleString('en-US')} group tasks, Pareto(1 s, 1.5) sizes capped at 60 s, largest first`,
    async run(ctx) {
      const sizes = Array.from({ length: count }, () => Math.min(60, ctx.random.pareto(1, 1.5))).sort((a, b) => b - a);
      const tasks = sizes.map((work, i) => task(`groups-${i}`, 'fit-groups', { work, sendBytes: 0, resultBytes: 2_000 }, [],
        [{ id: `batch-${i}`, byteLength: Math.round(work * 16_000), hash: `batch-${i}` }]));
      ctx.measure();
      await ctx.runJob(tasks);
    },
  };
}

/**
 * tune: `trials` one-task jobs, `k` = 500 at once (SparkTrials' parallelism), a new trial submitted
 * as each finishes. A trial fits a model for a log-normal time, median 20 s (spread 0.5), on a
 * 20 MB training set that is an artifact sent once per slot.
 */
export function tuneScenario(trials: number, k = 500): Scenario {
  const data: ArtifactRef = { id: 'a-tune-data', byteLength: 20 * MB, hash: 'tune-data' };
  return {
    name: 'tune', parallelism: k,
    pattern: `${trials.toLocaleString('en-US')} trials, ${k} at once, each its own job; median 20 s, 20 MB data per slot`,
    async run(ctx) {
      const costs = Array.from({ length: trials }, () => ctx.random.logNormal(20, 0.5));
      ctx.measure();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < trials) {
          const id = next++;
          await ctx.runJob([task(`trial-${id}`, 'trial', { work: costs[id]!, sendBytes: 200, resultBytes: 200 }, [], [data])]);
        }
      };
      await Promise.all(Array.from({ length: Math.min(k, trials) }, worker));
    },
  };
}

/**
 * score: 1,000 partitions of 4 MB are cached by a warm-up pass (not measured), then a 5 MB model
 * (a 1.25M-parameter float32 MLP) scores them in `batches` batches per partition. A partition's
 * 100,000 rows are 250 GFLOP, 16 s on a median slot (15 GFLOP/s), and 800 KB of float64
 * predictions back; a batch is its share.
 */
export function scoreScenario(batches: number): Scenario {
  const parts = partitions('score', 1_000, 4 * MB);
  const model: ArtifactRef = { id: 'a-score-model', byteLength: 5 * MB, hash: 'score-model' };
  return {
    name: 'score', parallelism: Number.POSITIVE_INFINITY,
    pattern: `${(parts.length * batches).toLocaleString('en-US')} batches (${batches} per partition) of ${16 / batches} s over 1,000 cached 4 MB partitions; 5 MB model once per slot`,
    async run(ctx) {
      await ctx.runJob(parts.map((p) => task(`warm-${p.index}`, 'describe', { work: 0.05, sendBytes: 0, resultBytes: 1_000 }, [p])));
      const cost: SimWork = { work: 16 / batches, sendBytes: 0, resultBytes: 800_000 / batches };
      const tasks = parts.flatMap((p) => Array.from({ length: batches }, (_, b) => task(`score-${p.index}-${b}`, 'score', cost, [p], [model])));
      ctx.measure();
      await ctx.runJob(tasks);
    },
  };
}

/** 10,000 tiny tasks in one job: 5 ms each, no data, 64-byte results. The scheduler's own rate. */
export function tinyScenario(count = 10_000): Scenario {
  return {
    name: 'tiny', parallelism: Number.POSITIVE_INFINITY,
    pattern: `${count.toLocaleString('en-US')} tasks of 5 ms in one job, no data`,
    async run(ctx) {
      const tasks = Array.from({ length: count }, (_, i) => task(`tiny-${i}`, 'describe', { work: 0.005, sendBytes: 0, resultBytes: 64 }, []));
      ctx.measure();
      await ctx.runJob(tasks);
    },
  };
}

/** The scenarios of a run, in the order they run. */
export const SCENARIO_NAMES = ['train', 'fitGroups', 'tune', 'score', 'tiny'] as const;
/** A scenario's name. */
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Builds a scenario by name at the given sizes. */
export function buildScenario(name: ScenarioName, sizes: ScenarioSizes): Scenario {
  switch (name) {
    case 'train': return trainScenario(sizes.trainIterations);
    case 'fitGroups': return fitGroupsScenario(sizes.groupTasks);
    case 'tune': return tuneScenario(sizes.tuneTrials);
    case 'score': return scoreScenario(sizes.scoreBatchesPerPartition);
    case 'tiny': return tinyScenario();
  }
}
