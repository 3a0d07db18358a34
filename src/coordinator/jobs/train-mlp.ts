/**
 * Training an MLP by synchronous data-parallel mini-batch SGD or Adam. Each epoch cuts every
 * partition's training rows (in a seeded order) into `steps` shares; step t of the epoch is one
 * stage of `mlp-gradient` tasks, one per partition, whose gradient sums are added in partition
 * order in float64 and divided by the batch's rows; the coordinator then steps the weights.
 */
import type { GlmKind } from '../../kernels/design';
import { initMlpWeights, kernelMask } from '../../ml/mlp-init';
import type { MlpSpec } from '../../ml/models';
import { adam, sgd } from '../../ml/optim/adam';
import { FabricError } from '../../protocol/errors';
import type { MlpArch, MlpGradientResult } from '../../protocol/train';
import type { MlpTrainState } from '../checkpoint/checkpoint-types';
import { f64, type TrainContext, type TrainedCommon, type TrainIteration } from './train';
import { evaluateGlm } from './train-metrics';

/** Held-out loss points per epoch on the live curve (each costs a forward pass over held-out rows). */
const HOLDOUT_POINTS_PER_EPOCH = 8;

/** A trained MLP. */
export interface TrainedMlp extends TrainedCommon {
  readonly format: 'fabric-mlp';
  readonly arch: MlpArch;
  /** Input names (the plan's parameters less the intercept). */
  readonly names: readonly string[];
  /** Every weight, in tfjs order (each layer's kernel, then its bias). */
  readonly params: Float32Array;
  readonly model: MlpSpec;
}

/** Trains `spec` with the plan in `ctx`. */
export async function trainMlp(ctx: TrainContext, spec: MlpSpec, head: GlmKind): Promise<TrainedMlp> {
  const { plan, planRef, dataset } = ctx;
  const classes = head === 'softmax' ? plan.target.labels.length : head === 'logistic' ? 2 : 1;
  const arch: MlpArch = { inputs: plan.dim - 1, hidden: [...spec.hidden], activation: spec.activation, head, outputs: head === 'softmax' ? classes : 1 };
  if (arch.inputs < 1) throw new FabricError('bad-input', 'train: an MLP needs at least one input feature');
  const from = ctx.checkpointing?.from as MlpTrainState | undefined;
  const fresh = initMlpWeights(arch, spec.seed);
  const w = from ? from.weights.slice() : fresh;
  if (w.length !== fresh.length) throw new FabricError('bad-input', `train: the checkpoint holds ${w.length} MLP weights; this architecture has a different count`);
  const mask = kernelMask(arch);
  const stepper = spec.optimizer === 'adam' ? adam(w.length, spec.learningRate, from?.stepper) : sgd(spec.learningRate);
  const steps = Math.max(1, Math.round(plan.counts.trainRows / spec.batchSize));
  const total = steps * spec.epochs;
  const evalEvery = Math.max(1, Math.floor(steps / HOLDOUT_POINTS_PER_EPOCH));
  const history: TrainIteration[] = from ? [...from.history] : [];
  for (const it of history) ctx.options.onIteration?.(it); // a resumed job's earlier steps, for the live view
  let holdout = from?.holdout ?? NaN;
  let iteration = from?.iteration ?? 0;
  // After (epoch, step) the next step to run: where a checkpoint says to continue.
  const save = (epoch: number, step: number): void => {
    if (!ctx.checkpointing || iteration % ctx.every !== 0) return;
    const next = step + 1 < steps ? { epoch, step: step + 1 } : { epoch: epoch + 1, step: 0 };
    if (next.epoch >= spec.epochs) return; // the run is over: nothing to resume
    ctx.checkpointing.save({ family: 'mlp', plan, weights: w.slice(), stepper: stepper.state(), ...next, iteration, holdout, history: history.slice(), elapsedMs: performance.now() - ctx.t0 });
  };
  for (let epoch = from?.epoch ?? 0; epoch < spec.epochs; epoch++) {
    for (let step = from && epoch === from.epoch ? from.step : 0; step < steps; step++) {
      if (ctx.options.signal?.aborted) throw new FabricError('cancelled', 'the job was cancelled by its caller');
      const withHoldout = step % evalEvery === 0 || step === steps - 1;
      const bytes = new Uint8Array(Float32Array.from(w).buffer);
      const outcomes = await ctx.stage(ctx.dataset.partitions.map((ref) => ctx.task('mlp-gradient', `e${epoch}s${step}`, ref,
        { plan: planRef.id, arch, seed: spec.seed, epoch, steps, step, holdoutLoss: withHoldout }, { artifacts: [planRef], binary: [bytes] })));
      let loss = 0;
      let rows = 0;
      let held = 0;
      let heldRows = 0;
      const nodes: Record<string, number> = {};
      for (const o of outcomes) {
        const r = o.result as MlpGradientResult;
        loss += r.loss;
        rows += r.rows;
        held += r.holdoutLoss;
        heldRows += r.holdoutRows;
        nodes[o.nodeId] = (nodes[o.nodeId] ?? 0) + 1;
      }
      if (withHoldout && heldRows > 0) holdout = held / heldRows;
      if (rows === 0) continue;
      const grad = await ctx.aggregator.sum(outcomes.map((o) => f64(o.binary[0], 'an MLP gradient')));
      if (grad.length !== w.length) throw new FabricError('schema-mismatch', `train: MLP gradient of length ${grad.length}, expected ${w.length}`);
      let penalty = 0;
      for (let i = 0; i < grad.length; i++) {
        grad[i] = grad[i]! / rows + (mask[i] ? spec.l2 * w[i]! : 0);
        if (mask[i]) penalty += w[i]! * w[i]!;
      }
      if (!grad.every(Number.isFinite)) throw new FabricError('bad-input', `train: the MLP's gradient became non-finite at epoch ${epoch + 1}, step ${step + 1}; lower the learning rate (${spec.learningRate}).`);
      stepper.step(w, grad);
      iteration += 1;
      let gradNorm = 0;
      for (const g of grad) gradNorm += g * g;
      const it: TrainIteration = {
        iteration, maxIter: total, trainLoss: loss / rows + 0.5 * spec.l2 * penalty, holdoutLoss: holdout, gradNorm: Math.sqrt(gradNorm),
        evaluations: iteration, nodes, ms: Math.round(performance.now() - ctx.t0),
      };
      history.push(it);
      ctx.options.onIteration?.(it);
      save(epoch, step);
    }
  }
  const params = Float32Array.from(w);
  const bytes = new Uint8Array(params.slice().buffer);
  const predicted = await ctx.stage(dataset.partitions.map((ref) => ctx.task('mlp-predict', 'predict', ref,
    { plan: planRef.id, arch, split: 'holdout' }, { artifacts: [planRef], binary: [bytes] })));
  const metrics = evaluateGlm(head, classes, predicted.map((o) => f64(o.binary[0], 'predictions')), predicted.map((o) => f64(o.binary[1], 'targets')));
  return {
    format: 'fabric-mlp', version: 1, kind: head, arch, classes, labels: plan.target.labels, names: plan.names.slice(0, -1), params, plan,
    model: spec, history, metrics, converged: true, reason: `${spec.epochs} epoch(s)`, dataset: { id: dataset.id, name: dataset.name },
    ms: Math.round(performance.now() - ctx.t0),
  };
}
