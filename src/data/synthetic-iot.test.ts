import { tableToIPC, type Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../kernels/random';
import { groupByKey, groupTable } from './group-shuffle';
import { DEFAULT_IOT_NOISE, syntheticIot, type DeviceTruth } from './synthetic-iot';

/** The project's seeded generator (a test may reach across layers; syntheticIot itself takes any generator). */
const mulberry32 = seededRandom;

/** Ordinary least squares with an intercept, by the normal equations and Gaussian elimination. */
function leastSquares(table: Table, sensors: number): { beta: number[]; residualSd: number } {
  const cols = [...Array.from({ length: sensors }, (_, k) => table.getChild(`x${k + 1}`)!.toArray() as Float64Array)];
  const y = table.getChild('y')!.toArray() as Float64Array;
  const p = sensors + 1;
  const a = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0));
  const row = new Array<number>(p);
  for (let i = 0; i < y.length; i++) {
    row[0] = 1;
    for (let k = 0; k < sensors; k++) row[k + 1] = cols[k]![i]!;
    for (let r = 0; r < p; r++) {
      for (let c = 0; c < p; c++) a[r]![c]! += row[r]! * row[c]!;
      a[r]![p]! += row[r]! * y[i]!;
    }
  }
  for (let c = 0; c < p; c++) {
    for (let r = c + 1; r < p; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= p; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  const beta = new Array<number>(p).fill(0);
  for (let r = p - 1; r >= 0; r--) {
    let s = a[r]![p]!;
    for (let k = r + 1; k < p; k++) s -= a[r]![k]! * beta[k]!;
    beta[r] = s / a[r]![r]!;
  }
  let sse = 0;
  for (let i = 0; i < y.length; i++) {
    let fit = beta[0]!;
    for (let k = 0; k < sensors; k++) fit += beta[k + 1]! * cols[k]![i]!;
    sse += (y[i]! - fit) ** 2;
  }
  return { beta, residualSd: Math.sqrt(sse / (y.length - p)) };
}

describe('syntheticIot', () => {
  it('makes 1,000 devices × 2,000 readings with device, time, x1..x3 and y', () => {
    const started = performance.now();
    const { table, truth } = syntheticIot({ devices: 1000, rowsPerDevice: 2000, random: mulberry32(7) });
    console.info(`syntheticIot(1,000 × 2,000): ${(performance.now() - started).toFixed(0)} ms`);
    expect(table.numRows).toBe(2_000_000);
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(['device:Utf8', 'time:Timestamp<MILLISECOND>', 'x1:Float64', 'x2:Float64', 'x3:Float64', 'y:Float64']);
    expect(truth).toHaveLength(1000);
    expect(truth[0]!.device).toBe('dev-00001');
    expect(truth[999]!.device).toBe('dev-01000');
    expect(truth.every((t) => t.rows === 2000 && t.coefficients.length === 3)).toBe(true);
    // Readings are in time order with devices interleaved, so grouping is a real shuffle.
    expect([0, 1, 999, 1000].map((i) => table.get(i)!.toJSON())).toMatchObject([
      { device: 'dev-00001', time: Date.UTC(2024, 0, 1) },
      { device: 'dev-00002', time: Date.UTC(2024, 0, 1) },
      { device: 'dev-01000', time: Date.UTC(2024, 0, 1) },
      { device: 'dev-00001', time: Date.UTC(2024, 0, 1, 0, 1) },
    ]);
    expect(table.getChild('time')!.get(1_999_999)).toBe(Date.UTC(2024, 0, 1) + 1999 * 60_000);
    // The device column groups back into the devices of `truth`, 2,000 readings each.
    const grouped = groupByKey([table], 'device', { columns: ['x1', 'y'] });
    expect(grouped.keys).toEqual(truth.map((t) => t.device));
    expect(new Set(grouped.groupStart.subarray(1).map((s, g) => s - grouped.groupStart[g]!))).toEqual(new Set([2000]));
  });

  it('gives the same table for the same seed, and another for another seed', () => {
    const make = (seed: number): ReturnType<typeof syntheticIot> => syntheticIot({ devices: 20, rowsPerDevice: 50, random: mulberry32(seed), sizeSpread: 0.5 });
    const a = make(3);
    const b = make(3);
    const c = make(4);
    // Byte-equal IPC streams (Buffer.equals: vitest's deep equality is slow on 68 KB arrays).
    expect(Buffer.from(tableToIPC(a.table)).equals(tableToIPC(b.table))).toBe(true);
    expect(Buffer.from(tableToIPC(a.table)).equals(tableToIPC(c.table))).toBe(false);
    expect(a.truth).toEqual(b.truth);
    expect(c.truth[0]!.intercept).not.toBe(a.truth[0]!.intercept);
  });

  it('varies device sizes with sizeSpread, around rowsPerDevice', () => {
    const { table, truth } = syntheticIot({ devices: 400, rowsPerDevice: 200, random: mulberry32(11), sizeSpread: 1, sensors: 2 });
    const rows = truth.map((t) => t.rows).sort((x, y) => x - y);
    expect(table.numRows).toBe(rows.reduce((s, r) => s + r, 0));
    expect(rows[0]!).toBeLessThan(40);
    expect(rows[rows.length - 1]!).toBeGreaterThan(1000);
    expect(rows[200]!).toBeGreaterThan(150);
    expect(rows[200]!).toBeLessThan(270);
    const grouped = groupByKey([table], 'device');
    expect(grouped.keys.map((_, g) => grouped.groupStart[g + 1]! - grouped.groupStart[g]!)).toEqual(truth.map((t) => t.rows));
  });

  it('hides models a least-squares fit recovers within the noise', () => {
    const sensors = 4;
    const { table, truth } = syntheticIot({ devices: 50, rowsPerDevice: 3000, random: mulberry32(99), sensors, noise: 0.3 });
    const grouped = groupByKey([table], 'device');
    for (const g of [0, 17, 49]) {
      const t: DeviceTruth = truth[g]!;
      const { beta, residualSd } = leastSquares(groupTable(grouped, g), sensors);
      // The standard error of each coefficient is about noise / √rows = 0.3 / √3000 ≈ 0.0055.
      expect(Math.abs(beta[0]! - t.intercept)).toBeLessThan(0.03);
      t.coefficients.forEach((coef, k) => expect(Math.abs(beta[k + 1]! - coef)).toBeLessThan(0.03));
      expect(residualSd).toBeGreaterThan(0.28);
      expect(residualSd).toBeLessThan(0.32);
    }
  });

  it('uses the default noise, and none when noise is 0', () => {
    const noisy = syntheticIot({ devices: 1, rowsPerDevice: 4000, random: mulberry32(5), sensors: 1 });
    expect(leastSquares(noisy.table, 1).residualSd).toBeCloseTo(DEFAULT_IOT_NOISE, 1);
    const exact = syntheticIot({ devices: 1, rowsPerDevice: 10, random: mulberry32(5), sensors: 1, noise: 0 });
    const { intercept, coefficients } = exact.truth[0]!;
    const x = exact.table.getChild('x1')!.toArray() as Float64Array;
    const y = exact.table.getChild('y')!.toArray() as Float64Array;
    x.forEach((xi, i) => expect(y[i]).toBeCloseTo(intercept + coefficients[0]! * xi, 12));
  });

  it('rejects bad options with bad-input errors that name the option', () => {
    const random = mulberry32(1);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ devices: 0 }, /options\.devices must be a whole number of at least 1, got 0/],
      [{ rowsPerDevice: 2.5 }, /options\.rowsPerDevice must be a whole number of at least 1, got 2\.5/],
      [{ sensors: 0 }, /options\.sensors must be a whole number from 1 to 100, got 0/],
      [{ noise: -1 }, /options\.noise must be a finite number of at least 0, got -1/],
      [{ sizeSpread: Number.NaN }, /options\.sizeSpread must be a finite number of at least 0, got NaN/],
      [{ random: 42 }, /options\.random must be a function returning uniform numbers in \[0, 1\), such as seededRandom\(seed\)/],
      [{ devices: 100_000, rowsPerDevice: 1000 }, /must stay within 50000000 rows; lower devices or rowsPerDevice, got 100000000 rows/],
    ];
    for (const [patch, message] of cases) {
      const options = { devices: 2, rowsPerDevice: 3, random, ...patch } as Parameters<typeof syntheticIot>[0];
      expect(() => syntheticIot(options)).toThrow(expect.objectContaining({ code: 'bad-input', message: expect.stringMatching(message) }));
    }
  });
});
