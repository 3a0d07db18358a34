/**
 * The GEMV score kernel on every backend present: 'cpu' always, 'webgpu' when the `webgpu`
 * package gives a device (see node-webgpu.ts). Each is compared with a naive float64 loop written
 * here, independent of glm-cpu.ts. Tolerance: each output within the backend's tolerance of
 * max(1, its row's scale |intercept| + Σ|β x|) — SCORE_GPU_TOLERANCE (1e-5, see gemv.wgsl.ts)
 * on webgpu, 1e-12 on cpu (float64, summed in another order).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FabricError } from '../protocol/errors';
import { scoreCpu } from './gemv';
import { chooseScoreBackend, scoreScaledError } from './gemv-choice';
import { releaseScoreDesign, scoreGpu } from './gemv-runner';
import { SCORE_GPU_TOLERANCE } from './gemv.wgsl';
import { openNodeWebGpu } from './node-webgpu';
import { randomDesign, randomParams } from './random-design';
import type { DesignMatrix, GlmKind } from './design';
import type { ScoreGpuOptions } from './gemv-runner';

interface Backend {
  readonly name: 'cpu' | 'webgpu';
  /** Function named in error messages. */
  readonly fn: string;
  readonly tolerance: number;
  score(kind: GlmKind, m: DesignMatrix, params: Float64Array, classes: number, options?: ScoreGpuOptions): Promise<Float64Array>;
  release(m: DesignMatrix): void;
}

const webGpu = await openNodeWebGpu();
const gpuDevice = webGpu.device;
const backends: Backend[] = [
  { name: 'cpu', fn: 'scoreCpu', tolerance: 1e-12, score: async (kind, m, params, classes) => scoreCpu(kind, m, params, classes), release: () => undefined },
];
if (gpuDevice) {
  backends.push({
    name: 'webgpu',
    fn: 'scoreGpu',
    tolerance: SCORE_GPU_TOLERANCE,
    score: (kind, m, params, classes, options) => scoreGpu(gpuDevice, kind, m, params, classes, options),
    release: (m) => releaseScoreDesign(gpuDevice, m),
  });
}
afterAll(() => gpuDevice?.destroy());

if (!gpuDevice) {
  describe.skip(`webgpu: skipped, ${webGpu.reason}`, () => {
    it('runs the gemv conformance table', () => undefined);
  });
}

/** Scores by the textbook formulas, one row and class at a time, with each row's scale. */
function naiveScore(kind: GlmKind, m: DesignMatrix, params: Float64Array, classes: number) {
  const outputs = kind === 'softmax' ? classes : 1;
  const values = new Float64Array(m.rows * outputs);
  const scale = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    const z: number[] = [];
    for (let k = 0; k < outputs; k++) {
      const w = (j: number): number => params[k * m.dim + j]!;
      let sum = 0;
      let abs = 0;
      const add = (t: number): void => {
        sum += t;
        abs += Math.abs(t);
      };
      for (let c = 0; c < m.denseCols; c++) add(w(c) * m.dense[c * m.rows + r]!);
      for (const codes of m.oneHot) if (codes[r]! >= 0) add(w(codes[r]!));
      add(w(m.dim - 1));
      z.push(sum);
      scale[r] = k === 0 ? abs : Math.max(scale[r]!, abs);
    }
    if (kind === 'linear') values[r] = z[0]!;
    else if (kind === 'logistic') values[r] = 1 / (1 + Math.exp(-z[0]!));
    else {
      const mx = Math.max(...z);
      const e = z.map((v) => Math.exp(v - mx));
      const total = e.reduce((a, b) => a + b, 0);
      e.forEach((v, k) => (values[r * classes + k] = v / total));
    }
  }
  return { values, scale, outputs };
}

type Layout = 'dense' | 'one-hot' | 'both';
const LAYOUTS: Record<Layout, { denseCols: number; categories: number[] }> = {
  dense: { denseCols: 5, categories: [] },
  'one-hot': { denseCols: 0, categories: [7, 4] },
  both: { denseCols: 3, categories: [5, 4] },
};

interface Case {
  readonly kind: GlmKind;
  readonly layout: Layout;
  readonly rows: number;
  readonly options?: ScoreGpuOptions;
}

const KINDS: readonly GlmKind[] = ['linear', 'logistic', 'softmax'];
const CASES: Case[] = [];
for (const kind of KINDS) {
  for (const layout of ['dense', 'one-hot', 'both'] as const) CASES.push({ kind, layout, rows: 1001 });
  for (const rows of [0, 1, 65]) CASES.push({ kind, layout: 'both', rows });
}
CASES.push({ kind: 'logistic', layout: 'both', rows: 100_003 });
CASES.push({ kind: 'softmax', layout: 'both', rows: 1001, options: { maxChunkRows: 100 } });
CASES.push({ kind: 'linear', layout: 'dense', rows: 130, options: { maxChunkRows: 64 } });

const classesOf = (kind: GlmKind): number => (kind === 'softmax' ? 3 : 2);

function matrixFor(kind: GlmKind, layout: Layout, rows: number, seed: number): DesignMatrix {
  return randomDesign({ rows, ...LAYOUTS[layout], kind, classes: 3, seed });
}

/** Worst scaled error seen per backend and kind, printed at the end (informational). */
const worstSeen = new Map<string, number>();
afterAll(() => console.info(`gemv worst scaled errors: ${[...worstSeen].map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`));

/** Scores on `backend`, checks type, shape and values against the naive loop. */
async function expectScores(backend: Backend, kind: GlmKind, m: DesignMatrix, params: Float64Array, options?: ScoreGpuOptions): Promise<Float64Array> {
  const classes = classesOf(kind);
  const got = await backend.score(kind, m, params, classes, options);
  const want = naiveScore(kind, m, params, classes);
  expect(got).toBeInstanceOf(Float64Array);
  expect(got.length).toBe(m.rows * want.outputs);
  const err = scoreScaledError(want.values, got, want.scale, want.outputs);
  expect(err).toBeLessThanOrEqual(backend.tolerance);
  const key = `${backend.name}/${kind}`;
  worstSeen.set(key, Math.max(worstSeen.get(key) ?? 0, err));
  return got;
}

describe.each(backends)('$name backend', (backend) => {

  it.each(CASES.map((c) => [`${c.kind}, ${c.layout}, ${c.rows} rows${c.options ? `, chunks of ${c.options.maxChunkRows}` : ''}`, c] as const))('score: %s', async (_, c) => {
    const m = matrixFor(c.kind, c.layout, c.rows, 500 + c.rows);
    const params = randomParams(c.kind, m, classesOf(c.kind), 31);
    const got = await expectScores(backend, c.kind, m, params, c.options);
    backend.release(m);
    if (c.kind !== 'linear') expect(got.every((p) => p >= 0 && p <= 1)).toBe(true);
    if (c.kind === 'softmax') {
      for (let r = 0; r < c.rows; r++) expect(got[3 * r]! + got[3 * r + 1]! + got[3 * r + 2]!).toBeCloseTo(1, 5);
    }
  });

  it.each(['logistic', 'softmax'] as const)('saturates without NaN or overflow at |z| up to 2e4: %s', async (kind) => {
    const m = matrixFor(kind, 'both', 257, 11);
    const params = randomParams(kind, m, classesOf(kind), 12);
    params[0] = 1e4; // z ≈ 1e4 · x with |x| up to 1.7
    params[m.dim - 1] = -3e3;
    const got = await expectScores(backend, kind, m, params);
    backend.release(m);
    expect(got.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(got.some((p) => p === 0 || p === 1 || p < 1e-30)).toBe(true);
  });

  it.each(KINDS)('propagates a NaN feature to its row only, Infinity as the reference does: %s', async (kind) => {
    const m = matrixFor(kind, 'both', 200, 13);
    const dense = Float32Array.from(m.dense);
    dense[1 * m.rows + 3] = NaN; // column 1, row 3
    dense[2 * m.rows + 150] = Infinity; // column 2, row 150
    const bad = { ...m, dense };
    const classes = classesOf(kind);
    const params = randomParams(kind, m, classes, 14);
    const got = await expectScores(backend, kind, bad, params);
    backend.release(bad);
    const outputs = got.length / m.rows;
    const nanRows = new Set<number>();
    got.forEach((v, i) => Number.isNaN(v) && nanRows.add(Math.floor(i / outputs)));
    expect([...nanRows]).toEqual(kind === 'softmax' ? [3, 150] : [3]); // softmax: e^(Inf - Inf)
    expect(got.subarray(3 * outputs, 4 * outputs).every(Number.isNaN)).toBe(true);
    expect(Array.from(got.subarray(150 * outputs, 151 * outputs))).toEqual(Array.from(scoreCpu(kind, bad, params, classes).subarray(150 * outputs, 151 * outputs)));
  });

  it('gives NaN for every row when the intercept is NaN', async () => {
    const m = matrixFor('logistic', 'both', 70, 15);
    const params = randomParams('logistic', m, 2, 16);
    params[m.dim - 1] = NaN;
    const got = await backend.score('logistic', m, params, 2);
    backend.release(m);
    expect(got.every(Number.isNaN)).toBe(true);
  });

  it('scores parameters beyond f32 range like the float64 reference', async () => {
    const m = matrixFor('linear', 'both', 90, 23);
    const params = randomParams('linear', m, 1, 24);
    params[0] = 1e300; // z ≈ 1e300 · x: Infinity in f32
    const got = await expectScores(backend, 'linear', m, params);
    backend.release(m);
    expect(got.every(Number.isFinite)).toBe(true);
    expect(Math.max(...got.map(Math.abs))).toBeGreaterThan(1e299);
  });

  it('scores one uploaded matrix with several models, the same bits each time', async () => {
    const m = matrixFor('softmax', 'both', 300, 17);
    const a = randomParams('softmax', m, 3, 18);
    const b = randomParams('softmax', m, 3, 19);
    const first = await expectScores(backend, 'softmax', m, a);
    await expectScores(backend, 'softmax', m, b);
    backend.release(m);
    expect(Array.from(await expectScores(backend, 'softmax', m, a))).toEqual(Array.from(first));
    backend.release(m);
  });

  it('rejects bad input with the function, the argument and the fix', async () => {
    const m = matrixFor('linear', 'both', 10, 20);
    const call = backend.score('linear', m, new Float64Array(m.dim + 1), 1);
    await expect(call).rejects.toThrow(FabricError);
    await expect(call).rejects.toThrow(`${backend.fn}: params has length ${m.dim + 1}; expected ${m.dim} for linear with dim ${m.dim}. Allocate params with parameterCount`);
    await expect(backend.score('softmax', m, new Float64Array(m.dim), 1)).rejects.toThrow(`${backend.fn}: classes is 1; softmax needs an integer >= 2`);
    await expect(backend.score('probit' as GlmKind, m, new Float64Array(m.dim), 1)).rejects.toThrow(
      `${backend.fn}: kind is "probit"; expected 'linear', 'logistic' or 'softmax'`,
    );
  });
});

describe('chooseScoreBackend', () => {
  const sample = () => {
    const m = matrixFor('softmax', 'both', 20_000, 21);
    return { kind: 'softmax' as const, m, params: randomParams('softmax', m, 3, 22), classes: 3 };
  };

  it('chooses the cpu without a device, and says so', async () => {
    const choice = await chooseScoreBackend(undefined, sample(), { runs: 1 });
    expect(choice).toMatchObject({ chosen: 'cpu', reason: 'no WebGPU device' });
    expect(choice.cpuMs).toBeGreaterThan(0);
    expect(choice.gpuMs).toBeUndefined();
  });

  it.runIf(gpuDevice)('times the cpu and the device, and picks the faster correct one', async () => {
    const choice = await chooseScoreBackend(gpuDevice, sample(), { runs: 3 });
    console.info(`gemv choice on ${webGpu.reason}: ${choice.reason}`);
    expect(choice.cpuMs).toBeGreaterThan(0);
    expect(choice.gpuMs).toBeGreaterThan(0);
    expect(choice.chosen).toBe(choice.gpuMs! < choice.cpuMs ? 'webgpu' : 'cpu');
    expect(choice.reason).toContain(`${choice.chosen} is faster`);
  });

  it('measures errors against max(1, scale), NaN only against NaN', () => {
    const want = Float64Array.of(0.5, 10, NaN);
    const scale = Float64Array.of(0.2, 100, 1);
    expect(scoreScaledError(want, Float64Array.of(0.5 + 1e-6, 10.001, NaN), scale, 1)).toBeCloseTo(1e-5, 12);
    expect(scoreScaledError(want, Float64Array.of(0.5, 10, 0), scale, 1)).toBe(Infinity);
    expect(scoreScaledError(want, new Float64Array(2), scale, 1)).toBe(Infinity);
  });
});
