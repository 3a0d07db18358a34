/**
 * Plots of a tune run (uPlot): the best loss so far against the trial number, with each trial's own
 * loss as a dot; and the loss against one chosen hyperparameter (log x for log-scale ones), which
 * shows where in the space the good trials lie. Failed and running trials are left out.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { flattenParams, type Trial } from '../../index';
import { h, replace } from '../dom';
import type { HpKind } from './tune-space';
import { formatParam } from './tune-table';

/** Room on the right for the last x tick label, which uPlot centres on the plot's edge. */
const PADDING: uPlot.Padding = [8, 28, 0, 0];
const HEIGHT = 240;

function plotWidth(root: HTMLElement): number {
  return Math.max(280, Math.min(root.clientWidth || 640, 900));
}

/**
 * Keeps a plot as wide as `el` (a phone turned, a window resized); stops when `el` leaves the page,
 * which is when the next run replaces it.
 */
function fitWidth(el: HTMLElement, plot: () => uPlot | undefined): void {
  let width = 0;
  const observer = new ResizeObserver(() => {
    if (!el.isConnected) return observer.disconnect();
    const w = plotWidth(el);
    const u = plot();
    if (u && w !== width) u.setSize({ width: w, height: HEIGHT });
    width = w;
  });
  observer.observe(el);
}

/** Tick labels via {@link formatParam}, so 0.0001 reads "1.00e-4" and not "0.000". */
const ticks = (_u: uPlot, splits: number[]): string[] => splits.map((v) => (v === null ? '' : formatParam(v)));

/** A series drawn as dots only (circles), so it differs from a line without colour. */
const dots = (label: string, stroke: string): uPlot.Series => ({
  label, stroke, fill: `${stroke}55`, paths: () => null, points: { show: true, size: 7, stroke, fill: `${stroke}55`, width: 1.5 },
});

const finished = (trials: readonly Trial[]): Trial[] => trials.filter((t) => t.status === 'ok' || t.status === 'fail').sort((a, b) => a.id - b.id);

/** Best loss so far (a stepped line) and each trial's loss (dots) against the trial id. */
export class BestLossPlot {
  private readonly plot: uPlot;

  constructor(root: HTMLElement) {
    const el = h('div');
    root.append(el);
    this.plot = new uPlot({
      width: plotWidth(el), height: HEIGHT, padding: PADDING, title: 'Best loss so far',
      scales: { x: { time: false } },
      // Trial ids are whole numbers: no ticks between them.
      axes: [{ label: 'trial', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] }, { label: 'loss', size: 64, values: ticks }],
      series: [
        {},
        { label: 'best so far', stroke: '#0072B2', width: 2, paths: uPlot.paths.stepped?.({ align: 1 }), spanGaps: true, points: { show: false } },
        dots('trial loss', '#D55E00'),
      ],
    }, [[], [], []], el);
    fitWidth(el, () => this.plot);
  }

  /** Redraws from every trial so far. */
  update(trials: readonly Trial[]): void {
    const done = finished(trials);
    let best = Infinity;
    const bestSoFar = done.map((t) => {
      if (t.status === 'ok' && t.loss !== null && t.loss < best) best = t.loss;
      return Number.isFinite(best) ? best : null;
    });
    this.plot.setData([done.map((t) => t.id), bestSoFar, done.map((t) => (t.status === 'ok' ? t.loss : null))]);
  }
}

const LOG_KINDS: ReadonlySet<HpKind> = new Set(['loguniform', 'qloguniform', 'lognormal']);

/** A hyperparameter's value in a trial as a number: choices of text plot at their option index. */
function xOf(t: Trial, name: string, labels: Map<number, string>): number | undefined {
  const v = flattenParams(t.params)[name];
  if (typeof v === 'number') return v;
  const index = t.point[name];
  if (index === undefined) return undefined;
  labels.set(index, formatParam(v));
  return index;
}

/** Loss against a chosen hyperparameter: a select of the parameter and a scatter. */
export class ParamPlot {
  /** The select and the plot. */
  readonly element: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly box = h('div');
  private plot: uPlot | undefined;
  private trials: readonly Trial[] = [];
  /** Option text by index, for a choice whose options are not numbers. */
  private readonly labels = new Map<number, string>();

  constructor(private readonly kinds: ReadonlyMap<string, HpKind>) {
    this.select = h('select', { id: 'tune-param-select', 'data-testid': 'tune-param-select' }, ...[...kinds.keys()].map((k) => h('option', { value: k }, k)));
    this.select.addEventListener('change', () => this.rebuild());
    this.element = h('div', { class: 'tune-plot', 'data-testid': 'tune-param-plot' },
      h('div', { class: 'row small' }, h('label', { for: 'tune-param-select' }, 'Loss against'), this.select,
        h('span', { class: 'muted' }, 'each dot is one ok trial; failed trials are left out')),
      this.box);
    fitWidth(this.element, () => this.plot);
  }

  /** Redraws from every trial so far. */
  update(trials: readonly Trial[]): void {
    this.trials = trials;
    if (!this.plot) this.rebuild();
    else this.plot.setData(this.data());
  }

  private data(): uPlot.AlignedData {
    const name = this.select.value;
    const log = LOG_KINDS.has(this.kinds.get(name) ?? 'uniform');
    const pts: [number, number][] = [];
    for (const t of this.trials) {
      if (t.status !== 'ok' || t.loss === null) continue;
      const x = xOf(t, name, this.labels);
      if (x !== undefined && Number.isFinite(x) && (!log || x > 0)) pts.push([x, t.loss]);
    }
    // uPlot's aligned data needs ascending x.
    pts.sort((a, b) => a[0] - b[0]);
    return [pts.map((p) => p[0]), pts.map((p) => p[1])];
  }

  private rebuild(): void {
    this.plot?.destroy();
    replace(this.box);
    const name = this.select.value;
    if (name === '') return;
    const kind = this.kinds.get(name) ?? 'uniform';
    this.labels.clear();
    const log = LOG_KINDS.has(kind);
    // uPlot's log axis ticks every 1..9 × 10^k: label only the powers of ten, which stay readable.
    const text = (v: number | null): string => v === null ? '' : this.labels.size > 0 ? (Number.isInteger(v) ? this.labels.get(v) ?? '' : '')
      : log && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) > 1e-6 ? '' : formatParam(v);
    this.plot = new uPlot({
      width: plotWidth(this.element), height: HEIGHT, padding: PADDING, title: `Loss against ${name}`,
      scales: { x: log ? { time: false, distr: 3, log: 10 } : { time: false } },
      axes: [
        { label: `${name} (${kind}${log ? ', log scale' : ''})`, values: (_u, splits) => splits.map(text) },
        { label: 'loss', size: 64, values: ticks },
      ],
      series: [{ label: name }, dots('loss', '#0072B2')],
    }, this.data(), this.box);
  }
}
