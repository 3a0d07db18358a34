/**
 * A tune run's data on a slot: the sample artifact read once, its feature plan made from its own
 * training rows (as `train`'s statistics pass does for a whole dataset), and the design matrices of
 * both sides of the split, memoized for every later trial on the slot.
 */
import { tableFromIPC, type Table } from 'apache-arrow';
import { featureName } from '../../data/feature-columns';
import type { DesignMatrix, GlmKind } from '../../kernels/design';
import { planFeatures } from '../../ml/feature-plan';
import type { FeaturePlan, FeatureStatsParams } from '../../protocol/train';
import type { TrialData } from '../../protocol/tune';
import type { ExecutorContext } from '../executors/registry';
import { buildDesign, readPlanColumns } from './design';
import { partitionFeatureStats } from './stats';

/** The sample's designs and what they model. */
export interface SampleDesign {
  readonly table: Table;
  readonly plan: FeaturePlan;
  readonly kind: GlmKind;
  readonly classes: number;
  readonly train: DesignMatrix;
  readonly holdout: DesignMatrix;
}

/** The model kind a target asks for: threshold → logistic, bins → softmax, else linear. */
export function kindOfTarget(target: TrialData['target']): GlmKind {
  return target.threshold !== undefined ? 'logistic' : target.bins !== undefined ? 'softmax' : 'linear';
}

/** The sample table alone (for developers' objectives), read once per slot. */
export function sampleTable(ctx: ExecutorContext, artifact: string): Table {
  const key = `${artifact}|table`;
  let table = ctx.memo.get(key) as Table | undefined;
  if (!table) {
    table = tableFromIPC(ctx.artifact(artifact));
    ctx.memo.set(key, table);
  }
  return table;
}

/** The sample's designs for `data`, built at the slot's first trial and kept. */
export function sampleDesign(ctx: ExecutorContext, data: TrialData): SampleDesign {
  const key = `${data.artifact}|design|${JSON.stringify([data.target, data.features, data.holdout, data.missing, data.splitSeed])}`;
  let design = ctx.memo.get(key) as SampleDesign | undefined;
  if (design) return design;
  const table = sampleTable(ctx, data.artifact);
  const kind = kindOfTarget(data.target);
  const params: FeatureStatsParams = { features: data.features, target: data.target, split: { seed: data.splitSeed, holdout: data.holdout }, missing: data.missing };
  const stats = partitionFeatureStats(table, params, 0);
  // l2 = 1 only waives planFeatures' check that an unpenalized fit has more rows than parameters.
  const plan = planFeatures(params, kind, [stats], data.features.map(featureName), 1);
  const columns = readPlanColumns(table, plan);
  const classes = kind === 'softmax' ? plan.target.labels.length : kind === 'logistic' ? 2 : 1;
  design = { table, plan, kind, classes, train: buildDesign(table, plan, 'train', 0, columns), holdout: buildDesign(table, plan, 'holdout', 0, columns) };
  ctx.memo.set(key, design);
  return design;
}
