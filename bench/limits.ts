/**
 * `tsx bench/limits.ts [--quick] [--out DIR]` (run by `npm run bench` before the benchmarks): the
 * physical limits every benchmark's figure is held against, measured in the same headless Chromium
 * the benchmarks use, in the same run:
 *
 * - memory copy: `Uint8Array.set` of a large buffer in a page (bench/copy-bandwidth.ts);
 * - wasm matmul: tfjs-wasm 1024 x 1024 f32 `matMul` in a module worker set up as a slot is
 *   (bench/limits-worker.ts), median of several;
 * - raw data channel: one RTCDataChannel between two browser contexts over loopback, 256 KiB
 *   chunks with flow control and no Fabric framing (bench/transport.html's raw method).
 *
 * Writes limits.md and limits.json (bench/limits-report.ts). Not a test: nothing asserts a time.
 */
import { parseArgs } from 'node:util';
import type { Browser } from '@playwright/test';
import { inPage, launchChromium, machineInfo, openBenchPage, runBench, startFabricServer } from './harness.ts';
import { renderLimitsReport, writeLimits, type Limits, type LimitsSettings } from './limits-report.ts';
import { RESULTS_DIR } from './metrics.ts';
import { connectRaw, transfer } from './transport-drive.ts';

const PAGE_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 20_000;
/** Long enough for 32 MiB at 1 MB/s, far under the slowest raw channel seen here (about 18 MB/s). */
const TRANSFER_TIMEOUT_MS = 60_000;

/**
 * 32 MiB copies (far past the caches) 30 times; 1024 x 1024 matmuls (2.1 GFLOP, about 70 ms at the
 * 30 GFLOP/s seen here) 9 times; 32 MiB over the channel 5 times after one warm-up transfer (the
 * first on a fresh connection stalls, TESTING-NOTES.md / bench/results/transport.md).
 */
const FULL: LimitsSettings = { copyBytes: 32 * 1048576, copyRepeats: 30, matmulSize: 1024, matmulRepeats: 9, channelBytes: 32 * 1048576, channelRounds: 5 };
/** --quick: the same sizes but for the channel (8 MiB), fewer repeats; about 15 s here. */
const QUICK: LimitsSettings = { copyBytes: 32 * 1048576, copyRepeats: 10, matmulSize: 1024, matmulRepeats: 5, channelBytes: 8 * 1048576, channelRounds: 3 };

function readFlags(): { quick: boolean; out: string } {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } }, allowPositionals: false });
  if (values.help) {
    console.log('usage: tsx bench/limits.ts -- [--quick] [--out DIR (bench/results)]');
    process.exit(0);
  }
  return { quick: values.quick, out: values.out ?? RESULTS_DIR };
}

async function measureChannel(browser: Browser, origin: string, s: LimitsSettings): Promise<number[]> {
  const url = `${origin}/bench/transport.html`;
  const sender = await openBenchPage(browser, url, 'raw sender', 'transportBench', PAGE_TIMEOUT_MS);
  const receiver = await openBenchPage(browser, url, 'raw receiver', 'transportBench', PAGE_TIMEOUT_MS);
  await connectRaw(sender, receiver, CONNECT_TIMEOUT_MS);
  const rates: number[] = [];
  for (let i = 0; i <= s.channelRounds; i++) {
    const seed = (Math.imul(i + 1, 0x9e3779b1) >>> 0) || 1;
    const ms = await transfer(sender, receiver, 'raw-datachannel', seed, s.channelBytes, TRANSFER_TIMEOUT_MS);
    if (i > 0) rates.push(s.channelBytes / (ms / 1000)); // transfer 0 is the uncounted warm-up
  }
  await sender.page.context().close();
  await receiver.page.context().close();
  return rates;
}

async function main(): Promise<void> {
  const flags = readFlags();
  const s = flags.quick ? QUICK : FULL;
  const started = performance.now();
  const server = await startFabricServer();
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await openBenchPage(browser, `${server.origin}/bench/limits.html`, 'limits', 'limitsBench', PAGE_TIMEOUT_MS);
    const isolated = await inPage(page, () => window.limitsBench.crossOriginIsolated, undefined);
    const copyBytesPerSecond = await inPage(page, (a) => window.limitsBench.copyBytesPerSecond(a.bytes, a.repeats), { bytes: s.copyBytes, repeats: s.copyRepeats });
    console.log(`memory copy: ${(copyBytesPerSecond / 1e9).toFixed(1)} GB/s`);
    const matmul = await inPage(page, (a) => window.limitsBench.wasmMatmul(a.size, a.repeats), { size: s.matmulSize, repeats: s.matmulRepeats });
    console.log(`wasm matmul ${s.matmulSize}: ${(matmul.flopsPerSecond / 1e9).toFixed(1)} GFLOP/s on ${matmul.threads} thread(s) (cross-origin isolated: ${isolated})`);
    await page.page.context().close();
    const channelRates = await measureChannel(browser, server.origin, s);
    const limits: Limits = {
      date: new Date().toISOString(), quick: flags.quick, chromium: browser.version(), ...machineInfo(), settings: s,
      copyBytesPerSecond, wasm: { flopsPerSecond: matmul.flopsPerSecond, threads: matmul.threads, msEach: matmul.msEach, crossOriginIsolated: isolated },
      channel: { rates: channelRates }, runSeconds: (performance.now() - started) / 1000,
    };
    const report = renderLimitsReport(limits);
    console.log(`\n${report}`);
    console.log(`wrote ${writeLimits(flags.out, limits, report).join(' and ')}`);
  } finally {
    await browser?.close();
    await server.close();
  }
}

runBench('bench limits', main);
