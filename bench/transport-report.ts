/**
 * Turns the rounds of bench/transport.ts into the markdown table it prints and writes to
 * bench/results/transport.md.
 */
import type { Method } from './transport-page.ts';

/** The methods in the order they run in each round (A B C A B C ...). */
export const METHODS: readonly Method[] = ['fabric-link', 'raw-datachannel', 'peerjs-binary'];

/** The baseline every ratio divides by. */
const BASELINE: Method = 'raw-datachannel';

/** The fabric link should keep at least this share of a raw channel's throughput. */
export const FABRIC_TARGET_RATIO = 0.8;

const LABELS: Record<Method, string> = {
  'fabric-link': 'fabric link (MessageLink over PeerJS `raw`, bulk lane)',
  'raw-datachannel': 'raw RTCDataChannel (256 KiB chunks, 4 MiB / 1 MiB marks)',
  'peerjs-binary': 'PeerJS `binary` (`conn.send`, its own chunking)',
};

/** Everything the report states besides the rounds. */
export interface RunInfo {
  readonly date: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly os: string;
  readonly chromium: string;
  readonly payloadBytes: number;
  readonly rounds: number;
  readonly warmupRounds: number;
  readonly copyBytesPerSecond: number;
  readonly runSeconds: number;
}

/** Milliseconds of each counted round, per method. */
export type RoundTimes = Record<Method, number[]>;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Decimal megabytes per second (10^6 bytes), as in TESTING-NOTES.md. */
function mbPerSecond(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

/** One method's throughput over the counted rounds. */
export interface MethodSummary {
  readonly method: Method;
  /** MB/s of each round, in order. */
  readonly rates: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** This median over the raw channel's median. */
  readonly ratio: number;
}

/** Median, min and max MB/s of each method, and each median's ratio to the raw channel's. */
export function summarize(times: RoundTimes, bytes: number): MethodSummary[] {
  const rates = Object.fromEntries(METHODS.map((m) => [m, times[m].map((ms) => mbPerSecond(bytes, ms))])) as Record<Method, number[]>;
  const baseline = median(rates[BASELINE]);
  return METHODS.map((method) => {
    const r = rates[method];
    const med = median(r);
    return { method, rates: r, median: med, min: Math.min(...r), max: Math.max(...r), ratio: med / baseline };
  });
}

/** The whole results file. `warmupTimes` are the uncounted rounds; the first is on fresh connections. */
export function renderReport(times: RoundTimes, warmupTimes: RoundTimes, info: RunInfo): string {
  const rows = summarize(times, info.payloadBytes);
  const rate = (ms: number | undefined): string => (ms === undefined ? '-' : mbPerSecond(info.payloadBytes, ms).toFixed(1));
  const mib = info.payloadBytes / 1048576;
  const lines = [
    '# Transport benchmark',
    '',
    `Written by \`npm run bench:transport\` (bench/transport.ts). One ${mib} MiB partition goes from a page to a page in`,
    'another browser context of one headless Chromium, over loopback WebRTC with no STUN/TURN. Each method',
    'runs once per round, in the order of the table, so machine noise falls on all three alike. Time runs',
    "on the sender from send start until the receiver's acknowledgement arrives back over the same channel;",
    'every byte is compared afterwards. MB/s is 10^6 bytes per second. Compare ratios, not absolute',
    'figures: this is a shared machine. Warm-up rounds are not counted; the last column is the first',
    'warm-up transfer, which pays a one-time stall on a fresh connection (one sample, so noisy).',
    '',
    `- Date: ${info.date}`,
    `- Machine: ${info.cpuModel}, ${info.cores} cores, ${info.os}`,
    `- Chromium: ${info.chromium}`,
    `- Payload: ${mib} MiB (${info.payloadBytes} bytes); ${plural(info.rounds, 'round')} per method, after ${plural(info.warmupRounds, 'warm-up round')} not counted`,
    `- Memory copy in the same browser (\`Uint8Array.set\` of ${mib} MiB, median): ${(info.copyBytesPerSecond / 1e9).toFixed(1)} GB/s copied (twice that in memory traffic, read plus write)`,
    `- Run time: ${info.runSeconds.toFixed(0)} s`,
    '',
    '| method | median MB/s | min | max | median / raw | target | first transfer on a fresh connection, MB/s |',
    '| --- | ---: | ---: | ---: | ---: | --- | ---: |',
    ...rows.map((r) => {
      const target = r.method === 'fabric-link'
        ? `>= ${FABRIC_TARGET_RATIO.toFixed(2)} of raw: ${r.ratio >= FABRIC_TARGET_RATIO ? 'met' : '**not met**'}`
        : '';
      return `| ${LABELS[r.method]} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)} | ${r.max.toFixed(1)} | ${r.ratio.toFixed(2)} | ${target} | ${rate(warmupTimes[r.method][0])} |`;
    }),
    '',
    '## Each round (MB/s)',
    '',
    `| round | ${METHODS.join(' | ')} |`,
    `| ---: | ${METHODS.map(() => '---:').join(' | ')} |`,
    ...Array.from({ length: info.warmupRounds }, (_, i) => `| warm-up ${i + 1} | ${METHODS.map((m) => rate(warmupTimes[m][i])).join(' | ')} |`),
    ...Array.from({ length: info.rounds }, (_, i) => `| ${i + 1} | ${rows.map((r) => r.rates[i]!.toFixed(1)).join(' | ')} |`),
    '',
  ];
  return lines.join('\n');
}
