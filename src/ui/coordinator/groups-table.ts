/**
 * The fitGroups results: a summary line with downloads, and the table, one row per group, sortable
 * by any column, filterable by key and status, with a status legend that counts each status. Only
 * the first rows of the current view are drawn, since the IoT case has 10,000 groups.
 */
import { FIT_STATUSES, groupResultsToCsv, groupResultsToIpc, groupResultsToParquet, type GroupResultRow, type GroupResults } from '../../index';
import { h, replace } from '../dom';
import { formatInt, formatMs } from '../format';
import { colorOf } from './palette';

/**
 * Rows drawn at once. The IoT case's 10,000 groups of a dozen cells are over 100,000 DOM nodes to
 * rebuild on every sort and keystroke of the filter; 500 rows still fill many screens.
 */
const MAX_ROWS = 500;

/** Every status a group can have, with its meaning, in legend order. */
export const GROUP_STATUSES: Readonly<Record<string, string>> = {
  ...FIT_STATUSES,
  'group-too-large': 'The group\'s working set exceeds the memory budget of a slot, so no node fitted it. Raise the budget, or split the group with a finer key.',
  failed: 'The fit threw on its slot. The message says why.',
};

/** A short mark that carries the status without colour: ✓ fitted, ! a fit problem, ✕ not fitted. */
export function statusMark(status: string): string {
  return status === 'ok' ? '✓' : status === 'group-too-large' || status === 'failed' ? '✕' : '!';
}

function statusClass(status: string): string {
  return status === 'ok' ? 'ok' : status === 'group-too-large' || status === 'failed' ? 'bad' : 'warn';
}

type Cell = number | string | null;

interface Column {
  readonly id: string;
  readonly label: string;
  readonly numeric: boolean;
  readonly get: (g: GroupResultRow) => Cell;
}

function columnsOf(r: GroupResults): Column[] {
  const valueIsNumeric = (v: string): boolean => r.rows.every((g) => g.values[v] === null || g.values[v] === undefined || typeof g.values[v] === 'number');
  return [
    { id: 'key', label: r.key, numeric: false, get: (g) => g.key },
    { id: 'rows', label: 'rows', numeric: true, get: (g) => g.rows },
    { id: 'status', label: 'status', numeric: false, get: (g) => g.status },
    ...r.coefficientNames.map((n, i): Column => ({ id: `coef:${n}`, label: n, numeric: true, get: (g) => g.coefficients[i] ?? null })),
    ...r.metricNames.map((m): Column => ({ id: `metric:${m}`, label: m, numeric: true, get: (g) => g.metrics[m] ?? null })),
    ...r.valueNames.map((v): Column => {
      const numeric = valueIsNumeric(v);
      return { id: `value:${v}`, label: v, numeric, get: (g) => { const x = g.values[v] ?? null; return x === null || typeof x === 'number' ? x : String(x); } };
    }),
    { id: 'fit_ms', label: 'fit ms', numeric: true, get: (g) => g.fitMs },
    { id: 'node', label: 'node', numeric: false, get: (g) => g.node },
  ];
}

/** A number in about five significant digits; the exact value is in the cell's data-value. */
function formatNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return formatInt(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e9)) return v.toExponential(3);
  return v.toLocaleString('en-US', { maximumSignificantDigits: 5 });
}

function isMissing(v: Cell): boolean {
  return v === null || (typeof v === 'number' && Number.isNaN(v));
}

const collator = new Intl.Collator('en-US', { numeric: true });

/** Compares two cells; missing values sort last in both directions. */
function compareCells(a: Cell, b: Cell, dir: 1 | -1): number {
  if (isMissing(a) || isMissing(b)) return isMissing(a) === isMissing(b) ? 0 : isMissing(a) ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return dir * (a - b);
  return dir * collator.compare(String(a), String(b));
}

function renderCell(c: Column, g: GroupResultRow): HTMLTableCellElement {
  const v = c.get(g);
  if (c.id === 'key') return h('th', { scope: 'row' }, h('code', {}, g.key));
  if (c.id === 'status') return h('td', { class: `status ${statusClass(g.status)}` }, `${statusMark(g.status)} ${g.status}`);
  if (c.id === 'node') return h('td', {}, g.node ? h('span', { class: 'swatch', style: `background:${colorOf(g.node)}` }) : null, g.node || '—');
  if (!c.numeric) return h('td', {}, isMissing(v) ? '—' : String(v));
  // NaN, not '', for a missing number: Number('') would read as 0.
  const n = typeof v === 'number' ? v : NaN;
  return h('td', { class: 'num', 'data-column': c.id, 'data-value': String(n) }, Number.isNaN(n) ? '—' : c.id === 'fit_ms' ? n.toFixed(1) : formatNumber(n));
}

/** Renders the legend, filters, table and row-count note of `r` into `root`. */
export function renderGroupsTable(root: HTMLElement, r: GroupResults): void {
  const columns = columnsOf(r);
  const counts = new Map<string, number>();
  for (const g of r.rows) counts.set(g.status, (counts.get(g.status) ?? 0) + 1);
  const statuses = [...new Set([...Object.keys(GROUP_STATUSES), ...counts.keys()])];

  let sortBy = 0;
  let dir: 1 | -1 = 1;
  const filter = h('input', { id: 'groups-filter', type: 'search', placeholder: 'key contains…', 'data-testid': 'groups-filter' });
  const statusSelect = h('select', { id: 'groups-status-filter', 'data-testid': 'groups-status-filter' },
    h('option', { value: '' }, `all statuses (${formatInt(r.rows.length)})`),
    ...statuses.filter((s) => counts.has(s)).map((s) => h('option', { value: s }, `${s} (${formatInt(counts.get(s)!)})`)));
  const head = h('thead');
  const body = h('tbody');
  const note = h('p', { class: 'small muted', 'data-testid': 'groups-shown', 'aria-live': 'polite' });

  const drawHead = (): void => {
    replace(head, h('tr', {}, ...columns.map((c, i) => {
      const sorted = i === sortBy;
      return h('th', { scope: 'col', class: c.numeric ? 'num' : undefined, 'data-column': c.id, 'aria-sort': sorted ? (dir === 1 ? 'ascending' : 'descending') : undefined },
        h('button', { type: 'button', class: 'sort', title: `Sort by ${c.label}`, onclick: () => {
          dir = sorted ? (dir === 1 ? -1 : 1) : 1;
          sortBy = i;
          draw();
        } }, c.label, h('span', { class: 'arrow', 'aria-hidden': 'true' }, sorted ? (dir === 1 ? ' ▲' : ' ▼') : ' ↕')));
    }), h('th', { scope: 'col' }, 'message')));
  };
  const draw = (): void => {
    drawHead();
    const q = filter.value.trim().toLowerCase();
    const status = statusSelect.value;
    const col = columns[sortBy]!;
    const view = r.rows.filter((g) => (q === '' || g.key.toLowerCase().includes(q)) && (status === '' || g.status === status))
      .sort((a, b) => compareCells(col.get(a), col.get(b), dir));
    const shown = view.slice(0, MAX_ROWS);
    replace(body, ...shown.map((g) => h('tr', { 'data-key': g.key, 'data-status': g.status, title: g.message || undefined },
      ...columns.map((c) => renderCell(c, g)),
      h('td', { class: 'message' }, g.message ? h('details', {}, h('summary', {}, 'why'), h('p', {}, g.message)) : ''))));
    const groups = (n: number): string => `${formatInt(n)} group${n === 1 ? '' : 's'}`;
    const matching = view.length === r.rows.length ? groups(view.length) : `${groups(view.length)} matching (${formatInt(r.rows.length)} in all)`;
    replace(note, view.length > shown.length ? `showing ${formatInt(shown.length)} of ${matching} (filter or sort to see others)` : `showing ${matching}`);
  };
  filter.addEventListener('input', draw);
  statusSelect.addEventListener('change', draw);

  const legend = h('table', { class: 'grid compact legend', 'data-testid': 'groups-legend' },
    h('caption', { class: 'small muted' }, 'Statuses (choose one to show only its groups)'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'status'), h('th', { scope: 'col', class: 'num' }, 'groups'), h('th', { scope: 'col' }, 'meaning'))),
    h('tbody', {}, ...statuses.map((s) => {
      const n = counts.get(s) ?? 0;
      return h('tr', { 'data-status': s, class: n === 0 ? 'muted' : undefined },
        h('td', { class: `status ${statusClass(s)}` }, n === 0 ? `${statusMark(s)} ${s}` : h('button', { type: 'button', class: 'link', onclick: () => {
          statusSelect.value = s;
          draw();
        } }, `${statusMark(s)} ${s}`)),
        h('td', { class: 'num', 'data-value': String(n) }, formatInt(n)),
        h('td', { class: 'meaning' }, GROUP_STATUSES[s] ?? ''));
    })));

  replace(root,
    h('details', { class: 'legend-box', open: counts.size > 1 || !counts.has('ok') }, h('summary', {}, 'Status legend: ',
      [...counts].map(([s, n]) => `${statusMark(s)} ${s} ${formatInt(n)}`).join(' · ')), legend),
    h('div', { class: 'row' },
      h('label', { for: 'groups-filter' }, 'Filter by key'), filter,
      h('label', { for: 'groups-status-filter' }, 'Status'), statusSelect),
    note,
    h('div', { class: 'scroll tall' }, h('table', { class: 'grid compact groups', 'data-testid': 'groups-table' }, head, body)),
  );
  draw();
}

function download(name: string, data: string | Uint8Array, type: string): void {
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function modelLabel(r: GroupResults): string {
  const m = r.model;
  if (m.kind === 'custom') return `group task "${m.name}"`;
  if (m.kind === 'linear') return m.l2 === 0 ? 'OLS' : `ridge (l2 ${m.l2})`;
  return `${m.kind} regression${m.l2 > 0 ? ` (l2 ${m.l2})` : ''}`;
}

/** The summary line of `r` (groups, ok, tasks, nodes, times) and its download buttons (the whole table). */
export function renderGroupsSummary(r: GroupResults, showError: (e: unknown) => void): HTMLElement {
  const ok = r.rows.filter((g) => g.status === 'ok').length;
  const file = `groups-${r.key.replace(/[^\w.-]+/g, '_')}`;
  const parquet = h('button', { type: 'button', 'data-testid': 'groups-download-parquet' }, 'Parquet');
  parquet.addEventListener('click', () => {
    parquet.disabled = true;
    void groupResultsToParquet(r).then((bytes) => download(`${file}.parquet`, bytes, 'application/vnd.apache.parquet'))
      .catch(showError).finally(() => (parquet.disabled = false));
  });
  const nodes = Object.entries(r.groupsByNode);
  return h('div', { class: 'groups-summary' },
    h('p', { 'data-testid': 'groups-summary', 'data-groups': r.rows.length, 'data-ok': ok },
      h('strong', {}, `${formatInt(r.rows.length)} groups`), ` by ${r.key} (${formatInt(ok)} ok), ${modelLabel(r)}, ${formatInt(r.totalRows)} rows; `,
      `${formatInt(r.tasks)} tasks on ${nodes.length} node${nodes.length === 1 ? '' : 's'}${nodes.length > 0 ? ': ' : ''}`,
      ...nodes.flatMap(([n, c], i) => [i > 0 ? ', ' : '', h('span', { class: 'swatch', style: `background:${colorOf(n)}` }), `${n} ${formatInt(c)}`]),
      `; ${formatMs(r.ms)} in all, ${formatMs(r.shuffleMs)} of it shuffling.`),
    h('div', { class: 'row' }, h('span', { class: 'small' }, 'Download the table:'),
      h('button', { type: 'button', 'data-testid': 'groups-download-csv', onclick: () => download(`${file}.csv`, groupResultsToCsv(r), 'text/csv') }, 'CSV'),
      h('button', { type: 'button', 'data-testid': 'groups-download-arrow', onclick: () => download(`${file}.arrow`, groupResultsToIpc(r), 'application/vnd.apache.arrow.stream') }, 'Arrow'),
      parquet),
  );
}
