/**
 * Test support: the four paradigms as chaos targets. Each runs its real job driver on a
 * {@link ChaosCluster} and compares a run under faults with the fault-free run, by the rules of
 * issue 7: train gives the same coefficients bit for bit, fitGroups the same table, tune exactly
 * `maxEvals` trials each once (and, for random search, the same trials), score every row once
 * and in order with the same predictions.
 */
import '../../app-objectives';
import { runGroupJob, planFitJob } from '../../coordinator/jobs/fit-groups';
import type { GroupResults } from '../../coordinator/jobs/group-results';
import { runScoreJob } from '../../coordinator/jobs/score';
import type { ScoreOutput } from '../../coordinator/jobs/score-types';
import { runTrainJob, type TrainedGlm, type TrainOptions } from '../../coordinator/jobs/train';
import { runTuneJob } from '../../coordinator/jobs/tune';
import type { TuneOptions, TuneResult } from '../../coordinator/jobs/tune-types';
import { shuffleIntoBatches } from '../../coordinator/group-batches';
import { Scheduler } from '../../coordinator/scheduler';
import { prepareTrained, type PreparedModel } from '../../coordinator/score-model';
import { linearRegression, logisticRegression, ols } from '../../ml/models';
import { hp } from '../../ml/tune/space';
import { InProcessNode } from '../in-process-node';
import type { ChaosCluster } from './cluster';
import { devicesTable, loadTable, rowsTable, type ChaosData } from './data';

/** How a run under faults differs from the fault-free run. */
export interface ChaosVerdict {
  /** Results (rows, groups, trials) missing from the run. */
  readonly lost: number;
  /** Results present more than once. */
  readonly duplicated: number;
  /** Every difference, in words; empty when the run gave the fault-free result. */
  readonly problems: readonly string[];
}

/** One paradigm: its starting nodes, its job, and its comparison. */
export interface ChaosParadigm {
  readonly name: string;
  readonly nodes: readonly number[];
  readonly data: ChaosData;
  run(cluster: ChaosCluster): Promise<unknown>;
  compare(clean: unknown, got: unknown): ChaosVerdict;
}

const TRAIN: TrainOptions = { target: { column: 'label', threshold: 0.5 }, features: ['x1', 'x2', 'onehot(city)'], model: logisticRegression({ l2: 1e-3 }), seed: 5, maxIter: 12 };
const TUNE_SPACE = { ms: 2, x: hp.uniform('x', 0, 1), y: hp.quniform('y', 0, 1, 0.1) };
const TUNE_EVALS = 16;

function differ(problems: string[], what: string, a: unknown, b: unknown): void {
  if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`${what}: ${JSON.stringify(b).slice(0, 200)} instead of ${JSON.stringify(a).slice(0, 200)}`);
}

function train(data: ChaosData): ChaosParadigm {
  return {
    name: 'train', nodes: [2, 1, 1], data,
    run: (c) => runTrainJob(c.scheduler, data.artifacts, data.info, TRAIN),
    compare(clean, got) {
      const a = clean as TrainedGlm;
      const b = got as TrainedGlm;
      const problems: string[] = [];
      const bits = (x: Float64Array): string[] => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length * 2), (v) => v.toString(16));
      differ(problems, 'coefficients (bits)', bits(a.params), bits(b.params));
      differ(problems, 'iterations', a.history.length, b.history.length);
      differ(problems, 'metrics', a.metrics, b.metrics);
      return { lost: 0, duplicated: 0, problems };
    },
  };
}

function fitGroups(data: ChaosData): ChaosParadigm {
  const plan = planFitJob(data.info, 'device', { target: 'y', features: ['x1', 'x2', 'x3'], model: ols() });
  return {
    name: 'fitGroups', nodes: [2, 1, 1], data,
    run: (c) => runGroupJob(c.scheduler, data.artifacts, async (_, r) => shuffleIntoBatches(data.tables, r), data.info, plan, { packing: { targetRowsPerTask: 400 } }),
    compare(clean, got) {
      const strip = (r: GroupResults): unknown[] => r.rows.map((g) => ({ key: g.key, rows: g.rows, status: g.status, message: g.message, coefficients: g.coefficients, metrics: g.metrics, values: g.values }));
      const a = clean as GroupResults;
      const b = got as GroupResults;
      const keys = b.rows.map((g) => g.key);
      const duplicated = keys.length - new Set(keys).size;
      const lost = a.rows.filter((g) => !keys.includes(g.key)).length;
      const problems: string[] = [];
      differ(problems, 'group table', strip(a), strip(b));
      differ(problems, 'groups by node (sum)', a.rows.length, Object.values(b.groupsByNode).reduce((s, n) => s + n, 0));
      return { lost, duplicated, problems };
    },
  };
}

function tune(data: ChaosData, algo: 'random' | 'tpe'): ChaosParadigm {
  const options: TuneOptions = { space: TUNE_SPACE, objective: 'wait', algo, maxEvals: TUNE_EVALS, parallelism: 4, seed: 7 };
  return {
    name: `tune (${algo})`, nodes: [2, 2], data,
    run: (c) => runTuneJob(c.scheduler, data.artifacts, data.info, data.store.bytes, options),
    compare(clean, got) {
      const a = clean as TuneResult;
      const b = got as TuneResult;
      const ids = b.trials.map((t) => t.id);
      const duplicated = ids.length - new Set(ids).size;
      const lost = Math.max(0, TUNE_EVALS - new Set(ids).size);
      const problems: string[] = [];
      differ(problems, 'trial ids', [...Array(TUNE_EVALS).keys()], ids);
      differ(problems, 'trials by node (sum)', TUNE_EVALS, Object.values(b.trialsByNode).reduce((s, n) => s + n, 0));
      differ(problems, 'stopped', 'max-evals', b.stopped);
      differ(problems, 'statuses', b.trials.map(() => 'ok'), b.trials.map((t) => t.status));
      // Random search draws every point up front from the seed; TPE's depend on completion order.
      if (algo === 'random') differ(problems, 'trials', a.trials.map((t) => [t.point, t.loss]), b.trials.map((t) => [t.point, t.loss]));
      return { lost, duplicated, problems };
    },
  };
}

function score(data: ChaosData, model: PreparedModel): ChaosParadigm {
  return {
    name: 'score', nodes: [2, 1, 1], data,
    run: (c) => runScoreJob(c.scheduler, data.artifacts, data.info, data.store.bytes, model, { batchSize: 400 }),
    compare(clean, got) {
      const a = clean as ScoreOutput;
      const b = got as ScoreOutput;
      // The model predicts each row's own number (see rowsTable): count which rows came back where.
      const seen = new Map<number, number>();
      let misplaced = 0;
      b.predictions.forEach((p, i) => {
        const row = Math.round(p);
        seen.set(row, (seen.get(row) ?? 0) + 1);
        if (row !== i) misplaced += 1;
      });
      const duplicated = [...seen.values()].reduce((s, n) => s + n - 1, 0);
      const lost = a.rows - [...seen.keys()].filter((r) => r >= 0 && r < a.rows).length;
      const problems: string[] = [];
      if (misplaced > 0) problems.push(`${misplaced} rows are not in their place`);
      differ(problems, 'rows', a.rows, b.rows);
      if (a.predictions.some((p, i) => !Object.is(p, b.predictions[i]))) problems.push('predictions differ from the fault-free run');
      return { lost, duplicated, problems };
    },
  };
}

/** The id-predicting model that score runs: a linear fit of `y` (each row's number) on a fault-free scheduler. */
async function rowNumberModel(data: ChaosData): Promise<PreparedModel> {
  const scheduler = new Scheduler({ localityWaitMs: 0 });
  scheduler.addNode(new InProcessNode('fit', 1, data.store));
  const trained = await runTrainJob(scheduler, data.artifacts, data.info, { target: 'y', features: ['id', 'x1'], model: linearRegression(), holdout: 0.05, maxIter: 50 });
  return prepareTrained(trained);
}

/** Every paradigm with its data (a few partitions each, small enough for a unit test). */
export async function chaosParadigms(): Promise<ChaosParadigm[]> {
  const rows = await loadTable(rowsTable(6000, 3), 'chaos-rows.arrow', 1500);
  const devices = await loadTable(devicesTable(60, 4), 'chaos-devices.arrow', 1200);
  const model = await rowNumberModel(rows);
  return [train(rows), fitGroups(devices), tune(rows, 'random'), tune(rows, 'tpe'), score(rows, model)];
}
