/**
 * Moving a column's rows to new positions with typed arrays: row `r` of the chunks, counted across
 * them in order, goes to row `dest[r]` of one new chunk. Sources are read in order and each
 * group's destination rows are written in order, so both sides stream through memory. No row
 * becomes a JS object; 64-bit values move as two 32-bit words, never as BigInts.
 */
import { Data, DataType, makeData, makeVector, Vector, type Dictionary } from 'apache-arrow';
import { utf8Vector } from './arrow-vectors';
import { FabricError } from '../protocol/errors';
import { isValidRow, MAX_INT32, offsetView } from './arrow-buffers';

/** Bytes per row of a fixed-width type, or 0 when the type is not fixed-width. */
function fixedWidth(type: DataType): number {
  if (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDate(type) || DataType.isTimestamp(type) || DataType.isTime(type) || DataType.isDuration(type)) {
    return (type.ArrayType as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  }
  if (DataType.isDecimal(type)) return type.bitWidth / 8;
  if (DataType.isFixedSizeBinary(type)) return type.byteWidth;
  return 0;
}

/** A view of a typed array as words of `width` bytes (4 when it divides and aligns). */
function wordsOf(array: ArrayBufferView, wordBytes: number): Uint8Array | Uint16Array | Int32Array {
  const length = array.byteLength / wordBytes;
  if (wordBytes === 4) return new Int32Array(array.buffer, array.byteOffset, length);
  if (wordBytes === 2) return new Uint16Array(array.buffer, array.byteOffset, length);
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** A chunk's fixed-width values and its row count. */
interface FixedSource {
  readonly values: ArrayBufferView;
  readonly length: number;
}

function scatterFixed(sources: readonly FixedSource[], dest: Int32Array, width: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(dest.length * width);
  const alignedTo = (b: number): boolean => width % b === 0 && sources.every((s) => s.values.byteOffset % b === 0);
  const wordBytes = alignedTo(4) ? 4 : alignedTo(2) ? 2 : 1;
  const w = width / wordBytes;
  const target = wordsOf(out, wordBytes);
  let base = 0;
  for (const { values, length: n } of sources) {
    const source = wordsOf(values, wordBytes);
    if (w === 1) for (let i = 0; i < n; i++) target[dest[base + i]!] = source[i]!;
    else if (w === 2) {
      for (let i = 0; i < n; i++) {
        const d = 2 * dest[base + i]!;
        target[d] = source[2 * i]!;
        target[d + 1] = source[2 * i + 1]!;
      }
    } else for (let i = 0; i < n; i++) target.set(source.subarray(i * w, (i + 1) * w), dest[base + i]! * w);
    base += n;
  }
  return out;
}

function scatterBits(chunks: readonly Data[], dest: Int32Array): Uint8Array {
  const out = new Uint8Array((dest.length + 7) >> 3);
  let base = 0;
  for (const data of chunks) {
    const bits = data.values as Uint8Array;
    for (let i = 0; i < data.length; i++) {
      const b = data.offset + i;
      if ((bits[b >> 3]! >> (b & 7)) & 1) {
        const d = dest[base + i]!;
        out[d >> 3]! |= 1 << (d & 7);
      }
    }
    base += data.length;
  }
  return out;
}

/** The validity bitmap of the moved rows and its null count; no bitmap when nothing is null. */
function scatterValidity(chunks: readonly Data[], dest: Int32Array): { bitmap: Uint8Array | undefined; nullCount: number } {
  if (chunks.every((d) => d.nullCount === 0)) return { bitmap: undefined, nullCount: 0 };
  const bitmap = new Uint8Array((dest.length + 7) >> 3).fill(0xff);
  let nullCount = 0;
  let base = 0;
  for (const data of chunks) {
    if (data.nullCount > 0) {
      for (let i = 0; i < data.length; i++) {
        if (isValidRow(data, i)) continue;
        const d = dest[base + i]!;
        bitmap[d >> 3]! &= ~(1 << (d & 7));
        nullCount++;
      }
    }
    base += data.length;
  }
  return { bitmap, nullCount };
}

/** Total value bytes of variable-width chunks. */
function totalBytes(chunks: readonly Data[]): number {
  return chunks.reduce((sum, d) => {
    const { offsets, step } = offsetView(d);
    return sum + offsets[d.length * step]! - offsets[0]!;
  }, 0);
}

/** Output offsets of moved variable-width rows: each row's length at its new place, then summed. */
function movedOffsets(chunks: readonly Data[], dest: Int32Array): Int32Array {
  const starts = new Int32Array(dest.length + 1);
  let base = 0;
  for (const data of chunks) {
    const { offsets, step } = offsetView(data);
    for (let i = 0; i < data.length; i++) starts[dest[base + i]! + 1] = offsets[(i + 1) * step]! - offsets[i * step]!;
    base += data.length;
  }
  for (let j = 0; j < dest.length; j++) starts[j + 1] = starts[j + 1]! + starts[j]!;
  return starts;
}

function scatterVariable(chunks: readonly Data[], dest: Int32Array, large: boolean, column: string): { offsets: Int32Array | BigInt64Array; bytes: Uint8Array } {
  const total = totalBytes(chunks);
  if (total > MAX_INT32) {
    throw new FabricError('bad-input', `groupByKey: column "${column}" holds ${total} bytes, past the 2 GiB one shuffled column may hold; leave it out with options.columns, or shorten its values`);
  }
  const starts = movedOffsets(chunks, dest);
  const bytes = new Uint8Array(total);
  let base = 0;
  for (const data of chunks) {
    const { offsets, step } = offsetView(data);
    const source = data.values as Uint8Array;
    for (let i = 0; i < data.length; i++) {
      const s = offsets[i * step]!;
      const e = offsets[(i + 1) * step]!;
      let o = starts[dest[base + i]!]!;
      // Short values (airport codes, device ids) copy faster byte by byte than through subarray.
      if (e - s < 32) for (let k = s; k < e; k++) bytes[o++] = source[k]!;
      else bytes.set(source.subarray(s, e), o);
    }
    base += data.length;
  }
  if (!large) return { offsets: starts, bytes };
  // 64-bit offsets under 2 GiB: low words from `starts`, high words zero.
  const offsets = new BigInt64Array(dest.length + 1);
  const words = new Int32Array(offsets.buffer);
  for (let j = 0; j <= dest.length; j++) words[2 * j] = starts[j]!;
  return { offsets, bytes };
}

/** One dictionary for all chunks: theirs when they share it, else the union of their entries. */
function mergeDictionaries(chunks: readonly Data<Dictionary>[], column: string): { dictionary: Vector | undefined; remaps: (Int32Array | undefined)[] } {
  const first = chunks[0]?.dictionary;
  if (chunks.every((d) => d.dictionary === first)) return { dictionary: first, remaps: chunks.map(() => undefined) };
  const merged = new Map<unknown, number>();
  const remaps = chunks.map((d) => {
    const dict = d.dictionary;
    const remap = new Int32Array(dict?.length ?? 0);
    for (let j = 0; j < remap.length; j++) {
      const v: unknown = dict!.get(j);
      if (v !== null && typeof v === 'object') {
        throw new FabricError('bad-input', `groupByKey: column "${column}" has dictionaries of ${String(dict!.type)} that differ between partitions; only dictionaries of text or numbers can be merged. Leave the column out with options.columns.`);
      }
      let k = merged.get(v);
      if (k === undefined) merged.set(v, (k = merged.size));
      remap[j] = k;
    }
    return remap;
  });
  return { dictionary: dictionaryValues([...merged.keys()], chunks[0]!.type.dictionary), remaps };
}

function scatterIndices(chunks: readonly Data<Dictionary>[], dest: Int32Array, column: string): { indices: ArrayBufferView; dictionary: Vector | undefined } {
  const { dictionary, remaps } = mergeDictionaries(chunks, column);
  const type = chunks[0]!.type;
  const IndexArray = type.indices.ArrayType as unknown as { new (length: number): Int32Array; new (buffer: ArrayBuffer): Int32Array; BYTES_PER_ELEMENT: number };
  const sources = chunks.map((d, c): FixedSource => {
    const remap = remaps[c];
    if (!remap) return { values: d.values as ArrayBufferView, length: d.length };
    if (IndexArray.BYTES_PER_ELEMENT === 8) {
      throw new FabricError('bad-input', `groupByKey: column "${column}" has 64-bit dictionary indices and dictionaries that differ between partitions, which the shuffle does not merge. Leave it out with options.columns.`);
    }
    const src = d.values as Int32Array;
    const out = new IndexArray(d.length);
    for (let i = 0; i < d.length; i++) out[i] = remap[src[i]!]!;
    return { values: out, length: d.length };
  });
  const bytes = scatterFixed(sources, dest, IndexArray.BYTES_PER_ELEMENT);
  return { indices: new IndexArray(bytes.buffer), dictionary };
}

/**
 * Moves the rows of one column, given as its chunks (all partitions, in order), to `dest`, into
 * one chunk of `dest.length` rows and the same type. Fixed-width, boolean, text and binary (also
 * large), dictionary and null columns move; nested types are refused with a `bad-input` error.
 */
export function scatterColumn(chunks: readonly Data[], dest: Int32Array, column: string): Data {
  const type = chunks[0]!.type;
  const length = dest.length;
  const { bitmap, nullCount } = scatterValidity(chunks, dest);
  if (DataType.isNull(type)) return new Data(type, 0, length, length);
  if (DataType.isBool(type)) return new Data(type, 0, length, nullCount, [undefined, scatterBits(chunks, dest), bitmap]);
  if (DataType.isDictionary(type)) {
    const { indices, dictionary } = scatterIndices(chunks as readonly Data<Dictionary>[], dest, column);
    return new Data(type, 0, length, nullCount, [undefined, indices, bitmap] as never, [], dictionary);
  }
  if (DataType.isUtf8(type) || DataType.isBinary(type) || DataType.isLargeUtf8(type) || DataType.isLargeBinary(type)) {
    const large = DataType.isLargeUtf8(type) || DataType.isLargeBinary(type);
    const { offsets, bytes } = scatterVariable(chunks, dest, large, column);
    return new Data(type, 0, length, nullCount, [offsets, bytes, bitmap] as never);
  }
  const width = fixedWidth(type);
  if (width === 0) {
    throw new FabricError('bad-input', `groupByKey: column "${column}" is ${String(type)}, which the group shuffle does not move (it moves numbers, dates, times, booleans, text, binary and dictionaries). Leave it out with options.columns.`);
  }
  const bytes = scatterFixed(chunks.map((d) => ({ values: d.values as ArrayBufferView, length: d.length })), dest, width);
  const ArrayType = type.ArrayType as unknown as { new (buffer: ArrayBuffer): ArrayBufferView };
  return new Data(type, 0, length, nullCount, [undefined, new ArrayType(bytes.buffer), bitmap] as never);
}

/**
 * A merged dictionary's values as a vector of the dictionary's value type, built from buffers
 * (apache-arrow's `vectorFromArray` compiles code with `new Function`, which the CSP forbids).
 */
function dictionaryValues(keys: unknown[], type: DataType): Vector {
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return utf8Vector(keys as (string | null)[]);
  const ArrayType = (type as DataType & { ArrayType: new (n: number) => ArrayLike<unknown> & Record<number, unknown> }).ArrayType;
  const data = new ArrayType(keys.length);
  const nullBitmap = new Uint8Array((keys.length + 7) >> 3);
  let nullCount = 0;
  keys.forEach((k, i) => {
    if (k === null || k === undefined) nullCount += 1;
    else {
      data[i] = k;
      nullBitmap[i >> 3]! |= 1 << (i & 7);
    }
  });
  return makeVector(makeData({ type, length: keys.length, nullCount, nullBitmap: nullCount > 0 ? nullBitmap : undefined, data } as Parameters<typeof makeData>[0]));
}
