import {
  DateDay,
  Float16,
  Float64,
  Int32,
  Int64,
  Int8,
  makeData,
  makeVector,
  Table,
  tableFromArrays,
  tableFromIPC,
  tableToIPC,
  TimestampMicrosecond,
  Uint32,
  Uint64,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { numericValues } from './numeric-values';

/** The answer by the slow road: one `get` per row, nulls and NaNs counted as missing. */
function viaGet(column: Vector): { values: number[]; missing: number } {
  const values: number[] = [];
  let missing = 0;
  for (let i = 0; i < column.length; i++) {
    const v: unknown = column.get(i);
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) missing++;
    else values.push(Number(v as number | bigint));
  }
  return { values, missing };
}

function read(column: Vector): { values: number[]; missing: number } {
  const r = numericValues(column);
  return { values: Array.from(r.values), missing: r.missing };
}

/** Values with nulls every few rows, so slices start and end inside null-bitmap bytes. */
function withNulls(n: number, every: number): (number | null)[] {
  return Array.from({ length: n }, (_, i) => (i % every === 2 ? null : i * 1.5 - 40));
}

describe('numericValues', () => {
  it('reads Float64, Int32 and Int64 columns of a table built with tableFromArrays', () => {
    const table = tableFromArrays({
      f: new Float64Array([1.5, -2.25, 0, 1e300]),
      i: new Int32Array([2147483647, -2147483648, 0, 7]),
      b: new BigInt64Array([1n, -1n, 9007199254740991n, -9007199254740991n]),
    });
    expect(read(table.getChild('f')!)).toEqual({ values: [1.5, -2.25, 0, 1e300], missing: 0 });
    expect(read(table.getChild('i')!)).toEqual({ values: [2147483647, -2147483648, 0, 7], missing: 0 });
    expect(read(table.getChild('b')!)).toEqual({ values: [1, -1, 9007199254740991, -9007199254740991], missing: 0 });
  });

  it('reads negative Int64 values exactly, across the 32-bit word boundary', () => {
    const raw = [-1n, -2n, -(2n ** 32n), -(2n ** 32n) - 1n, -(2n ** 32n) + 1n, 2n ** 32n, 2n ** 32n + 1n, -(2n ** 53n) + 1n, -1_700_000_000_000_000n, 0n];
    const column = makeVector(new BigInt64Array(raw));
    expect(column.type).toBeInstanceOf(Int64);
    expect(read(column)).toEqual({ values: raw.map(Number), missing: 0 });
  });

  it('reads Uint64 values with the high bit set as positive', () => {
    const raw = [2n ** 63n, 2n ** 32n + 5n, 4294967295n, 2n ** 64n - 2n ** 11n];
    const column = makeVector(new BigUint64Array(raw));
    expect(column.type).toBeInstanceOf(Uint64);
    expect(read(column).values).toEqual([2 ** 63, 2 ** 32 + 5, 4294967295, 2 ** 64 - 2 ** 11]);
  });

  it('counts nulls and NaNs as missing in Float64, keeping infinities and -0', () => {
    const column = vectorFromArray([1, null, NaN, 3, Infinity, null, -Infinity, -0], new Float64());
    const r = numericValues(column);
    expect(r.missing).toBe(3);
    expect(Array.from(r.values)).toEqual([1, 3, Infinity, -Infinity, -0]);
    expect(Object.is(r.values[4], -0)).toBe(true);
    expect(r.values).toBeInstanceOf(Float64Array);
  });

  it('counts nulls in Int64 and Int32 columns', () => {
    expect(read(vectorFromArray([1n, null, -5n, null, 2n ** 40n], new Int64()))).toEqual({ values: [1, -5, 2 ** 40], missing: 2 });
    expect(read(vectorFromArray([null, -7, 8, null], new Int32()))).toEqual({ values: [-7, 8], missing: 2 });
  });

  it('reads Int8 and Uint32 extremes', () => {
    expect(read(vectorFromArray([-128, 127, -1], new Int8())).values).toEqual([-128, 127, -1]);
    expect(read(vectorFromArray([4294967295, 0, 2147483648], new Uint32())).values).toEqual([4294967295, 0, 2147483648]);
  });

  it('decodes Float16, including a subnormal, infinity and NaN', () => {
    // Half-float bit patterns: 1.5, -2, 65504 (largest), 2^-24 (smallest subnormal), -0, +Inf, NaN.
    const bits = new Uint16Array([0x3e00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x7e00]);
    const column = makeVector(makeData({ type: new Float16(), data: bits }));
    const r = numericValues(column);
    expect(Array.from(r.values)).toEqual([1.5, -2, 65504, 2 ** -24, -0, Infinity]);
    expect(r.missing).toBe(1);
    // The same through the builder, with a null.
    expect(read(vectorFromArray([0.5, null, -3.25], new Float16()))).toEqual({ values: [0.5, -3.25], missing: 1 });
  });

  it('reads timestamps as their stored unit (microseconds) and days as day numbers', () => {
    const micros = new BigInt64Array([1_104_537_600_000_000n, 1_700_000_000_123_456n, -1n]);
    const ts = makeVector(makeData({ type: new TimestampMicrosecond(), data: micros }));
    expect(String(ts.type)).toBe('Timestamp<MICROSECOND>');
    expect(read(ts).values).toEqual([1_104_537_600_000_000, 1_700_000_000_123_456, -1]);
    const days = makeVector(makeData({ type: new DateDay(), data: new Int32Array([19000, -3, 0]) }));
    expect(read(days).values).toEqual([19000, -3, 0]);
  });

  it('reads an empty column and an all-null column', () => {
    expect(read(makeVector(new Float64Array(0)))).toEqual({ values: [], missing: 0 });
    expect(read(vectorFromArray([null, null, null], new Int64()))).toEqual({ values: [], missing: 3 });
  });

  it('reads columns of sliced tables, with nulls on either side of the cut', () => {
    const table = new Table({
      f: vectorFromArray(withNulls(50, 5), new Float64()),
      b: vectorFromArray(withNulls(50, 3).map((v) => (v === null ? null : BigInt(Math.round(v * 2) - 100))), new Int64()),
      i: vectorFromArray(withNulls(50, 7).map((v) => (v === null ? null : Math.round(v))), new Int32()),
    });
    for (const [begin, end] of [[0, 50], [3, 11], [1, 2], [2, 3], [7, 49], [13, 13], [17, 41]] as const) {
      const slice = table.slice(begin, end);
      for (const name of ['f', 'b', 'i'] as const) {
        const col = slice.getChild(name)!;
        const got = read(col);
        expect(got, `${name}[${begin}, ${end})`).toEqual(viaGet(col));
        // And against the unsliced column, so a slice that read the wrong rows would show.
        const whole = viaGet(table.getChild(name)!.slice(begin, end));
        expect(got).toEqual(whole);
      }
    }
    // A slice that starts on a null: row 2 of `f` is null.
    expect(read(table.slice(2, 6).getChild('f')!)).toEqual({ values: [-35.5, -34, -32.5], missing: 1 });
  });

  it('reads a column made of several chunks, also sliced across the chunk boundary', () => {
    const first = new Table({ x: vectorFromArray([1, null, 3, 4, NaN], new Float64()), y: vectorFromArray([10n, 20n, null, -40n, 50n], new Int64()) });
    const second = new Table({ x: vectorFromArray([null, 7, 8], new Float64()), y: vectorFromArray([-60n, null, 80n], new Int64()) });
    const table = first.concat(second);
    expect(table.getChild('x')!.data).toHaveLength(2);
    expect(read(table.getChild('x')!)).toEqual({ values: [1, 3, 4, 7, 8], missing: 3 });
    expect(read(table.getChild('y')!)).toEqual({ values: [10, 20, -40, 50, -60, 80], missing: 2 });
    const across = table.slice(3, 7);
    expect(read(across.getChild('x')!)).toEqual({ values: [4, 7], missing: 2 });
    expect(read(across.getChild('y')!)).toEqual({ values: [-40, 50, -60], missing: 1 });
  });

  it('reads columns that came through an IPC round trip, as partitions do', () => {
    const table = new Table({
      f: vectorFromArray(withNulls(1000, 11), new Float64()),
      b: vectorFromArray(Array.from({ length: 1000 }, (_, i) => (i % 13 === 0 ? null : BigInt(i) * -123456789n)), new Int64()),
    });
    const back = tableFromIPC(tableToIPC(table.slice(101, 877), 'stream'));
    for (const name of ['f', 'b'] as const) {
      expect(read(back.getChild(name)!)).toEqual(viaGet(table.getChild(name)!.slice(101, 877)));
    }
  });
});
