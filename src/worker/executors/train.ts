/**
 * The training task kinds: the feature statistics pass, and loss/gradient sums and predictions of
 * generalized linear models over a partition's cached design matrix.
 */
import { glmLoss, glmLossGrad, glmPredict } from '../../kernels/glm-cpu';
import { glmLossGradGpu } from '../../kernels/gpu-runner';
import type { DesignMatrix } from '../../kernels/design';
import { parameterCount } from '../../kernels/design';
import { FabricError } from '../../protocol/errors';
import { FeaturePlanSchema, type FeaturePlan, type GlmGradientParams, type GlmGradientResult, type GlmPredictParams, type GlmPredictResult, type FeatureStatsParams, type FeatureStatsResult } from '../../protocol/train';
import { buildDesign, readPlanColumns, type SplitSide } from '../features/design';
import { partitionFeatureStats } from '../features/stats';
import type { ExecutorContext, ExecutorOutput } from './registry';

/** `feature-stats`: statistics of one partition's training rows. */
export function runFeatureStats(params: FeatureStatsParams, ctx: ExecutorContext): ExecutorOutput<FeatureStatsResult> {
  if (ctx.tables.length !== 1) throw new FabricError('bad-input', `feature-stats: expects one partition per task, got ${ctx.tables.length}`);
  return { result: partitionFeatureStats(ctx.tables[0]!, params, ctx.partitions[0]!.rowStart) };
}

export function planOf(ctx: ExecutorContext, id: string): FeaturePlan {
  const key = `${id}|plan`;
  let plan = ctx.memo.get(key) as FeaturePlan | undefined;
  if (!plan) {
    const parsed = FeaturePlanSchema.safeParse(JSON.parse(new TextDecoder().decode(ctx.artifact(id))));
    if (!parsed.success) throw new FabricError('schema-mismatch', `feature plan ${id} failed its schema: ${parsed.error.issues[0]?.message ?? ''}`);
    plan = parsed.data;
    ctx.memo.set(key, plan);
  }
  return plan;
}

/**
 * The design matrix of the task's partition for one side of the split. Both sides are built
 * together, from one read of the columns, the first time either is asked for, and kept.
 */
export function designOf(ctx: ExecutorContext, planId: string, side: SplitSide): DesignMatrix {
  if (ctx.tables.length !== 1) throw new FabricError('bad-input', `glm tasks expect one partition per task, got ${ctx.tables.length}`);
  const ref = ctx.partitions[0]!;
  const key = (s: SplitSide): string => `${planId}|${ref.id}|${s}`;
  if (!ctx.memo.has(key(side))) {
    const table = ctx.tables[0]!;
    const plan = planOf(ctx, planId);
    const columns = readPlanColumns(table, plan);
    for (const s of ['train', 'holdout'] as const) ctx.memo.set(key(s), buildDesign(table, plan, s, ref.rowStart, columns));
  }
  return ctx.memo.get(key(side)) as DesignMatrix;
}

function paramsOf(ctx: ExecutorContext, kind: GlmGradientParams['kind'], dim: number, classes: number): Float64Array {
  const bytes = ctx.binary[0];
  const expected = parameterCount(kind, dim, classes);
  if (!bytes || bytes.byteLength !== expected * 8) {
    throw new FabricError('bad-input', `glm: expected ${expected} float64 parameters (${expected * 8} bytes), got ${bytes?.byteLength ?? 0} bytes`);
  }
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Loss and gradient sums on the slot's chosen kernel: WebGPU (WGSL) when measured faster, else CPU. */
async function lossGrad(ctx: ExecutorContext, params: GlmGradientParams, m: DesignMatrix, w: Float64Array): Promise<{ loss: number; grad: Float64Array }> {
  if (ctx.gpu) return glmLossGradGpu(ctx.gpu, params.kind, m, w, params.classes);
  const grad = new Float64Array(w.length);
  return { loss: glmLossGrad(params.kind, m, w, params.classes, grad), grad };
}

/** `glm-gradient`: loss and gradient sums over the partition's training rows (and held-out loss). */
export async function runGlmGradient(params: GlmGradientParams, ctx: ExecutorContext): Promise<ExecutorOutput<GlmGradientResult>> {
  const train = designOf(ctx, params.plan, 'train');
  const w = paramsOf(ctx, params.kind, train.dim, params.classes);
  const { loss, grad } = await lossGrad(ctx, params, train, w);
  let holdoutRows = 0;
  let holdoutLoss = 0;
  if (params.holdoutLoss) {
    const held = designOf(ctx, params.plan, 'holdout');
    holdoutRows = held.rows;
    holdoutLoss = held.rows === 0 ? 0 : ctx.gpu ? (await lossGrad(ctx, params, held, w)).loss : glmLoss(params.kind, held, w, params.classes);
  }
  const out = grad.buffer instanceof ArrayBuffer && grad.byteOffset === 0 && grad.byteLength === grad.buffer.byteLength ? grad : grad.slice();
  return {
    result: { rows: train.rows, loss, holdoutRows, holdoutLoss, kernel: ctx.gpu ? 'webgpu' : 'cpu' },
    binary: [new Uint8Array(out.buffer)],
  };
}

/** `glm-predict`: predictions and encoded targets of one side of the split. */
export function runGlmPredict(params: GlmPredictParams, ctx: ExecutorContext): ExecutorOutput<GlmPredictResult> {
  const m = designOf(ctx, params.plan, params.split);
  const w = paramsOf(ctx, params.kind, m.dim, params.classes);
  const predictions = glmPredict(params.kind, m, w, params.classes);
  return { result: { rows: m.rows }, binary: [new Uint8Array(predictions.buffer), new Uint8Array(m.y.slice().buffer)] };
}
