/**
 * The tune run's trials as a table (one row per trial: id, each flattened parameter, loss, status,
 * duration, node; sortable by id and loss; the best trial badged) and the run's summary line.
 */
import { flattenParams, type Trial, type TuneResult } from '../../index';
import { h, replace } from '../dom';
import { formatInt, formatMs } from '../format';
import { colorOf } from './palette';

/** A mark per status, so a status reads without colour. */
const MARKS: Readonly<Record<Trial['status'], string>> = { running: '…', ok: '✓', fail: '✕', cancelled: '–' };
const CLASSES: Readonly<Record<Trial['status'], string>> = { running: 'warn', ok: 'ok', fail: 'bad', cancelled: 'muted' };

/**
 * Rows drawn at once: a run of a few hundred trials redrawn at 4 Hz stays cheap; past this the
 * table shows the first rows of the current sort (best first when sorted by loss).
 */
const MAX_ROWS = 400;

/** A parameter value in about four significant digits. */
export function formatParam(v: unknown): string {
  if (typeof v !== 'number') return v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? v.toExponential(2) : String(+v.toPrecision(4));
}

/** The best ok trial (lowest loss, then lowest id), or undefined. */
export function bestTrial(trials: readonly Trial[]): Trial | undefined {
  let best: Trial | undefined;
  for (const t of trials) if (t.status === 'ok' && t.loss !== null && (best === undefined || t.loss < best.loss!)) best = t;
  return best;
}

type SortKey = 'id' | 'loss';

/** The trials table; {@link TrialsTable.update} redraws it with the current sort. */
export class TrialsTable {
  /** The table's element. */
  readonly element: HTMLElement;
  private readonly head = h('thead');
  private readonly body = h('tbody');
  private readonly note = h('p', { class: 'small muted', 'aria-live': 'off' });
  private sortBy: SortKey = 'id';
  private dir: 1 | -1 = 1;
  private trials: readonly Trial[] = [];

  constructor() {
    this.element = h('div', {}, this.note, h('div', { class: 'scroll tall' },
      h('table', { class: 'grid compact trials', 'data-testid': 'tune-trials' }, h('caption', { class: 'visually-hidden' }, 'Trials'), this.head, this.body)));
  }

  /** Shows `trials` (every trial so far). */
  update(trials: readonly Trial[]): void {
    this.trials = trials;
    this.draw();
  }

  private sortButton(key: SortKey, label: string): HTMLElement {
    const sorted = this.sortBy === key;
    return h('th', { scope: 'col', class: 'num', 'aria-sort': sorted ? (this.dir === 1 ? 'ascending' : 'descending') : undefined },
      h('button', { type: 'button', class: 'sort', 'data-testid': `tune-sort-${key}`, title: `Sort by ${label}`, onclick: () => {
        this.dir = sorted ? (this.dir === 1 ? -1 : 1) : 1;
        this.sortBy = key;
        this.draw();
      } }, label, h('span', { class: 'arrow', 'aria-hidden': 'true' }, sorted ? (this.dir === 1 ? ' ▲' : ' ▼') : ' ↕')));
  }

  private draw(): void {
    const flat = new Map(this.trials.map((t) => [t.id, flattenParams(t.params)]));
    const names = [...new Set([...flat.values()].flatMap((p) => Object.keys(p)))];
    const best = bestTrial(this.trials);
    replace(this.head, h('tr', {}, this.sortButton('id', 'id'), ...names.map((n) => h('th', { scope: 'col', class: 'num' }, n)),
      this.sortButton('loss', 'loss'), h('th', { scope: 'col' }, 'status'), h('th', { scope: 'col', class: 'num', title: 'duration of the trial' }, 'time'), h('th', { scope: 'col' }, 'node')));
    // Losses missing (running, failed) sort last in both directions.
    const key = (t: Trial): number => (this.sortBy === 'id' ? t.id : t.loss ?? NaN);
    const view = [...this.trials].sort((a, b) => {
      const x = key(a);
      const y = key(b);
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? a.id - b.id : Number.isNaN(x) ? 1 : -1;
      return this.dir * (x - y) || a.id - b.id;
    });
    const shown = view.slice(0, MAX_ROWS);
    replace(this.body, ...shown.map((t) => {
      const p = flat.get(t.id) ?? {};
      const isBest = t === best;
      return h('tr', { 'data-trial': t.id, 'data-status': t.status, 'data-best': isBest ? 'true' : undefined, class: isBest ? 'best' : undefined },
        h('th', { scope: 'row', class: 'num' }, isBest ? h('span', { class: 'badge best-badge' }, 'best') : null, ` ${t.id}`),
        ...names.map((n) => h('td', { class: 'num' }, formatParam(p[n]))),
        h('td', { class: 'num loss', 'data-value': String(t.loss ?? NaN) }, t.loss === null ? '—' : formatParam(t.loss)),
        h('td', { class: `status ${CLASSES[t.status]}`, title: t.message || undefined }, `${MARKS[t.status]} ${t.status}`,
          t.message ? h('details', { class: 'why' }, h('summary', {}, 'why'), h('p', {}, t.message)) : null),
        h('td', { class: 'num' }, t.status === 'running' ? '—' : formatMs(t.ms)),
        h('td', {}, t.node ? h('span', { class: 'swatch', style: `background:${colorOf(t.node)}` }) : null, t.node || '—'));
    }));
    const n = this.trials.length;
    replace(this.note, n === 0 ? 'No trials yet.' : view.length > shown.length ? `showing ${formatInt(shown.length)} of ${formatInt(n)} trials (sort to see others)` : `${formatInt(n)} trial${n === 1 ? '' : 's'}`);
  }
}

/** Trials per node among finished trials. */
function nodeCounts(trials: readonly Trial[]): [string, number][] {
  const m = new Map<string, number>();
  for (const t of trials) if (t.node) m.set(t.node, (m.get(t.node) ?? 0) + 1);
  return [...m];
}

const STOPS: Readonly<Record<TuneResult['stopped'], string>> = {
  'max-evals': 'reached maxEvals', timeout: 'timed out', 'loss-threshold': 'reached the loss threshold',
  'early-stop': 'stopped early (no improvement)', stopped: 'stopped by you', 'grid-exhausted': 'the grid is exhausted',
};

/** The summary line: finished / maxEvals, running, best loss and params, why it stopped, trials per node. */
export function renderTuneSummary(root: HTMLElement, trials: readonly Trial[], maxEvals: number, elapsedMs: number, result?: TuneResult): void {
  const finished = trials.filter((t) => t.status === 'ok' || t.status === 'fail').length;
  const running = trials.filter((t) => t.status === 'running').length;
  const failed = trials.filter((t) => t.status === 'fail').length;
  const best = bestTrial(trials);
  const params = best ? Object.entries(flattenParams(best.params)).map(([k, v]) => `${k} ${formatParam(v)}`).join(', ') : '';
  const nodes = result ? Object.entries(result.trialsByNode) : nodeCounts(trials);
  replace(root,
    h('p', { 'data-testid': 'tune-summary', 'data-finished': finished, 'data-running': running, 'data-best-loss': best?.loss ?? undefined },
      h('strong', {}, `${formatInt(finished)} / ${formatInt(maxEvals)} trials finished`),
      `, ${running} running${failed > 0 ? `, ${failed} failed` : ''}, ${formatMs(result?.ms ?? elapsedMs)}. `,
      best ? h('span', {}, 'Best loss ', h('strong', { 'data-testid': 'tune-best-loss' }, formatParam(best.loss)), ` (trial ${best.id}: ${params}). `) : 'No successful trial yet. ',
      result ? h('span', { 'data-testid': 'tune-stopped', 'data-stopped': result.stopped }, `Finished: ${STOPS[result.stopped]}. `) : null,
      nodes.length > 0 ? 'Trials per node: ' : null,
      ...nodes.flatMap(([n, c], i) => [i > 0 ? ', ' : '', h('span', { class: 'swatch', style: `background:${colorOf(n)}` }), `${n} ${formatInt(c)}`]),
      nodes.length > 0 ? '.' : null),
  );
}
