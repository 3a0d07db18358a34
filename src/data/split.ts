/**
 * The train/held-out split. A row is held out when a hash of its index in the whole dataset and
 * the seed falls under the held-out fraction, so the split is the same whichever slot reads the
 * row, and a reference over the whole table reproduces it exactly.
 */

/** A 32-bit hash of (row, seed), uniform enough for splitting (murmur3's finalizer). */
export function splitHash(row: number, seed: number): number {
  let h = (Math.imul(row >>> 0, 0x9e3779b1) ^ Math.imul(Math.floor(row / 4294967296) + 1, 0x85ebca77) ^ (seed | 0)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** True when row `row` (of the whole dataset) is held out. */
export function isHeldOut(row: number, seed: number, holdout: number): boolean {
  return splitHash(row, seed) < holdout * 4294967296;
}
