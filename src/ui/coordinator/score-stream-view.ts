/**
 * The live view of a scoring stream: p50, p95 and p99 latency, throughput and backlog as numbers,
 * a plain-text warning while the fabric is not keeping up, and a uPlot chart of each batch's
 * latency over time with the running p99, and the backlog on a second axis.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ScoredBatch, StreamStats } from '../../index';
import { h, replace } from '../dom';
import { formatInt } from '../format';

const HEIGHT = 260;
const PADDING: uPlot.Padding = [8, 8, 0, 0];
/** Tick steps of the backlog axis, whole rows. */
const ROW_STEPS = [1, 2, 5].flatMap((m) => [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7].map((p) => m * p)).sort((a, b) => a - b);

function plotWidth(el: HTMLElement): number {
  return Math.max(280, Math.min(el.clientWidth || 640, 900));
}

const ms = (v: number): string => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(1) : Math.round(v)} ms` : '—');

/** One point of the chart: a batch (its latency) or a poll (the p99 so far and the backlog). */
interface Point {
  readonly x: number;
  readonly latency: number | null;
  readonly p99: number | null;
  readonly backlog: number | null;
}

/** A live view; call {@link StreamView.push} per batch, {@link StreamView.update} on each poll. */
export class StreamView {
  private readonly numbers = h('dl', { class: 'stats stream-stats' });
  private readonly warning = h('p', { class: 'stream-warning', role: 'status', 'data-testid': 'stream-warning' });
  private readonly plot: uPlot;
  private readonly t0 = performance.now();
  private readonly points: Point[] = [];
  private dirty = false;
  private everBehind = false;
  private peakBacklog = 0;

  /** `rate` and `startRow` place each batch on the time axis: it arrived at (firstRow - startRow) / rate. */
  constructor(private readonly root: HTMLElement, private readonly rate: number, private readonly startRow = 0) {
    root.removeAttribute('data-state');
    const chart = h('div', { class: 'stream-chart' });
    replace(root, h('p', { class: 'small muted' }, `Replaying the dataset at ${formatInt(rate)} rows/s.`), this.numbers, this.warning, chart,
      h('p', { class: 'small muted' }, 'Dots: each batch\'s latency, from its arrival to its predictions back here, placed when it came back. Solid line: p99 so far. Dashed line: rows waiting (right axis).'));
    this.plot = new uPlot({
      width: plotWidth(root), height: HEIGHT, padding: PADDING, title: 'Latency per batch, and backlog',
      // Both axes from 0, so their zero lines meet.
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.05] }, backlog: { range: (_u, _min, max) => [0, Math.max(10, max * 1.1)] } },
      axes: [
        { label: 'seconds since start' },
        { label: 'latency (ms)', size: 60 },
        // Whole rows: no 0.2-row ticks while the backlog is empty.
        { label: 'backlog (rows)', scale: 'backlog', side: 1, size: 70, grid: { show: false }, incrs: ROW_STEPS, values: (_u, splits) => splits.map((v) => formatInt(v)) },
      ],
      series: [
        {},
        // Dots, a solid line and a dashed line: the three differ without colour.
        { label: 'batch latency (ms)', stroke: '#0072B2', paths: () => null, points: { show: true, size: 5, stroke: '#0072B2', fill: '#0072B2' } },
        { label: 'p99 so far (ms)', stroke: '#D55E00', width: 2, spanGaps: true, points: { show: false } },
        { label: 'backlog (rows)', stroke: '#009E73', width: 2, dash: [6, 4], scale: 'backlog', spanGaps: true, points: { show: false } },
      ],
    }, [[], [], [], []], chart);
    let width = 0;
    const observer = new ResizeObserver(() => {
      if (!chart.isConnected) return observer.disconnect();
      const w = plotWidth(root);
      if (w !== width) this.plot.setSize({ width: w, height: HEIGHT });
      width = w;
    });
    observer.observe(root);
    this.update({ batches: 0, rowsArrived: 0, rowsScored: 0, backlogRows: 0, p50: NaN, p95: NaN, p99: NaN, throughput: 0, fallingBehind: false, done: false });
  }

  /**
   * Adds one scored batch (drawn on the next update), at the time it was scored: its arrival plus
   * its latency. The stream yields batches in order, so a slow batch holds back later ones that
   * were scored before it; placing them when they were yielded would bunch them up.
   */
  push(b: ScoredBatch): void {
    const x = (b.firstRow - this.startRow) / this.rate + b.latencyMs / 1000;
    this.points.push({ x, latency: b.latencyMs, p99: null, backlog: null });
    this.dirty = true;
  }

  /** Shows `s`, and redraws the chart if anything came since the last call. */
  update(s: StreamStats): void {
    if (s.rowsArrived > 0 && !s.done) {
      this.points.push({ x: (performance.now() - this.t0) / 1000, latency: null, p99: Number.isFinite(s.p99) ? s.p99 : null, backlog: s.backlogRows });
      this.dirty = true;
    }
    this.everBehind ||= s.fallingBehind;
    this.peakBacklog = Math.max(this.peakBacklog, s.backlogRows);
    const item = (label: string, value: string, testid: string): HTMLElement[] => [h('dt', {}, label), h('dd', { 'data-testid': testid }, value)];
    // Throughput is over the last few seconds; once done, the average over the run says more.
    const elapsed = (performance.now() - this.t0) / 1000;
    replace(this.numbers,
      ...item('latency p50 / p95 / p99', `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)}`, 'stream-latency'),
      ...(s.done ? item('throughput (average)', `${formatInt(Math.round(s.rowsScored / Math.max(elapsed, 1e-3)))} rows/s`, 'stream-throughput')
        : item('throughput', `${formatInt(Math.round(s.throughput))} rows/s`, 'stream-throughput')),
      ...item('backlog', `${formatInt(s.backlogRows)} rows waiting`, 'stream-backlog'),
      ...item('scored', `${formatInt(s.rowsScored)} of ${formatInt(s.rowsArrived)} arrived rows, ${formatInt(s.batches)} batches`, 'stream-scored'));
    // The flag is about arrivals; once every arrived row is scored there is nothing to keep up with.
    const behind = s.fallingBehind && !s.done;
    if (behind) replace(this.warning, h('strong', {}, '! Not keeping up: '), 'the backlog is growing; nothing is dropped. Add slots, or lower the rate.');
    else replace(this.warning);
    this.warning.classList.toggle('active', behind);
    this.root.setAttribute('data-falling-behind', String(behind));
    if (this.dirty) this.draw();
  }

  private draw(): void {
    this.dirty = false;
    // A batch's place is computed, a poll's is measured, so they interleave: uPlot wants x sorted.
    const sorted = [...this.points].sort((a, b) => a.x - b.x);
    this.plot.setData([sorted.map((p) => p.x), sorted.map((p) => p.latency), sorted.map((p) => p.p99), sorted.map((p) => p.backlog)]);
  }

  /** Shows the final statistics and marks the view done. */
  finish(s: StreamStats, stopped: boolean): void {
    this.update(s);
    this.root.append(h('p', { class: 'small', 'data-testid': 'stream-done' },
      stopped ? 'Stopped: arrivals ended early; every batch that had arrived was scored.' : `Done: ${formatInt(s.rowsScored)} rows scored in ${formatInt(s.batches)} batches.`,
      ` Largest backlog: ${formatInt(this.peakBacklog)} rows${this.everBehind ? ' (the fabric fell behind the rate during the run).' : '.'}`));
    this.root.setAttribute('data-state', 'done');
  }

  /** Marks the view failed, with why. */
  fail(message: string): void {
    this.root.append(h('p', { class: 'inline-error', role: 'alert' }, h('strong', {}, '✕ Stream failed: '), message));
    this.root.setAttribute('data-state', 'failed');
  }
}
