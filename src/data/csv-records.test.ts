import { describe, expect, it } from 'vitest';
import { CsvRecordSplitter } from './csv-records';

/** Splits `text` fed in pieces cut at `cuts`, returning [line, fields] per record. */
function split(text: string, cuts: number[] = [], max?: number): [number, string[]][] {
  const out: [number, string[]][] = [];
  const s = new CsvRecordSplitter('t.csv', (fields, line) => out.push([line, fields]), max);
  let at = 0;
  for (const c of [...cuts, text.length]) {
    s.push(text.slice(at, c));
    at = c;
  }
  s.end();
  return out;
}

const TRICKY = 'a,b,c\r\n1,"x, y",""\r\n2,"he said ""hi""","two\r\nlines"\n\n3,,"lf\nonly"\r4,"cr\ronly",z';

describe('CsvRecordSplitter', () => {
  it('reads quoted commas, "" escapes, CRLF, LF and CR line ends, and skips blank lines', () => {
    expect(split(TRICKY)).toEqual([
      [1, ['a', 'b', 'c']],
      [2, ['1', 'x, y', '']],
      [3, ['2', 'he said "hi"', 'two\r\nlines']],
      [6, ['3', '', 'lf\nonly']],
      [8, ['4', 'cr\ronly', 'z']],
    ]);
  });

  it('gives the same records and line numbers wherever the chunks are cut', () => {
    const whole = split(TRICKY);
    for (let i = 0; i <= TRICKY.length; i++) {
      for (const j of [i, i + 1, i + 3]) expect(split(TRICKY, j <= TRICKY.length ? [i, j] : [i]), `cut at ${i}, ${j}`).toEqual(whole);
    }
  });

  it('needs no line break after the last record, and makes no record of a trailing one', () => {
    expect(split('a\n1')).toEqual([[1, ['a']], [2, ['1']]]);
    expect(split('a\n1\n')).toEqual([[1, ['a']], [2, ['1']]]);
    expect(split('a\r\n1\r\n')).toEqual([[1, ['a']], [2, ['1']]]);
  });

  it('names the line of a quote that never closes', () => {
    expect(() => split('a,b\n1,"open\nstill open\n')).toThrow(expect.objectContaining({ code: 'corrupt-file', message: expect.stringMatching(/line 2: a quoted field opens there \(field 2\) and never closes/) }));
  });

  it('stops a record past the limit, naming its line, and hints at an open quote when inside one', () => {
    expect(() => split(`a\n${'x'.repeat(200)}`, [50, 100], 64)).toThrow(expect.objectContaining({ code: 'line-too-long', message: expect.stringMatching(/line 2: the record starting there is longer than 64 characters with no line break\. Is this a CSV file\?/) }));
    expect(() => split(`a\n"${'x\n'.repeat(100)}`, [], 64)).toThrow(expect.objectContaining({ message: expect.stringMatching(/inside a quoted field that opened on line 2/) }));
    // Records under the limit pass, however many there are.
    expect(split(`a\n${'x'.repeat(60)}\n`.repeat(3), [], 64)).toHaveLength(6);
  });
});
