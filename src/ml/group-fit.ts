/**
 * Fitting every group of a batch: OLS and ridge from the batch's Gram sums (one pass over all the
 * groups' rows, on the CPU or the batched WGSL kernel, then a float64 Cholesky solve per group),
 * and logistic regression by IRLS per group. The intercept, when fitted, is the last column and
 * is never penalized.
 */
import type { GramResult, GroupedRows } from '../kernels/gram';
import { gramOfGroup } from '../kernels/gram';
import { fitLogisticIrls } from './irls';
import { olsFromGram } from './ols-from-gram';
import { FabricError } from '../protocol/errors';

/** The model of {@link fitGroupRows}: linear (OLS when l2 = 0, else ridge) or logistic. */
export type GroupFitModel =
  | { readonly kind: 'linear'; readonly l2: number }
  | { readonly kind: 'logistic'; readonly l2: number; readonly maxIter: number };

/** One group's fit. */
export interface GroupFit {
  readonly status: string;
  readonly message: string;
  readonly rows: number;
  /** RMSE and R² (linear), or log loss and AUC (logistic); null when undefined. */
  readonly metrics: Record<string, number | null>;
  readonly ms: number;
}

/** Every group's fit, and their coefficients group after group (NaN unless fitted). */
export interface GroupFits {
  readonly fits: GroupFit[];
  readonly coefficients: Float64Array;
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** The ridge mask: every coefficient penalized but the intercept (the last, when fitted). */
export function ridgeMaskOf(p: number, intercept: boolean): Float64Array {
  const mask = new Float64Array(p).fill(1);
  if (intercept) mask[p - 1] = 0;
  return mask;
}

/**
 * Fits `model` to each group of `rows`. Linear models read their sums from `gram` (computed by
 * the caller on the chosen backend, in `gramMs`); each group's time is its share of that pass by
 * rows plus its own solve. Statuses and messages come from olsFromGram and fitLogisticIrls.
 */
export function fitGroupRows(rows: GroupedRows, model: GroupFitModel, intercept: boolean, gram?: { result: GramResult; ms: number }): GroupFits {
  const p = rows.cols;
  const groups = rows.groupStart.length - 1;
  const mask = ridgeMaskOf(p, intercept);
  const coefficients = new Float64Array(groups * p);
  const fits: GroupFit[] = [];
  for (let g = 0; g < groups; g++) {
    const t0 = performance.now();
    const r0 = rows.groupStart[g]!;
    const r1 = rows.groupStart[g + 1]!;
    if (model.kind === 'linear') {
      if (!gram) throw new FabricError('internal', 'fitGroupRows: linear models need the batch\'s Gram sums');
      const fit = olsFromGram(gramOfGroup(gram.result, g), { l2: model.l2, ridgeMask: mask });
      coefficients.set(fit.coefficients, g * p);
      const share = rows.rows > 0 ? (gram.ms * (r1 - r0)) / rows.rows : 0;
      fits.push({ status: fit.status, message: fit.message, rows: fit.n, metrics: { rmse: finiteOrNull(fit.rmse), r2: finiteOrNull(fit.r2) }, ms: performance.now() - t0 + share });
    } else {
      const fit = fitLogisticIrls(rows.x.subarray(r0 * p, r1 * p), rows.y.subarray(r0, r1), p, { l2: model.l2, ridgeMask: mask, maxIter: model.maxIter });
      coefficients.set(fit.coefficients, g * p);
      fits.push({ status: fit.status, message: fit.message, rows: fit.n, metrics: { logLoss: finiteOrNull(fit.logLoss), auc: finiteOrNull(fit.auc) }, ms: performance.now() - t0 });
    }
  }
  return { fits, coefficients };
}
