/**
 * A scored table as CSV. A scored flights-3m is 3 million rows (180 MB of text), so the text is
 * built as many Blob parts, a chunk of rows each, never as one string, and the page gets the event
 * loop back between chunks. Columns are read from their buffers where the type allows: `get()` per
 * cell made that CSV take about 20 s.
 */
import { DataType, TimeUnit, type Table, type Vector } from 'apache-arrow';

/** Rows per Blob part: about 3 MB of text, and some tens of milliseconds of work between yields. */
const CSV_CHUNK_ROWS = 50_000;

/** A CSV field: quoted when it holds a comma, a quote or a line break. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const UNIT_MS: Readonly<Record<number, number>> = { [TimeUnit.SECOND]: 1000, [TimeUnit.MILLISECOND]: 1, [TimeUnit.MICROSECOND]: 1e-3, [TimeUnit.NANOSECOND]: 1e-6 };

/** How one column's cells become CSV text: times as ISO 8601, missing values as empty fields. */
export function cellWriter(v: Vector): (i: number) => string {
  const data = v.data.length === 1 ? v.data[0] : undefined;
  const valid = (i: number): boolean => v.nullCount === 0 || v.isValid(i);
  if (data && DataType.isTimestamp(v.type)) {
    const values = v.toArray() as ArrayLike<bigint | number>;
    const ms = UNIT_MS[v.type.unit] ?? 1;
    // Sorted data repeats a time over neighbouring rows; toISOString is the costly part.
    let last: bigint | number | undefined;
    let text = '';
    return (i) => {
      if (!valid(i)) return '';
      const x = values[i]!;
      if (x !== last) {
        last = x;
        text = new Date(Number(x) * ms).toISOString();
      }
      return text;
    };
  }
  if (data && (DataType.isFloat(v.type) || DataType.isInt(v.type))) {
    const values = v.toArray() as ArrayLike<number | bigint>;
    return (i) => {
      const x = values[i]!;
      return !valid(i) || (typeof x === 'number' && Number.isNaN(x)) ? '' : String(x);
    };
  }
  if (data && DataType.isDictionary(v.type) && data.dictionary) {
    const dictionary = data.dictionary;
    const labels = Array.from({ length: dictionary.length }, (_, k) => {
      const x: unknown = dictionary.get(k);
      return x === null || x === undefined ? '' : csvField(String(x));
    });
    const keys = data.values as ArrayLike<number>;
    return (i) => (valid(i) ? labels[keys[i]!] ?? '' : '');
  }
  const time = DataType.isDate(v.type);
  return (i) => {
    const x: unknown = v.get(i);
    if (x === null || x === undefined) return '';
    if (typeof x === 'number') return Number.isNaN(x) ? '' : time ? new Date(x).toISOString() : String(x);
    if (x instanceof Date) return x.toISOString();
    return csvField(String(x));
  };
}

/** `table` as a CSV Blob (a header line, then one line per row); `onProgress` gets the rows done. */
export async function tableToCsv(table: Table, onProgress?: (rowsDone: number) => void): Promise<Blob> {
  const names = table.schema.fields.map((f) => f.name);
  const parts: string[] = [`${names.map(csvField).join(',')}\n`];
  let done = 0;
  for (const batch of table.batches) {
    const writers = names.map((n) => cellWriter(batch.getChild(n)!));
    for (let start = 0; start < batch.numRows; start += CSV_CHUNK_ROWS) {
      const end = Math.min(batch.numRows, start + CSV_CHUNK_ROWS);
      const lines = new Array<string>(end - start);
      for (let r = start; r < end; r++) lines[r - start] = writers.map((w) => w(r)).join(',');
      parts.push(`${lines.join('\n')}\n`);
      done += end - start;
      onProgress?.(done);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  return new Blob(parts, { type: 'text/csv' });
}
