import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { sampleRuns, sampleTable } from './sample';

describe('systematic sample', () => {
  it('keeps runs of rows evenly spaced over the table', () => {
    expect(sampleRuns(1000, 0.1, 10)).toEqual(Array.from({ length: 10 }, (_, i) => [i * 100, i * 100 + 10]));
    expect(sampleRuns(3_000_000, 0.01).length).toBe(300);
  });

  it('cuts the last run at the end, keeps all for 1, nothing of nothing', () => {
    expect(sampleRuns(105, 0.1, 10).at(-1)).toEqual([100, 105]);
    expect(sampleRuns(7, 1)).toEqual([[0, 7]]);
    expect(sampleRuns(0, 0.5)).toEqual([]);
    expect(sampleRuns(50, 0.01, 100)).toEqual([[0, 50]]);
  });

  it('rejects fractions outside (0, 1] with the fix in the message', () => {
    for (const f of [0, -0.1, 1.5, NaN]) expect(() => sampleRuns(10, f)).toThrow(/options\.sample must be a fraction of rows above 0 and at most 1 \(0\.01 for 1%\)/);
  });

  it('gives the sampled rows with their types, over several batches', () => {
    const n = 2000;
    const t = tableFromArrays({ id: Int32Array.from({ length: n }, (_, i) => i), x: Float64Array.from({ length: n }, (_, i) => i / 2), name: Array.from({ length: n }, (_, i) => `r${i}`) });
    const s = sampleTable(t, 0.05, 20);
    expect(s.numRows).toBe(100);
    expect(s.schema.fields.map((f) => String(f.type))).toEqual(t.schema.fields.map((f) => String(f.type)));
    const ids = s.getChild('id')!.toArray() as Int32Array;
    expect(Array.from(ids.slice(0, 22))).toEqual([...Array.from({ length: 20 }, (_, i) => i), 400, 401]);
    expect(s.getChild('name')!.get(20)).toBe('r400');
    expect(sampleTable(t, 1)).toBe(t);
  });
});
