import { describe, expect, it } from 'vitest';
import { FabricError } from '../protocol/errors';
import { glmLoss, glmLossGrad, glmPredict, sumVectors } from './glm-cpu';
import { randomDesign, randomParams } from './random-design';
import { parameterCount } from './design';
import type { DesignMatrix, GlmKind } from './design';

const KINDS: readonly GlmKind[] = ['linear', 'logistic', 'softmax'];
const CLASSES = 3;

/** Row r of m as a dense row-major feature vector of length dim (one-hots expanded, intercept 1). */
function expandedRow(m: DesignMatrix, r: number): number[] {
  const x = new Array<number>(m.dim).fill(0);
  for (let c = 0; c < m.denseCols; c++) x[c] = m.dense[c * m.rows + r]!;
  for (const codes of m.oneHot) if (codes[r]! >= 0) x[codes[r]!]! += 1;
  x[m.dim - 1] = 1;
  return x;
}

/** Per-row textbook loss and gradient, no streaming, no stability tricks beyond max-subtraction. */
function naiveLossGrad(kind: GlmKind, m: DesignMatrix, params: Float64Array, classes: number) {
  const outputs = kind === 'softmax' ? classes : 1;
  const grad = new Float64Array(outputs * m.dim);
  let loss = 0;
  for (let r = 0; r < m.rows; r++) {
    const x = expandedRow(m, r);
    const z = Array.from({ length: outputs }, (_, k) => x.reduce((s, v, j) => s + v * params[k * m.dim + j]!, 0));
    const y = m.y[r]!;
    let res: number[];
    if (kind === 'linear') {
      loss += 0.5 * (z[0]! - y) ** 2;
      res = [z[0]! - y];
    } else if (kind === 'logistic') {
      loss += Math.log(1 + Math.exp(z[0]!)) - y * z[0]!;
      res = [1 / (1 + Math.exp(-z[0]!)) - y];
    } else {
      const max = Math.max(...z);
      const sum = z.reduce((s, v) => s + Math.exp(v - max), 0);
      loss += -(z[y]! - max - Math.log(sum));
      res = z.map((v, k) => Math.exp(v - max) / sum - (k === y ? 1 : 0));
    }
    res.forEach((e, k) => x.forEach((v, j) => (grad[k * m.dim + j]! += e * v)));
  }
  return { loss, grad };
}

function lossGrad(kind: GlmKind, m: DesignMatrix, params: Float64Array) {
  const grad = new Float64Array(parameterCount(kind, m.dim, CLASSES)).fill(123);
  const loss = glmLossGrad(kind, m, params, CLASSES, grad);
  return { loss, grad };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(rel * scale);
}

describe.each(KINDS)('glmLossGrad (%s)', (kind) => {
  const m = randomDesign({ rows: 300, denseCols: 5, categories: [7, 4], kind, classes: CLASSES, seed: 11 });
  const params = randomParams(kind, m, CLASSES, 12);

  it('matches a naive per-row implementation on random data with one-hot features', () => {
    const got = lossGrad(kind, m, params);
    const want = naiveLossGrad(kind, m, params, CLASSES);
    expect(got.loss).toBeCloseTo(want.loss, 8);
    expectClose(got.grad, want.grad, 1e-12);
  });

  it('has the gradient of its loss (central finite differences)', () => {
    const small = randomDesign({ rows: 40, denseCols: 3, categories: [4], kind, classes: CLASSES, seed: 5 });
    const p = randomParams(kind, small, CLASSES, 6);
    const { grad } = lossGrad(kind, small, p);
    const h = 1e-6;
    const numeric = Array.from(p, (_, i) => {
      const plus = Float64Array.from(p);
      const minus = Float64Array.from(p);
      plus[i]! += h;
      minus[i]! -= h;
      return (lossGrad(kind, small, plus).loss - lossGrad(kind, small, minus).loss) / (2 * h);
    });
    expectClose(grad, numeric, 1e-6);
  });

  it('gives loss 0 and a zeroed gradient for 0 rows', () => {
    const empty = randomDesign({ rows: 0, denseCols: 5, categories: [7, 4], kind, classes: CLASSES, seed: 1 });
    const { loss, grad } = lossGrad(kind, empty, randomParams(kind, empty, CLASSES, 2));
    expect(loss).toBe(0);
    expect(Array.from(grad).every((g) => g === 0)).toBe(true);
  });

  it('matches the naive implementation for 1 row', () => {
    const one = randomDesign({ rows: 1, denseCols: 2, categories: [3], kind, classes: CLASSES, seed: 3 });
    const p = randomParams(kind, one, CLASSES, 4);
    const got = lossGrad(kind, one, p);
    const want = naiveLossGrad(kind, one, p, CLASSES);
    expect(got.loss).toBeCloseTo(want.loss, 12);
    expectClose(got.grad, want.grad, 1e-14);
  });

  it('propagates a NaN in a dense value to the loss and every dense, intercept and own one-hot entry', () => {
    const dense = Float32Array.from(m.dense);
    dense[2 * m.rows + 17] = NaN;
    const { loss, grad } = lossGrad(kind, { ...m, dense }, params);
    expect(loss).toBeNaN();
    expect(grad[m.dim - 1]).toBeNaN();
    expect(grad[0]).toBeNaN();
    expect(grad[m.oneHot[0]![17]!]).toBeNaN();
  });

  it('predicts like the naive model', () => {
    const pred = glmPredict(kind, m, params, CLASSES);
    const outputs = kind === 'softmax' ? CLASSES : 1;
    expect(pred.length).toBe(outputs * m.rows);
    for (const r of [0, 150, 299]) {
      const x = expandedRow(m, r);
      const z = Array.from({ length: outputs }, (_, k) => x.reduce((s, v, j) => s + v * params[k * m.dim + j]!, 0));
      if (kind === 'linear') expect(pred[r]).toBeCloseTo(z[0]!, 12);
      else if (kind === 'logistic') expect(pred[r]).toBeCloseTo(1 / (1 + Math.exp(-z[0]!)), 12);
      else {
        const sum = z.reduce((s, v) => s + Math.exp(v), 0);
        z.forEach((v, k) => expect(pred[r * CLASSES + k]).toBeCloseTo(Math.exp(v) / sum, 12));
      }
    }
  });
});

describe('glmLossGrad edge cases', () => {
  it('keeps logistic loss finite and exact for large |z|', () => {
    const m: DesignMatrix = { rows: 2, denseCols: 1, dense: Float32Array.of(1, -1), oneHot: [], y: Float64Array.of(0, 1), dim: 2 };
    const grad = new Float64Array(2);
    const loss = glmLossGrad('logistic', m, Float64Array.of(800, 0), 1, grad);
    expect(loss).toBe(1600); // log(1 + e^800) = 800 for row 0; -log(sigmoid(-800)) = 800 for row 1
    expect(Array.from(grad)).toEqual([2, 0]);
  });

  it('rejects wrong lengths and bad codes with messages that say what to fix', () => {
    const m = randomDesign({ rows: 10, denseCols: 2, categories: [3], kind: 'softmax', classes: 3, seed: 1 });
    const p = randomParams('softmax', m, 3, 1);
    const call = (mm: DesignMatrix, params = p, grad = new Float64Array(p.length)) => () => glmLossGrad('softmax', mm, params, 3, grad);
    expect(call(m, p, new Float64Array(4))).toThrow('glmLossGrad: grad has length 4; expected 18');
    expect(call(m, p.subarray(1))).toThrow('params has length 17; expected 18 for softmax with dim 6');
    expect(call({ ...m, y: m.y.subarray(1) })).toThrow('m.y has length 9; expected rows = 10');
    expect(call({ ...m, oneHot: [Int32Array.from(m.oneHot[0]!, (_, r) => (r === 4 ? 5 : 2))] })).toThrow(
      'm.oneHot[0][4] is 5; expected -1 or a parameter index in [2, 5)',
    );
    expect(call({ ...m, y: m.y.map((v, r) => (r === 3 ? 3 : v)) })).toThrow('softmax label y[3] is 3');
    expect(call(m, p, new Float64Array(4))).toThrow(FabricError);
  });
});

describe('sumVectors', () => {
  it('adds in index order, vector 0 first', () => {
    // (1e16 + 1) rounds to 1e16, so in order the 1 is lost; any other order keeps it.
    expect(Array.from(sumVectors([Float64Array.of(1e16), Float64Array.of(1), Float64Array.of(-1e16)]))).toEqual([0]);
    expect(Array.from(sumVectors([Float64Array.of(1e16), Float64Array.of(-1e16), Float64Array.of(1)]))).toEqual([1]);
  });

  it('sums elementwise into out when given, and handles no vectors', () => {
    const out = new Float64Array(2).fill(9);
    expect(sumVectors([Float64Array.of(1, 2), Float64Array.of(3, 4)], out)).toBe(out);
    expect(Array.from(out)).toEqual([4, 6]);
    expect(sumVectors([]).length).toBe(0);
    expect(Array.from(sumVectors([], new Float64Array(2).fill(5)))).toEqual([0, 0]);
  });

  it('names the lengths when they differ', () => {
    const call = () => sumVectors([new Float64Array(4), new Float64Array(4), new Float64Array(5)]);
    expect(call).toThrow(FabricError);
    expect(call).toThrow('sumVectors: vector 2 has length 5 but vector 0 has length 4');
    expect(() => sumVectors([new Float64Array(4)], new Float64Array(3))).toThrow('out has length 3; the vectors have length 4');
  });
});

describe('glmLoss (loss only, for held-out rows)', () => {
  for (const kind of ['linear', 'logistic', 'softmax'] as const) {
    it(`equals the loss of glmLossGrad for ${kind}`, () => {
      const m = randomDesign({ rows: 500, denseCols: 3, categories: [9, 5], kind, classes: 3, seed: 21 });
      const params = randomParams(kind, m, 3, 22);
      const grad = new Float64Array(parameterCount(kind, m.dim, 3));
      expect(glmLoss(kind, m, params, 3)).toBe(glmLossGrad(kind, m, params, 3, grad));
    });
  }
});
