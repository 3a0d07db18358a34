/** Feature shorthands of the train API: `'distance'`, `'hour(date)'`, `'onehot(origin)'`, or specs. */
import type { DatasetInfo } from '../../protocol/dataset';
import { FabricError } from '../../protocol/errors';
import { FeatureSpecSchema, type FeatureSpec, type TargetSpec } from '../../protocol/train';

const PARTS: Record<string, 'hour' | 'day-of-week' | 'month'> = {
  hour: 'hour', dayofweek: 'day-of-week', 'day-of-week': 'day-of-week', weekday: 'day-of-week', month: 'month',
};

/** Turns a shorthand or spec into a checked {@link FeatureSpec}. */
export function parseFeature(f: FeatureSpec | string, dataset: DatasetInfo): FeatureSpec {
  const columns = dataset.columns.map((c) => c.name);
  const check = (column: string): void => {
    if (!columns.includes(column)) throw new FabricError('bad-input', `train: feature column "${column}" is not in ${dataset.name}; its columns are: ${columns.join(', ')}`);
  };
  if (typeof f !== 'string') {
    const parsed = FeatureSpecSchema.safeParse(f);
    if (!parsed.success) throw new FabricError('bad-input', `train: feature ${JSON.stringify(f)} is not a feature spec: ${parsed.error.issues[0]?.message ?? ''}`);
    check(parsed.data.column);
    return parsed.data;
  }
  const call = /^\s*([a-z-]+)\(\s*([^)]+?)\s*\)\s*$/i.exec(f);
  if (call) {
    const fn = call[1]!.toLowerCase();
    const column = call[2]!;
    check(column);
    if (fn === 'onehot' || fn === 'one-hot') return { kind: 'one-hot', column };
    const part = PARTS[fn];
    if (part) return { kind: 'date-part', column, part };
    throw new FabricError('bad-input', `train: feature "${f}" uses ${fn}(), which is not one of hour(), dayofweek(), month(), onehot()`);
  }
  check(f);
  const info = dataset.columns.find((c) => c.name === f)!;
  return info.numeric && !info.type.startsWith('Timestamp') ? { kind: 'numeric', column: f } : { kind: 'one-hot', column: f };
}

/**
 * Checks that the target names a column of the dataset, before any task runs: a missing target
 * (a CSV without that header, a typo) is named with the columns there are.
 */
export function checkTarget(target: TargetSpec | string | undefined, dataset: DatasetInfo): void {
  const column = typeof target === 'string' ? target : target?.column;
  const columns = dataset.columns.map((c) => c.name);
  if (typeof column !== 'string' || column === '') throw new FabricError('bad-input', `train: options.target is missing; give the column to predict, e.g. target: '${columns[0] ?? 'delay'}'. The columns of ${dataset.name} are: ${columns.join(', ')}`);
  if (!columns.includes(column)) throw new FabricError('bad-input', `train: target column "${column}" is not in ${dataset.name}; its columns are: ${columns.join(', ')}`);
}
