import { tableFromIPC, tableToIPC, Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { boolVector, dateVector, float64Vector, utf8Vector } from './arrow-vectors';

describe('CSP-safe Arrow vectors', () => {
  it('round-trip text, booleans, numbers and dates with their nulls through Arrow IPC', () => {
    const when = new Date('2001-02-03T04:05:06.789Z');
    const table = new Table({
      s: utf8Vector(['SFO', null, 'Zürich', '']),
      b: boolVector([true, false, null, true]),
      x: float64Vector([1.5, null, -2, 0]),
      d: dateVector([when, null, new Date(0), when]),
    });
    const back = tableFromIPC(tableToIPC(table, 'stream'));
    expect(back.getChild('s')!.toArray()).toEqual(['SFO', null, 'Zürich', '']);
    expect([...back.getChild('b')!]).toEqual([true, false, null, true]);
    expect([...back.getChild('x')!]).toEqual([1.5, null, -2, 0]);
    const d = [...back.getChild('d')!] as (number | Date | null)[];
    expect(d.map((v) => (v === null ? null : new Date(v as number).getTime()))).toEqual([when.getTime(), null, 0, when.getTime()]);
    expect(back.getChild('s')!.nullCount).toBe(1);
  });
});
