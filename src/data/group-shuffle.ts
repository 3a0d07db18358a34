/**
 * The group shuffle of fitGroups (Spark's `groupBy(key)` before `applyInPandas`): the rows of all
 * partitions, reordered so that each group's rows sit together, in one Arrow record batch. A group
 * is then a zero-copy `table.slice` of it ({@link groupTable}).
 *
 * How: one group code per row from the key column's raw buffers (group-keys.ts), a stable
 * counting sort of the rows by group, then each column moved with typed arrays
 * (column-scatter.ts). No row ever becomes a JS object, and nothing here is per-row work in JS
 * beyond a few typed-array reads and writes.
 *
 * Group order is by key, not by first appearance, so it depends on the data only: a different
 * partitioning of the same rows gives the same groups in the same order. Text keys sort in
 * JavaScript string order (UTF-16 code units, not locale), integers numerically, and the null
 * group, if any, comes last. Within a group, rows keep their input order (partitions in order,
 * then rows within each).
 */
import { Data, RecordBatch, Schema, Struct, Table, type Field } from 'apache-arrow';
import { FabricError } from '../protocol/errors';
import { scatterColumn } from './column-scatter';
import { groupCodes, type GroupKeyValue } from './group-keys';

/** The display key of the group of rows whose key is null. */
export const NULL_GROUP_KEY = '(null)';

/** Options of {@link groupByKey}. */
export interface GroupByKeyOptions {
  /**
   * Columns to carry, in this order; all columns when omitted. The key column is not added
   * unless listed: each group's key is in {@link GroupedTable.keys}.
   */
  readonly columns?: readonly string[] | undefined;
  /**
   * Chooses the order of the groups in the output, given each group's row count in key order:
   * returns group indices (into that key order), each once. fitGroups passes its task plan, so
   * each task's groups are adjacent and a task is one zero-copy slice. Key order when omitted.
   * It must be a permutation: every group appears once.
   */
  readonly arrange?: ((sizes: readonly number[]) => readonly number[]) | undefined;
}

/** All rows grouped by key: one reordered table, and where each group starts. */
export interface GroupedTable {
  /** Every input row once, grouped, in one record batch. */
  readonly table: Table;
  /** The key column's name. */
  readonly key: string;
  /** Each group's key as text (integers in decimal), {@link NULL_GROUP_KEY} for the null group. */
  readonly keys: readonly string[];
  /** Group `g` is rows `groupStart[g]` to `groupStart[g + 1] - 1` of `table`; length groups + 1. */
  readonly groupStart: Int32Array;
  /** The index of the null group, or -1 when no key is null (a text key may also read "(null)"). */
  readonly nullGroup: number;
  /** For each row of `table`, its row index in the input (partitions concatenated in order). */
  readonly sourceRow: Int32Array;
  /** For each group of the output, its position in key order (the identity without `arrange`). */
  readonly keyRank: Int32Array;
}

/** Rows the shuffle handles: its row positions are Int32Array entries. */
const MAX_ROWS = 2 ** 31 - 1;

function compareKeys(a: GroupKeyValue, b: GroupKeyValue): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

function checkSchemas(tables: readonly Table[], names: readonly string[]): Field[] {
  const first = tables[0]!.schema;
  const fields = names.map((name) => {
    const field = first.fields.find((f) => f.name === name);
    if (!field) {
      throw new FabricError('bad-input', `groupByKey: column "${name}" is not in the dataset; its columns are: ${first.fields.map((f) => f.name).join(', ')}`);
    }
    return field;
  });
  tables.forEach((t, p) => {
    for (const field of fields) {
      const other = t.schema.fields.find((f) => f.name === field.name);
      if (!other || String(other.type) !== String(field.type)) {
        throw new FabricError('bad-input', `groupByKey: partition ${p} has column "${field.name}" as ${other ? String(other.type) : 'missing'}, but partition 0 has ${String(field.type)}; all partitions must share one schema`);
      }
    }
  });
  return fields;
}

/** The chunks of one column across all partitions, in order. */
function chunksOf(tables: readonly Table[], name: string): Data[] {
  return tables.flatMap((t) => t.getChild(name)?.data ?? []);
}

/** One record batch holding every column moved to `dest`. */
function shuffledTable(tables: readonly Table[], schema: Schema, dest: Int32Array): Table {
  const children = schema.fields.map((f) => scatterColumn(chunksOf(tables, f.name), dest, f.name));
  return new Table(schema, [new RecordBatch(schema, new Data(new Struct(schema.fields), 0, dest.length, 0, undefined, children))]);
}

/**
 * Groups the rows of `tables` (the partitions of one dataset, in order) by the `key` column: text
 * (Utf8, LargeUtf8), integer, or a dictionary of those. Rows whose key is null form one group,
 * shown as {@link NULL_GROUP_KEY} and placed last. Throws `bad-input` for a missing column, a key
 * of another type, partitions with different schemas, or a column type the shuffle cannot move.
 */
export function groupByKey(tables: readonly Table[], key: string, options: GroupByKeyOptions = {}): GroupedTable {
  if (tables.length === 0) throw new FabricError('bad-input', 'groupByKey: tables is empty; pass the dataset\'s partitions, at least one');
  const names = options.columns ?? tables[0]!.schema.fields.map((f) => f.name);
  if (new Set(names).size !== names.length) throw new FabricError('bad-input', `groupByKey: options.columns lists a column twice: ${names.join(', ')}`);
  const fields = checkSchemas(tables, names);
  checkSchemas(tables, [key]);
  const rows = tables.reduce((s, t) => s + t.numRows, 0);
  if (rows > MAX_ROWS) throw new FabricError('bad-input', `groupByKey: ${rows} rows is more than the ${MAX_ROWS} one shuffle holds; group a sample, or split the job by a coarser key first`);

  const { codes, keys } = groupCodes(chunksOf(tables, key), key);
  const byKey = keys.map((_, c) => c).sort((a, b) => compareKeys(keys[a]!, keys[b]!));
  const perCode = new Int32Array(keys.length);
  for (let r = 0; r < rows; r++) perCode[codes[r]!]! += 1;
  const arranged = arrangeGroups(options.arrange, byKey.map((c) => perCode[c]!));
  const order = arranged.map((k) => byKey[k]!);
  // rank[code]: the group's position in the output.
  const rank = new Int32Array(keys.length);
  order.forEach((c, g) => (rank[c] = g));

  // Stable counting sort: `dest[r]` is row r's position in the output.
  const groupStart = new Int32Array(order.length + 1);
  order.forEach((c, g) => (groupStart[g + 1] = groupStart[g]! + perCode[c]!));
  const cursor = groupStart.slice(0, order.length);
  const dest = codes;
  const sourceRow = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const g = rank[codes[r]!]!;
    const d = cursor[g]!;
    cursor[g] = d + 1;
    dest[r] = d;
    sourceRow[d] = r;
  }

  const schema = new Schema(fields, tables[0]!.schema.metadata);
  const sortedKeys = order.map((c) => keys[c] as GroupKeyValue);
  return {
    table: rows === 0 ? new Table(schema) : shuffledTable(tables, schema, dest),
    key,
    keys: sortedKeys.map((k) => (k === null ? NULL_GROUP_KEY : String(k))),
    groupStart,
    nullGroup: sortedKeys.indexOf(null),
    sourceRow,
    keyRank: Int32Array.from(arranged),
  };
}

/** Checks an `arrange` result: group indices in range, each at most once. */
function arrangeGroups(arrange: GroupByKeyOptions['arrange'], sizes: readonly number[]): number[] {
  if (!arrange) return sizes.map((_, g) => g);
  const order = [...arrange(sizes)];
  if (order.length !== sizes.length) {
    throw new FabricError('internal', `groupByKey: options.arrange returned ${order.length} groups for ${sizes.length}; it must order every group once`);
  }
  const seen = new Uint8Array(sizes.length);
  for (const g of order) {
    if (!Number.isInteger(g) || g < 0 || g >= sizes.length || seen[g]) {
      throw new FabricError('internal', `groupByKey: options.arrange returned group ${g}; each of 0 to ${sizes.length - 1} may appear once`);
    }
    seen[g] = 1;
  }
  return order;
}

/** Rows in group `g`. */
export function groupRows(grouped: GroupedTable, g: number): number {
  return grouped.groupStart[g + 1]! - grouped.groupStart[g]!;
}

/** Group `g` as a table: a zero-copy slice of the grouped table. */
export function groupTable(grouped: GroupedTable, g: number): Table {
  if (!Number.isInteger(g) || g < 0 || g >= grouped.keys.length) {
    throw new FabricError('bad-input', `groupTable: group index must be a whole number from 0 to ${grouped.keys.length - 1}, got ${g}`);
  }
  return grouped.table.slice(grouped.groupStart[g]!, grouped.groupStart[g + 1]!);
}

/** Every group's index and row count: the input of `planGroupTasks`. */
export function groupSizes(grouped: GroupedTable): { index: number; rows: number }[] {
  return grouped.keys.map((_, g) => ({ index: g, rows: groupRows(grouped, g) }));
}
