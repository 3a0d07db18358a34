/**
 * The guided demo's pictures: a line chart (uPlot) for curves, and a labelled bar list (HTML) for
 * per-airport coefficients. Lines differ by dash as well as colour, and every bar carries its
 * value as text, so no information is carried by colour alone.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h, replace } from '../dom';

/** A line of a chart. */
export interface LineSeries {
  readonly label: string;
  /** Dash pattern; solid when omitted. */
  readonly dash?: number[];
  /** Points only (no line), e.g. each trial's own loss. */
  readonly points?: boolean;
}

/** Okabe–Ito blue, vermillion and green: told apart by colour-blind viewers too. */
const STROKES = ['#0072B2', '#D55E00', '#009E73'];

/** A chart that is redrawn with new data as a job runs. */
export class LineChart {
  private readonly plot: uPlot;

  constructor(root: HTMLElement, title: string, xLabel: string, yLabel: string, series: readonly LineSeries[]) {
    replace(root);
    // Fits the step's card: projector cards are about 880 px wide, a phone's about 340.
    const width = Math.max(280, Math.min(root.clientWidth || 600, 880));
    this.plot = new uPlot({
      width,
      height: Math.round(Math.min(320, width * 0.55)),
      title,
      scales: { x: { time: false } },
      axes: [
        { label: xLabel, font: '15px sans-serif', labelFont: 'bold 15px sans-serif' },
        { label: yLabel, size: 70, font: '15px sans-serif', labelFont: 'bold 15px sans-serif' },
      ],
      series: [{ label: xLabel }, ...series.map((s, i) => ({
        label: s.label,
        stroke: STROKES[i % STROKES.length]!,
        width: s.points ? 0 : 3,
        ...(s.dash ? { dash: s.dash } : {}),
        points: { show: true, size: s.points ? 9 : 6 },
      }))],
    }, [[], ...series.map(() => [])], root);
  }

  /** Replaces the data: x values, then one array per series (null for a gap). */
  setData(x: readonly number[], ...ys: readonly (readonly (number | null)[])[]): void {
    this.plot.setData([[...x], ...ys.map((y) => [...y])] as uPlot.AlignedData);
  }
}

/** A row of a bar list. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Shown after the value, e.g. the group's row count. */
  readonly note?: string;
}

/** Horizontal bars around zero, each with its label and value written out. */
export function renderBarList(root: HTMLElement, caption: string, bars: readonly Bar[], format: (v: number) => string): void {
  const max = Math.max(1e-12, ...bars.map((b) => Math.abs(b.value)));
  const hasNegative = bars.some((b) => b.value < 0);
  replace(root, h('figure', { class: 'bar-list' },
    h('figcaption', {}, caption),
    h('ol', {}, ...bars.map((b) => {
      const pct = (Math.abs(b.value) / max) * (hasNegative ? 50 : 100);
      const left = hasNegative ? (b.value < 0 ? 50 - pct : 50) : 0;
      return h('li', { 'data-label': b.label, 'data-value': b.value },
        h('span', { class: 'bar-label' }, b.label),
        h('span', { class: 'bar-track', 'aria-hidden': 'true' }, h('span', { class: `bar-fill${b.value < 0 ? ' negative' : ''}`, style: `left:${left.toFixed(1)}%;width:${pct.toFixed(1)}%` })),
        h('span', { class: 'bar-value' }, format(b.value), b.note ? h('span', { class: 'small' }, ` ${b.note}`) : null),
      );
    })),
  ));
}

/** Big numbers with their names, e.g. rows per second and latency percentiles. */
export function renderTiles(root: HTMLElement, tiles: readonly { readonly name: string; readonly value: string; readonly testid: string }[]): void {
  replace(root, h('div', { class: 'tiles' }, ...tiles.map((t) => h('div', { class: 'tile' },
    h('div', { class: 'tile-value', 'data-testid': t.testid }, t.value),
    h('div', { class: 'tile-name' }, t.name),
  ))));
}
