/**
 * The result of a batch score: what it cost (rows/s, tasks, how often a slot loaded the model, the
 * model bytes sent), where the rows went, a preview of the first rows with their predictions, and
 * downloads. Every run is also kept as a line of a small table, so the run that reloads the model
 * for every batch can be read against the one that loads it once per slot.
 */
import { DataType, type Table } from 'apache-arrow';
import type { ScoreOutput } from '../../index';
import { h } from '../dom';
import { formatBytes, formatInt, formatMs } from '../format';
import { colorOf } from './palette';
import { renderScoreDownloads } from './score-downloads';

/** Rows shown in the preview. */
const PREVIEW_ROWS = 20;

/** One finished run, as the runs table shows it. */
export interface ScoreRun {
  readonly model: string;
  readonly batchSize: number;
  readonly reload: boolean;
  readonly out: ScoreOutput;
}

function metric(label: string, value: string, testid?: string): HTMLElement {
  return h('div', { class: 'metric' }, h('div', { class: 'small muted' }, label), h('div', { class: 'metric-value', 'data-testid': testid }, value));
}

/** A preview cell: times as ISO minutes, numbers to about five digits, missing as "—". */
function previewCell(v: unknown, time: boolean): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '—';
  if (typeof v === 'number') {
    if (time) return new Date(v).toISOString().slice(0, 16).replace('T', ' ');
    return Number.isInteger(v) ? formatInt(v) : v.toLocaleString('en-US', { maximumSignificantDigits: 5 });
  }
  return String(v);
}

/** The first rows of `table`, prediction columns marked in their headers ("predicted"). */
export function renderPreview(table: Table, predictionNames: readonly string[]): HTMLElement {
  const fields = table.schema.fields;
  const isPrediction = (name: string): boolean => predictionNames.includes(name) || predictionNames.some((p) => name === `${p}_predicted`);
  const rows = Math.min(PREVIEW_ROWS, table.numRows);
  const columns = fields.map((f) => ({ name: f.name, vector: table.getChild(f.name)!, time: DataType.isTimestamp(f.type) || DataType.isDate(f.type), numeric: DataType.isInt(f.type) || DataType.isFloat(f.type), prediction: isPrediction(f.name) }));
  // The title sits outside the scrolling box, so a phone shows it whole beside a wide table.
  return h('div', {}, h('p', { class: 'small muted table-title', id: 'score-preview-title' }, `The first ${rows} of ${formatInt(table.numRows)} rows: input columns, then the model's output (marked ★)`),
    h('div', { class: 'scroll score-preview' }, h('table', { class: 'grid compact', 'data-testid': 'score-preview', 'aria-labelledby': 'score-preview-title' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, 'row'),
      ...columns.map((c) => h('th', { scope: 'col', class: `${c.numeric || c.prediction ? 'num' : ''}${c.prediction ? ' pred' : ''}` }, c.prediction ? `★ ${c.name}` : c.name)))),
    h('tbody', {}, ...Array.from({ length: rows }, (_, r) => h('tr', {},
      h('td', { class: 'num muted' }, String(r)),
      ...columns.map((c) => {
        const v: unknown = c.vector.get(r);
        return h('td', { class: `${c.numeric || c.prediction ? 'num' : ''}${c.prediction ? ' pred' : ''}`, 'data-column': c.name, 'data-value': typeof v === 'number' ? String(v) : undefined }, previewCell(v, c.time));
      })))),
  )));
}

/** The runs so far, newest first. */
export function renderRuns(runs: readonly ScoreRun[]): HTMLElement {
  return h('div', {}, h('p', { class: 'small muted table-title', id: 'score-runs-title' }, 'Runs on this page, newest first'),
    h('div', { class: 'scroll-x' }, h('table', { class: 'grid compact', 'data-testid': 'score-runs', 'aria-labelledby': 'score-runs-title' },
    h('thead', {}, h('tr', {}, ...['model', 'model loading', 'batch', 'rows/s', 'time', 'tasks', 'loads', 'model bytes sent']
      .map((t, i) => h('th', { scope: 'col', class: i >= 2 ? 'num' : undefined }, t)))),
    h('tbody', {}, ...[...runs].reverse().map((r) => h('tr', {},
      h('td', {}, r.model),
      h('td', {}, r.reload ? '! every batch' : 'once per slot'),
      h('td', { class: 'num' }, formatInt(r.batchSize)),
      h('td', { class: 'num' }, formatInt(Math.round(r.out.rowsPerSecond))),
      h('td', { class: 'num' }, formatMs(r.out.ms)),
      h('td', { class: 'num' }, formatInt(r.out.tasks)),
      h('td', { class: 'num' }, formatInt(r.out.loads)),
      h('td', { class: 'num' }, formatBytes(r.out.modelBytesSent))))),
  )));
}

/** The summary, rows by node, engines, preview and downloads of `run`. */
export function renderScoreResult(run: ScoreRun, showError: (e: unknown) => void): HTMLElement[] {
  const { out } = run;
  const nodes = Object.entries(out.rowsByNode).sort(([a], [b]) => a.localeCompare(b));
  const engines = Object.entries(out.engines);
  let table: Table | undefined;
  const tableOnce = (): Table => (table ??= out.toArrow());
  return [
    h('p', { 'data-testid': 'score-summary', 'data-rows': out.rows, 'data-loads': out.loads, 'data-tasks': out.tasks },
      h('strong', {}, `${formatInt(out.rows)} rows scored`), ` with ${run.model} in ${formatMs(out.ms)}`,
      run.reload ? ', reloading the model for every batch.' : ', the model loaded once per slot.'),
    h('div', { class: 'metrics' },
      metric('rows/s', formatInt(Math.round(out.rowsPerSecond)), 'score-rows-per-second'),
      metric('tasks', formatInt(out.tasks)),
      metric('model loads', formatInt(out.loads), 'score-loads'),
      metric('model bytes sent', formatBytes(out.modelBytesSent), 'score-model-bytes')),
    h('p', { class: 'small' }, 'Rows per node: ',
      ...nodes.flatMap(([n, rows], i) => [i > 0 ? ', ' : '', h('span', { class: 'swatch', style: `background:${colorOf(n)}` }), `${n} ${formatInt(rows)}`]),
      '. Engines (tasks): ', engines.map(([e, n]) => `${e} ${formatInt(n)}`).join(', ') || 'none', '.'),
    renderScoreDownloads(tableOnce, `scored-${run.model.replace(/[^\w.-]+/g, '_')}`, showError),
    renderPreview(tableOnce(), out.names),
  ];
}
