/**
 * Evaluation metrics for regression and classification, on Float64Array, exact and O(n) or
 * O(n log n) so they run over millions of held-out rows. Every function checks its inputs and
 * throws `FabricError('bad-input')` for empty or mismatched arrays, NaN, labels that are not
 * labels, and metrics that are undefined for the data (AUC of one class, R² of a constant target)
 * rather than returning NaN that would surface far from its cause.
 *
 * @module
 */
import { FabricError } from '../protocol/errors';

/** Probabilities are clipped to [CLIP, 1 − CLIP] in log loss, as scikit-learn does (its 1e-15), so a confident wrong answer costs about 34.5 and not Infinity. */
const CLIP = 1e-15;

function fail(fn: string, message: string): never {
  throw new FabricError('bad-input', `${fn}: ${message}`);
}

/** Throws unless `a` is a non-empty Float64Array. */
function checkArray(fn: string, name: string, a: Float64Array): void {
  if (!(a instanceof Float64Array)) fail(fn, `${name} must be a Float64Array; received ${Object.prototype.toString.call(a)}.`);
  if (a.length === 0) fail(fn, `${name} is empty; a metric needs at least one row.`);
}

/** Throws unless `a` and `b` are non-empty Float64Arrays of the same length. */
function checkPair(fn: string, a: Float64Array, b: Float64Array, aName: string, bName: string): void {
  checkArray(fn, aName, a);
  checkArray(fn, bName, b);
  if (a.length !== b.length) fail(fn, `${aName} has ${a.length} rows but ${bName} has ${b.length}; they must match row for row.`);
}

function checkFinite(fn: string, name: string, a: Float64Array): void {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) fail(fn, `${name}[${i}] is ${a[i]}; values must be finite. Drop or impute such rows first.`);
}

function checkBinaryLabels(fn: string, name: string, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) fail(fn, `${name}[${i}] is ${y[i]}; binary labels must be exactly 0 or 1.`);
  }
}

function checkProbabilities(fn: string, name: string, p: Float64Array): void {
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (!(v >= 0 && v <= 1)) fail(fn, `${name}[${i}] is ${v}; probabilities must lie in [0, 1].`);
  }
}

function checkClassLabels(fn: string, y: Float64Array, classes: number): void {
  if (!Number.isInteger(classes) || classes < 2) fail(fn, `classes must be an integer ≥ 2; received ${classes}.`);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= classes) fail(fn, `yTrue[${i}] is ${v}; class labels must be integers in [0, ${classes - 1}].`);
  }
}

function checkRowMajor(fn: string, y: Float64Array, probs: Float64Array, classes: number): void {
  checkArray(fn, 'yTrue', y);
  checkArray(fn, 'probs', probs);
  checkClassLabels(fn, y, classes);
  if (probs.length !== y.length * classes) {
    fail(fn, `probs has ${probs.length} values but ${y.length} rows × ${classes} classes need ${y.length * classes}; pass one row-major row of probabilities per label.`);
  }
  checkProbabilities(fn, 'probs', probs);
}

/** Root mean squared error √(Σ(yᵢ − ŷᵢ)² / n). */
export function rmse(yTrue: Float64Array, yPred: Float64Array): number {
  checkPair('rmse', yTrue, yPred, 'yTrue', 'yPred');
  checkFinite('rmse', 'yTrue', yTrue);
  checkFinite('rmse', 'yPred', yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const d = yTrue[i]! - yPred[i]!;
    s += d * d;
  }
  return Math.sqrt(s / yTrue.length);
}

/**
 * The coefficient of determination R² = 1 − Σ(yᵢ − ŷᵢ)² / Σ(yᵢ − ȳ)² (can be negative for a model
 * worse than the mean). Throws `bad-input` when yTrue is constant: the denominator is 0 and R² is
 * undefined (scikit-learn returns 1 or 0 there by convention; we say so instead).
 */
export function r2(yTrue: Float64Array, yPred: Float64Array): number {
  checkPair('r2', yTrue, yPred, 'yTrue', 'yPred');
  checkFinite('r2', 'yTrue', yTrue);
  checkFinite('r2', 'yPred', yPred);
  const n = yTrue.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += yTrue[i]!;
  const mean = sum / n;
  let ssTotal = 0;
  let ssResidual = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i]! - mean;
    const r = yTrue[i]! - yPred[i]!;
    ssTotal += t * t;
    ssResidual += r * r;
  }
  if (ssTotal === 0) fail('r2', `yTrue is constant (every value is ${yTrue[0]}), so R² = 1 − SS_res/SS_tot divides by zero and is undefined; report rmse instead.`);
  return 1 - ssResidual / ssTotal;
}

/** Binary log loss −(1/n) Σ [yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)], with p clipped to [1e-15, 1 − 1e-15]; p is the probability of class 1. */
export function logLoss(yTrue01: Float64Array, p: Float64Array): number {
  checkPair('logLoss', yTrue01, p, 'yTrue01', 'p');
  checkBinaryLabels('logLoss', 'yTrue01', yTrue01);
  checkProbabilities('logLoss', 'p', p);
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - CLIP, Math.max(CLIP, p[i]!));
    s -= yTrue01[i] === 1 ? Math.log(q) : Math.log1p(-q);
  }
  return s / p.length;
}

/**
 * Multiclass log loss −(1/n) Σ log p[i, yᵢ] over row-major probabilities `probs` (n × classes),
 * each clipped to [1e-15, 1 − 1e-15]. Rows are not renormalised after clipping.
 */
export function multiclassLogLoss(yTrue: Float64Array, probs: Float64Array, classes: number): number {
  checkRowMajor('multiclassLogLoss', yTrue, probs, classes);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const q = probs[i * classes + yTrue[i]!]!;
    s -= Math.log(Math.min(1 - CLIP, Math.max(CLIP, q)));
  }
  return s / yTrue.length;
}

/**
 * The fraction of rows predicted right. Binary (no `classes`): `yPred` holds the probability of
 * class 1, and a row is predicted 1 when p > 0.5 (so 0.5 itself predicts 0, as MLlib's
 * `p > threshold`). Multiclass: `yPred` holds row-major probabilities (n × classes) and the
 * prediction is the argmax, ties going to the lowest class index (as NumPy's argmax).
 */
export function accuracy(yTrue: Float64Array, yPred: Float64Array, classes?: number): number {
  let right = 0;
  if (classes === undefined) {
    checkPair('accuracy', yTrue, yPred, 'yTrue', 'yPred');
    checkBinaryLabels('accuracy', 'yTrue', yTrue);
    checkProbabilities('accuracy', 'yPred', yPred);
    for (let i = 0; i < yTrue.length; i++) if ((yPred[i]! > 0.5 ? 1 : 0) === yTrue[i]) right++;
    return right / yTrue.length;
  }
  checkRowMajor('accuracy', yTrue, yPred, classes);
  for (let i = 0; i < yTrue.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (yPred[i * classes + c]! > yPred[i * classes + best]!) best = c;
    if (best === yTrue[i]) right++;
  }
  return right / yTrue.length;
}

/**
 * The exact area under the ROC curve: the probability that a random positive scores above a
 * random negative, ties counting one half (the Mann–Whitney U statistic with average ranks, divided
 * by P·N). O(n log n): the positives' and the negatives' scores are sorted apart (native numeric
 * sort of typed arrays) and merged once. Exact while 2·P·N < 2⁵³ (the count is in halves), which covers any n below 10⁸.
 * Scores may be any finite numbers or ±Infinity, not only probabilities.
 * Throws `bad-input` when yTrue01 holds only one class: with no negatives (or no positives) the ROC
 * curve, and so its area, is undefined.
 */
export function auc(yTrue01: Float64Array, scores: Float64Array): number {
  checkPair('auc', yTrue01, scores, 'yTrue01', 'scores');
  checkBinaryLabels('auc', 'yTrue01', yTrue01);
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i]!)) fail('auc', `scores[${i}] is NaN; every row needs a score.`);
    positives += yTrue01[i]!;
  }
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) {
    fail('auc', `yTrue01 holds only one class (${positives} positives, ${negatives} negatives); ROC AUC is undefined without both. Use a held-out set that contains both classes.`);
  }
  const pos = new Float64Array(positives);
  const neg = new Float64Array(negatives);
  for (let i = 0, p = 0, q = 0; i < scores.length; i++) {
    if (yTrue01[i] === 1) pos[p++] = scores[i]!;
    else neg[q++] = scores[i]!;
  }
  pos.sort();
  neg.sort();
  // For each positive in ascending order, count negatives strictly below it and tied with it.
  let below = 0;
  let upTo = 0;
  let wins = 0;
  for (let i = 0; i < positives; i++) {
    const s = pos[i]!;
    while (below < negatives && neg[below]! < s) below++;
    if (upTo < below) upTo = below;
    while (upTo < negatives && neg[upTo]! <= s) upTo++;
    wins += below + 0.5 * (upTo - below);
  }
  return wins / (positives * negatives);
}
