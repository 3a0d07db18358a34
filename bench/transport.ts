/**
 * `npm run bench:transport [-- --rounds N] [--mib N] [--warmup N] [--quick] [--out DIR]`: how fast a partition travels
 * between two browsers, over Fabric's own link and two baselines, measured side by side in one run.
 *
 * Starts the Fabric server (Vite with the PeerServer on the same port) on a free port, opens
 * bench/transport.html in two contexts of one headless Chromium (a sender and a receiver, as a
 * coordinator and a volunteer would be), connects them three ways, then runs the rounds
 * interleaved: fabric link, raw RTCDataChannel, PeerJS binary, and again. Prints the table and
 * writes it to bench/results/transport.md, with its headline figures in transport.json (bench/metrics.ts).
 * The two pages are two contexts of one browser, not volunteers started by `npm run volunteer`: the
 * benchmark times one transfer from its send to the receiver's acknowledgement, which needs both
 * ends driven in step by this process. Not a test: nothing here asserts a time.
 */
import { parseArgs } from 'node:util';
import type { Browser } from '@playwright/test';
import { inPage, launchChromium, machineInfo, openBenchPage, runBench, startFabricServer, type BenchPage } from './harness.ts';
import { resultsDir, writeBenchResults, type HeadlineMetric } from './metrics.ts';
import { connectRaw, transfer } from './transport-drive.ts';
import { FABRIC_TARGET_RATIO, METHODS, renderReport, summarize, type RoundTimes } from './transport-report.ts';

/** Long enough for 32 MiB at 1 MB/s, a tenth of the slowest method seen here. */
const TRANSFER_TIMEOUT_MS = 120_000;
const CONNECT_TIMEOUT_MS = 20_000;
/** Copies timed for the memory-copy figure; each takes a few milliseconds. */
const COPY_REPEATS = 30;

interface Flags {
  readonly rounds: number;
  readonly mib: number;
  readonly warmup: number;
  readonly quick: boolean;
  readonly out: string | undefined;
}

/** --quick: 8 MiB, 2 rounds; still one uncounted warm-up, which holds the fresh connection's stall. */
const QUICK = { rounds: '2', mib: '8', warmup: '1' } as const;

function readFlags(): Flags {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      mib: { type: 'string' },
      warmup: { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log('usage: npm run bench:transport -- [--rounds N (5)] [--mib N (32)] [--warmup N (1)] [--quick (8 MiB, 2 rounds; prints only unless --out)] [--out DIR (bench/results)]');
    process.exit(0);
  }
  const int = (name: string, raw: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      console.error(`bench:transport: --${name} expects a whole number of at least ${min}, got "${raw}"`);
      process.exit(2);
    }
    return n;
  };
  const q = values.quick;
  return {
    rounds: int('rounds', values.rounds ?? (q ? QUICK.rounds : '5'), 1),
    mib: int('mib', values.mib ?? (q ? QUICK.mib : '32'), 1),
    warmup: int('warmup', values.warmup ?? (q ? QUICK.warmup : '1'), 0),
    quick: q,
    out: values.out,
  };
}

/** Opens the three channels: two PeerJS connections, and a plain RTCPeerConnection signalled by us. */
async function connect(sender: BenchPage, receiver: BenchPage, maxMessageBytes: number): Promise<void> {
  const tag = Math.random().toString(36).slice(2, 10);
  const ids = { sender: `bench-send-${tag}`, receiver: `bench-recv-${tag}` };
  await inPage(receiver, (a) => window.transportBench.openPeer(a.id, a.max), { id: ids.receiver, max: maxMessageBytes });
  await inPage(sender, (a) => window.transportBench.openPeer(a.id, a.max), { id: ids.sender, max: maxMessageBytes });
  await inPage(sender, (id) => window.transportBench.connectPeers(id), ids.receiver);
  await inPage(receiver, (ms) => window.transportBench.acceptPeers(ms), CONNECT_TIMEOUT_MS);
  await connectRaw(sender, receiver, CONNECT_TIMEOUT_MS);
}

async function main(): Promise<void> {
  const flags = readFlags();
  const bytes = flags.mib * 1048576;
  const started = performance.now();
  const server = await startFabricServer();
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const url = `${server.origin}/bench/transport.html`;
    const sender = await openBenchPage(browser, url, 'sender', 'transportBench', CONNECT_TIMEOUT_MS);
    const receiver = await openBenchPage(browser, url, 'receiver', 'transportBench', CONNECT_TIMEOUT_MS);
    await connect(sender, receiver, Math.max(64 * 1048576, bytes + 1048576));
    const copyBytesPerSecond = await inPage(sender, (a) => window.transportBench.copyBytesPerSecond(a.bytes, a.repeats), { bytes, repeats: COPY_REPEATS });
    console.log(`memory copy: ${(copyBytesPerSecond / 1e9).toFixed(1)} GB/s (Uint8Array.set of ${flags.mib} MiB)`);

    const times: RoundTimes = { 'fabric-link': [], 'raw-datachannel': [], 'peerjs-binary': [] };
    const firstTimes: RoundTimes = { 'fabric-link': [], 'raw-datachannel': [], 'peerjs-binary': [] };
    let transferIndex = 0;
    // Warm-up rounds come first and are not counted: the first large transfer on a fresh
    // connection stalled for about 0.9 s (after its first 1.3 MB) on most runs here, with every
    // method alike. That one-time cost is reported in its own column, apart from the throughput.
    for (let round = -flags.warmup; round < flags.rounds; round++) {
      for (const method of METHODS) {
        // A new seed per transfer: bytes left over from an earlier transfer cannot pass the check.
        const seed = (Math.imul(++transferIndex, 0x9e3779b1) >>> 0) || 1;
        const ms = await transfer(sender, receiver, method, seed, bytes, TRANSFER_TIMEOUT_MS);
        const label = round < 0 ? 'warm-up' : `round ${round + 1}/${flags.rounds}`;
        console.log(`${label.padEnd(12)} ${method.padEnd(16)} ${(bytes / 1e3 / ms).toFixed(1).padStart(6)} MB/s  (${ms.toFixed(0)} ms)`);
        (round >= 0 ? times : firstTimes)[method].push(ms);
      }
    }

    const report = renderReport(times, firstTimes, {
      date: new Date().toISOString(),
      ...machineInfo(),
      chromium: browser.version(),
      payloadBytes: bytes,
      rounds: flags.rounds,
      warmupRounds: flags.warmup,
      copyBytesPerSecond,
      runSeconds: (performance.now() - started) / 1000,
    });
    console.log(`\n${report}`);
    const fabric = summarize(times, bytes).find((r) => r.method === 'fabric-link')!;
    const raw = summarize(times, bytes).find((r) => r.method === 'raw-datachannel')!;
    const dir = resultsDir(flags.out, flags.quick);
    if (dir) {
      const metric: HeadlineMetric = {
        metric: `one ${flags.mib} MiB partition between two browser contexts, Fabric link vs raw channel (median MB/s)`,
        unit: 'MB/s', fabric: fabric.median, baselineLabel: 'raw RTCDataChannel', baseline: raw.median, ratio: fabric.ratio,
        target: `>= ${FABRIC_TARGET_RATIO.toFixed(2)}x`, met: fabric.ratio >= FABRIC_TARGET_RATIO,
        limit: { kind: 'raw-channel', value: fabric.median * 1e6, conversion: 'MB/s x 10^6 bytes; the limit is the raw channel timed in the same rounds', measured: raw.median * 1e6 },
      };
      const files = writeBenchResults(dir, 'transport', report, { bench: 'transport', date: new Date().toISOString(), quick: flags.quick, metrics: [metric] });
      console.log(`wrote ${files.md} and ${files.json}`);
    } else {
      console.log('--quick: bench/results/transport.md left as it was');
    }
    if (fabric.ratio < FABRIC_TARGET_RATIO) console.log(`note: the fabric link ran at ${fabric.ratio.toFixed(2)} of raw, under the ${FABRIC_TARGET_RATIO} target`);
  } finally {
    await browser?.close();
    await server.close();
  }
}

runBench('bench:transport', main);
