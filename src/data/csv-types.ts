/**
 * Column types of a CSV file, inferred from every value (not a sample), with the rules a user of
 * Spark's or pandas' CSV reader expects. An empty cell is a null and says nothing about the type.
 * A column is:
 * - `int64` when every value is a whole number that fits in 64 bits;
 * - `float64` when every value is a number (whole numbers, decimals, exponents, `NaN`, `Inf`);
 * - `bool` when every value is `true` or `false` (any case);
 * - `timestamp` when every value is an ISO 8601 date or date-time (UTC unless it has an offset);
 * - `utf8` otherwise, or when every cell is empty.
 * A column whose values are mostly numbers with some text is not silently made text: that is
 * almost always a data error (a stray "n/a", a typo), and training on the column would then fail
 * far from its cause. It is a `bad-value` error naming the column, the line and the value, like
 * Spark's FAILFAST mode; `columnTypes: { name: 'utf8' }` reads such a column as text.
 */

/** A CSV column's type. */
export type CsvColumnType = 'int64' | 'float64' | 'bool' | 'timestamp' | 'utf8';

/** The types a caller may force with `columnTypes`. */
export const CSV_COLUMN_TYPES: readonly CsvColumnType[] = ['int64', 'float64', 'bool', 'timestamp', 'utf8'];

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NAN = /^[+-]?nan$/i;
const INFINITY = /^[+-]?inf(?:inity)?$/i;
const BOOL = /^(?:true|false)$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** True for a whole number inside int64's range. */
export function isInt64Text(s: string): boolean {
  if (!INTEGER.test(s)) return false;
  // Up to 18 digits always fits; only longer ones need the exact check.
  if (s.replace(/^[+-]/, '').length <= 18) return true;
  const v = BigInt(s);
  return v >= INT64_MIN && v <= INT64_MAX;
}

/** True for any value a float64 column reads: numbers, NaN and ±Infinity. */
export function isFloatText(s: string): boolean {
  return DECIMAL.test(s) || NAN.test(s) || INFINITY.test(s);
}

/** True for `Inf`, `-Infinity` and the like. */
export function isInfinityText(s: string): boolean {
  return INFINITY.test(s);
}

/** A float64 cell's value. */
export function parseFloatText(s: string): number {
  if (NAN.test(s)) return NaN;
  if (INFINITY.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  return Number(s);
}

/** True for `true` or `false` in any case. */
export function isBoolText(s: string): boolean {
  return BOOL.test(s);
}

/** Microseconds since the epoch of an ISO 8601 date or date-time, or undefined. */
export function parseTimestampMicros(s: string): bigint | undefined {
  if (!ISO_TIME.test(s)) return undefined;
  // Date.parse reads a date alone as UTC but a date-time without offset as local time; Fabric
  // reads both as UTC so a file loads the same everywhere.
  const iso = s.length > 10 && !/(?:Z|[+-]\d{2}:?\d{2})$/.test(s) ? `${s.replace(' ', 'T')}Z` : s.replace(' ', 'T');
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  const fraction = /\.(\d+)/.exec(s.slice(19))?.[1] ?? '';
  const microsWithinMs = Number(fraction.padEnd(6, '0').slice(3, 6));
  return BigInt(ms) * 1000n + BigInt(microsWithinMs);
}

/** What one pass over a column's values found, to pick its type. */
export interface TypeTally {
  filled: number;
  ints: number;
  floats: number;
  bools: number;
  times: number;
}

/** Counts how many of a column's filled values fit each type. */
export function tallyTypes(values: readonly string[]): TypeTally {
  const t: TypeTally = { filled: 0, ints: 0, floats: 0, bools: 0, times: 0 };
  for (const raw of values) {
    if (raw === '') continue;
    const s = raw.trim();
    t.filled++;
    if (isInt64Text(s)) {
      t.ints++;
      t.floats++;
    } else if (isFloatText(s)) t.floats++;
    else if (isBoolText(s)) t.bools++;
    else if (parseTimestampMicros(s) !== undefined) t.times++;
  }
  return t;
}

/**
 * The type of a column from its tally; `mixed` when most values are numbers but some are not
 * (the caller reports the first value that is not).
 */
export function inferType(t: TypeTally): CsvColumnType | 'mixed' {
  if (t.filled === 0) return 'utf8';
  if (t.ints === t.filled) return 'int64';
  if (t.floats === t.filled) return 'float64';
  if (t.bools === t.filled) return 'bool';
  if (t.times === t.filled) return 'timestamp';
  // More than half numbers: the text among them is a stray value, not a text column.
  return t.floats * 2 > t.filled ? 'mixed' : 'utf8';
}
