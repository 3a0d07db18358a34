/**
 * A dishonest volunteer, for tests and classroom demos of verification mode (`&lie=scale`,
 * `&lie=nan` or `&lie=reverse` in the join link, or `npm run volunteer -- --lie MODE`). It runs
 * every task honestly, then corrupts the float64 outputs before they are sent: gradients scaled by
 * 10, NaN, or each vector reversed (a wrong group table). Any volunteer could do this by editing
 * its own page; the mode only makes it reproducible.
 */
import { FabricError } from '../protocol/errors';

export const LIE_MODES = ['scale', 'nan', 'reverse'] as const;
export type LieMode = (typeof LIE_MODES)[number];

export function isLieMode(value: string): value is LieMode {
  return (LIE_MODES as readonly string[]).includes(value);
}

/** The mode named in a join link, checked. */
export function lieMode(value: string | null): LieMode | undefined {
  if (value === null || value === '') return undefined;
  if (!isLieMode(value)) throw new FabricError('bad-input', `lie=${value}: expected one of ${LIE_MODES.join(', ')}`);
  return value;
}

/** Corrupted copies of a task's binary outputs (float64 vectors; other buffers are left alone). */
export function corrupt(mode: LieMode, binary: readonly Uint8Array[]): Uint8Array[] {
  return binary.map((bytes) => {
    if (bytes.byteLength === 0 || bytes.byteLength % 8 !== 0) return bytes;
    const v = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    if (mode === 'scale') for (let i = 0; i < v.length; i++) v[i] = v[i]! * 10;
    else if (mode === 'nan') v.fill(Number.NaN);
    else v.reverse();
    return new Uint8Array(v.buffer);
  });
}
