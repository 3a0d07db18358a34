/**
 * Argument checks shared by every GLM kernel (CPU and WebGPU), so each backend rejects the same
 * inputs with the same message. Checks are O(rows x one-hot features) at most, small next to one
 * kernel pass.
 */
import { FabricError } from '../protocol/errors';
import { parameterCount } from './design';
import type { DesignMatrix, GlmKind } from './design';

/** Throws `bad-input` from function `fn` with the fix appended. */
function fail(fn: string, what: string, fix: string): never {
  throw new FabricError('bad-input', `${fn}: ${what}. ${fix}`);
}

/** Matrices whose one-hot indices were already checked. */
const checkedIndices = new WeakSet<DesignMatrix>();

/**
 * Checks that `m`, `params` and `classes` fit together for `kind`: lengths of every column,
 * `dim >= denseCols + 1`, softmax `classes >= 2`, and every one-hot index is -1 or a parameter in
 * `[denseCols, dim - 1)` (scanned once per matrix). `classes` is ignored unless `kind` is softmax.
 */
export function checkGlmArgs(
  fn: string,
  kind: GlmKind,
  m: DesignMatrix,
  params: Float64Array,
  classes: number,
): void {
  const { rows, denseCols, dim } = m;
  const fixMatrix = 'Build the matrix with the feature plan (src/data/features.ts).';
  if (!Number.isInteger(rows) || rows < 0) fail(fn, `m.rows is ${rows}; expected an integer >= 0`, fixMatrix);
  if (!Number.isInteger(denseCols) || denseCols < 0) {
    fail(fn, `m.denseCols is ${denseCols}; expected an integer >= 0`, fixMatrix);
  }
  if (!Number.isInteger(dim) || dim < denseCols + 1) {
    fail(fn, `m.dim is ${dim}; expected an integer >= denseCols + 1 = ${denseCols + 1}`, fixMatrix);
  }
  if (m.dense.length !== rows * denseCols) {
    fail(fn, `m.dense has length ${m.dense.length}; expected rows x denseCols = ${rows * denseCols}`, fixMatrix);
  }
  if (m.y.length !== rows) fail(fn, `m.y has length ${m.y.length}; expected rows = ${rows}`, fixMatrix);
  if (kind === 'softmax' && (!Number.isInteger(classes) || classes < 2)) {
    fail(fn, `classes is ${classes}; softmax needs an integer >= 2`, 'Pass the number of target classes.');
  }
  const count = parameterCount(kind, dim, classes);
  if (params.length !== count) {
    fail(
      fn,
      `params has length ${params.length}; expected ${count} for ${kind} with dim ${dim}`,
      'Allocate params with parameterCount(kind, m.dim, classes).',
    );
  }
  // The index scan reads every row: do it once per matrix (matrices are not changed once built).
  if (checkedIndices.has(m)) return;
  m.oneHot.forEach((codes, f) => {
    if (codes.length !== rows) fail(fn, `m.oneHot[${f}] has length ${codes.length}; expected rows = ${rows}`, fixMatrix);
    for (let r = 0; r < rows; r++) {
      const j = codes[r]!;
      if (j !== -1 && (j < denseCols || j >= dim - 1)) {
        fail(
          fn,
          `m.oneHot[${f}][${r}] is ${j}; expected -1 or a parameter index in [${denseCols}, ${dim - 1})`,
          fixMatrix,
        );
      }
    }
  });
  checkedIndices.add(m);
}

/**
 * Checks that every vector has the length of vector 0 and returns that length (0 when there are
 * none). Throws `bad-input` from `fn` naming the first vector that differs.
 */
export function checkVectorLengths(fn: string, vectors: readonly Float64Array[]): number {
  const n = vectors[0]?.length ?? 0;
  vectors.forEach((v, i) => {
    if (v.length !== n) {
      fail(
        fn,
        `vector ${i} has length ${v.length} but vector 0 has length ${n}`,
        'All vectors must have the same length (one entry per model parameter).',
      );
    }
  });
  return n;
}

/**
 * Checks that every softmax label is NaN (propagated by the kernels) or a class index in
 * `[0, classes)`. The CPU kernel checks as it goes; the GPU runner calls this once per upload.
 */
export function checkSoftmaxLabels(fn: string, y: Float64Array, classes: number): void {
  for (let r = 0; r < y.length; r++) {
    const yr = y[r]!;
    if (!Number.isNaN(yr) && (!Number.isInteger(yr) || yr < 0 || yr >= classes)) {
      fail(fn, `softmax label y[${r}] is ${yr}; expected an integer class in [0, ${classes})`, 'Encode the target as class indices.');
    }
  }
}
