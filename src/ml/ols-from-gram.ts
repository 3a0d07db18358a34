/**
 * OLS and ridge for one group from its Gram sums (src/kernels/gram.ts): coefficients by a float64
 * Cholesky solve of the normal equations, and the fit's metrics without a second pass over the
 * rows. The objective is the one the train GLMs minimise (src/ml/glm-objective.ts): the mean of
 * ½(xβ − y)² plus ½·l2·Σ mask_i β_i², so the normal equations are (XᵀX + n·l2·diag(mask))β = Xᵀy
 * and one l2 means the same strength in a group of 30 rows and one of 200k.
 *
 * Precision of the metrics: RSS = yᵀy − 2βᵀXᵀy + βᵀXᵀXβ cancels when the fit is good, so its
 * absolute error is about ε·yᵀy, with ε the Gram's relative error (1e-15 from gramCpu, 3e-14
 * from gramGpu). When y's mean is large next to its spread, say 1000 ± 1, that leaves about 7
 * digits of RMSE from the GPU and 9 from the CPU. Center y upstream when more are needed.
 */
import { factorSpd, solveWithFactor } from './cholesky';
import { enoughRows, tooFewRowsMessage } from './fit-status';
import type { GroupGram } from '../kernels/gram';
import type { OlsStatus } from './fit-status';

/**
 * The total sum of squares yᵀy − (Σy)²/n counts as zero (y constant, R² undefined) below this
 * fraction of yᵀy: it is a difference of two numbers of size yᵀy, each with a relative error of
 * 3e-14 or less (see the module comment), so below 1e-12 it is rounding, not spread.
 */
const CONSTANT_TARGET = 1e-12;

/** Options of {@link olsFromGram}. */
export interface OlsOptions {
  /** L2 strength on the mean scale (see the module comment), ≥ 0. Default 0: plain OLS. */
  readonly l2?: number;
  /** Which coefficients l2 applies to, length p: 1 penalized, 0 not (the intercept). Default all 1. */
  readonly ridgeMask?: ArrayLike<number>;
  /** Relative pivot tolerance of the Cholesky solve (see PIVOT_TOLERANCE). */
  readonly pivotTolerance?: number;
}

/** One group's fit. */
export interface OlsFit {
  readonly status: OlsStatus;
  /** Why the status is not `ok`, and what to do; empty when it is. */
  readonly message: string;
  /** Rows in the group. */
  readonly n: number;
  /** β, length p; NaN unless `ok`. */
  readonly coefficients: Float64Array;
  /** Residual sum of squares Σ(y − xβ)² on the group's rows (no penalty term); NaN unless `ok`. */
  readonly rss: number;
  /** √(RSS / n), as metrics.ts `rmse` computes it from predictions; NaN unless `ok`. */
  readonly rmse: number;
  /** 1 − RSS / Σ(y − ȳ)², as metrics.ts `r2`; NaN unless `ok`, and when y is constant. */
  readonly r2: number;
}

function failed(status: OlsStatus, message: string, n: number, p: number): OlsFit {
  return { status, message, n, coefficients: new Float64Array(p).fill(NaN), rss: NaN, rmse: NaN, r2: NaN };
}

function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

/**
 * Fits OLS (l2 = 0) or ridge to one group's sums. Statuses, checked in this order: `non-finite`
 * (a sum is NaN or infinite), `too-few-rows` (n < p, or n ≤ p without an effective ridge),
 * `singular` (the message names the column and suggests ridge), else `ok`. Throws `bad-input`
 * for wrong shapes or options (see cholesky.ts).
 */
export function olsFromGram(gram: GroupGram, options: OlsOptions = {}): OlsFit {
  const { p, n, xtx, xty, yty, ysum } = gram;
  const l2 = options.l2 ?? 0;
  const mask = options.ridgeMask;
  let ridged = false;
  for (let i = 0; i < p; i++) if (l2 > 0 && (mask === undefined || mask[i]! > 0)) ridged = true;
  if (!allFinite(xtx) || !allFinite(xty) || !Number.isFinite(yty) || !Number.isFinite(ysum)) {
    return failed('non-finite', 'the group holds NaN or Infinity in a feature or the target; drop or impute those rows.', n, p);
  }
  if (!enoughRows(n, p, ridged)) return failed('too-few-rows', tooFewRowsMessage(n, p, ridged), n, p);
  const factor = factorSpd(xtx, p, {
    ridge: n * l2,
    ...(mask !== undefined ? { ridgeMask: mask } : {}),
    ...(options.pivotTolerance !== undefined ? { pivotTolerance: options.pivotTolerance } : {}),
  });
  if ('singular' in factor) {
    return failed('singular', `XᵀX is singular: ${factor.reason}. Drop that column, or add ridge (l2 > 0).`, n, p);
  }
  const beta = solveWithFactor(factor.l, xty, p);
  let btXty = 0;
  let btXtXb = 0;
  for (let i = 0; i < p; i++) {
    btXty += beta[i]! * xty[i]!;
    let row = 0;
    for (let j = 0; j < p; j++) row += xtx[i * p + j]! * beta[j]!;
    btXtXb += beta[i]! * row;
  }
  const rss = Math.max(0, yty - 2 * btXty + btXtXb);
  const sst = yty - (ysum * ysum) / n;
  const r2 = sst > CONSTANT_TARGET * yty ? 1 - rss / sst : NaN;
  return { status: 'ok', message: '', n, coefficients: beta, rss, rmse: Math.sqrt(rss / n), r2 };
}
