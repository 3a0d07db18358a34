/**
 * Splitting CSV text into records (RFC 4180), chunk by chunk, so a large file is never held whole
 * and a runaway line is stopped early. Fields are separated by commas; a field may be quoted with
 * `"`, and then holds commas, line breaks and `""` (one quote). Lines end with CRLF, LF or CR.
 * Blank lines are skipped (as pandas and Spark do). Line numbers are the file's physical lines,
 * 1-based, the header being line 1, so they match what a text editor shows.
 */
import { FabricError } from '../protocol/errors';

/**
 * The longest record accepted, in characters. It matches MAX_PARTITION_BYTES (partition.ts): a
 * row larger than a whole partition cannot be partitioned, and a real CSV row is far smaller. Text
 * with no line break for this long is not a table (or has a quote that never closes), and
 * stopping here keeps memory bounded whatever the file's size.
 */
export const MAX_CSV_RECORD_CHARS = 16 * 1024 * 1024;

/** Receives each record: its fields and the line it starts on. */
export type RecordSink = (fields: string[], line: number) => void;

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Incremental RFC 4180 tokenizer: `push` text chunks, then `end`. */
export class CsvRecordSplitter {
  private fields: string[] = [];
  /** Pieces of the field being read, joined when it ends (a field may span chunks). */
  private pieces: string[] = [];
  private inQuotes = false;
  /** Just read a quote inside a quoted field: either `""` or the closing quote. */
  private quoteSeen = false;
  /** A closed quoted field is waiting for its comma or line break. */
  private afterQuoted = false;
  /** The last chunk ended with CR: an LF opening the next one belongs to it. */
  private skipLf = false;
  private fieldStarted = false;
  /** A CR was the last character counted inside a quoted field; an LF after it is the same break. */
  private quotedCr = false;
  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;
  private recordChars = 0;

  constructor(private readonly name: string, private readonly sink: RecordSink, private readonly maxRecordChars = MAX_CSV_RECORD_CHARS) {}

  /** Splits one chunk of text; records complete in it go to the sink. */
  push(text: string): void {
    let i = 0;
    const n = text.length;
    if (this.skipLf && n > 0) {
      this.skipLf = false;
      if (text.charCodeAt(0) === LF) i = 1;
    }
    while (i < n) {
      if (this.inQuotes) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (text.charCodeAt(i) === QUOTE) {
            this.pieces.push('"');
            i = this.consumed(i, 1);
            continue;
          }
          this.inQuotes = false;
          this.afterQuoted = true;
          continue;
        }
        const q = text.indexOf('"', i);
        const end = q < 0 ? n : q;
        this.countLines(text, i, end);
        this.pieces.push(text.slice(i, end));
        i = this.consumed(i, end - i);
        if (q >= 0) {
          this.quoteSeen = true;
          i = this.consumed(i, 1);
        }
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        this.endField();
        i = this.consumed(i, 1);
      } else if (c === LF || c === CR) {
        this.endRecord();
        this.line++;
        i++;
        if (c === CR) {
          if (i < n) {
            if (text.charCodeAt(i) === LF) i++;
          } else this.skipLf = true;
        }
      } else if (this.afterQuoted) {
        throw new FabricError('corrupt-file', `load: "${this.name}" line ${this.line}: field ${this.fields.length + 1} has text after its closing quote (${JSON.stringify(text.slice(i, i + 20))}). A quote inside a quoted field must be doubled (""), and a quoted field must end at a comma or line break.`);
      } else if (c === QUOTE && !this.fieldStarted) {
        this.inQuotes = true;
        this.fieldStarted = true;
        this.quoteLine = this.line;
        i = this.consumed(i, 1);
      } else {
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === COMMA || d === LF || d === CR) break;
          j++;
        }
        this.pieces.push(text.slice(i, j));
        this.fieldStarted = true;
        i = this.consumed(i, j - i);
      }
    }
  }

  /** Ends the input: the last record needs no trailing line break, but an open quote is an error. */
  end(): void {
    if (this.quotedCr) this.line++;
    if (this.inQuotes && !this.quoteSeen) {
      throw new FabricError('corrupt-file', `load: "${this.name}" line ${this.quoteLine}: a quoted field opens there (field ${this.fields.length + 1}) and never closes before the end of the file. Close the quote, and double any quote inside a field ("").`);
    }
    this.endRecord();
  }

  /** Counts line breaks inside a quoted field: CRLF is one, and so are a lone LF or CR. */
  private countLines(text: string, from: number, to: number): void {
    for (let k = from; k < to; k++) {
      const c = text.charCodeAt(k);
      if (c === LF) {
        // An LF ends the break a pending CR began, or is a break of its own: one line either way.
        this.line++;
        this.quotedCr = false;
      } else {
        if (this.quotedCr) this.line++;
        this.quotedCr = c === CR;
      }
    }
    // A CR that ends the field (the closing quote follows) is a line break of its own.
    if (to < text.length && this.quotedCr) {
      this.line++;
      this.quotedCr = false;
    }
  }

  /** Counts characters towards the record's limit; returns the new position. */
  private consumed(i: number, count: number): number {
    this.recordChars += count;
    if (this.recordChars > this.maxRecordChars) {
      const mib = this.maxRecordChars / (1024 * 1024);
      const limit = `${this.maxRecordChars.toLocaleString('en-US')} characters${mib >= 1 ? ` (${mib.toLocaleString('en-US')} MiB)` : ''}`;
      const why = this.inQuotes ? ` It is inside a quoted field that opened on line ${this.quoteLine} and has not closed: check for a missing closing quote.` : ' Is this a CSV file? Fabric reads CSV records up to that size.';
      throw new FabricError('line-too-long', `load: "${this.name}" line ${this.recordLine}: the record starting there is longer than ${limit} with no line break.${why}`);
    }
    return i + count;
  }

  private endField(): void {
    this.fields.push(this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join(''));
    this.pieces = [];
    this.fieldStarted = false;
    this.afterQuoted = false;
  }

  private endRecord(): void {
    const blank = this.fields.length === 0 && this.pieces.length === 0 && !this.fieldStarted;
    if (!blank) {
      this.endField();
      this.sink(this.fields, this.recordLine);
    }
    this.fields = [];
    this.pieces = [];
    this.fieldStarted = false;
    this.afterQuoted = false;
    this.recordChars = 0;
    this.recordLine = this.line + 1;
  }
}
