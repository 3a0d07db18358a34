/** The describe panel: the button, a progress bar, and the result table. */
import type { DescribeReport, JobProgress } from '../../index';
import { h, replace } from '../dom';
import { formatInt, formatMs, formatStat } from '../format';

/** Renders progress of a running job. */
export function renderProgress(root: HTMLElement, p: JobProgress): void {
  const pct = p.total ? Math.round((100 * p.done) / p.total) : 0;
  replace(root,
    h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': p.total, 'aria-valuenow': p.done, 'data-testid': 'describe-progress' },
      h('div', { class: 'bar', style: `width:${pct}%` })),
    h('p', { class: 'small', 'data-testid': 'describe-progress-text' }, `${p.done} / ${p.total} tasks done, ${p.running} running`),
  );
}

/** Renders a finished describe. */
export function renderDescribeReport(root: HTMLElement, r: DescribeReport): void {
  const stats = ['count', 'nulls', 'mean', 'std', 'min', 'max'] as const;
  replace(root,
    h('p', { class: 'small' }, `${formatInt(r.rows)} rows in ${formatMs(r.ms)}. Tasks per node: `,
      Object.entries(r.tasksByNode).map(([n, c]) => `${n} ${c}`).join(', '), '.'),
    h('table', { class: 'grid', 'data-testid': 'describe-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Column'), ...stats.map((s) => h('th', { scope: 'col', class: 'num' }, s)))),
      h('tbody', {}, ...r.columns.map((c) => h('tr', { 'data-column': c.name },
        h('th', { scope: 'row' }, h('code', {}, c.name)),
        ...stats.map((s) => {
          const v = c[s];
          const kind = s === 'std' ? 'spread' : s === 'count' || s === 'nulls' ? 'plain' : 'instant';
          return h('td', { class: 'num', 'data-stat': s, 'data-value': v === null ? '' : String(v), title: v === null ? '' : String(v) }, formatStat(v, c.type, kind));
        }),
      ))),
    ),
    h('p', { class: 'small muted' }, 'std is the sample standard deviation (n − 1). Per-partition moments are merged with Chan\'s formulas in partition order, in float64.'),
  );
}
