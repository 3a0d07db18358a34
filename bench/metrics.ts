/**
 * The machine-readable side of every benchmark: the headline figures its report already computes,
 * written as `<name>.json` beside `<name>.md`, so `npm run bench` (bench/suite.ts) can put one line
 * per metric in bench/results/summary.md without parsing markdown. Node side only.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ROOT } from './harness.ts';

/**
 * The physical limits bench/limits.ts measures in the same browser: bytes copied per second
 * (`Uint8Array.set`), FLOP/s of a tfjs wasm matmul, bytes per second over a raw RTCDataChannel.
 */
export type LimitKind = 'memory-copy' | 'wasm-matmul' | 'raw-channel';

/** Units each limit is measured in; a metric's `limit.value` is in the same unit. */
export const LIMIT_UNITS: Record<LimitKind, string> = {
  'memory-copy': 'bytes/s',
  'wasm-matmul': 'FLOP/s',
  'raw-channel': 'bytes/s',
};

/** Fabric's figure restated in a limit's unit, and how it was restated. */
export interface LimitRelation {
  readonly kind: LimitKind;
  /** Fabric's figure in {@link LIMIT_UNITS}[kind]. */
  readonly value: number;
  /** One phrase for the summary's notes, e.g. "rows/s x 40 bytes of design per row". */
  readonly conversion: string;
  /**
   * The limit itself, when the benchmark measured it interleaved with Fabric's figure (transport
   * times the raw channel round by round): the summary then divides by this rather than by the
   * limits run's figure, taken minutes apart on a machine whose load moves.
   */
  readonly measured?: number;
}

/** One headline line of a benchmark, as its report states it. */
export interface HeadlineMetric {
  readonly metric: string;
  readonly unit: string;
  readonly fabric: number;
  /** What the baseline is, e.g. "1 local slot" or "raw RTCDataChannel". */
  readonly baselineLabel: string;
  readonly baseline: number;
  /** As the report computes it (Fabric over baseline, or baseline over Fabric for times). */
  readonly ratio: number;
  /** As the report states it, e.g. ">= 1.6x"; "reference" when the line has none. */
  readonly target: string;
  /** Whether the target was met; null for a line without one. */
  readonly met: boolean | null;
  readonly limit: LimitRelation | null;
}

/** The JSON file one benchmark writes. */
export interface BenchMetrics {
  readonly bench: string;
  readonly date: string;
  readonly quick: boolean;
  readonly metrics: readonly HeadlineMetric[];
  /** Headline lines the report has but this run could not give a figure for, with why. */
  readonly omitted?: readonly string[];
}

/** Where the committed results live. */
export const RESULTS_DIR = `${ROOT}bench/results`;

/**
 * Writes `<dir>/<name>.md` and `<dir>/<name>.json`. Every number in the metrics must be finite:
 * a NaN here means a report computed nothing, and the summary would show it as a figure.
 */
export function writeBenchResults(dir: string, name: string, markdown: string, metrics: BenchMetrics): { md: string; json: string } {
  for (const m of metrics.metrics) {
    const nums = [m.fabric, m.baseline, m.ratio, ...(m.limit ? [m.limit.value] : [])];
    if (!nums.every(Number.isFinite)) throw new Error(`${name}: metric "${m.metric}" has a figure that is not a finite number (${nums.join(', ')})`);
  }
  mkdirSync(dir, { recursive: true });
  const md = `${dir.replace(/\/$/, '')}/${name}.md`;
  const json = `${dir.replace(/\/$/, '')}/${name}.json`;
  writeFileSync(md, markdown);
  writeFileSync(json, `${JSON.stringify(metrics, null, 2)}\n`);
  return { md, json };
}

/**
 * Where a benchmark writes: `--out DIR` when given; else bench/results, except with `--quick`,
 * whose figures are not the committed ones (undefined: print only, as before).
 */
export function resultsDir(out: string | undefined, quick: boolean): string | undefined {
  if (out !== undefined) return out;
  return quick ? undefined : RESULTS_DIR;
}

/** Reads `<dir>/<name>.json`, or undefined when the benchmark wrote none there. */
export function readBenchMetrics(dir: string, name: string): BenchMetrics | undefined {
  try {
    return JSON.parse(readFileSync(`${dir.replace(/\/$/, '')}/${name}.json`, 'utf8')) as BenchMetrics;
  } catch {
    return undefined;
  }
}
