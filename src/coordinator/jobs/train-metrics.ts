/** Held-out metrics of a trained GLM, from every held-out row's prediction. */
import type { GlmKind } from '../../kernels/design';
import { accuracy, auc, logLoss, multiclassLogLoss, r2, rmse } from '../../ml/metrics';

/** Metrics on the held-out rows. */
export interface ModelMetrics {
  readonly rows: number;
  readonly rmse?: number;
  readonly r2?: number;
  readonly logLoss?: number;
  readonly accuracy?: number;
  readonly auc?: number;
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Computes the metrics of a model's kind over predictions and targets given per partition. */
export function evaluateGlm(kind: GlmKind, classes: number, predictions: readonly Float64Array[], targets: readonly Float64Array[]): ModelMetrics {
  const y = concat(targets);
  const p = concat(predictions);
  if (y.length === 0) return { rows: 0 };
  if (kind === 'linear') {
    // R² is undefined when every held-out target is the same value.
    const constant = y.every((v) => v === y[0]);
    return { rows: y.length, rmse: rmse(y, p), ...(constant ? {} : { r2: r2(y, p) }) };
  }
  if (kind === 'logistic') {
    const twoClasses = y.some((v) => v === 1) && y.some((v) => v === 0);
    return { rows: y.length, logLoss: logLoss(y, p), accuracy: accuracy(y, p), ...(twoClasses ? { auc: auc(y, p) } : {}) };
  }
  return { rows: y.length, logLoss: multiclassLogLoss(y, p, classes), accuracy: accuracy(y, p, classes) };
}
