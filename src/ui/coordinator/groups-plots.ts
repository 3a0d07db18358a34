/**
 * Plots of a fitGroups run (uPlot): a histogram of one coefficient across the ok groups, with the
 * hidden coefficients of a synthetic IoT dataset beside it when known, and each group's metric
 * against its row count (small groups fit worse).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DeviceTruth, GroupResults } from '../../index';
import { h, replace } from '../dom';
import { formatInt } from '../format';

/** Bins past this are thinner than a few pixels at the chart's width. */
const MAX_BINS = 80;

interface Series {
  readonly name: string;
  /** One value per group (null where missing), in results order. */
  readonly values: readonly (number | null)[];
}

function quantile(sorted: readonly number[], q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** Equal-width bins over [lo, hi]: Freedman–Diaconis width, the square-root rule when the IQR is 0. */
function binsFor(sorted: readonly number[], lo: number, hi: number): { lo: number; width: number; count: number } {
  if (hi === lo) return { lo: lo - 0.5, width: 1, count: 1 };
  const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  const fd = iqr > 0 ? Math.ceil(((hi - lo) * Math.cbrt(sorted.length)) / (2 * iqr)) : 0; // width 2·IQR·n^(-1/3)
  const count = Math.max(1, Math.min(MAX_BINS, fd > 0 ? fd : Math.ceil(Math.sqrt(sorted.length))));
  return { lo, width: (hi - lo) / count, count };
}

function countInto(values: readonly number[], b: { lo: number; width: number; count: number }): number[] {
  const counts = new Array<number>(b.count).fill(0);
  for (const v of values) counts[Math.min(b.count - 1, Math.max(0, Math.floor((v - b.lo) / b.width)))]!++;
  return counts;
}

function finite(values: readonly (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null && Number.isFinite(v));
}

/**
 * Tick labels with as many decimals as the tick spacing needs: uPlot's default stops at three, so
 * coefficients like 0.0004 all read "0.000".
 */
function ticks(_u: uPlot, splits: number[]): string[] {
  const step = splits.length > 1 ? Math.abs(splits[1]! - splits[0]!) : 1;
  const decimals = step > 0 ? Math.min(12, Math.max(0, -Math.floor(Math.log10(step)))) : 0;
  return splits.map((v) => (Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-6) ? v.toExponential(1) : v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })));
}

/** Room on the right for the last x tick label, which uPlot centres on the plot's edge. */
const PADDING: uPlot.Padding = [8, 28, 0, 0];

function plotWidth(root: HTMLElement): number {
  return Math.max(320, Math.min(root.clientWidth || 640, 900));
}

/** Each hidden value of coefficient `name` (`intercept`, `x1`, ...), or undefined for other names. */
function hiddenValues(name: string, truth: readonly DeviceTruth[]): number[] | undefined {
  if (name === 'intercept') return truth.map((t) => t.intercept);
  const k = /^x(\d+)$/.exec(name);
  if (!k) return undefined;
  const i = Number(k[1]) - 1;
  return truth.every((t) => i < t.coefficients.length) ? truth.map((t) => t.coefficients[i]!) : undefined;
}

/**
 * The span a histogram shows: Tukey's far-out fences (3 IQR past the quartiles), so a few groups
 * with wild coefficients (tiny groups, near-singular fits) do not squeeze the rest into one bar.
 */
function displayRange(sorted: readonly number[]): [number, number] {
  const lo = sorted[0] ?? 0;
  const hi = sorted[sorted.length - 1] ?? 0;
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  if (!(q3 > q1)) return [lo, hi];
  return [Math.max(lo, q1 - 3 * (q3 - q1)), Math.min(hi, q3 + 3 * (q3 - q1))];
}

function drawHistogram(box: HTMLElement, text: HTMLElement, r: GroupResults, s: Series, truth: readonly DeviceTruth[] | undefined): uPlot {
  const fitted = finite(s.values).sort((a, b) => a - b);
  const hidden = truth ? hiddenValues(s.name, truth) : undefined;
  const [lo, hi] = displayRange(hidden ? [...fitted, ...hidden].sort((a, b) => a - b) : fitted);
  const inside = (v: number): boolean => v >= lo && v <= hi;
  const shown = fitted.filter(inside);
  const bins = binsFor(shown, lo, hi);
  const centers = Array.from({ length: bins.count }, (_, i) => bins.lo + (i + 0.5) * bins.width);
  const outside = fitted.length - shown.length;
  const summary = fitted.length === 0 ? `No ok group has a value of ${s.name}.`
    : `${s.name} over ${formatInt(fitted.length)} groups: median ${quantile(fitted, 0.5).toPrecision(4)}, 5% to 95% ${quantile(fitted, 0.05).toPrecision(4)} to ${quantile(fitted, 0.95).toPrecision(4)}.` +
      (outside > 0 ? ` ${formatInt(outside)} group${outside === 1 ? '' : 's'} beyond ${lo.toPrecision(3)} to ${hi.toPrecision(3)} (3 IQR past the quartiles) not drawn.` : '');
  let error = '';
  if (hidden && truth) {
    const byDevice = new Map(truth.map((t, i) => [t.device, hidden[i]!]));
    const errors = r.rows.flatMap((g, i) => {
      const v = s.values[i];
      const t = byDevice.get(g.key);
      return v === null || v === undefined || t === undefined || !Number.isFinite(v) ? [] : [Math.abs(v - t)];
    });
    if (errors.length > 0) {
      const mae = errors.reduce((a, b) => a + b, 0) / errors.length;
      error = ` Against the hidden ${s.name} of each device: mean absolute error ${mae.toPrecision(3)}, largest ${errors.reduce((a, b) => Math.max(a, b), 0).toPrecision(3)}.`;
      text.setAttribute('data-mae', String(mae));
    }
  }
  replace(text, summary, error);
  box.setAttribute('aria-label', `Histogram. ${summary}${error}`);
  const series: uPlot.Series[] = [
    { label: `${s.name} (bin centre)`, value: (_u, v) => (v === null ? '—' : v.toPrecision(4)) },
    { label: r.coefficientNames.length > 0 ? `fitted (${formatInt(fitted.length)} groups)` : `${formatInt(fitted.length)} groups`, stroke: '#0072B2', fill: 'rgba(0, 114, 178, 0.45)', width: 1, paths: uPlot.paths.bars!({ size: [1, Infinity], gap: 1 }), points: { show: false } },
  ];
  const data: uPlot.AlignedData = [centers, countInto(shown, bins)];
  if (hidden) {
    // A dashed line with points over the bars, so the two differ without colour.
    series.push({ label: `hidden (${formatInt(hidden.length)} devices)`, stroke: '#D55E00', width: 2, dash: [6, 4], points: { show: true, size: 6 } });
    data.push(countInto(hidden.filter(inside), bins));
  }
  return new uPlot({
    width: plotWidth(box), height: 240,
    title: `Distribution of ${s.name} across groups`,
    scales: {
      x: { time: false, range: () => [bins.lo, bins.lo + bins.count * bins.width] },
      // Bars are read from zero: a baseline above it would exaggerate differences between bins.
      y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.08] },
    },
    padding: PADDING,
    axes: [{ label: s.name, values: ticks }, { label: 'groups', size: 55 }],
    series,
  }, data, box);
}

/** Whole decades around [min, max] for a log axis (uPlot passes null when there are no points). */
function decades(min: number | null, max: number | null): [number, number] {
  if (min === null || max === null || !(min > 0)) return [1, 10];
  const pad = min === max ? 1 : 0;
  return [10 ** (Math.floor(Math.log10(min)) - pad), 10 ** (Math.ceil(Math.log10(max)) + pad)];
}

function drawScatter(box: HTMLElement, text: HTMLElement, r: GroupResults, s: Series): uPlot {
  const points = r.rows.flatMap((g, i) => {
    const v = s.values[i];
    return v === null || v === undefined || !Number.isFinite(v) || g.rows < 1 ? [] : [[g.rows, v] as const];
  }).sort((a, b) => a[0] - b[0]);
  const summary = `${s.name} of ${formatInt(points.length)} groups against their row counts (log scale).`;
  replace(text, summary);
  box.setAttribute('aria-label', `Scatter plot. ${summary}`);
  return new uPlot({
    width: plotWidth(box), height: 240,
    title: `${s.name} per group against its rows`,
    scales: {
      // Whole decades, so the ticks are 10, 100, ...; one more each side when every group has the same size.
      x: { time: false, distr: 3, range: (_u, min, max) => decades(min, max) },
    },
    padding: PADDING,
    axes: [{ label: 'rows in the group (log scale)' }, { label: s.name, size: 60, values: ticks }],
    series: [{ label: 'rows', value: (_u, v) => (v === null ? '—' : formatInt(v)) }, { label: s.name, stroke: '#009E73', fill: 'rgba(0, 158, 115, 0.35)', paths: () => null, points: { show: true, size: 5 } }],
  }, [points.map((p) => p[0]), points.map((p) => p[1])], box);
}

/** A select of series and the plot it draws; the plot is drawn again when the choice changes. */
function plotWithChoice(id: string, label: string, choices: readonly Series[], initial: number, draw: (box: HTMLElement, text: HTMLElement, s: Series) => uPlot): HTMLElement {
  const select = h('select', { id }, ...choices.map((c, i) => h('option', { value: String(i), selected: i === initial }, c.name)));
  const box = h('div', { role: 'img' });
  const text = h('p', { class: 'small muted' });
  let plot: uPlot | undefined;
  const redraw = (): void => {
    plot?.destroy();
    plot = draw(box, text, choices[Number(select.value)]!);
  };
  select.addEventListener('change', redraw);
  const root = h('div', { class: 'group-plot', 'data-testid': id }, h('div', { class: 'row small' }, h('label', { for: id }, label), select), box, text);
  // Drawn once the caller has put `root` in the page: the plot's width is the box's.
  queueMicrotask(redraw);
  return root;
}

/** Renders both plots of `r` into `root`; `truth` is the hidden model of each synthetic device. */
export function renderGroupPlots(root: HTMLElement, r: GroupResults, truth?: readonly DeviceTruth[]): void {
  const ok = r.rows.map((g) => g.status === 'ok');
  const okOnly = (values: (number | null)[]): (number | null)[] => values.map((v, i) => (ok[i] ? v : null));
  const numericValues = r.valueNames.filter((v) => r.rows.every((g) => g.values[v] === null || g.values[v] === undefined || typeof g.values[v] === 'number'))
    .map((v): Series => ({ name: v, values: r.rows.map((g) => (g.values[v] ?? null) as number | null) }));
  const coefficients = r.coefficientNames.map((n, i): Series => ({ name: n, values: okOnly(r.rows.map((g) => g.coefficients[i] ?? null)) }));
  const metrics = r.metricNames.map((m): Series => ({ name: m, values: okOnly(r.rows.map((g) => g.metrics[m] ?? null)) }));
  const spread = coefficients.length > 0 ? coefficients : numericValues;
  const quality = metrics.length > 0 ? metrics : numericValues;
  const first = Math.max(0, spread.findIndex((s) => s.name !== 'intercept'));
  replace(root,
    spread.length > 0 ? plotWithChoice('groups-coef-plot', coefficients.length > 0 ? 'Coefficient' : 'Value', spread, first, (box, text, s) => drawHistogram(box, text, r, s, truth)) : null,
    quality.length > 0 ? plotWithChoice('groups-metric-plot', metrics.length > 0 ? 'Metric' : 'Value', quality, 0, (box, text, s) => drawScatter(box, text, r, s)) : null,
  );
}
