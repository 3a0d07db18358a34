/** The one seeded generator of Fabric: tests, probes, initial weights and row orders use it. */

/** A seeded uniform [0, 1) generator (mulberry32: fast, 32-bit state, good enough for test data). */
export function seededRandom(seed: number): () => number {
  return resumableRandom(seed).next;
}

/**
 * The same generator as {@link seededRandom}, with its 32-bit state readable, so a run that draws
 * from it (a tune job's suggestions) can be checkpointed and continued with the same numbers:
 * `resumableRandom(seed >>> 0)` draws exactly what `seededRandom(seed)` draws, and
 * `resumableRandom(r.state())` continues where `r` stopped.
 */
export function resumableRandom(state: number): { readonly next: () => number; readonly state: () => number } {
  let a = state >>> 0;
  return {
    next: () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    state: () => a,
  };
}
