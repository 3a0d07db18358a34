/**
 * Recognising a file before reading it, so a wrong file gets a message that says what it is and
 * what to do, rather than a decoder's internal error.
 */
import { FabricError } from '../protocol/errors';

/** The formats Fabric reads. */
export type FileFormat = 'parquet' | 'arrow-file' | 'arrow-stream' | 'csv';

/** Bytes of a file's head that `sniffFormat` needs to tell text from binary. */
export const SNIFF_BYTES = 4096;

const PAR1 = [0x50, 0x41, 0x52, 0x31];
const ARROW1 = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (at < 0 || bytes.byteLength < at + magic.length) return false;
  return magic.every((b, i) => bytes[at + i] === b);
}

/** A short printable preview of a file's first bytes, for error messages. */
export function previewBytes(bytes: Uint8Array, n = 16): string {
  const head = Array.from(bytes.subarray(0, n));
  const printable = head.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09);
  if (printable) return JSON.stringify(String.fromCharCode(...head));
  return head.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * True when the head reads as UTF-8 text with no NUL byte: what a CSV file is. HTML, XML and JSON
 * are text too, but never a table Fabric reads, so a leading `<`, `{` or `[` is not CSV.
 */
function looksLikeCsv(head: Uint8Array): boolean {
  if (head.includes(0)) return false;
  let text: string;
  try {
    // `stream: true` lets the head end inside a multi-byte character.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return false;
  }
  return !/^\s*[<{[]/.test(text);
}

/**
 * Tells the format from the bytes (never from the name alone), and throws a FabricError that
 * explains the problem: `empty-file`, `corrupt-file` (a truncated Parquet file) or
 * `unsupported-file`. `bytes` may be only the file's head (at least {@link SNIFF_BYTES}) when
 * `totalBytes` gives its size; the Parquet footer is then checked when the whole file is read.
 */
export function sniffFormat(bytes: Uint8Array, name: string, totalBytes = bytes.byteLength): FileFormat {
  if (bytes.byteLength === 0) {
    throw new FabricError('empty-file', `load: "${name}" is empty (0 bytes). Choose a Parquet, Arrow IPC or CSV file with data in it.`);
  }
  if (startsWith(bytes, PAR1)) {
    if (totalBytes === bytes.byteLength && !startsWith(bytes, PAR1, bytes.byteLength - 4)) {
      throw new FabricError('corrupt-file', `load: "${name}" starts like a Parquet file but does not end with the "PAR1" footer magic, so it is truncated or damaged (${bytes.byteLength} bytes). Copy or download it again.`);
    }
    return 'parquet';
  }
  if (startsWith(bytes, ARROW1)) return 'arrow-file';
  // An Arrow IPC stream starts with a continuation marker (0xFFFFFFFF) and a message length.
  if (bytes.byteLength >= 8 && bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff) return 'arrow-stream';
  if (looksLikeCsv(bytes.subarray(0, SNIFF_BYTES))) return 'csv';
  const claimed = /\.parquet$/i.test(name) ? 'Its name says Parquet, but it' : /\.csv$/i.test(name) ? 'Its name says CSV, but it is not UTF-8 text: it' : 'It';
  throw new FabricError('unsupported-file', `load: "${name}" is not a Parquet, Arrow IPC or CSV file. ${claimed} starts with ${previewBytes(bytes)} instead of the "PAR1" (Parquet) or "ARROW1" (Arrow) magic bytes or CSV text. Export the data as Parquet, Arrow IPC or UTF-8 CSV and load that.`);
}
