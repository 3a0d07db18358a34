/**
 * The physical limit the benchmarks compare against: how fast this browser copies memory, measured
 * in the page that runs the benchmark (browser side; TESTING-NOTES.md saw 15 to 25 GB/s here).
 */

/**
 * Median bytes per second of `Uint8Array.set` copying `byteLength` bytes, over `repeats` copies,
 * after three untimed copies that fault the pages in. Bytes copied, not bytes moved: the memory
 * traffic is twice this (read plus write).
 */
export function copyBytesPerSecond(byteLength: number, repeats: number): number {
  const from = new Uint8Array(byteLength);
  for (let i = 0; i < byteLength; i++) from[i] = (i * 131 + 7) & 0xff;
  const to = new Uint8Array(byteLength);
  for (let i = 0; i < 3; i++) to.set(from);
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    to.set(from);
    ms.push(performance.now() - t0);
  }
  if (to[byteLength - 1] !== from[byteLength - 1]) throw new Error('copyBytesPerSecond: the copy check failed');
  ms.sort((a, b) => a - b);
  return byteLength / (ms[Math.floor(ms.length / 2)]! / 1000);
}
