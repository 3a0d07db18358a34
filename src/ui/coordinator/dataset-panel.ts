/** The dataset panel: name, row count, schema, and the partition map. */
import type { DatasetInfo } from '../../index';
import { h, replace } from '../dom';
import { formatBytes, formatInt, formatMs } from '../format';
import { colorOf } from './palette';

/** Renders the loaded dataset; `ranOn` colours each partition by the node that last computed it. */
export function renderDatasetPanel(root: HTMLElement, d: DatasetInfo, ranOn: ReadonlyMap<number, string>): void {
  const bytes = d.partitions.reduce((s, p) => s + p.byteLength, 0);
  const cells = d.partitions.map((p) => {
    const node = ranOn.get(p.index);
    return h('div', {
      class: `cell${node ? ' done' : ''}`,
      style: node ? `background:${colorOf(node)}` : undefined,
      title: `partition ${p.index}: ${formatInt(p.numRows)} rows, ${formatBytes(p.byteLength)}${node ? `, computed on ${node}` : ''}`,
      'data-testid': 'partition-cell',
    }, node ? h('span', { class: 'cell-label' }, node) : String(p.index));
  });
  replace(root,
    h('h2', {}, 'Dataset'),
    h('p', { class: 'headline' },
      h('strong', { 'data-testid': 'dataset-name' }, d.name), ': ',
      h('span', { 'data-testid': 'row-count' }, formatInt(d.numRows)), ' rows, ',
      `${d.columns.length} columns, `,
      h('span', { 'data-testid': 'partition-count' }, d.partitions.length), ` partitions (${formatBytes(bytes)} as Arrow), loaded in ${formatMs(d.loadMs)}`),
    h('table', { class: 'grid compact', 'data-testid': 'schema-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Column'), h('th', { scope: 'col' }, 'Arrow type'), h('th', { scope: 'col' }, 'Numeric'), h('th', { scope: 'col' }, 'Nullable'))),
      h('tbody', {}, ...d.columns.map((c) => h('tr', {}, h('td', {}, h('code', {}, c.name)), h('td', {}, c.type), h('td', {}, c.numeric ? 'yes' : 'no'), h('td', {}, c.nullable ? 'yes' : 'no')))),
    ),
    h('h3', {}, 'Partitions ', h('span', { class: 'small muted' }, ranOn.size ? '(coloured by the node that computed each; labels name it)' : '(each is an Arrow record batch with a SHA-256)')),
    h('div', { class: 'partitions', 'data-testid': 'partition-map' }, ...cells),
  );
}
