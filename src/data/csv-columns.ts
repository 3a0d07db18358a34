/** Turning a CSV column's text values into one Arrow vector of its inferred (or given) type. */
import { makeData, makeVector, type Vector, Float64, Int64, TimestampMicrosecond } from 'apache-arrow';
import { boolVector, utf8Vector } from './arrow-vectors';
import { FabricError } from '../protocol/errors';
import { inferType, isBoolText, isFloatText, isInfinityText, isInt64Text, parseFloatText, parseTimestampMicros, tallyTypes, type CsvColumnType } from './csv-types';

/** Where a column's values came from, for messages that name the cell. */
export interface CsvCellSource {
  /** The file's name. */
  readonly file: string;
  /** The column's name. */
  readonly column: string;
  /** The line each data row starts on (1-based, the header is line 1). */
  readonly lines: ArrayLike<number>;
}

const DESCRIBE: Record<CsvColumnType, string> = {
  int64: 'a whole number (int64)',
  float64: 'a number',
  bool: 'true or false',
  timestamp: 'an ISO 8601 date or date-time',
  utf8: 'text',
};

function cellAt(src: CsvCellSource, row: number): string {
  return `line ${src.lines[row]} (data row ${row + 1})`;
}

function badValue(src: CsvCellSource, row: number, value: string, type: CsvColumnType, why: string): FabricError {
  return new FabricError('bad-value', `load: "${src.file}" column "${src.column}", ${cellAt(src, row)}: ${JSON.stringify(value.slice(0, 80))} is not ${DESCRIBE[type]}${why}`);
}

/** A validity bitmap (bit set = value present) and the count of nulls. */
function validity(values: readonly string[]): { bitmap: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === '') nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  });
  return { bitmap, nullCount };
}

/** Infers the column's type (or takes `forced`) and builds its vector; throws `bad-value` naming the first cell that does not fit. */
export function buildCsvColumn(values: readonly string[], src: CsvCellSource, forced?: CsvColumnType): { type: CsvColumnType; vector: Vector } {
  let type: CsvColumnType;
  if (forced) type = forced;
  else {
    const tally = tallyTypes(values);
    const inferred = inferType(tally);
    if (inferred === 'mixed') {
      const row = values.findIndex((v) => v !== '' && !isFloatText(v.trim()));
      throw badValue(src, row, values[row]!, 'float64', `, yet ${tally.floats.toLocaleString('en-US')} of the column's ${tally.filled.toLocaleString('en-US')} filled cells are numbers. Fix the cell, leave it empty for a missing value, or load the column as text with columnTypes: { ${JSON.stringify(src.column)}: 'utf8' }.`);
    }
    type = inferred;
  }
  return { type, vector: buildVector(values, src, type) };
}

function buildVector(values: readonly string[], src: CsvCellSource, type: CsvColumnType): Vector {
  const n = values.length;
  if (type === 'utf8') return utf8Vector(values.map((v) => (v === '' ? null : v)));
  if (type === 'bool') {
    return boolVector(values.map((v, i) => {
      if (v === '') return null;
      const s = v.trim();
      if (!isBoolText(s)) throw badValue(src, i, v, type, ', which the column was given as.');
      return s.toLowerCase() === 'true';
    }));
  }
  const { bitmap, nullCount } = validity(values);
  if (type === 'float64') {
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v === '') continue;
      const s = v.trim();
      if (!isFloatText(s)) throw badValue(src, i, v, type, ', which the column was given as.');
      // ±Infinity is a float64, but no model, statistic or kernel of Fabric can use it, and a
      // later failure could not say where it came from: reject it here, naming the cell.
      if (isInfinityText(s)) throw new FabricError('bad-value', `load: "${src.file}" column "${src.column}", ${cellAt(src, i)}: ${JSON.stringify(v)} is infinite, which Fabric's statistics and models cannot use. Write a finite number, or leave the cell empty for a missing value (NaN is read as missing too).`);
      data[i] = parseFloatText(s);
    }
    return makeVector(makeData({ type: new Float64(), length: n, nullCount, nullBitmap: bitmap, data }));
  }
  const data = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v === '') continue;
    const s = v.trim();
    if (type === 'int64') {
      if (!isInt64Text(s)) throw badValue(src, i, v, type, ', which the column was given as.');
      data[i] = BigInt(s);
    } else {
      const t = parseTimestampMicros(s);
      if (t === undefined) throw badValue(src, i, v, type, ', which the column was given as.');
      data[i] = t;
    }
  }
  return type === 'int64'
    ? makeVector(makeData({ type: new Int64(), length: n, nullCount, nullBitmap: bitmap, data }))
    : makeVector(makeData({ type: new TimestampMicrosecond(), length: n, nullCount, nullBitmap: bitmap, data }));
}
