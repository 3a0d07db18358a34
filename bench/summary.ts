/**
 * summary.md of `npm run bench`: one line per headline metric of every benchmark that ran, with the
 * baseline measured in the same run, the ratio, the target, and the figure as a fraction of the
 * physical limit measured in that run (bench/limits.ts). Pure: the suite passes what it read.
 */
import { runInfoLines, type RunInfo } from './harness.ts';
import { formatLimit, limitValue, type Limits } from './limits-report.ts';
import { LIMIT_UNITS, type BenchMetrics, type HeadlineMetric } from './metrics.ts';

/** What the summary states besides the metrics. */
export interface SummaryInfo extends RunInfo {
  readonly quick: boolean;
  /** Benchmarks asked for, in the order they ran. */
  readonly benches: readonly string[];
  /** Benchmarks that exited with an error or wrote no metrics, with the reason. */
  readonly failed: ReadonlyMap<string, string>;
}

/** A figure with three significant digits, thousands grouped, never in exponent form. */
export function formatFigure(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`summary: ${x} is not a figure`);
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(1);
  if (a === 0) return '0';
  const digits = Math.min(6, Math.max(1, 2 - Math.floor(Math.log10(a))));
  return x.toFixed(digits);
}

/** The fraction of its limit a metric's figure is, or undefined without a limit. */
export function fractionOfLimit(m: HeadlineMetric, limits: Limits | undefined): number | undefined {
  if (!m.limit) return undefined;
  if (m.limit.measured !== undefined) return m.limit.value / m.limit.measured;
  return limits ? m.limit.value / limitValue(limits, m.limit.kind) : undefined;
}

/** The limit cell: the limit the fraction divides by. */
function limitCell(bench: string, m: HeadlineMetric, limits: Limits | undefined): string {
  if (!m.limit) return '-';
  if (m.limit.measured !== undefined) return `${formatLimit(m.limit.kind, m.limit.measured)} (timed beside it in ${bench})`;
  return limits ? formatLimit(m.limit.kind, limitValue(limits, m.limit.kind)) : '-';
}

function row(bench: string, m: HeadlineMetric, limits: Limits | undefined): string {
  const fraction = fractionOfLimit(m, limits);
  const met = m.met === null ? '-' : m.met ? 'met' : '**not met**';
  const cells = [
    `${bench}: ${m.metric}`,
    `${formatFigure(m.fabric)} ${m.unit}`,
    `${formatFigure(m.baseline)} ${m.unit} (${m.baselineLabel})`,
    `${formatFigure(m.ratio)}x`,
    m.target,
    met,
    limitCell(bench, m, limits),
    fraction === undefined ? '-' : formatFigure(fraction),
  ];
  return `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
}

/** The whole summary.md. */
export function renderSummary(results: readonly BenchMetrics[], limits: Limits | undefined, info: SummaryInfo): string {
  const conversions = results.flatMap((r) => r.metrics.filter((m) => m.limit).map((m) => `- ${r.bench}, ${m.metric}: ${m.limit!.conversion} (limit: ${m.limit!.kind}, ${LIMIT_UNITS[m.limit!.kind]})`));
  const lines = [
    '# Benchmark summary',
    '',
    `Written by \`npm run bench${info.quick ? ' -- --quick' : ''}\` (bench/suite.ts), which ran ${info.benches.join(', ')} one after another`,
    'on one Fabric server, after measuring the physical limits (limits.md) in the same browser build. Every',
    "baseline was measured in the same run as Fabric's figure, and each ratio is computed from those two",
    "figures as that benchmark's report computes it. Each benchmark's report (beside this file) has the details.",
    '',
    `- Date: ${info.date}`,
    `- Mode: ${info.quick ? 'quick (smaller sizes, one round, no waiting for a quiet machine: a check that the suite runs, not figures of record)' : 'full'}`,
    ...runInfoLines(info),
    `- Run time: ${info.runSeconds.toFixed(0)} s`,
    ...[...info.failed].map(([bench, why]) => `- **${bench} failed**: ${why}`),
    '',
    '| metric | Fabric | baseline | ratio | target | met? | limit | fraction of limit |',
    '| --- | ---: | ---: | ---: | --- | --- | --- | ---: |',
    ...results.flatMap((r) => r.metrics.map((m) => row(r.bench, m, limits))),
    '',
    '## Notes',
    '',
    "- Fraction of limit: Fabric's figure restated in the limit's unit, divided by the limit measured in this run.",
    '  The restatements:',
    ...conversions.map((c) => `  ${c}`),
    ...results.flatMap((r) => (r.omitted ?? []).map((o) => `- Not in the table, ${r.bench}: ${o}`)),
    '- A line with no limit has no physical counterpart: a time to a loss, a count of evaluations, or trials',
    '  that sleep (tune), where the cost is dispatch.',
    '- Where the volunteers are: tune runs its volunteer tabs through the join link exactly as `npm run volunteer`',
    "  builds it (scripts/volunteer-tabs.ts), in the benchmark's own browser so their CPU can be read. train,",
    '  groups and score measure local slots against a baseline in the same page; transport measures a link between',
    '  two browser contexts. Each report says so.',
    '',
  ];
  return lines.join('\n');
}
