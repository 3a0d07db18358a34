/**
 * Reading Arrow buffers directly: validity bits and value offsets, without a JS object per row.
 * Shared by the group shuffle's key coding and column moves.
 */
import type { Data } from 'apache-arrow';

/** 2^32, for joining two 32-bit words into one number. */
export const TWO_32 = 4294967296;

/** The largest 32-bit signed integer: the limit of Utf8 offsets and Int32Array positions. */
export const MAX_INT32 = 2147483647;

/** True when row `i` of a chunk is valid (not null). Bits count from the chunk's offset. */
export function isValidRow(data: Data, i: number): boolean {
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.byteLength === 0 || data.nullCount === 0) return true;
  const bit = data.offset + i;
  return ((bitmap[bit >> 3]! >> (bit & 7)) & 1) === 1;
}

/** Value offsets readable as `offsets[i * step]`. */
export interface OffsetView {
  readonly offsets: Int32Array | Float64Array;
  readonly step: 1 | 2;
}

/**
 * A variable-width chunk's value offsets: offset `i` is `offsets[i * step]`. 64-bit offsets
 * (LargeUtf8, LargeBinary) are read through their low 32-bit words (`step` 2), which is exact
 * while the chunk's bytes stay under 2 GiB and avoids a BigInt per row; a larger chunk's offsets
 * are copied into a Float64Array once.
 */
export function offsetView(data: Data): OffsetView {
  const offsets: unknown = data.valueOffsets;
  if (!(offsets instanceof BigInt64Array)) return { offsets: offsets as Int32Array, step: 1 };
  const words = new Int32Array(offsets.buffer, offsets.byteOffset, offsets.length * 2);
  // Offsets only grow, so the last one bounds them all.
  const last = 2 * data.length;
  if (words[last + 1] === 0 && words[last]! >= 0) return { offsets: words, step: 2 };
  const wide = new Float64Array(data.length + 1);
  for (let i = 0; i <= data.length; i++) wide[i] = words[2 * i + 1]! * TWO_32 + (words[2 * i]! >>> 0);
  return { offsets: wide, step: 1 };
}
