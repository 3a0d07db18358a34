/**
 * The fitGroups job (Spark's `groupBy(key).applyInPandas(fit)`): shuffle the rows by key into
 * per-task Arrow batches (in the shuffle worker), send each batch as an artifact with a
 * `fit-groups` task, largest first, and combine the per-group outcomes into one table in key
 * order. A task lost with its node runs again elsewhere; the scheduler commits each task once,
 * so each group appears exactly once, with the same numbers whichever node fitted it.
 */
import { groupCoefficientNames, checkGroupFeatures } from '../../data/group-design';
import { tooLargeMessage } from '../../ml/fit-status';
import type { GlmSpec } from '../../ml/models';
import type { DatasetInfo } from '../../protocol/dataset';
import { FabricError } from '../../protocol/errors';
import { GROUP_TOO_LARGE, type FitGroupsParams, type FitGroupsResult, type GroupModel } from '../../protocol/groups';
import type { TaskRequest } from '../../protocol/slot-api';
import type { FeatureSpec, TargetSpec } from '../../protocol/train';
import type { ArtifactStore } from '../artifact-store';
import type { GroupApplyOptions, GroupFitOptions, GroupJobOptions } from '../group-by';
import type { ShuffledBatches, ShuffleRequest } from '../group-batches';
import { DEFAULT_GROUP_BUDGET_BYTES } from '../group-packing';
import type { Scheduler } from '../scheduler';
import type { GroupResultRow, GroupResults } from './group-results';
import { parseFeature } from './train-features';
import { numericAgreement } from '../agreement';

/** Shuffles the loaded dataset into task batches (the shuffle worker, or directly in tests). */
export type Shuffler = (dataset: DatasetInfo, request: ShuffleRequest) => Promise<ShuffledBatches>;

/** Tasks planned per slot at least, so a job's tail is short when groups are small. */
const TASKS_PER_SLOT = 4;
/** Progress callbacks at most this often: 10,000 groups finish in bursts. */
const PROGRESS_MS = 100;

let jobSeq = 0;

/** What the job needs from the caller, checked. */
export interface GroupJob {
  readonly key: string;
  readonly columns: string[];
  readonly model: GroupModel;
  readonly features: FeatureSpec[];
  readonly target: TargetSpec | undefined;
  readonly intercept: boolean;
  readonly missing: 'error' | 'drop';
  readonly coefficientNames: string[];
  readonly metricNames: string[];
}

function checkKey(dataset: DatasetInfo, key: string): void {
  if (typeof key !== 'string' || !dataset.columns.some((c) => c.name === key)) {
    throw new FabricError('bad-input', `groupBy: key "${String(key)}" is not a column of ${dataset.name}; its columns are: ${dataset.columns.map((c) => c.name).join(', ')}`);
  }
}

function modelOf(spec: GlmSpec, options: GroupFitOptions): GroupModel {
  if (!spec || spec.family !== 'glm') {
    throw new FabricError('bad-input', 'groupBy().fit: options.model must be ols(), ridge({ l2 }), linearRegression({ l2 }) or logisticRegression({ l2 })');
  }
  if (spec.l1 > 0) throw new FabricError('bad-input', 'groupBy().fit: l1 is not offered per group (each group is solved in closed form or by IRLS); use l2 (ridge)');
  if (spec.kind === 'linear') return { kind: 'linear', l2: spec.l2 };
  if (spec.kind === 'logistic') {
    const maxIter = options.maxIter ?? 25;
    if (!Number.isInteger(maxIter) || maxIter < 1 || maxIter > 1000) throw new FabricError('bad-input', `groupBy().fit: maxIter must be a whole number from 1 to 1000, got ${maxIter}`);
    return { kind: 'logistic', l2: spec.l2, maxIter };
  }
  throw new FabricError('bad-input', 'groupBy().fit: softmax is not fitted per group; use logisticRegression with a threshold target, or train() for one softmax model');
}

/** Checks a fit's options against the dataset. */
export function planFitJob(dataset: DatasetInfo, key: string, options: GroupFitOptions): GroupJob {
  checkKey(dataset, key);
  const model = modelOf(options.model, options);
  const target: TargetSpec = typeof options.target === 'string' ? { column: options.target } : options.target;
  const targetInfo = dataset.columns.find((c) => c.name === target?.column);
  if (!targetInfo) throw new FabricError('bad-input', `groupBy().fit: target "${String(target?.column)}" is not a column of ${dataset.name}; its columns are: ${dataset.columns.map((c) => c.name).join(', ')}`);
  if (!targetInfo.numeric) throw new FabricError('bad-input', `groupBy().fit: target "${target.column}" is ${targetInfo.type}; per group the target must be numeric (with a threshold for logistic)`);
  if (model.kind === 'logistic' && target.threshold === undefined) {
    throw new FabricError('bad-input', `groupBy().fit: logistic regression needs a 0/1 target: give { column: '${target.column}', threshold } (1 when the value is greater)`);
  }
  if (!Array.isArray(options.features)) throw new FabricError('bad-input', 'groupBy().fit: options.features must be a list such as [\'distance\', \'hour(date)\']');
  for (const f of options.features) {
    if (f === key || (typeof f === 'object' && f?.column === key)) throw new FabricError('bad-input', `groupBy().fit: the key "${key}" is constant within each group, so it cannot be a feature`);
  }
  const features = options.features.map((f) => {
    const spec = parseFeature(f, dataset);
    // Per group a date part is one number unless one-hot is asked for (its levels are fixed).
    return typeof f === 'string' && spec.kind === 'date-part' ? { ...spec, encode: 'numeric' as const } : spec;
  });
  checkGroupFeatures(features);
  const missing = options.missing ?? 'error';
  if (missing !== 'error' && missing !== 'drop') throw new FabricError('bad-input', `groupBy().fit: missing must be 'error' or 'drop', got ${String(missing)}`);
  const intercept = options.intercept ?? true;
  const coefficientNames = groupCoefficientNames(features, intercept);
  if (coefficientNames.length === 0) throw new FabricError('bad-input', 'groupBy().fit: no coefficients to fit; give a feature or keep the intercept');
  const columns = [...new Set([...features.map((f) => f.column), target.column])];
  return {
    key, columns, model, features, target, intercept, missing, coefficientNames,
    metricNames: model.kind === 'linear' ? ['rmse', 'r2'] : ['logLoss', 'auc'],
  };
}

/** Checks an apply's options against the dataset. */
export function planApplyJob(dataset: DatasetInfo, key: string, name: string, options: GroupApplyOptions): GroupJob {
  checkKey(dataset, key);
  if (typeof name !== 'string' || name.length === 0) throw new FabricError('bad-input', 'groupBy().apply: name must be the name of a group task defined with defineGroupTask');
  const columns = [...(options.columns ?? dataset.columns.map((c) => c.name))];
  for (const c of columns) {
    if (!dataset.columns.some((d) => d.name === c)) throw new FabricError('bad-input', `groupBy().apply: column "${c}" is not in ${dataset.name}`);
  }
  return {
    key, columns, model: { kind: 'custom', name }, features: [], target: undefined, intercept: false, missing: 'error', coefficientNames: [], metricNames: [],
  };
}

function f64(bytes: Uint8Array | undefined, length: number): Float64Array {
  if (!bytes || bytes.byteLength !== length * 8) throw new FabricError('schema-mismatch', `fit-groups: coefficients of ${bytes?.byteLength ?? 0} bytes, expected ${length * 8}`);
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Runs a planned group job on the scheduler's slots. */
export async function runGroupJob(scheduler: Scheduler, artifacts: ArtifactStore, shuffle: Shuffler, dataset: DatasetInfo, job: GroupJob, options: GroupJobOptions): Promise<GroupResults> {
  const t0 = performance.now();
  const budgetBytes = options.budgetBytes ?? DEFAULT_GROUP_BUDGET_BYTES;
  if (!Number.isInteger(budgetBytes) || budgetBytes < 1) throw new FabricError('bad-input', `groupBy: budgetBytes must be a whole number of bytes ≥ 1, got ${budgetBytes}`);
  const p = job.coefficientNames.length;
  const shuffled = await shuffle(dataset, {
    key: job.key, columns: job.columns, budgetBytes,
    // Float64 per feature column and the target as read, a float32 design row, a float64 target.
    workingBytesPerRow: 8 * (job.features.length + 1) + 4 * p + 8,
    minTasks: Math.max(1, TASKS_PER_SLOT * scheduler.slotCount),
    targetRowsPerTask: options.packing?.targetRowsPerTask,
    maxGroupsPerTask: options.packing?.maxGroupsPerTask,
  });
  if (options.signal?.aborted) throw new FabricError('cancelled', 'groupBy: the job was stopped by its caller');
  const shuffleMs = performance.now() - t0;
  const id = ++jobSeq;
  const refs = await Promise.all(shuffled.batches.map((b) => artifacts.put(b.ipc)));
  const tasks: TaskRequest[] = shuffled.batches.map((b, i) => {
    const params: FitGroupsParams = {
      batch: refs[i]!.id,
      groups: b.groups.map((g) => ({ key: shuffled.keys[g]!, rows: shuffled.sizes[g]! })),
      features: job.features, ...(job.target ? { target: job.target } : {}), model: job.model, intercept: job.intercept, missing: job.missing,
      budgetBytes, bytesPerRow: shuffled.bytesPerRow,
    };
    return { taskId: `groups-${id}-${i}`, kind: 'fit-groups', params, partitions: [], artifacts: [refs[i]!] };
  });

  const rows: (GroupResultRow | undefined)[] = new Array(shuffled.keys.length);
  for (const t of shuffled.tooLarge) {
    rows[t.group] = {
      key: shuffled.keys[t.group]!, rows: t.rows, status: GROUP_TOO_LARGE, coefficients: job.coefficientNames.map(() => null), metrics: {}, values: {}, fitMs: 0, node: '',
      message: tooLargeMessage(shuffled.keys[t.group]!, t.rows, t.bytes, budgetBytes),
    };
  }
  const totalRows = shuffled.sizes.reduce((s, r) => s + r, 0);
  let groupsDone = shuffled.tooLarge.length;
  let rowsFitted = 0;
  let lastProgress = 0;
  const report = (force: boolean): void => {
    const now = performance.now();
    if (!options.onProgress || (!force && now - lastProgress < PROGRESS_MS)) return;
    lastProgress = now;
    options.onProgress({ groupsDone, groups: shuffled.keys.length, rowsFitted, rows: totalRows, ms: Math.round(now - t0) });
  };
  const byTask = new Map(tasks.map((t, i) => [t.taskId, shuffled.batches[i]!]));
  const off = scheduler.onEvent((e) => {
    const batch = e.type === 'task-committed' ? byTask.get(e.taskId) : undefined;
    if (!batch) return;
    groupsDone += batch.groups.length;
    rowsFitted += batch.rows;
    report(groupsDone === shuffled.keys.length);
  });
  report(true);
  const groupsByNode: Record<string, number> = {};
  try {
    const outcomes = tasks.length > 0 ? await scheduler.run({ tasks, signal: options.signal, agree: numericAgreement() }) : new Map();
    tasks.forEach((t, i) => {
      const o = outcomes.get(t.taskId)!;
      const result = o.result as FitGroupsResult;
      const batch = shuffled.batches[i]!;
      if (result.groups.length !== batch.groups.length || result.p !== (job.model.kind === 'custom' ? 0 : p)) {
        throw new FabricError('schema-mismatch', `fit-groups: task ${t.taskId} from ${o.nodeId} returned ${result.groups.length} groups of ${result.p} coefficients, expected ${batch.groups.length} of ${p}`);
      }
      const coefs = job.model.kind === 'custom' ? new Float64Array(0) : f64(o.binary[0], batch.groups.length * p);
      groupsByNode[o.nodeId] = (groupsByNode[o.nodeId] ?? 0) + batch.groups.length;
      batch.groups.forEach((g, k) => {
        const r = result.groups[k]!;
        rows[g] = {
          key: shuffled.keys[g]!, rows: r.rows, status: r.status, message: r.message,
          coefficients: Array.from(coefs.subarray(k * p, (k + 1) * p), (v) => (r.status === 'ok' && Number.isFinite(v) ? v : null)),
          metrics: r.metrics, values: r.values ?? {}, fitMs: r.ms, node: o.nodeId,
        };
      });
    });
  } finally {
    off();
    for (const ref of refs) artifacts.delete(ref);
  }
  const done = rows.map((r, g) => {
    if (!r) throw new FabricError('internal', `fit-groups: group "${shuffled.keys[g]}" has no result`);
    return r;
  });
  const valueNames = [...new Set(done.flatMap((r) => Object.keys(r.values)))];
  report(true);
  return {
    key: job.key, model: job.model, coefficientNames: job.coefficientNames, metricNames: job.metricNames, valueNames, rows: done,
    totalRows, tasks: tasks.length, groupsByNode, ms: Math.round(performance.now() - t0), shuffleMs: Math.round(shuffleMs),
  };
}
