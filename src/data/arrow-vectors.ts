/**
 * Arrow vectors built straight from their buffers. apache-arrow's `vectorFromArray` and
 * `tableFromArrays` compile a null check with `new Function`, which the pages' Content-Security-
 * Policy forbids (no 'unsafe-eval'), so Fabric builds the few vectors it makes from JS values here.
 */
import { Bool, DateMillisecond, Float64, makeData, makeVector, Utf8, type Vector } from 'apache-arrow';

/** A validity bitmap (bit set = present), or none when nothing is missing. */
function validity(length: number, missing: (i: number) => boolean): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  const bitmap = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < length; i++) {
    if (missing(i)) nullCount += 1;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { nullBitmap: nullCount > 0 ? bitmap : undefined, nullCount };
}

/** Text, with null for a missing value. */
export function utf8Vector(values: readonly (string | null | undefined)[]): Vector<Utf8> {
  const encoder = new TextEncoder();
  const parts = values.map((v) => (v === null || v === undefined ? new Uint8Array(0) : encoder.encode(v)));
  const valueOffsets = new Int32Array(values.length + 1);
  parts.forEach((p, i) => (valueOffsets[i + 1] = valueOffsets[i]! + p.length));
  const data = new Uint8Array(valueOffsets[values.length]!);
  parts.forEach((p, i) => data.set(p, valueOffsets[i]!));
  const { nullBitmap, nullCount } = validity(values.length, (i) => values[i] === null || values[i] === undefined);
  return makeVector(makeData({ type: new Utf8(), length: values.length, nullCount, nullBitmap, valueOffsets, data }));
}

/** Booleans, with null for a missing value. */
export function boolVector(values: readonly (boolean | null | undefined)[]): Vector<Bool> {
  const data = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v === true) data[i >> 3]! |= 1 << (i & 7);
  });
  const { nullBitmap, nullCount } = validity(values.length, (i) => values[i] === null || values[i] === undefined);
  return makeVector(makeData({ type: new Bool(), length: values.length, nullCount, nullBitmap, data }));
}

/** Numbers as float64, with null for a missing value. */
export function float64Vector(values: readonly (number | null | undefined)[]): Vector<Float64> {
  const data = Float64Array.from(values, (v) => (v === null || v === undefined ? 0 : v));
  const { nullBitmap, nullCount } = validity(values.length, (i) => values[i] === null || values[i] === undefined);
  return makeVector(makeData({ type: new Float64(), length: values.length, nullCount, nullBitmap, data }));
}

/** Dates as milliseconds since the epoch, with null for a missing value. */
export function dateVector(values: readonly (Date | null | undefined)[]): Vector<DateMillisecond> {
  const data = new BigInt64Array(values.length);
  values.forEach((v, i) => {
    if (v) data[i] = BigInt(v.getTime());
  });
  const { nullBitmap, nullCount } = validity(values.length, (i) => !values[i]);
  return makeVector(makeData({ type: new DateMillisecond(), length: values.length, nullCount, nullBitmap, data: data as unknown as Int32Array }));
}
