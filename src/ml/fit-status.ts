/**
 * The status of one group's fit in fitGroups: one column of the results table, the same for every
 * model, so a table of OLS, ridge and logistic fits sorts and filters alike. Anything but `ok`
 * comes with a message saying why and what to do.
 */

/** Every status, with what it means. Keep this table and the results page's legend in step. */
export const FIT_STATUSES = {
  ok: 'Fitted. Coefficients and metrics are valid.',
  'too-few-rows': 'Fewer rows than coefficients (or as many, without ridge): the fit is not determined. Merge small groups, use fewer features, or add ridge (l2 > 0).',
  singular: 'XᵀX is singular: a column is (nearly) a linear combination of the others, or constant beside the intercept. The message names it. Drop it, or add ridge (l2 > 0).',
  'non-finite': 'The group holds NaN or Infinity in a feature or the target. Drop or impute those rows.',
  'one-class': 'Logistic only: every target in the group is the same class, so there is nothing to separate (the maximum-likelihood intercept is infinite).',
  separable: 'Logistic only: the classes are perfectly separated, so the maximum-likelihood coefficients are infinite. Add ridge (l2 > 0) to get finite ones.',
  'not-converged': 'Logistic only: the iteration limit was reached before the fit converged. Raise maxIter, or add ridge (l2 > 0).',
} as const;

/** A documented status of one group's fit (see {@link FIT_STATUSES}). */
export type FitStatus = keyof typeof FIT_STATUSES;

/** Statuses an OLS or ridge fit from a Gram matrix can have. */
export type OlsStatus = Extract<FitStatus, 'ok' | 'too-few-rows' | 'singular' | 'non-finite'>;

/** Statuses a logistic (IRLS) fit can have: all of them. */
export type LogisticStatus = FitStatus;

/**
 * Whether `n` rows can determine `p` coefficients: n ≥ p with an effective ridge, n > p without
 * one (n = p interpolates the rows exactly, leaving no residual to measure the fit by).
 */
export function enoughRows(n: number, p: number, ridged: boolean): boolean {
  return ridged ? n >= p : n > p;
}

/** The `too-few-rows` message for a group of `n` rows and `p` coefficients. */
export function tooFewRowsMessage(n: number, p: number, ridged: boolean): string {
  const need = ridged ? p : p + 1;
  return `the group has ${n} row${n === 1 ? '' : 's'} for ${p} coefficients; it needs at least ${need}` +
    (ridged ? '.' : ' without ridge. Merge small groups, use fewer features, or add ridge (l2 > 0).');
}

/** The `group-too-large` message: the group, its rows and estimated bytes on a slot, the budget, and what to do. */
export function tooLargeMessage(key: string, rows: number, bytes: number, budgetBytes: number): string {
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
  return `group "${key}" has ${rows.toLocaleString('en-US')} rows, about ${mib(bytes)} on a slot, over the memory budget of ${mib(budgetBytes)}; raise budgetBytes, or split the group by a finer key`;
}
