/**
 * Reading a CSV file into an Arrow table, streamed chunk by chunk (in the loader worker, never on
 * the page's main thread). The first record is the header; every later record must have one field
 * per header column. Text must be UTF-8; a UTF-8 byte order mark is dropped. Types are inferred as
 * csv-types.ts describes. Errors name the line (physical, 1-based, the header is line 1) and the
 * data row (1-based, the header not counted: data row k is row k - 1 of the loaded table).
 */
import { Field, makeData, RecordBatch, Schema, Struct, Table } from 'apache-arrow';
import { FabricError } from '../protocol/errors';
import { buildCsvColumn } from './csv-columns';
import { CsvRecordSplitter, MAX_CSV_RECORD_CHARS } from './csv-records';
import { CSV_COLUMN_TYPES, type CsvColumnType } from './csv-types';

/** CSV options of a load. */
export interface CsvOptions {
  /** Types to use instead of inferring them, by column name. */
  readonly columnTypes?: Readonly<Record<string, CsvColumnType>> | undefined;
  /** The longest record accepted, in characters (tests lower it). */
  readonly maxRecordChars?: number | undefined;
}

function columnNames(header: string[], file: string): string[] {
  // pandas writes its index column with an empty name; Spark names such columns _c<i>.
  const names = header.map((h, i) => (h.trim() === '' ? `column_${i + 1}` : h));
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const first = seen.get(name);
    if (first !== undefined) {
      throw new FabricError('duplicate-column', `load: "${file}" has two columns named ${JSON.stringify(name)} (columns ${first + 1} and ${i + 1} of the header). Column names must be unique: rename one of them.`);
    }
    seen.set(name, i);
  });
  return names;
}

function checkColumnTypes(types: Readonly<Record<string, CsvColumnType>>, names: readonly string[], file: string): void {
  for (const [name, type] of Object.entries(types)) {
    if (!names.includes(name)) throw new FabricError('bad-input', `load: columnTypes names column ${JSON.stringify(name)}, which "${file}" does not have; its columns are: ${names.join(', ')}`);
    if (!CSV_COLUMN_TYPES.includes(type)) throw new FabricError('bad-input', `load: columnTypes.${name} is ${JSON.stringify(type)}; use one of ${CSV_COLUMN_TYPES.join(', ')}`);
  }
}

/** Reads a CSV byte stream into a table. */
export async function readCsv(stream: ReadableStream<Uint8Array>, file: string, options: CsvOptions = {}): Promise<Table> {
  let names: string[] | undefined;
  let columns: string[][] = [];
  const lines: number[] = [];
  const splitter = new CsvRecordSplitter(file, (fields, line) => {
    if (!names) {
      names = columnNames(fields, file);
      columns = names.map(() => []);
      return;
    }
    if (fields.length !== names.length) {
      throw new FabricError('corrupt-file', `load: "${file}" line ${line} (data row ${lines.length + 1}) has ${fields.length} field${fields.length === 1 ? '' : 's'}, but the header has ${names.length} (${names.join(', ')}). Every row needs one field per column: add the missing commas (an empty field is a missing value), remove extra ones, or quote a field that contains a comma.`);
    }
    for (let c = 0; c < fields.length; c++) columns[c]!.push(fields[c]!);
    lines.push(line);
  }, options.maxRecordChars ?? MAX_CSV_RECORD_CHARS);

  const decoder = new TextDecoder('utf-8', { fatal: true });
  const reader = stream.getReader();
  let offset = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let text: string;
      try {
        text = decoder.decode(value, { stream: true });
      } catch (e) {
        throw new FabricError('corrupt-file', `load: "${file}" is not valid UTF-8 text in the ${(value.byteLength / 1024).toFixed(0)} KiB from byte ${offset.toLocaleString('en-US')}. Save the CSV as UTF-8 and load it again.`, { cause: e });
      }
      offset += value.byteLength;
      splitter.push(text);
    }
    splitter.push(decoder.decode());
    splitter.end();
  } catch (e) {
    // Stop reading a large file at the first error instead of draining it.
    await reader.cancel().catch(() => undefined);
    if (e instanceof FabricError) throw e;
    throw new FabricError('corrupt-file', `load: "${file}" could not be read as UTF-8 CSV text: ${(e as Error).message}. Save it as UTF-8 and load it again.`, { cause: e });
  }

  if (!names) throw new FabricError('empty-file', `load: "${file}" holds no CSV header and no rows (only blank lines). Give a header line with column names, then one line per row.`);
  if (lines.length === 0) throw new FabricError('empty-file', `load: "${file}" has a header (${names.length} column${names.length === 1 ? '' : 's'}: ${names.join(', ')}) but no data rows. Add rows below the header.`);
  checkColumnTypes(options.columnTypes ?? {}, names, file);

  const fields: Field[] = [];
  const children = names.map((column, c) => {
    const { vector } = buildCsvColumn(columns[c]!, { file, column, lines }, options.columnTypes?.[column]);
    // Drop the strings as soon as the column is built: a wide file holds one array per column.
    columns[c] = [];
    fields.push(new Field(column, vector.type, true));
    return vector.data[0]!;
  });
  const schema = new Schema(fields);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: lines.length, nullCount: 0, children }));
  return new Table([batch]);
}
