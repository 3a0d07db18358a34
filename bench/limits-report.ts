/**
 * What bench/limits.ts measured, as limits.md and limits.json, and the value of each limit the
 * suite's summary divides by. Pure apart from the file helpers.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { MachineInfo } from './harness.ts';
import type { LimitKind } from './metrics.ts';

/** Sizes and repeats of one limits run. */
export interface LimitsSettings {
  readonly copyBytes: number;
  readonly copyRepeats: number;
  readonly matmulSize: number;
  readonly matmulRepeats: number;
  readonly channelBytes: number;
  readonly channelRounds: number;
}

/** Everything one limits run measured (limits.json). */
export interface Limits extends MachineInfo {
  readonly date: string;
  readonly quick: boolean;
  readonly chromium: string;
  readonly settings: LimitsSettings;
  /** `Uint8Array.set` bytes copied per second, median (memory traffic is twice this). */
  readonly copyBytesPerSecond: number;
  readonly wasm: { readonly flopsPerSecond: number; readonly threads: number; readonly msEach: readonly number[]; readonly crossOriginIsolated: boolean };
  /** Bytes per second of each counted transfer over the raw channel. */
  readonly channel: { readonly rates: readonly number[] };
  readonly runSeconds: number;
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The value of one limit in its unit (bench/metrics.ts LIMIT_UNITS): bytes/s or FLOP/s. */
export function limitValue(l: Limits, kind: LimitKind): number {
  switch (kind) {
    case 'memory-copy':
      return l.copyBytesPerSecond;
    case 'wasm-matmul':
      return l.wasm.flopsPerSecond;
    case 'raw-channel':
      return median(l.channel.rates);
  }
}

/** One limit's value `v` (in its unit) as the summary shows it, e.g. "memory copy 14.2 GB/s". */
export function formatLimit(kind: LimitKind, v: number): string {
  switch (kind) {
    case 'memory-copy':
      return `memory copy ${(v / 1e9).toFixed(1)} GB/s`;
    case 'wasm-matmul':
      return `wasm matmul ${(v / 1e9).toFixed(1)} GFLOP/s`;
    case 'raw-channel':
      return `raw channel ${(v / 1e6).toFixed(1)} MB/s`;
  }
}

/** limits.md. */
export function renderLimitsReport(l: Limits): string {
  const s = l.settings;
  const mib = (b: number): string => `${b / 1048576} MiB`;
  return [
    '# Physical limits',
    '',
    'Written by `npm run bench` (bench/limits.ts) before the benchmarks, in the same headless Chromium build they use.',
    "Every figure in summary.md is shown as a fraction of one of these. They move with the shared machine's load, so",
    'they are measured in the same run as the figures divided by them.',
    '',
    `- Date: ${l.date}${l.quick ? ' (--quick)' : ''}`,
    `- Machine: ${l.cpuModel}, ${l.cores} cores, ${l.os}`,
    `- Chromium: ${l.chromium}`,
    `- Run time: ${l.runSeconds.toFixed(0)} s`,
    '',
    '| limit | figure | unit | how |',
    '| --- | ---: | --- | --- |',
    `| memory copy | ${(l.copyBytesPerSecond / 1e9).toFixed(2)} | GB/s copied | \`Uint8Array.set\` of ${mib(s.copyBytes)} in a page, median of ${s.copyRepeats} (memory traffic is twice this: read plus write) |`,
    `| wasm matmul | ${(l.wasm.flopsPerSecond / 1e9).toFixed(2)} | GFLOP/s | tfjs-wasm \`matMul\` ${s.matmulSize} x ${s.matmulSize} f32 in a module worker set up as a slot, ${l.wasm.threads} thread(s)${l.wasm.crossOriginIsolated ? '' : ' (page not cross-origin isolated)'}, median of ${s.matmulRepeats} after one warm-up |`,
    `| raw data channel | ${(limitValue(l, 'raw-channel') / 1e6).toFixed(2)} | MB/s | one RTCDataChannel between two browser contexts over loopback, 256 KiB chunks, no Fabric framing; ${mib(s.channelBytes)} a transfer, median of ${s.channelRounds} after one warm-up, every byte checked |`,
    '',
  ].join('\n');
}

/** Writes `<dir>/limits.md` and `<dir>/limits.json`; returns their paths. */
export function writeLimits(dir: string, l: Limits, report: string): string[] {
  mkdirSync(dir, { recursive: true });
  const base = dir.replace(/\/$/, '');
  writeFileSync(`${base}/limits.md`, report);
  writeFileSync(`${base}/limits.json`, `${JSON.stringify(l, null, 2)}\n`);
  return [`${base}/limits.md`, `${base}/limits.json`];
}

/** Reads `<dir>/limits.json`, or undefined when the limits run wrote none. */
export function readLimits(dir: string): Limits | undefined {
  try {
    return JSON.parse(readFileSync(`${dir.replace(/\/$/, '')}/limits.json`, 'utf8')) as Limits;
  } catch {
    return undefined;
  }
}
