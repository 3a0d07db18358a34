/**
 * The results of a fitGroups job: one row per group, in key order, and the same table as Arrow,
 * Arrow IPC and CSV for download (Parquet in group-export.ts, which needs parquet-wasm).
 * Columns: the key, rows, status, message, one column per coefficient, one per metric (or per
 * custom value), fit_ms and node.
 */
import { makeVector, tableToIPC, Table, type Vector } from 'apache-arrow';
import { utf8Vector } from '../../data/arrow-vectors';
import type { GroupModel } from '../../protocol/groups';

/** One group's row of the results table. */
export interface GroupResultRow {
  readonly key: string;
  /** Rows the fit used. */
  readonly rows: number;
  /** `ok`, a fit status (`too-few-rows`, `singular`, ...), `group-too-large`, or `failed`. */
  readonly status: string;
  /** Why the status is not `ok`, and what to do; empty when ok. */
  readonly message: string;
  /** One per {@link GroupResults.coefficientNames}; null unless the status is `ok`. */
  readonly coefficients: readonly (number | null)[];
  /** By {@link GroupResults.metricNames}: RMSE and R², or log loss and AUC. */
  readonly metrics: Readonly<Record<string, number | null>>;
  /** A custom group task's values, by {@link GroupResults.valueNames}. */
  readonly values: Readonly<Record<string, number | string | boolean | null>>;
  /** Milliseconds the fit took on its slot. */
  readonly fitMs: number;
  /** The node that fitted it ('' for a group over the memory budget, which no node ran). */
  readonly node: string;
}

/** What a fitGroups job returns. */
export interface GroupResults {
  /** The group key's column. */
  readonly key: string;
  readonly model: GroupModel;
  /** Coefficient names, `intercept` last when fitted (softmax: `<class>: <name>`). */
  readonly coefficientNames: readonly string[];
  /** Metric names in display order: `rmse`, `r2` or `logLoss`, `auc`. */
  readonly metricNames: readonly string[];
  /** Value names of a custom task, in first-seen order. */
  readonly valueNames: readonly string[];
  /** One row per group, in key order. */
  readonly rows: readonly GroupResultRow[];
  /** Rows of the dataset over all groups. */
  readonly totalRows: number;
  /** Tasks the groups were packed into. */
  readonly tasks: number;
  /** Groups per node id. */
  readonly groupsByNode: Readonly<Record<string, number>>;
  /** Wall time of the job, ms (shuffle included). */
  readonly ms: number;
  /** Wall time of the shuffle alone, ms. */
  readonly shuffleMs: number;
}

/** Progress of a running job. */
export interface GroupProgress {
  readonly groupsDone: number;
  readonly groups: number;
  readonly rowsFitted: number;
  readonly rows: number;
  readonly ms: number;
}

function numbers(values: readonly (number | null)[]): Vector {
  return makeVector(Float64Array.from(values, (v) => (v === null ? NaN : v)));
}

function texts(values: readonly string[]): Vector {
  return utf8Vector(values);
}

/** The results as an Arrow table (NaN where a number is missing). */
export function groupResultsToArrow(r: GroupResults): Table {
  const cols: Record<string, Vector> = {};
  cols[r.key] = texts(r.rows.map((g) => g.key));
  cols.rows = makeVector(Int32Array.from(r.rows, (g) => g.rows));
  cols.status = texts(r.rows.map((g) => g.status));
  cols.message = texts(r.rows.map((g) => g.message));
  r.coefficientNames.forEach((n, i) => (cols[n] = numbers(r.rows.map((g) => g.coefficients[i] ?? null))));
  for (const m of r.metricNames) cols[m] = numbers(r.rows.map((g) => g.metrics[m] ?? null));
  for (const v of r.valueNames) {
    const raw = r.rows.map((g) => g.values[v] ?? null);
    cols[v] = raw.every((x) => x === null || typeof x === 'number')
      ? numbers(raw as (number | null)[])
      : texts(raw.map((x) => (x === null ? '' : String(x))));
  }
  cols.fit_ms = makeVector(Float64Array.from(r.rows, (g) => g.fitMs));
  cols.node = texts(r.rows.map((g) => g.node));
  return new Table(cols);
}


/** The results as Arrow IPC (stream format) bytes. */
export function groupResultsToIpc(r: GroupResults): Uint8Array {
  return tableToIPC(groupResultsToArrow(r), 'stream');
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isNaN(v) ? '' : String(v);
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The results as CSV: a header row, then one line per group; empty cells where a number is missing. */
export function groupResultsToCsv(r: GroupResults): string {
  const header = [r.key, 'rows', 'status', 'message', ...r.coefficientNames, ...r.metricNames, ...r.valueNames, 'fit_ms', 'node'];
  const lines = [header.map(csvCell).join(',')];
  for (const g of r.rows) {
    lines.push([g.key, g.rows, g.status, g.message, ...g.coefficients, ...r.metricNames.map((m) => g.metrics[m] ?? null),
      ...r.valueNames.map((v) => g.values[v] ?? null), g.fitMs, g.node].map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}
