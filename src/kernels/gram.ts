/**
 * Batched Gram matrices: the input contract of many groups' rows in one place, what every backend
 * returns for it, and the float64 CPU reference that defines the results. fitGroups solves OLS and
 * ridge for each group from these sums (src/ml/cholesky.ts), so one pass over the rows fits every
 * group at once.
 *
 * Why `y` is float64 while `x` is float32: features are standardized upstream, where float32 loses
 * nothing that matters and halves the bytes per pass (see design.ts). The target is not: R² and the
 * residual sum of squares come from yᵀy − … and Σy, which cancel when the target's mean is large
 * next to its spread (y ≈ 1000 ± 1 has a float32 spacing of 6e-5), so the target keeps all its
 * digits. It costs 8 bytes a row on the host and, as a double-f32 pair, 8 on the GPU.
 */
import { FabricError } from '../protocol/errors';
import { accumulateCrossProducts, accumulateXtv, mirrorUpper, upperLength } from './cross-products';

/** Many groups' rows, stored group after group. */
export interface GroupedRows {
  /** Total rows over all groups. */
  readonly rows: number;
  /**
   * Feature columns p. An intercept, if wanted, is a column of ones the caller includes: the
   * kernels add nothing.
   */
  readonly cols: number;
  /** Features, row-major: column `c` of row `r` is `x[r * cols + c]`. Length `rows * cols`. */
  readonly x: Float32Array;
  /** Target per row (float64: see the module comment). Length `rows`. */
  readonly y: Float64Array;
  /**
   * Group boundaries, length groups + 1: the rows of group `g` are `[groupStart[g],
   * groupStart[g + 1])`. Starts at 0, ends at `rows`, never decreases; equal neighbours are an
   * empty group.
   */
  readonly groupStart: Int32Array;
}

/** The sums of every group, laid out group after group. */
export interface GramResult {
  /** Number of groups. */
  readonly groups: number;
  /** Feature columns p. */
  readonly cols: number;
  /** XᵀX per group, full symmetric, row-major: entry (i, j) of group g is `xtx[g*p*p + i*p + j]`. */
  readonly xtx: Float64Array;
  /** Xᵀy per group: entry i of group g is `xty[g*p + i]`. */
  readonly xty: Float64Array;
  /** yᵀy per group. */
  readonly yty: Float64Array;
  /** Σy per group (for R², which needs the total sum of squares yᵀy − (Σy)²/n). */
  readonly ysum: Float64Array;
  /** Rows per group. */
  readonly n: Int32Array;
}

/** One group's sums, as views into a {@link GramResult} (no copy). */
export interface GroupGram {
  /** Feature columns p. */
  readonly p: number;
  /** p × p, full symmetric, row-major. */
  readonly xtx: Float64Array;
  /** Length p. */
  readonly xty: Float64Array;
  /** yᵀy. */
  readonly yty: number;
  /** Σy. */
  readonly ysum: number;
  /** Rows in the group. */
  readonly n: number;
}

/**
 * Rows summed into local float64 sums before they are added to a group's totals: a two-level sum
 * whose rounding grows like √1024 + √(n/1024) instead of √n. Measured at 200k rows (p = 2): the
 * single running sum was 1.1e-13 of Σ|terms| from a compensated sum, the two-level sum 4e-15.
 * The extra adds cost nothing measurable; 1024 matches the GPU kernel's block.
 */
const CHUNK_ROWS = 1024;

function fail(fn: string, message: string): never {
  throw new FabricError('bad-input', `${fn}: ${message}`);
}

/**
 * Throws `bad-input`, naming `fn` and the field, unless `g` is well formed: integer `cols` ≥ 1,
 * typed arrays of the documented types and lengths, and `groupStart` from 0 to `rows`, never
 * decreasing. Returns the number of groups.
 */
export function checkGroupedRows(fn: string, g: GroupedRows): number {
  const { rows, cols, x, y, groupStart } = g;
  if (!Number.isInteger(rows) || rows < 0) fail(fn, `rows must be an integer ≥ 0; received ${rows}.`);
  if (!Number.isInteger(cols) || cols < 1) {
    fail(fn, `cols must be an integer ≥ 1; received ${cols}. Include a column of ones for an intercept.`);
  }
  if (!(x instanceof Float32Array)) fail(fn, 'x must be a Float32Array (row-major rows × cols).');
  if (!(y instanceof Float64Array)) fail(fn, 'y must be a Float64Array; wrap it: Float64Array.from(y).');
  if (!(groupStart instanceof Int32Array)) fail(fn, 'groupStart must be an Int32Array of length groups + 1.');
  if (x.length !== rows * cols) {
    fail(fn, `x has length ${x.length}; expected rows × cols = ${rows} × ${cols} = ${rows * cols}.`);
  }
  if (y.length !== rows) fail(fn, `y has length ${y.length}; expected one value per row (${rows}).`);
  if (groupStart.length < 1) fail(fn, 'groupStart is empty; it needs groups + 1 entries, starting with 0.');
  if (groupStart[0] !== 0) fail(fn, `groupStart[0] is ${groupStart[0]}; the first group starts at row 0.`);
  const groups = groupStart.length - 1;
  if (groupStart[groups] !== rows) {
    fail(fn, `groupStart[${groups}] is ${groupStart[groups]}; the last group must end at rows (${rows}).`);
  }
  for (let k = 0; k < groups; k++) {
    if (groupStart[k + 1]! < groupStart[k]!) {
      fail(fn, `groupStart decreases at group ${k} (${groupStart[k]} then ${groupStart[k + 1]}); sort rows by group.`);
    }
  }
  return groups;
}

/** A zeroed {@link GramResult} for `groups` groups of `p` columns, with `n` from `groupStart`. */
export function emptyGram(groupStart: Int32Array, p: number): GramResult {
  const groups = groupStart.length - 1;
  const n = new Int32Array(groups);
  for (let k = 0; k < groups; k++) n[k] = groupStart[k + 1]! - groupStart[k]!;
  return {
    groups,
    cols: p,
    xtx: new Float64Array(groups * p * p),
    xty: new Float64Array(groups * p),
    yty: new Float64Array(groups),
    ysum: new Float64Array(groups),
    n,
  };
}

/**
 * Computes group `k`'s sums on the CPU into `out`, using `upper` (length p(p + 1)/2) as scratch.
 * Shared by {@link gramCpu} and by the GPU runner for the groups it leaves to the host.
 */
export function gramGroupCpu(g: GroupedRows, k: number, out: GramResult, upper: Float64Array): void {
  const p = g.cols;
  const r0 = g.groupStart[k]!;
  const r1 = g.groupStart[k + 1]!;
  upper.fill(0);
  const xty = out.xty.subarray(k * p, k * p + p);
  xty.fill(0);
  let yty = 0;
  let ysum = 0;
  for (let c0 = r0; c0 < r1; c0 += CHUNK_ROWS) {
    const c1 = Math.min(c0 + CHUNK_ROWS, r1);
    accumulateCrossProducts(g.x, p, c0, c1, upper);
    accumulateXtv(g.x, p, c0, c1, g.y, xty);
    let chunkYty = 0;
    let chunkYsum = 0;
    for (let r = c0; r < c1; r++) {
      const v = g.y[r]!;
      chunkYty += v * v;
      chunkYsum += v;
    }
    yty += chunkYty;
    ysum += chunkYsum;
  }
  mirrorUpper(upper, p, out.xtx, k * p * p);
  out.yty[k] = yty;
  out.ysum[k] = ysum;
}

/**
 * The float64 reference: XᵀX, Xᵀy, yᵀy, Σy and n of every group of `g`, each accumulated in
 * float64 over the group's rows in order, in chunks of 1024 rows (products of float32 features
 * are exact in float64, so the sums are the only rounding).
 * Empty groups give zeros and n = 0. NaN or Infinity in a row propagates as in a naive loop:
 * a NaN in column c makes row and column c of XᵀX and entry c of Xᵀy NaN; a NaN target makes
 * Xᵀy, yᵀy and Σy NaN. Throws `bad-input` (see {@link checkGroupedRows}) for malformed input.
 */
export function gramCpu(g: GroupedRows): GramResult {
  const groups = checkGroupedRows('gramCpu', g);
  const out = emptyGram(g.groupStart, g.cols);
  const upper = new Float64Array(upperLength(g.cols));
  for (let k = 0; k < groups; k++) gramGroupCpu(g, k, out, upper);
  return out;
}

/** Group `k`'s sums as views into `result` (no copy). */
export function gramOfGroup(result: GramResult, k: number): GroupGram {
  const p = result.cols;
  if (!Number.isInteger(k) || k < 0 || k >= result.groups) {
    fail('gramOfGroup', `group ${k} does not exist; there are ${result.groups} groups (0 to ${result.groups - 1}).`);
  }
  return {
    p,
    xtx: result.xtx.subarray(k * p * p, (k + 1) * p * p),
    xty: result.xty.subarray(k * p, (k + 1) * p),
    yty: result.yty[k]!,
    ysum: result.ysum[k]!,
    n: result.n[k]!,
  };
}
