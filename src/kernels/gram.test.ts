import { describe, expect, it } from 'vitest';
import { FabricError } from '../protocol/errors';
import { accumulateCrossProducts, upperIndex, upperLength } from './cross-products';
import { gramCpu, gramOfGroup } from './gram';
import { randomGroupedRows } from './random-groups';
import type { GramResult, GroupedRows } from './gram';

/** The definition, one row and one entry at a time, in float64. */
function naiveGram(g: GroupedRows): GramResult {
  const p = g.cols;
  const groups = g.groupStart.length - 1;
  const out = {
    groups, cols: p,
    xtx: new Float64Array(groups * p * p), xty: new Float64Array(groups * p),
    yty: new Float64Array(groups), ysum: new Float64Array(groups), n: new Int32Array(groups),
  };
  for (let k = 0; k < groups; k++) {
    for (let r = g.groupStart[k]!; r < g.groupStart[k + 1]!; r++) {
      out.n[k]!++;
      const yr = g.y[r]!;
      out.yty[k]! += yr * yr;
      out.ysum[k]! += yr;
      for (let i = 0; i < p; i++) {
        out.xty[k * p + i]! += g.x[r * p + i]! * yr;
        for (let j = 0; j < p; j++) out.xtx[k * p * p + i * p + j]! += g.x[r * p + i]! * g.x[r * p + j]!;
      }
    }
  }
  return out;
}

/** |a − b| ≤ 1e-12 · (|a| + 1) entry by entry; NaN only where the other is NaN. */
function expectClose(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(b[i]!)) expect(a[i], `entry ${i}`).toBeNaN();
    else expect(Math.abs(a[i]! - b[i]!), `entry ${i}`).toBeLessThanOrEqual(1e-12 * (Math.abs(b[i]!) + 1));
  }
}

function expectSameGram(got: GramResult, want: GramResult): void {
  expect(got.groups).toBe(want.groups);
  expect(Array.from(got.n)).toEqual(Array.from(want.n));
  for (const key of ['xtx', 'xty', 'yty', 'ysum'] as const) expectClose(got[key], want[key]);
}

describe('gramCpu', () => {
  it.each([1, 2, 3, 4, 5, 7, 8, 13, 64])('matches the naive loop with p = %i, with empty and 1-row groups', (p) => {
    const g = randomGroupedRows({ sizes: [0, 1, 37, 0, 500, 2], cols: p, seed: p });
    const got = gramCpu(g);
    expectSameGram(got, naiveGram(g));
    expect(Array.from(got.n)).toEqual([0, 1, 37, 0, 500, 2]);
    expect(got.xtx.subarray(0, p * p).every((v) => v === 0)).toBe(true);
    // A 1-row group's XᵀX is the outer product of its row.
    const row = g.x.subarray(0, p);
    const one = gramOfGroup(got, 1);
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) expect(one.xtx[i * p + j]).toBe(row[i]! * row[j]!);
    expect(one.yty).toBe(g.y[0]! * g.y[0]!);
  });

  it('returns symmetric XᵀX and counts from groupStart, with no groups and with no rows', () => {
    const g = randomGroupedRows({ sizes: [10, 20], cols: 5, seed: 3 });
    const { xtx } = gramCpu(g);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(xtx[25 + i * 5 + j]).toBe(xtx[25 + j * 5 + i]);
    const none = gramCpu({ rows: 0, cols: 3, x: new Float32Array(0), y: new Float64Array(0), groupStart: Int32Array.of(0) });
    expect(none.groups).toBe(0);
    expect(none.xtx.length).toBe(0);
    const empty = gramCpu({ rows: 0, cols: 2, x: new Float32Array(0), y: new Float64Array(0), groupStart: Int32Array.of(0, 0, 0) });
    expect(Array.from(empty.yty)).toEqual([0, 0]);
  });

  it('propagates NaN to the row and column of its feature, and a NaN target to Xᵀy, yᵀy and Σy', () => {
    const g = randomGroupedRows({ sizes: [6, 6, 6], cols: 4, seed: 4 });
    const x = Float32Array.from(g.x);
    const y = Float64Array.from(g.y);
    x[2 * 4 + 1] = NaN; // group 0, row 2, column 1
    y[14] = NaN; // group 2
    const got = gramCpu({ ...g, x, y });
    const a = gramOfGroup(got, 0);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) expect(Number.isNaN(a.xtx[i * 4 + j]!)).toBe(i === 1 || j === 1);
      expect(Number.isNaN(a.xty[i]!)).toBe(i === 1);
    }
    expect(a.yty).not.toBeNaN();
    expect(gramOfGroup(got, 1).xtx.some(Number.isNaN)).toBe(false);
    const c = gramOfGroup(got, 2);
    expect(c.xty.every(Number.isNaN) && Number.isNaN(c.yty) && Number.isNaN(c.ysum)).toBe(true);
    expect(c.xtx.some(Number.isNaN)).toBe(false);
  });

  it('rejects malformed input with a message that names the field and the fix', () => {
    const g = randomGroupedRows({ sizes: [3, 4], cols: 2, seed: 5 });
    const call = (patch: Partial<GroupedRows>) => () => gramCpu({ ...g, ...patch });
    expect(call({ cols: 0, x: new Float32Array(0) })).toThrow(FabricError);
    expect(call({ cols: 0 })).toThrow('gramCpu: cols must be an integer ≥ 1; received 0');
    expect(call({ x: new Float32Array(13) })).toThrow('x has length 13; expected rows × cols = 7 × 2 = 14');
    expect(call({ y: new Float64Array(6) })).toThrow('y has length 6; expected one value per row (7)');
    expect(call({ groupStart: Int32Array.of(0, 5, 3, 7) })).toThrow('groupStart decreases at group 1 (5 then 3); sort rows by group');
    expect(call({ groupStart: Int32Array.of(0, 3, 6) })).toThrow('groupStart[2] is 6; the last group must end at rows (7)');
    expect(call({ groupStart: Int32Array.of(1, 7) })).toThrow('groupStart[0] is 1; the first group starts at row 0');
    expect(call({ y: new Float32Array(7) as unknown as Float64Array })).toThrow('y must be a Float64Array');
    expect(() => gramOfGroup(gramCpu(g), 2)).toThrow('gramOfGroup: group 2 does not exist; there are 2 groups (0 to 1)');
  });
});

describe('accumulateCrossProducts', () => {
  it('adds weighted cross products into the packed upper triangle for every p up to 9', () => {
    for (let p = 1; p <= 9; p++) {
      const g = randomGroupedRows({ sizes: [41], cols: p, seed: 10 + p, intercept: false });
      const w = Float64Array.from({ length: 41 }, (_, r) => (r % 5) / 3);
      const upper = new Float64Array(upperLength(p)).fill(1);
      accumulateCrossProducts(g.x, p, 3, 40, upper, w);
      for (let i = 0; i < p; i++) {
        for (let j = i; j < p; j++) {
          let s = 1;
          for (let r = 3; r < 40; r++) s += w[r]! * g.x[r * p + i]! * g.x[r * p + j]!;
          expect(upper[upperIndex(i, j, p)]).toBeCloseTo(s, 10);
        }
      }
    }
  });
});
