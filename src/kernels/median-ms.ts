/** Timing for the backend probes: the median of a few runs after warm-up. */

/** Median wall time of `runs` calls of `work` after `warmups` untimed ones. */
export async function medianMs(runs: number, warmups: number, work: () => Promise<void>): Promise<number> {
  for (let i = 0; i < warmups; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < Math.max(1, runs); i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
