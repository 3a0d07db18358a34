/**
 * Per-row values of the columns a feature or target reads: numbers with NaN for missing, date
 * parts, and category labels. One array per column per partition, built once and cached by the
 * slot, so nothing here runs per training iteration.
 */
import { DataType, type Table, type Vector } from 'apache-arrow';
import { FabricError } from '../protocol/errors';
import type { FeatureSpec } from '../protocol/train';
import { groupCodes, isGroupKeyType } from './group-keys';
import { numericValuesWithGaps } from './numeric-values';
import { isNumericType } from './schema';

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

function columnOf(table: Table, name: string, what: string): Vector {
  const col = table.getChild(name);
  if (!col) {
    throw new FabricError('bad-input', `${what}: column "${name}" is not in the dataset; its columns are: ${table.schema.fields.map((f) => f.name).join(', ')}`);
  }
  return col;
}

/** Milliseconds per stored unit of a timestamp or date column. */
function msPerUnit(type: DataType): number {
  if (DataType.isDate(type)) return (type as unknown as { unit: number }).unit === 0 ? MS_PER_DAY : 1;
  const unit = (type as unknown as { unit: number }).unit; // 0 s, 1 ms, 2 µs, 3 ns (Arrow's TimeUnit)
  return [1000, 1, 1e-3, 1e-6][unit] ?? 1;
}

/** A numeric column per row, NaN where null. */
export function numericColumn(table: Table, name: string, what: string): Float64Array {
  const col = columnOf(table, name, what);
  if (!isNumericType(col.type)) {
    throw new FabricError('bad-input', `${what}: column "${name}" is ${String(col.type)}, not numeric. Use it as a one-hot feature, or choose a numeric column.`);
  }
  return numericValuesWithGaps(col);
}

/** A date part per row (hour 0-23, day of week 0-6 with 0 = Sunday, month 1-12), NaN where null. */
export function datePartColumn(table: Table, name: string, part: 'hour' | 'day-of-week' | 'month', what: string): Float64Array {
  const col = columnOf(table, name, what);
  if (!DataType.isTimestamp(col.type) && !DataType.isDate(col.type)) {
    throw new FabricError('bad-input', `${what}: date parts need a timestamp or date column, and "${name}" is ${String(col.type)}`);
  }
  const raw = numericValuesWithGaps(col);
  const scale = msPerUnit(col.type);
  const out = new Float64Array(raw.length);
  const months = new Map<number, number>();
  for (let i = 0; i < raw.length; i++) {
    const ms = raw[i]! * scale;
    if (Number.isNaN(ms)) {
      out[i] = NaN;
      continue;
    }
    const day = Math.floor(ms / MS_PER_DAY);
    if (part === 'hour') out[i] = Math.floor((ms - day * MS_PER_DAY) / MS_PER_HOUR);
    else if (part === 'day-of-week') out[i] = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    else {
      let m = months.get(day);
      if (m === undefined) {
        m = new Date(day * MS_PER_DAY).getUTCMonth() + 1;
        months.set(day, m);
      }
      out[i] = m;
    }
  }
  return out;
}

/** A label per row (`null` where missing), for columns the byte coder does not read (floats, timestamps). */
function labelsPerRow(col: Vector): (string | null)[] {
  if (isNumericType(col.type)) return Array.from(numericValuesWithGaps(col), (v) => (Number.isNaN(v) ? null : String(v)));
  const out: (string | null)[] = new Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const v: unknown = col.get(i);
    out[i] = v === null || v === undefined ? null : String(v);
  }
  return out;
}

/** A categorical column coded per row: `labels[codes[i]]` is row i's label (null: missing). */
export interface CategoryCodes {
  readonly codes: Int32Array;
  readonly labels: (string | null)[];
}

/** Date parts have at most 24 values; code 24 stands for a missing date. */
const DATE_PART_MISSING = 24;

/**
 * A category code per row, without a JS string per row: date parts are their own codes, text and
 * integer columns are coded from their raw bytes (group-keys.ts), other columns via their labels.
 */
export function categoryCodes(table: Table, spec: FeatureSpec | { column: string }, what: string): CategoryCodes {
  if ('kind' in spec && spec.kind === 'date-part') {
    const v = datePartColumn(table, spec.column, spec.part, what);
    const codes = Int32Array.from(v, (x) => (Number.isNaN(x) ? DATE_PART_MISSING : x));
    return { codes, labels: Array.from({ length: DATE_PART_MISSING + 1 }, (_, k) => (k === DATE_PART_MISSING ? null : String(k))) };
  }
  const col = columnOf(table, spec.column, what);
  if (isGroupKeyType(col.type)) {
    const { codes, keys } = groupCodes(col.data, spec.column);
    return { codes, labels: keys.map((k) => (k === null ? null : String(k))) };
  }
  const perRow = labelsPerRow(col);
  const index = new Map<string | null, number>();
  const labels: (string | null)[] = [];
  const codes = Int32Array.from(perRow, (l) => {
    let c = index.get(l);
    if (c === undefined) {
      c = labels.length;
      index.set(l, c);
      labels.push(l);
    }
    return c;
  });
  return { codes, labels };
}

/** True when a feature is one-hot encoded. */
export function isOneHot(spec: FeatureSpec): boolean {
  return spec.kind === 'one-hot' || (spec.kind === 'date-part' && (spec.encode ?? 'one-hot') === 'one-hot');
}

/** The values of a dense feature per row. */
export function denseColumn(table: Table, spec: FeatureSpec, what: string): Float64Array {
  if (spec.kind === 'date-part') return datePartColumn(table, spec.column, spec.part, what);
  return numericColumn(table, spec.column, what);
}

/** A feature's display name: `distance`, `hour(date)`, `origin`. */
export function featureName(spec: FeatureSpec): string {
  return spec.kind === 'date-part' ? `${spec.part}(${spec.column})` : spec.column;
}
