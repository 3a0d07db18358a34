/** Reading a numeric Arrow column into plain float64 values, without a JS object per row. */
import { DataType, Precision, type Data, type Vector } from 'apache-arrow';

/** The valid values of a column, and how many were null or NaN. */
export interface NumericValues {
  readonly values: Float64Array;
  /** Nulls plus NaNs: both are "missing" to `describe`, as in pandas. */
  readonly missing: number;
}

const TWO_32 = 4294967296;

function isValid(data: Data, i: number): boolean {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.byteLength === 0) return true;
  const bit = data.offset + i;
  return ((data.nullBitmap[bit >> 3]! >> (bit & 7)) & 1) === 1;
}

/**
 * Reads one chunk. 64-bit integers are read as two 32-bit words, which is exact up to 2^53
 * (timestamps in microseconds reach about 1.7e15, well inside) and avoids a BigInt per value.
 * With `keepGaps`, every row is written at its own position (NaN where null); otherwise only
 * valid, non-NaN values are written, packed.
 */
function readChunk(data: Data<DataType>, out: Float64Array, at: number, keepGaps = false): { written: number; missing: number } {
  const n = data.length;
  const values: unknown = data.values;
  let written = 0;
  let missing = 0;
  const push = (v: number): void => {
    if (Number.isNaN(v)) {
      missing++;
      if (keepGaps) out[at + written++] = NaN;
    } else out[at + written++] = v;
  };
  const gap = (): void => {
    missing++;
    if (keepGaps) out[at + written++] = NaN;
  };
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    const signed = values instanceof BigInt64Array;
    for (let i = 0; i < n; i++) {
      if (!isValid(data, i)) {
        gap();
        continue;
      }
      const hi = words[2 * i + 1]!;
      push((signed ? hi : hi >>> 0) * TWO_32 + (words[2 * i]! >>> 0));
    }
  } else if (isHalfFloat(data.type)) {
    const halves = values as Uint16Array;
    for (let i = 0; i < n; i++) {
      if (!isValid(data, i)) gap();
      else push(float16ToNumber(halves[i]!));
    }
  } else {
    const arr = values as ArrayLike<number>;
    for (let i = 0; i < n; i++) {
      if (!isValid(data, i)) gap();
      else push(arr[i]!);
    }
  }
  return { written, missing };
}

function isHalfFloat(type: DataType): boolean {
  return DataType.isFloat(type) && (type as unknown as { precision: Precision }).precision === Precision.HALF;
}

function float16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** The valid values of a numeric column, in row order. */
export function numericValues(column: Vector): NumericValues {
  const out = new Float64Array(column.length);
  let at = 0;
  let missing = 0;
  for (const chunk of column.data) {
    const r = readChunk(chunk, out, at);
    at += r.written;
    missing += r.missing;
  }
  return { values: at === out.length ? out : out.subarray(0, at), missing };
}

/** A numeric column with one value per row, NaN where the row is null. */
export function numericValuesWithGaps(column: Vector): Float64Array {
  const out = new Float64Array(column.length);
  let at = 0;
  for (const chunk of column.data) at += readChunk(chunk, out, at, true).written;
  return out;
}
