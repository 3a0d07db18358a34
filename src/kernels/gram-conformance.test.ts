/**
 * The batched Gram kernel on every backend present: 'cpu' always, 'webgpu' when the `webgpu`
 * package gives a device (see node-webgpu.ts), each compared with the float64 CPU reference
 * (itself checked against a naive loop in gram.test.ts). Tolerance: each entry within
 * GRAM_GPU_TOLERANCE (1e-12, see gram.wgsl.ts) of its scale Σ_r |a_ri·a_rj| over the columns
 * a = [x, y, 1] on the GPU, and 0 on the cpu backend.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FabricError } from '../protocol/errors';
import { gramCpu } from './gram';
import { chooseGramBackend, gramScaledError } from './gram-choice';
import { gramGpu } from './gram-runner';
import { GRAM_GPU_TOLERANCE } from './gram.wgsl';
import { openNodeWebGpu } from './node-webgpu';
import { randomGroupedRows } from './random-groups';
import type { GramGpuOptions } from './gram-runner';
import type { GramResult, GroupedRows } from './gram';

interface Backend {
  readonly name: 'cpu' | 'webgpu';
  readonly tolerance: number;
  gram(g: GroupedRows, options?: GramGpuOptions): Promise<GramResult>;
}

const webGpu = await openNodeWebGpu();
const gpuDevice = webGpu.device;
const backends: Backend[] = [{ name: 'cpu', tolerance: 0, gram: async (g) => gramCpu(g) }];
if (gpuDevice) {
  backends.push({ name: 'webgpu', tolerance: GRAM_GPU_TOLERANCE, gram: (g, options) => gramGpu(gpuDevice, g, options) });
}
afterAll(() => gpuDevice?.destroy());

if (!gpuDevice) {
  describe.skip(`webgpu: skipped, ${webGpu.reason}`, () => {
    it('runs the gram conformance table', () => undefined);
  });
}

interface Case {
  readonly name: string;
  readonly sizes: readonly number[];
  readonly cols: number;
  readonly yOffset?: number;
  readonly options?: GramGpuOptions;
}

/** Group sizes from a seeded skew: many small groups and a few large, like airports. */
function skewedSizes(groups: number, max: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: groups }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.floor((s / 2147483648) ** 4 * max);
  });
}

const CASES: Case[] = [
  { name: 'p = 1, one row', sizes: [1], cols: 1 },
  { name: 'p = 3, empty, 1-row and 1000-row groups', sizes: [0, 1, 1000, 0, 2], cols: 3 },
  { name: 'p = 8, 229 skewed groups', sizes: skewedSizes(229, 3000, 7), cols: 8 },
  { name: 'p = 4, 20,000 groups of 0 to 3 rows', sizes: Array.from({ length: 20_000 }, (_, g) => g % 4), cols: 4 },
  { name: 'p = 2, one group of 200,000 rows', sizes: [200_000], cols: 2 },
  { name: 'p = 64, 3 groups', sizes: [300, 0, 65], cols: 64 },
  { name: 'p = 5, y offset 1e6 (cancellation)', sizes: [2000, 3], cols: 5, yOffset: 1e6 },
  { name: 'p = 6, blocks of 7 rows in batches of 5 blocks', sizes: [100, 0, 33, 7, 1], cols: 6, options: { blockRows: 7, maxBatchBlocks: 5 } },
];

/** Σ_r |a_ri·a_rj| per entry, over a = [x, y, 1]: the scale each entry's error is measured against. */
function scales(g: GroupedRows): GramResult {
  return gramCpu({ ...g, x: g.x.map(Math.abs), y: g.y.map(Math.abs) });
}

function expectWithin(got: GramResult, want: GramResult, scale: GramResult, tolerance: number): void {
  expect(Array.from(got.n)).toEqual(Array.from(want.n));
  for (const key of ['xtx', 'xty', 'yty', 'ysum'] as const) {
    expect(got[key]).toBeInstanceOf(Float64Array);
    expect(got[key].length).toBe(want[key].length);
  }
  expect(gramScaledError(want, got, scale)).toBeLessThanOrEqual(tolerance);
}

describe.each(backends)('$name backend', (backend) => {
  it.each(CASES.map((c) => [c.name, c] as const))('gram: %s', async (_, c) => {
    const g = randomGroupedRows({ sizes: c.sizes, cols: c.cols, seed: 100 + c.cols, ...(c.yOffset ? { yOffset: c.yOffset } : {}) });
    const got = await backend.gram(g, c.options);
    expectWithin(got, gramCpu(g), scales(g), backend.tolerance);
    c.sizes.forEach((n, k) => {
      if (n === 0) expect(got.yty[k]).toBe(0);
    });
  });

  it('gives the same bits on a second run (fixed order)', async () => {
    const g = randomGroupedRows({ sizes: skewedSizes(50, 5000, 3), cols: 7, seed: 8 });
    const a = await backend.gram(g);
    const b = await backend.gram(g);
    expect(Array.from(b.xtx)).toEqual(Array.from(a.xtx));
    expect(Array.from(b.yty)).toEqual(Array.from(a.yty));
  });

  it('gives exactly the CPU reference for groups with NaN, Infinity or huge values', async () => {
    const g = randomGroupedRows({ sizes: [20, 20, 20, 20], cols: 3, seed: 9 });
    const x = Float32Array.from(g.x);
    const y = Float64Array.from(g.y);
    x[5 * 3 + 1] = NaN; // group 0
    y[25] = Infinity; // group 1
    x[45 * 3 + 2] = 1e30; // group 2: products overflow f32
    const bad = { ...g, x, y };
    const got = await backend.gram(bad);
    const want = gramCpu(bad);
    for (const key of ['xtx', 'xty', 'yty', 'ysum'] as const) {
      const per = want[key].length / 4;
      expect(Array.from(got[key].subarray(0, 3 * per))).toEqual(Array.from(want[key].subarray(0, 3 * per)));
    }
    expect(got.xtx[1 * 3 + 1]).toBeNaN(); // group 0, entry (1, 1)
    expect(got.yty[1]).toBe(Infinity);
    expect(Number.isFinite(got.xtx[3 * 9]!)).toBe(true);
  });

  it('rejects malformed input with the CPU reference\'s message', async () => {
    const g = randomGroupedRows({ sizes: [3, 4], cols: 2, seed: 5 });
    const call = backend.gram({ ...g, groupStart: Int32Array.of(0, 5, 3, 7) });
    await expect(call).rejects.toThrow(FabricError);
    await expect(call).rejects.toThrow('groupStart decreases at group 1 (5 then 3); sort rows by group');
  });
});

describe.runIf(gpuDevice)('gramGpu limits', () => {
  it('rejects more than 64 columns and says to use gramCpu', async () => {
    const g = randomGroupedRows({ sizes: [2], cols: 65, seed: 1 });
    await expect(gramGpu(gpuDevice!, g)).rejects.toThrow('gramGpu: cols is 65; the WebGPU kernel supports at most 64 columns. Use gramCpu.');
  });
});

describe('chooseGramBackend', () => {
  it('times the CPU and every device present, and picks the faster correct one', async () => {
    const sample = randomGroupedRows({ sizes: skewedSizes(40, 2000, 5), cols: 6, seed: 12 });
    const choice = await chooseGramBackend(gpuDevice, sample, { runs: 1 });
    console.info(`gram choice on ${webGpu.reason}: ${choice.reason}`);
    expect(choice.cpuMs).toBeGreaterThan(0);
    if (!gpuDevice) {
      expect(choice).toMatchObject({ chosen: 'cpu', reason: 'no WebGPU device' });
      return;
    }
    expect(choice.gpuMs).toBeGreaterThan(0);
    expect(choice.chosen).toBe(choice.gpuMs! < choice.cpuMs ? 'webgpu' : 'cpu');
    expect(choice.reason).toContain(`${choice.chosen} is faster`);
  });

  it('measures errors against the scale, NaN only against NaN', () => {
    const g = randomGroupedRows({ sizes: [5], cols: 2, seed: 1 });
    const want = gramCpu(g);
    const got = { ...want, xtx: want.xtx.map((v, i) => (i === 1 ? v + 1e-3 : v)) };
    const scale = scales(g);
    expect(gramScaledError(want, got, scale)).toBeCloseTo(1e-3 / scale.xtx[1]!, 15);
    expect(gramScaledError(want, { ...want, yty: Float64Array.of(NaN) }, scale)).toBe(Infinity);
    const nan = { ...want, yty: Float64Array.of(NaN) };
    expect(gramScaledError(nan, nan, scale)).toBe(0);
  });
});
