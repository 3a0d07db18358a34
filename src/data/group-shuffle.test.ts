import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  Binary, Bool, DateDay, Decimal, Dictionary, Field, FixedSizeBinary, Float16, Float64, Int32, Int64, Int8, LargeUtf8, List, makeData, makeVector, Null, Table,
  tableFromIPC, tableToIPC, TimestampMillisecond, Uint32, Utf8, vectorFromArray, type Vector,
} from 'apache-arrow';
// Resolves to parquet-wasm's Node build, which needs no initialisation.
import { readParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { FabricError } from '../protocol/errors';
import { groupCodes } from './group-keys';
import { groupByKey, groupRows, groupSizes, groupTable, NULL_GROUP_KEY, type GroupedTable } from './group-shuffle';
import { numericValuesWithGaps } from './numeric-values';
import { PARQUET_BATCH_ROWS } from './read-table';

const FLIGHTS_PATH = fileURLToPath(new URL('../../node_modules/vega-datasets/data/flights-3m.parquet', import.meta.url));
const BIG = 2n ** 60n + 7n; // past 2^53: must survive as an exact 64-bit value

/** A partition of `n` rows starting at global row `at`, with every column type the shuffle moves. */
function partition(n: number, at: number, keyOf: (r: number) => string | null): Table {
  const rows = Array.from({ length: n }, (_, i) => at + i);
  const fsb = new Uint8Array(rows.flatMap((r) => [r & 255, (r * 7) & 255, 9]));
  return new Table({
    key: vectorFromArray(rows.map(keyOf), new Utf8()),
    id: vectorFromArray(rows.map((r) => (r % 5 === 4 ? null : BigInt(r) * BIG)), new Int64()),
    when: vectorFromArray(rows.map((r) => (r % 6 === 5 ? null : 1_700_000_000_000 + r * 60_000)), new TimestampMillisecond()),
    day: vectorFromArray(rows.map((r) => 19_000 + r), new DateDay()),
    score: vectorFromArray(rows.map((r) => (r % 4 === 3 ? null : r % 7 === 0 ? NaN : r / 8)), new Float64()),
    small: vectorFromArray(rows.map((r) => (r % 3) - 1), new Int8()),
    half: vectorFromArray(rows.map((r) => r / 4), new Float16()),
    flag: vectorFromArray(rows.map((r) => (r % 9 === 8 ? null : r % 2 === 0)), new Bool()),
    note: vectorFromArray(rows.map((r) => (r % 8 === 7 ? null : `note ${'é'.repeat(r % 3)}${r}${r % 10 === 0 ? 'x'.repeat(40) : ''}`)), new LargeUtf8()),
    blob: vectorFromArray(rows.map((r) => (r % 11 === 10 ? null : new Uint8Array([r & 255, 1]))), new Binary()),
    fixed: makeVector(makeData({ type: new FixedSizeBinary(3), length: n, data: fsb })),
    tag: vectorFromArray(rows.map((r) => (r % 10 === 9 ? null : `t${r % 3}`)), new Dictionary(new Utf8(), new Int32())),
    money: makeVector(makeData({ type: new Decimal(2, 20, 128), length: n, data: new Uint32Array(rows.flatMap((r) => [r * 101, r, 0, 0])) })),
    nothing: makeVector(makeData({ type: new Null(), length: n })),
  });
}

/** Every value of a column across partitions, in order, as Arrow's `get` gives it. */
function valuesOf(tables: readonly Table[], name: string): unknown[] {
  return tables.flatMap((t) => [...(t.getChild(name) as Vector)]);
}

/** Checks the invariants of a grouping against its input, value by value. */
function expectFaithful(grouped: GroupedTable, tables: readonly Table[], keyOf: (v: unknown) => string): void {
  const rows = tables.reduce((s, t) => s + t.numRows, 0);
  expect(grouped.table.numRows).toBe(rows);
  expect(grouped.table.batches).toHaveLength(rows === 0 ? 0 : 1);
  // Every input row appears exactly once.
  expect([...grouped.sourceRow].sort((a, b) => a - b)).toEqual(Array.from({ length: rows }, (_, i) => i));
  const keys = valuesOf(tables, grouped.key);
  grouped.keys.forEach((key, g) => {
    const source = [...grouped.sourceRow.subarray(grouped.groupStart[g], grouped.groupStart[g + 1])];
    // Input order within the group, and only the group's rows.
    expect(source).toEqual([...source].sort((a, b) => a - b));
    expect(source.map((r) => keyOf(keys[r]))).toEqual(source.map(() => key));
    expect(groupRows(grouped, g)).toBe(source.length);
  });
  for (const field of grouped.table.schema.fields) {
    const input = valuesOf(tables, field.name);
    const output = [...(grouped.table.getChild(field.name) as Vector)];
    expect(output).toEqual([...grouped.sourceRow].map((r) => input[r]));
    expect(grouped.table.getChild(field.name)!.nullCount).toBe(input.filter((v) => v === null).length);
  }
}

const keyText = (v: unknown): string => (v === null ? NULL_GROUP_KEY : String(v));

describe('groupByKey on small tables', () => {
  const keyOf = (r: number): string | null => (r % 13 === 12 ? null : ['delta', 'alpha', 'charlie', 'bravo'][(r * 3) % 4]!);
  const tables = [partition(17, 0, keyOf), partition(1, 17, keyOf), partition(30, 18, keyOf).slice(3, 26)];

  it('puts each row once in its group, groups sorted by key with the null group last', () => {
    const grouped = groupByKey(tables, 'key');
    expect(grouped.keys).toEqual(['alpha', 'bravo', 'charlie', 'delta', NULL_GROUP_KEY]);
    expect(grouped.nullGroup).toBe(4);
    expect(grouped.groupStart[grouped.keys.length]).toBe(41);
    expectFaithful(grouped, tables, keyText);
  });

  it('keeps exact 64-bit values, timestamps, NaN and nulls', () => {
    const grouped = groupByKey(tables, 'key');
    const ids = [...grouped.table.getChild('id')!] as (bigint | null)[];
    expect(ids).toContain(3n * BIG);
    const scores = [...grouped.table.getChild('score')!] as (number | null)[];
    expect(scores.filter((v) => Number.isNaN(v))).toHaveLength(valuesOf(tables, 'score').filter((v) => Number.isNaN(v)).length);
    expect(String(grouped.table.getChild('when')!.type)).toBe('Timestamp<MILLISECOND>');
  });

  it('gives each group as a zero-copy slice that survives an IPC round trip', () => {
    const grouped = groupByKey(tables, 'key');
    const alpha = groupTable(grouped, 0);
    expect(alpha.numRows).toBe(groupRows(grouped, 0));
    expect(alpha.getChild('note')!.data[0]!.values.buffer).toBe(grouped.table.getChild('note')!.data[0]!.values.buffer);
    const back = tableFromIPC(tableToIPC(alpha, 'stream'));
    expect(back.toArray().map((r) => r.toJSON())).toEqual(alpha.toArray().map((r) => r.toJSON()));
    expect([...back.getChild('key')!]).toEqual(Array.from({ length: alpha.numRows }, () => 'alpha'));
    expect(groupSizes(grouped).map((s) => s.rows)).toEqual(grouped.keys.map((_, g) => groupRows(grouped, g)));
    expect(() => groupTable(grouped, 5)).toThrow(/group index must be a whole number from 0 to 4, got 5/);
  });

  it('carries only the listed columns, in the listed order', () => {
    const grouped = groupByKey(tables, 'key', { columns: ['score', 'id'] });
    expect(grouped.table.schema.fields.map((f) => f.name)).toEqual(['score', 'id']);
    expect(grouped.keys).toEqual(['alpha', 'bravo', 'charlie', 'delta', NULL_GROUP_KEY]);
  });

  it('groups by integer keys numerically, including 64-bit keys past 2^53', () => {
    const ints = [0, 1].map((p) => new Table({ k: vectorFromArray([10, -2, null, 10, 3].map((v) => (v === null ? null : v + p)), new Int32()), v: vectorFromArray([1, 2, 3, 4, 5], new Float64()) }));
    const g32 = groupByKey(ints, 'k');
    expect(g32.keys).toEqual(['-2', '-1', '3', '4', '10', '11', NULL_GROUP_KEY]);
    expectFaithful(g32, ints, keyText);
    const wide = [new Table({ k: vectorFromArray([BIG, 5n, null, BIG, -BIG, 5n], new Int64()) })];
    const g64 = groupByKey(wide, 'k');
    expect(g64.keys).toEqual([String(-BIG), '5', String(BIG), NULL_GROUP_KEY]);
    expectFaithful(g64, wide, keyText);
    // Unsigned keys spread too wide for the lookup table go through the Map.
    const sparse = [new Table({ k: vectorFromArray([4_000_000_000, 7, 4_000_000_000], new Uint32()) })];
    expect(groupByKey(sparse, 'k').keys).toEqual(['7', '4000000000']);
  });

  it('groups by LargeUtf8 and by dictionary keys whose dictionaries differ between partitions', () => {
    const large = [new Table({ k: vectorFromArray(['b', 'a', null, 'b', 'ü', ''], new LargeUtf8()) })];
    const gl = groupByKey(large, 'k');
    expect(gl.keys).toEqual(['', 'a', 'b', 'ü', NULL_GROUP_KEY]);
    expectFaithful(gl, large, keyText);
    const dict = new Dictionary(new Utf8(), new Int32());
    const parts = [
      new Table({ k: vectorFromArray(['x', 'y', null, 'x'], dict), n: vectorFromArray([1, 2, 3, 4], new Int32()) }),
      new Table({ k: vectorFromArray(['z', 'x', 'z'], dict), n: vectorFromArray([5, 6, 7], new Int32()) }),
    ];
    const gd = groupByKey(parts, 'k');
    expect(gd.keys).toEqual(['x', 'y', 'z', NULL_GROUP_KEY]);
    expectFaithful(gd, parts, keyText);
    expect([...gd.table.getChild('n')!]).toEqual([1, 4, 6, 2, 5, 7, 3]);
  });

  it('handles one row, and partitions with no rows', () => {
    const one = [partition(1, 0, () => 'only'), partition(0, 1, () => 'never')];
    const grouped = groupByKey(one, 'key');
    expect(grouped.keys).toEqual(['only']);
    expect(grouped.nullGroup).toBe(-1);
    expectFaithful(grouped, one, keyText);
    const none = groupByKey([partition(0, 0, () => 'never')], 'key');
    expect(none.keys).toEqual([]);
    expect(none.table.numRows).toBe(0);
    expect([...none.groupStart]).toEqual([0]);
  });

  it('rejects bad input with bad-input errors that say what to do', () => {
    const err = (f: () => unknown): FabricError => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(FabricError);
        expect((e as FabricError).code).toBe('bad-input');
        return e as FabricError;
      }
      throw new Error('expected a FabricError');
    };
    expect(err(() => groupByKey([], 'key')).message).toMatch(/tables is empty; pass the dataset's partitions/);
    expect(err(() => groupByKey(tables, 'nope')).message).toMatch(/column "nope" is not in the dataset; its columns are: key, id, when/);
    expect(err(() => groupByKey(tables, 'score')).message).toMatch(/key column "score" is Float64; a group key must be text \(Utf8, LargeUtf8\), an integer, or a dictionary of those/);
    expect(err(() => groupByKey(tables, 'key', { columns: ['id', 'id'] })).message).toMatch(/lists a column twice/);
    const other = new Table({ key: vectorFromArray([1], new Int32()) });
    expect(err(() => groupByKey([tables[0]!.select(['key']), other], 'key')).message).toMatch(/partition 1 has column "key" as Int32, but partition 0 has Utf8/);
    const nested = new Table({ key: vectorFromArray(['a']), list: vectorFromArray([[1, 2]], new List(new Field('item', new Float64()))) });
    expect(err(() => groupByKey([nested], 'key')).message).toMatch(/column "list" is List.*Leave it out with options\.columns/);
    expect(groupByKey([nested], 'key', { columns: ['key'] }).keys).toEqual(['a']);
  });
});

describe('groupByKey on flights-3m', () => {
  it('groups 3,000,000 rows into the 229 origins, each row once and in order', () => {
    const bytes = new Uint8Array(readFileSync(FLIGHTS_PATH));
    const flights = tableFromIPC(readParquet(bytes, { batchSize: PARQUET_BATCH_ROWS }).intoIPCStream());
    // The 30 partitions of 100,000 rows that load() makes.
    const parts = Array.from({ length: 30 }, (_, p) => flights.slice(p * 100_000, (p + 1) * 100_000));
    const started = performance.now();
    const grouped = groupByKey(parts, 'origin');
    const ms = performance.now() - started;

    expect(grouped.keys).toHaveLength(229);
    expect(grouped.nullGroup).toBe(-1);
    expect(grouped.keys).toEqual([...grouped.keys].sort());
    const sizes = groupSizes(grouped).map((s) => s.rows);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(3_000_000);
    const largest = Math.max(...sizes);
    const smallest = Math.min(...sizes);
    console.info(`groupByKey(flights-3m, 'origin'): ${ms.toFixed(0)} ms; groups 229; largest ${grouped.keys[sizes.indexOf(largest)]} ${largest} rows; smallest ${grouped.keys[sizes.indexOf(smallest)]} ${smallest} rows`);
    expect(largest).toBeGreaterThan(100_000);
    expect(smallest).toBeLessThan(1_000);

    // Each input row exactly once, and in input order within its group.
    const seen = new Uint8Array(3_000_000);
    for (const r of grouped.sourceRow) seen[r]!++;
    expect(seen.every((c) => c === 1)).toBe(true);
    for (let g = 0; g < 229; g++) {
      for (let j = grouped.groupStart[g]! + 1; j < grouped.groupStart[g + 1]!; j++) {
        if (grouped.sourceRow[j]! <= grouped.sourceRow[j - 1]!) throw new Error(`group ${grouped.keys[g]} is out of order at row ${j}`);
      }
    }
    // Every output row's origin is its group's key, and its other columns are its source row's.
    const { codes, keys } = groupCodes(grouped.table.getChild('origin')!.data, 'origin');
    for (let g = 0; g < 229; g++) {
      const code = codes[grouped.groupStart[g]!]!;
      expect(keys[code]).toBe(grouped.keys[g]);
      expect(codes.subarray(grouped.groupStart[g], grouped.groupStart[g + 1]).every((c) => c === code)).toBe(true);
    }
    for (const name of ['date', 'delay', 'distance']) {
      const input = numericValuesWithGaps(flights.getChild(name)!);
      const output = numericValuesWithGaps(grouped.table.getChild(name)!);
      expect(output.every((v, j) => v === input[grouped.sourceRow[j]!])).toBe(true);
    }
    const destination = flights.getChild('destination')!;
    const moved = grouped.table.getChild('destination')!;
    for (let j = 0; j < 3_000_000; j += 997) expect(moved.get(j)).toBe(destination.get(grouped.sourceRow[j]!));
  });
});
