/**
 * The single-thread reference for `describe`, computed in Node straight from the Parquet file,
 * with code that shares nothing with Fabric's: every value is read through Arrow's own accessors
 * and summed in one pass over the whole column.
 */
import { readFileSync } from 'node:fs';
import { tableFromIPC, type Table } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { expect } from '@playwright/test';
import type { RenderedColumn } from './pages';

/** One column's reference statistics, in the shape the page's table is read back in. */
export type ReferenceColumn = RenderedColumn;

let cached: ReferenceColumn[] | undefined;
let table: Table | undefined;

/** flights-3m as one Arrow table, read in Node with parquet-wasm. */
export function flightsTable(): Table {
  table ??= tableFromIPC(readParquet(readFileSync(new URL('../node_modules/vega-datasets/data/flights-3m.parquet', import.meta.url))).intoIPCStream());
  return table;
}

/** Reference statistics of flights-3m's numeric columns. */
export function flightsReference(): ReferenceColumn[] {
  if (cached) return cached;
  const flights = flightsTable();
  cached = ['date', 'delay', 'distance'].map((name) => {
    const column = flights.getChild(name)!;
    const values: number[] = [];
    let nulls = 0;
    for (const chunk of column.data) {
      // Raw 64-bit values: the timestamp accessor would round microseconds to milliseconds.
      const raw = chunk.values as BigInt64Array;
      for (let i = 0; i < chunk.length; i++) {
        if (!chunk.getValid(i)) nulls++;
        else values.push(Number(raw[i]));
      }
    }
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const mean = sum / values.length;
    let ss = 0;
    for (const v of values) ss += (v - mean) ** 2;
    return { name, count: values.length, nulls, mean, std: Math.sqrt(ss / (values.length - 1)), min, max };
  });
  return cached;
}

/** Counts, min and max exact; mean and std to 1e-9 relative, as the issue asks. */
export function expectMatchesReference(got: RenderedColumn[]): void {
  const want = flightsReference();
  expect(got.map((c) => c.name)).toEqual(want.map((c) => c.name));
  for (const ref of want) {
    const col = got.find((c) => c.name === ref.name)!;
    expect(col.count, `${ref.name} count`).toBe(ref.count);
    expect(col.nulls, `${ref.name} nulls`).toBe(ref.nulls);
    expect(col.min, `${ref.name} min`).toBe(ref.min);
    expect(col.max, `${ref.name} max`).toBe(ref.max);
    expect(Math.abs(col.mean - ref.mean) / Math.abs(ref.mean), `${ref.name} mean ${col.mean} vs ${ref.mean}`).toBeLessThan(1e-9);
    expect(Math.abs(col.std - ref.std) / Math.abs(ref.std), `${ref.name} std ${col.std} vs ${ref.std}`).toBeLessThan(1e-9);
  }
}
