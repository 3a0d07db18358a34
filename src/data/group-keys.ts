/**
 * Group codes: one small integer per row naming its group, read from a key column without making
 * a JS string per row. Text keys are hashed from their raw UTF-8 bytes, integer keys are read as
 * numbers (64-bit ones as two 32-bit words), and dictionary keys are mapped once per dictionary
 * entry. Codes are numbered in order of first appearance; {@link groupByKey} then sorts them.
 */
import { DataType, type Data, type Dictionary } from 'apache-arrow';
import { FabricError } from '../protocol/errors';
import { isValidRow, offsetView, TWO_32 } from './arrow-buffers';

/** A key's value: text, an integer (bigint beyond 2^53), or null for the null group. */
export type GroupKeyValue = string | number | bigint | null;

/** One code per row, and the key of each code (codes are numbered by first appearance). */
export interface GroupCodes {
  readonly codes: Int32Array;
  readonly keys: GroupKeyValue[];
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const UTF8 = new TextDecoder();

/** Hands out codes for keys that are primitive values, with one shared code for null. */
class ValueCodes {
  readonly keys: GroupKeyValue[] = [];
  private readonly map = new Map<GroupKeyValue, number>();

  code(value: GroupKeyValue): number {
    let c = this.map.get(value);
    if (c === undefined) {
      c = this.keys.length;
      this.map.set(value, c);
      this.keys.push(value);
    }
    return c;
  }
}

/**
 * Codes for byte strings: an open-addressing hash table over FNV-1a hashes of the raw bytes. Each
 * distinct key's bytes are kept once in a pool for comparison, and decoded to a string once.
 */
class ByteCodes {
  /** Entry + 1 per slot, 0 when empty; a power of two, kept under half full. */
  private slots = new Int32Array(1024);
  private readonly hashes: number[] = [];
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];
  /** The {@link ValueCodes} code of each entry. */
  private readonly codes: number[] = [];
  private pool = new Uint8Array(4096);
  private used = 0;

  constructor(private readonly values: ValueCodes) {}

  code(bytes: Uint8Array, s: number, e: number): number {
    let h = FNV_OFFSET;
    for (let k = s; k < e; k++) h = Math.imul(h ^ bytes[k]!, FNV_PRIME);
    const mask = this.slots.length - 1;
    for (let at = h & mask; ; at = (at + 1) & mask) {
      const slot = this.slots[at]!;
      if (slot === 0) return this.insert(bytes, s, e, h, at);
      if (this.hashes[slot - 1] === h && this.sameBytes(slot - 1, bytes, s, e)) return this.codes[slot - 1]!;
    }
  }

  private sameBytes(entry: number, bytes: Uint8Array, s: number, e: number): boolean {
    if (this.lengths[entry] !== e - s) return false;
    const start = this.starts[entry]! - s;
    for (let k = s; k < e; k++) if (this.pool[start + k] !== bytes[k]) return false;
    return true;
  }

  private insert(bytes: Uint8Array, s: number, e: number, h: number, at: number): number {
    const entry = this.hashes.length;
    if (this.used + (e - s) > this.pool.length) {
      const grown = new Uint8Array(Math.max(this.pool.length * 2, this.used + (e - s)));
      grown.set(this.pool.subarray(0, this.used));
      this.pool = grown;
    }
    this.pool.set(bytes.subarray(s, e), this.used);
    this.starts.push(this.used);
    this.lengths.push(e - s);
    this.used += e - s;
    this.hashes.push(h);
    this.slots[at] = entry + 1;
    const code = this.values.code(UTF8.decode(bytes.subarray(s, e)));
    this.codes.push(code);
    if ((entry + 1) * 2 > this.slots.length) this.rehash();
    return code;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    this.hashes.forEach((h, entry) => {
      let at = h & mask;
      while (this.slots[at] !== 0) at = (at + 1) & mask;
      this.slots[at] = entry + 1;
    });
  }
}

function textCodes(data: Data, values: ValueCodes, bytes: ByteCodes, out: Int32Array, at: number): void {
  const { offsets, step } = offsetView(data);
  const raw = data.values as Uint8Array;
  const hasNulls = data.nullCount > 0;
  let s = offsets[0]!;
  for (let i = 0; i < data.length; i++) {
    const e = offsets[(i + 1) * step]!;
    out[at + i] = hasNulls && !isValidRow(data, i) ? values.code(null) : bytes.code(raw, s, e);
    s = e;
  }
}

/** A chunk's integers as numbers, NaN where null; `exact` is false if one passes 2^53. */
function integerValues(data: Data): { numbers: Float64Array; exact: boolean } {
  const raw: unknown = data.values;
  const numbers = new Float64Array(data.length);
  let exact = true;
  if (raw instanceof BigInt64Array || raw instanceof BigUint64Array) {
    // Two 32-bit words per value: no BigInt per row.
    const words = new Int32Array(raw.buffer, raw.byteOffset, raw.length * 2);
    const signed = raw instanceof BigInt64Array;
    for (let i = 0; i < data.length; i++) {
      const hi = words[2 * i + 1]!;
      const n = (signed ? hi : hi >>> 0) * TWO_32 + (words[2 * i]! >>> 0);
      if (!Number.isSafeInteger(n)) exact = false;
      numbers[i] = n;
    }
  } else numbers.set((raw as Int32Array).subarray(0, data.length));
  if (data.nullCount > 0) for (let i = 0; i < data.length; i++) if (!isValidRow(data, i)) numbers[i] = NaN;
  return { numbers, exact };
}

/**
 * Integer keys spanning at most this many values per row of a chunk (or {@link DENSE_MIN_RANGE})
 * are coded through a lookup table over their range instead of a Map. On flights-3m's `distance`
 * (3M rows, 1,109 values over a range of about 5,000) the table took 65-85 ms and the Map 120-170 ms
 * here; the table costs 4 bytes per value of the range, so the range is capped relative to rows.
 */
const DENSE_RANGE_PER_ROW = 2;
const DENSE_MIN_RANGE = 65_536;

function integerCodes(data: Data, values: ValueCodes, out: Int32Array, at: number): void {
  const { numbers, exact } = integerValues(data);
  const n = data.length;
  if (!exact) {
    // Keys past 2^53 are read as exact BigInts (rare: ids built from hashes).
    const raw = data.values as BigInt64Array;
    for (let i = 0; i < n; i++) out[at + i] = values.code(Number.isNaN(numbers[i]!) ? null : Number.isSafeInteger(numbers[i]!) ? numbers[i]! : raw[i]!);
    return;
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = numbers[i]!;
    if (v < min) min = v;
    if (v > max) max = v; // NaN (null) fails both tests
  }
  if (max - min + 1 > Math.max(DENSE_MIN_RANGE, DENSE_RANGE_PER_ROW * n)) {
    for (let i = 0; i < n; i++) out[at + i] = values.code(Number.isNaN(numbers[i]!) ? null : numbers[i]!);
    return;
  }
  const table = new Int32Array(Math.max(0, max - min + 1)); // code + 1 per value, 0 until seen
  for (let i = 0; i < n; i++) {
    const v = numbers[i]!;
    if (Number.isNaN(v)) {
      out[at + i] = values.code(null);
      continue;
    }
    let c = table[v - min]!;
    if (c === 0) table[v - min] = c = values.code(v) + 1;
    out[at + i] = c - 1;
  }
}

function dictionaryCodes(data: Data<Dictionary>, values: ValueCodes, out: Int32Array, at: number, column: string): void {
  const dictionary = data.dictionary;
  // Each dictionary entry is read once (dictionaries are small); rows then only look up their index.
  const remap = new Int32Array(dictionary?.length ?? 0);
  for (let j = 0; j < remap.length; j++) remap[j] = values.code(keyValue(dictionary!.get(j), column));
  const raw: unknown = data.values;
  const wide = raw instanceof BigInt64Array || raw instanceof BigUint64Array;
  const indices = wide ? new Int32Array(raw.buffer, raw.byteOffset, raw.length * 2) : (raw as ArrayLike<number>);
  const step = wide ? 2 : 1; // 64-bit indices: the low word (a dictionary never reaches 2^31 entries)
  const hasNulls = data.nullCount > 0;
  for (let i = 0; i < data.length; i++) {
    out[at + i] = hasNulls && !isValidRow(data, i) ? values.code(null) : remap[indices[i * step]!]!;
  }
}

function keyValue(v: unknown, column: string): GroupKeyValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return v;
  throw new FabricError('bad-input', `groupByKey: the dictionary of key column "${column}" holds ${typeof v} values; group keys must be text or integers`);
}

/** True for key column types {@link groupCodes} reads. */
export function isGroupKeyType(type: DataType): boolean {
  if (DataType.isDictionary(type)) return isGroupKeyType(type.dictionary);
  return DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isInt(type);
}

/**
 * One group code per row of a key column given as its chunks (all partitions, in order). Text,
 * large text, integer and dictionary-of-text-or-integer columns are accepted; nulls share a code
 * whose key is `null`.
 */
export function groupCodes(chunks: readonly Data[], column: string): GroupCodes {
  const total = chunks.reduce((s, d) => s + d.length, 0);
  const out = new Int32Array(total);
  const values = new ValueCodes();
  const bytes = new ByteCodes(values);
  let at = 0;
  for (const data of chunks) {
    const type = data.type;
    if (!isGroupKeyType(type)) {
      throw new FabricError('bad-input', `groupByKey: key column "${column}" is ${String(type)}; a group key must be text (Utf8, LargeUtf8), an integer, or a dictionary of those. Cast it first, or choose another key.`);
    }
    if (DataType.isDictionary(type)) dictionaryCodes(data as Data<Dictionary>, values, out, at, column);
    else if (DataType.isInt(type)) integerCodes(data, values, out, at);
    else textCodes(data, values, bytes, out, at);
    at += data.length;
  }
  return { codes: out, keys: values.keys };
}
