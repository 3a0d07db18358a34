/**
 * Seeded random design matrices and parameters for the kernel tests, benchmarks and the backend
 * probe (kernel-choice.ts). Deterministic, so a failing case can be rerun exactly.
 */
import { parameterCount } from './design';
import type { DesignMatrix, GlmKind } from './design';
import { seededRandom } from './random';

export { seededRandom } from './random';

/** What to generate. */
export interface RandomDesignSpec {
  readonly rows: number;
  readonly denseCols: number;
  /** Categories of each one-hot feature; about 5% of rows get -1 (category not modelled). */
  readonly categories: readonly number[];
  readonly kind: GlmKind;
  /** Softmax classes (ignored otherwise). */
  readonly classes?: number;
  readonly seed: number;
}

/**
 * A random matrix: dense values roughly standardized (uniform on [-1.7, 1.7], about unit
 * variance), categories skewed (squared uniform, so low categories are common, like big
 * airports), and targets from a random model so residuals are neither tiny nor huge.
 */
export function randomDesign(spec: RandomDesignSpec): DesignMatrix {
  const { rows, denseCols, categories, kind, seed } = spec;
  const classes = spec.classes ?? 3;
  const rand = seededRandom(seed);
  const dense = new Float32Array(rows * denseCols);
  for (let i = 0; i < dense.length; i++) dense[i] = (rand() * 2 - 1) * 1.7;
  let next = denseCols;
  const oneHot = categories.map((count) => {
    const codes = new Int32Array(rows);
    for (let r = 0; r < rows; r++) codes[r] = rand() < 0.05 ? -1 : next + Math.floor(rand() ** 2 * count);
    next += count;
    return codes;
  });
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let z = 0;
    for (let c = 0; c < Math.min(denseCols, 4); c++) z += (c + 1) * 0.3 * dense[c * rows + r]!;
    const noise = rand() * 2 - 1;
    if (kind === 'linear') y[r] = 3 + 2 * z + noise;
    else if (kind === 'logistic') y[r] = rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    else y[r] = Math.min(classes - 1, Math.floor(rand() * classes * (0.5 + 0.5 / (1 + Math.exp(-z)))));
  }
  return { rows, denseCols, dense, oneHot, y, dim: next + 1 };
}

/** Random parameters in [-scale, scale] for a model over `m`. */
export function randomParams(kind: GlmKind, m: DesignMatrix, classes: number, seed: number, scale = 0.3): Float64Array {
  const rand = seededRandom(seed);
  const params = new Float64Array(parameterCount(kind, m.dim, classes));
  for (let i = 0; i < params.length; i++) params[i] = (rand() * 2 - 1) * scale;
  return params;
}
