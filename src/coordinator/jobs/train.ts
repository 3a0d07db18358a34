/**
 * The `train` job: one GLM over every partition (Spark MLlib's pattern). A statistics pass builds
 * the feature plan; each objective evaluation is then one stage of `glm-gradient` tasks whose
 * loss and gradient sums are added in partition order in float64, so the model does not depend on
 * which nodes ran what; L-BFGS (or GD) steps on the coordinator; a final stage predicts the
 * held-out rows for the metrics.
 */
import { featureName } from '../../data/feature-columns';
import { parameterCount } from '../../kernels/design';
import { planFeatures } from '../../ml/feature-plan';
import { l1Weights, regularizedObjective } from '../../ml/glm-objective';
import type { GlmSpec, ModelSpec } from '../../ml/models';
import { minimizeGd } from '../../ml/optim/gd';
import { minimizeLbfgs } from '../../ml/optim/lbfgs';
import type { ArtifactRef, DatasetInfo, PartitionRef } from '../../protocol/dataset';
import { FabricError } from '../../protocol/errors';
import type { TaskRequest } from '../../protocol/slot-api';
import type { FeaturePlan, FeatureSpec, FeatureStatsParams, FeatureStatsResult, GlmGradientResult, MissingPolicy, TargetSpec } from '../../protocol/train';
import { cpuAggregator, type Aggregator } from '../aggregator';
import type { ArtifactStore } from '../artifact-store';
import type { Scheduler, TaskOutcome } from '../scheduler';
import type { CheckpointOptions, GlmTrainState, JobCheckpointing, TrainState } from '../checkpoint/checkpoint-types';
import { evaluateGlm, type ModelMetrics } from './train-metrics';
import { checkTarget, parseFeature } from './train-features';
import { trainMlp, type TrainedMlp } from './train-mlp';
import { numericAgreement } from '../agreement';

/** Options of `train`. */
export interface TrainOptions {
  /** The target: a column name, or `{ column, threshold }` / `{ column, bins }` for classes. */
  readonly target: TargetSpec | string;
  /** Features: `'distance'`, `'hour(date)'`, `'dayofweek(date)'`, `'month(date)'`, `'onehot(origin)'`, or specs. */
  readonly features: readonly (FeatureSpec | string)[];
  readonly model: ModelSpec;
  /** Most optimizer iterations (100). */
  readonly maxIter?: number;
  /** Convergence tolerance (1e-6), as MLlib's `tol`. */
  readonly tol?: number;
  /** Seed of the train/held-out split (42). */
  readonly seed?: number;
  /** Fraction of rows held out for the metrics (0.2). */
  readonly holdout?: number;
  /** Rows with a null or NaN: fail (default), drop them, or impute. */
  readonly missing?: MissingPolicy;
  /** Called after every iteration with the losses and the nodes that contributed. */
  readonly onIteration?: (it: TrainIteration) => void;
  readonly signal?: AbortSignal;
  /**
   * Write a checkpoint to IndexedDB every N iterations (MLP: steps), so a reloaded page can resume
   * the run (`fabric.checkpoints()`, `fabric.resume(id)`). Off unless given; the page turns it on.
   */
  readonly checkpoint?: CheckpointOptions;
}

/** One iteration as the live view shows it. */
export interface TrainIteration {
  readonly iteration: number;
  readonly maxIter: number;
  /** The regularized training objective. */
  readonly trainLoss: number;
  /** Mean loss per held-out row at the same parameters (no penalty). */
  readonly holdoutLoss: number;
  readonly gradNorm: number;
  /** Objective evaluations so far (one distributed pass each). */
  readonly evaluations: number;
  /** Tasks each node computed in the pass that produced this point. */
  readonly nodes: Record<string, number>;
  readonly ms: number;
}

/** What every trained model carries, whatever its family. */
export interface TrainedCommon {
  readonly version: 1;
  readonly kind: GlmSpec['kind'];
  readonly classes: number;
  /** Class labels (classification). */
  readonly labels: readonly string[];
  readonly plan: FeaturePlan;
  readonly history: readonly TrainIteration[];
  readonly metrics: ModelMetrics;
  readonly converged: boolean;
  readonly reason: string;
  readonly dataset: { readonly id: string; readonly name: string };
  readonly ms: number;
}

/** A trained GLM. */
export interface TrainedGlm extends TrainedCommon {
  readonly format: 'fabric-glm';
  /** Parameter names, `intercept` last (per class for softmax). */
  readonly names: readonly string[];
  readonly params: Float64Array;
  readonly model: GlmSpec;
}

/** A trained model of either family. */
export type TrainedModel = TrainedGlm | TrainedMlp;

/** What the family-specific trainers share with the job: the plan, its artifact, a task maker. */
export interface TrainContext {
  readonly scheduler: Scheduler;
  readonly dataset: DatasetInfo;
  readonly plan: FeaturePlan;
  readonly planRef: ArtifactRef;
  readonly options: TrainOptions;
  readonly t0: number;
  readonly task: (kind: TaskRequest['kind'], name: string, ref: PartitionRef, params: unknown, extra?: Partial<TaskRequest>) => TaskRequest;
  readonly stage: (tasks: TaskRequest[]) => Promise<TaskOutcome[]>;
  /** Adds per-partition vectors in partition order (CPU or WGSL, as measured). */
  readonly aggregator: Aggregator;
  /** Where to save the job's state, and the state to continue from. */
  readonly checkpointing: JobCheckpointing<TrainState> | undefined;
  /** Save every this many iterations. */
  readonly every: number;
}

let jobSeq = 0;

function targetOf(t: TargetSpec | string): TargetSpec {
  return typeof t === 'string' ? { column: t } : t;
}

/** Runs one distributed stage and returns its outcomes in partition order. */
async function stage(scheduler: Scheduler, tasks: TaskRequest[], signal: AbortSignal | undefined): Promise<TaskOutcome[]> {
  const outcomes = await scheduler.run({ tasks, signal, agree: numericAgreement() });
  return tasks.map((t) => outcomes.get(t.taskId)!);
}

export function f64(bytes: Uint8Array | undefined, what: string): Float64Array {
  if (!bytes || bytes.byteLength % 8 !== 0) throw new FabricError('schema-mismatch', `train: ${what} is not a float64 vector`);
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** The output head an MLP needs for a target: threshold → logistic, bins or text → softmax, else linear. */
function inferHead(target: TargetSpec, dataset: DatasetInfo): ModelSpec['kind'] & string {
  if (target.threshold !== undefined) return 'logistic';
  if (target.bins !== undefined) return 'softmax';
  const col = dataset.columns.find((c) => c.name === target.column);
  return col && !col.numeric ? 'softmax' : 'linear';
}

/** How often a job checkpoints: `options.checkpoint.every`, a whole number ≥ 1 (1). */
export function checkpointEvery(what: string, c: CheckpointOptions | undefined): number {
  const every = c?.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new FabricError('bad-input', `${what}: checkpoint.every must be a whole number ≥ 1 (write a checkpoint every N iterations), got ${String(every)}`);
  return every;
}

/**
 * Trains a model on the scheduler's slots. With `checkpointing`, the job's state goes to
 * `checkpointing.save` every `options.checkpoint.every` iterations, and a job given
 * `checkpointing.from` continues from that state (the feature plan included) instead of starting.
 */
export async function runTrainJob(scheduler: Scheduler, artifacts: ArtifactStore, dataset: DatasetInfo, options: TrainOptions, aggregator: Aggregator = cpuAggregator, checkpointing?: JobCheckpointing<TrainState>): Promise<TrainedModel> {
  const t0 = performance.now() - (checkpointing?.from?.elapsedMs ?? 0);
  const every = checkpointEvery('train', options.checkpoint);
  const model = options.model;
  if (!model || (model.family !== 'glm' && model.family !== 'mlp')) throw new FabricError('bad-input', 'train: options.model must be a model spec such as logisticRegression({ l2: 1e-3 }) or mlp({ hidden: [32] })');
  checkTarget(options.target, dataset);
  const kind = model.family === 'glm' ? model.kind : model.kind ?? inferHead(targetOf(options.target), dataset);
  const job = ++jobSeq;
  const features = options.features.map((f) => parseFeature(f, dataset));
  if (features.length === 0) throw new FabricError('bad-input', 'train: options.features is empty; give at least one feature, e.g. [\'distance\']');
  const maxIter = options.maxIter ?? 100;
  const statsParams: FeatureStatsParams = {
    features,
    target: targetOf(options.target),
    split: { seed: options.seed ?? 42, holdout: options.holdout ?? 0.2 },
    missing: options.missing ?? 'error',
  };
  const partitions: readonly PartitionRef[] = dataset.partitions;
  const task = (kind: TaskRequest['kind'], name: string, ref: PartitionRef, params: unknown, extra: Partial<TaskRequest> = {}): TaskRequest =>
    ({ taskId: `train-${job}-${name}-${ref.index}`, kind, params, partitions: [ref], ...extra });

  // 1. Statistics pass → feature plan (an artifact cached on every slot); a resumed job has its plan.
  const from = checkpointing?.from;
  if (from && from.family !== model.family) throw new FabricError('bad-input', `train: the checkpoint holds a ${from.family} state but the model is a ${model.family}`);
  const plan = from ? from.plan : planFeatures(statsParams, kind, (await stage(scheduler, partitions.map((ref) => task('feature-stats', 'stats', ref, statsParams)), options.signal))
    .map((o) => o.result as FeatureStatsResult), features.map(featureName), model.family === 'glm' ? model.l2 : 1);
  const planRef = await artifacts.putJson(plan);
  const ctx: TrainContext = { scheduler, dataset, plan, planRef, options, task, t0, aggregator, checkpointing, every, stage: (tasks) => stage(scheduler, tasks, options.signal) };
  if (model.family === 'mlp') return trainMlp(ctx, model, kind);
  const classes = model.kind === 'softmax' ? plan.target.labels.length : model.kind === 'logistic' ? 2 : 1;
  const n = parameterCount(model.kind, plan.dim, classes);

  // 2. The objective: one glm-gradient stage per evaluation.
  let evaluation = 0;
  let last: { holdoutLoss: number; nodes: Record<string, number> } = { holdoutLoss: NaN, nodes: {} };
  const objective = async (x: Float64Array): Promise<{ value: number; grad: Float64Array }> => {
    const e = ++evaluation;
    const bytes = new Uint8Array(x.slice().buffer);
    const outcomes = await stage(scheduler, partitions.map((ref) => task('glm-gradient', `e${e}`, ref,
      { plan: planRef.id, kind: model.kind, classes, holdoutLoss: true }, { artifacts: [planRef], binary: [bytes] })), options.signal);
    let loss = 0;
    let rows = 0;
    let holdLoss = 0;
    let holdRows = 0;
    const nodes: Record<string, number> = {};
    for (const o of outcomes) {
      const r = o.result as GlmGradientResult;
      loss += r.loss;
      rows += r.rows;
      holdLoss += r.holdoutLoss;
      holdRows += r.holdoutRows;
      nodes[o.nodeId] = (nodes[o.nodeId] ?? 0) + 1;
    }
    // Partition order, float64: the same sum whatever nodes computed the parts.
    const gradSum = await aggregator.sum(outcomes.map((o) => f64(o.binary[0], 'a gradient')));
    if (gradSum.length !== n) throw new FabricError('schema-mismatch', `train: gradient of length ${gradSum.length}, expected ${n}`);
    last = { holdoutLoss: holdRows > 0 ? holdLoss / holdRows : NaN, nodes };
    return regularizedObjective(loss, gradSum, rows, x, plan.dim, model.l2);
  };

  // 3. Optimize.
  const glmFrom = from as GlmTrainState | undefined;
  const history: TrainIteration[] = glmFrom ? [...glmFrom.history] : [];
  // A resumed job reports the iterations it already had first, so a live view draws the whole curve.
  for (const it of history) options.onIteration?.(it);
  const minimize = model.optimizer === 'gd' ? minimizeGd : minimizeLbfgs;
  const result = await minimize(objective, new Float64Array(n), {
    maxIter,
    tol: options.tol ?? 1e-6,
    ...(model.l1 > 0 ? { l1: l1Weights(model.kind, plan.dim, classes, model.l1) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(glmFrom ? { resumeFrom: glmFrom.optimizer } : {}),
    ...(checkpointing ? {
      onState: (capture) => {
        if (history.at(-1)!.iteration % every !== 0) return;
        checkpointing.save({ family: 'glm', plan, optimizer: capture(), history: history.slice(), elapsedMs: performance.now() - t0 });
      },
    } : {}),
    onIteration: (rec) => {
      const it: TrainIteration = {
        iteration: rec.iteration, maxIter, trainLoss: rec.value, holdoutLoss: last.holdoutLoss, gradNorm: rec.gradNorm,
        evaluations: rec.evaluations, nodes: last.nodes, ms: Math.round(performance.now() - t0),
      };
      history.push(it);
      options.onIteration?.(it);
    },
  });

  // 4. Held-out metrics from every held-out row's prediction, in partition order.
  const bytes = new Uint8Array(result.x.slice().buffer);
  const predicted = await stage(scheduler, partitions.map((ref) => task('glm-predict', 'predict', ref,
    { plan: planRef.id, kind: model.kind, classes, split: 'holdout' }, { artifacts: [planRef], binary: [bytes] })), options.signal);
  const metrics = evaluateGlm(model.kind, classes, predicted.map((o) => f64(o.binary[0], 'predictions')), predicted.map((o) => f64(o.binary[1], 'targets')));

  const names = model.kind === 'softmax' ? plan.target.labels.flatMap((label) => plan.names.map((p) => `${label}: ${p}`)) : plan.names;
  return {
    format: 'fabric-glm', version: 1, kind: model.kind, classes, labels: plan.target.labels, names, params: result.x, plan, model,
    history, metrics, converged: result.converged, reason: result.reason, dataset: { id: dataset.id, name: dataset.name },
    ms: Math.round(performance.now() - t0),
  };
}
