/**
 * The coordinator page's `?verify` parameter: `?verify` (or `?verify=on`) checks every new
 * volunteer's first 3 results and then 10% at random; `?verify=P,F` sets the probation P and the
 * fraction F. Absent, results are not checked.
 */
import { FabricError } from '../../protocol/errors';
import type { VerificationOptions } from '../../coordinator/scheduler';

export const DEFAULT_VERIFICATION: VerificationOptions = { probation: 3, fraction: 0.1 };

export function verificationParam(value: string | null): VerificationOptions | undefined {
  if (value === null) return undefined;
  if (value === '' || value === 'on' || value === '1') return DEFAULT_VERIFICATION;
  const m = /^(\d+),(\d*\.?\d+)$/.exec(value);
  const probation = Number(m?.[1]);
  const fraction = Number(m?.[2]);
  if (!m || !(fraction >= 0 && fraction <= 1)) {
    throw new FabricError('bad-input', `?verify=${value}: expected ?verify (3 checked results per new volunteer, then 10%) or ?verify=P,F with a whole number P and a fraction F from 0 to 1, e.g. ?verify=3,0.1`);
  }
  return { probation, fraction };
}
