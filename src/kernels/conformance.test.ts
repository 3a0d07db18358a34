/**
 * One table of cases, run on every backend present: 'cpu' always, 'webgpu' when the `webgpu`
 * package (Dawn, here on Chromium's SwiftShader; see vitest.config.ts) gives a device. Each
 * backend is compared with the float64 CPU reference (itself checked against a naive per-row
 * model in glm-cpu.test.ts). Tolerances: F32_RELATIVE_TOLERANCE (1e-5, see kernel-choice.ts)
 * for GLM loss and gradient on f32 backends, 0 on cpu; 1e-12 of Σ|v| for sumVectors (double-f32
 * keeps about 48 bits, see sum-vectors.wgsl.ts).
 */
import { openNodeWebGpu } from './node-webgpu';
import { afterAll, describe, expect, it } from 'vitest';
import { FabricError } from '../protocol/errors';
import { glmLossGrad, sumVectors } from './glm-cpu';
import { glmLossGradGpu, releaseDesign, sumVectorsGpu } from './gpu-runner';
import { chooseKernelBackend, F32_RELATIVE_TOLERANCE, relativeError } from './kernel-choice';
import { randomDesign, randomParams, seededRandom } from './random-design';
import { parameterCount } from './design';
import type { DesignMatrix, GlmKind } from './design';

interface LossGrad {
  loss: number;
  grad: Float64Array;
}

/** What a backend offers, as the suite calls it. */
interface Backend {
  readonly name: 'cpu' | 'webgpu';
  /** Allowed relative error of loss and gradient against the CPU reference. */
  readonly tolerance: number;
  lossGrad(kind: GlmKind, m: DesignMatrix, params: Float64Array, classes: number, maxBlockRows?: number): Promise<LossGrad>;
  sum(vectors: readonly Float64Array[], maxSliceElements?: number): Promise<Float64Array>;
  release(m: DesignMatrix): void;
}

function referenceLossGrad(kind: GlmKind, m: DesignMatrix, params: Float64Array, classes: number): LossGrad {
  const grad = new Float64Array(parameterCount(kind, m.dim, classes));
  return { loss: glmLossGrad(kind, m, params, classes, grad), grad };
}

const cpu: Backend = {
  name: 'cpu',
  tolerance: 0,
  lossGrad: async (kind, m, params, classes) => referenceLossGrad(kind, m, params, classes),
  sum: async (vectors) => sumVectors(vectors),
  release: () => undefined,
};

const webGpu = await openNodeWebGpu();
const backends: Backend[] = [cpu];
const gpuDevice = webGpu.device;
if (gpuDevice) {
  backends.push({
    name: 'webgpu',
    tolerance: F32_RELATIVE_TOLERANCE,
    lossGrad: (kind, m, params, classes, maxBlockRows) =>
      glmLossGradGpu(gpuDevice, kind, m, params, classes, maxBlockRows ? { maxBlockRows } : {}),
    sum: (vectors, maxSliceElements) => sumVectorsGpu(gpuDevice, vectors, maxSliceElements ? { maxSliceElements } : {}),
    release: (m) => releaseDesign(gpuDevice, m),
  });
}
afterAll(() => gpuDevice?.destroy());

interface Case {
  readonly rows: number;
  /** 'small': 3 dense + one-hots of 5 and 4 (dim 13); 'wide': 41 dense + two of 229 (dim 500). */
  readonly width: 'small' | 'wide';
  readonly kind: GlmKind;
  readonly classes?: number;
  /** Rows per GPU block, to force several blocks. */
  readonly maxBlockRows?: number;
}

const CASES: Case[] = [];
for (const rows of [0, 1, 257, 100_003]) {
  for (const width of ['small', 'wide'] as const) {
    for (const kind of ['linear', 'logistic'] as const) CASES.push({ rows, width, kind });
  }
}
CASES.push({ rows: 257, width: 'small', kind: 'softmax', classes: 4 });
CASES.push({ rows: 20_011, width: 'small', kind: 'softmax', classes: 3 });
CASES.push({ rows: 257, width: 'wide', kind: 'logistic', maxBlockRows: 100 });

function caseName(c: Case): string {
  const blocks = c.maxBlockRows ? `, blocks of ${c.maxBlockRows}` : '';
  return `${c.kind}${c.classes ? `(${c.classes})` : ''}, ${c.rows} rows, ${c.width}${blocks}`;
}

function matrixFor(c: Case, seed: number): DesignMatrix {
  const [denseCols, categories] = c.width === 'small' ? [3, [5, 4]] : [41, [229, 229]];
  return randomDesign({ rows: c.rows, denseCols, categories, kind: c.kind, classes: c.classes ?? 3, seed });
}

if (!gpuDevice) {
  describe.skip(`webgpu: skipped, ${webGpu.reason}`, () => {
    it('runs the conformance table', () => undefined);
  });
}

describe.each(backends)('$name backend', (backend) => {
  it.each(CASES.map((c) => [caseName(c), c] as const))('GLM loss and gradient: %s', async (_, c) => {
    const m = matrixFor(c, 1000 + c.rows);
    const classes = c.classes ?? 2;
    const params = randomParams(c.kind, m, classes, 77);
    const want = referenceLossGrad(c.kind, m, params, classes);
    const got = await backend.lossGrad(c.kind, m, params, classes, c.maxBlockRows);
    backend.release(m);
    expect(got.grad).toBeInstanceOf(Float64Array);
    expect(got.grad.length).toBe(parameterCount(c.kind, m.dim, classes));
    if (c.rows === 0) {
      expect(got.loss).toBe(0);
      expect(got.grad.every((g) => g === 0)).toBe(true);
      return;
    }
    const err = relativeError(want, got);
    expect(err.loss).toBeLessThanOrEqual(backend.tolerance);
    expect(err.grad).toBeLessThanOrEqual(backend.tolerance);
  });

  it('gives the same bits on a second run (deterministic order)', async () => {
    const m = matrixFor({ rows: 5000, width: 'wide', kind: 'logistic' }, 3);
    const params = randomParams('logistic', m, 2, 4);
    const a = await backend.lossGrad('logistic', m, params, 2);
    const b = await backend.lossGrad('logistic', m, params, 2);
    backend.release(m);
    expect(b.loss).toBe(a.loss);
    expect(Array.from(b.grad)).toEqual(Array.from(a.grad));
  });

  it('returns a NaN loss and NaN intercept gradient when a row holds NaN', async () => {
    const m = matrixFor({ rows: 257, width: 'small', kind: 'linear' }, 5);
    const dense = Float32Array.from(m.dense);
    dense[100] = NaN;
    const nanMatrix = { ...m, dense };
    const got = await backend.lossGrad('linear', nanMatrix, randomParams('linear', m, 1, 6), 1);
    backend.release(nanMatrix);
    expect(got.loss).toBeNaN();
    expect(got.grad[m.dim - 1]).toBeNaN();
  });

  it('rejects a wrong params length with the CPU kernel\'s message', async () => {
    const m = matrixFor({ rows: 10, width: 'small', kind: 'linear' }, 7);
    const call = backend.lossGrad('linear', m, new Float64Array(m.dim + 1), 1);
    await expect(call).rejects.toThrow(FabricError);
    await expect(call).rejects.toThrow(`params has length ${m.dim + 1}; expected ${m.dim} for linear with dim ${m.dim}`);
  });

  it('rejects an out-of-range softmax label with the same message', async () => {
    const m = matrixFor({ rows: 50, width: 'small', kind: 'softmax', classes: 3 }, 8);
    const y = Float64Array.from(m.y, (v, r) => (r === 7 ? 3 : v));
    const call = backend.lossGrad('softmax', { ...m, y }, randomParams('softmax', m, 3, 9), 3);
    await expect(call).rejects.toThrow('softmax label y[7] is 3; expected an integer class in [0, 3)');
  });

  it('sums vectors like the float64 CPU within 1e-12 of Σ|v|, in slices too', async () => {
    const rand = seededRandom(9);
    const vectors = Array.from({ length: 6 }, () =>
      Float64Array.from({ length: 1001 }, (_, i) => (rand() - 0.5) * 10 ** ((i % 13) - 6)),
    );
    vectors[2]![5] = Infinity;
    const want = sumVectors(vectors);
    for (const got of [await backend.sum(vectors), await backend.sum(vectors, 300)]) {
      expect(got.length).toBe(1001);
      expect(got[5]).toBe(Infinity);
      for (let i = 0; i < want.length; i++) {
        if (i === 5) continue;
        const scale = vectors.reduce((s, v) => s + Math.abs(v[i]!), 0);
        expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-12 * scale);
      }
    }
    expect((await backend.sum([])).length).toBe(0);
    await expect(backend.sum([new Float64Array(3), new Float64Array(2)])).rejects.toThrow(
      'vector 1 has length 2 but vector 0 has length 3',
    );
  });
});

describe('chooseKernelBackend', () => {
  it('measures the CPU and every device present, and picks the faster correct one', async () => {
    const sample = matrixFor({ rows: 20_000, width: 'wide', kind: 'logistic' }, 13);
    const choice = await chooseKernelBackend(gpuDevice, sample, { runs: 3 });
    console.info(`kernel choice on ${webGpu.reason}: ${choice.reason}`);
    expect(choice.cpuMs).toBeGreaterThan(0);
    if (!gpuDevice) {
      expect(choice).toMatchObject({ chosen: 'cpu', reason: 'no WebGPU device' });
      return;
    }
    expect(choice.gpuMs).toBeGreaterThan(0);
    expect(choice.chosen).toBe(choice.gpuMs! < choice.cpuMs ? 'webgpu' : 'cpu');
    expect(choice.reason).toContain(`${choice.chosen} is faster`);
  });
});
