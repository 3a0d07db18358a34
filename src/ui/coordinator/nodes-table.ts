/** The nodes table: one row per node, updated live. */
import type { NodeInfo } from '../../index';
import { h, replace } from '../dom';
import { formatBytes, formatInt } from '../format';
import { colorOf } from './palette';

/** A node's standing in verification mode, in words (never by colour alone). */
function trustText(n: NodeInfo): string {
  switch (n.trust) {
    case undefined: return '';
    case 'trusted': return 'trusted (this machine)';
    case 'probation': return `on probation (${n.checksPassed} check(s) passed)`;
    case 'verified': return `verified (${n.checksPassed} check(s) passed)`;
    case 'excluded': return 'excluded';
  }
}

/**
 * Renders the table. With `onRemove`, each volunteer row has a Remove button (a real `<button>`, so
 * Tab and Enter reach it). The table is redrawn several times a second, so the button that had
 * focus gets it back after each redraw; otherwise a keyboard user would lose their place.
 */
export function renderNodesTable(root: HTMLElement, nodes: readonly NodeInfo[], onRemove?: (nodeId: string) => void): void {
  const focused = document.activeElement instanceof HTMLElement && root.contains(document.activeElement)
    ? document.activeElement.getAttribute('data-remove') : null;
  const slots = nodes.reduce((s, n) => s + n.slots, 0);
  const rows = nodes.map((n) => h('tr', { 'data-testid': 'node-row', 'data-node-id': n.id, 'data-kind': n.kind, 'data-state': n.state },
    h('td', {}, h('span', { class: 'swatch', style: `background:${colorOf(n.id)}`, 'aria-hidden': 'true' }), n.name,
      h('div', { class: 'small muted', 'data-testid': 'node-kind' }, n.kind === 'local' ? 'local node' : `volunteer ${n.id}`)),
    h('td', { class: 'num' }, n.slots),
    h('td', { title: `${n.gpu ? `WebGPU adapter: ${n.gpu}` : 'no WebGPU adapter'}. Model kernel: ${n.kernelReason}`, 'data-testid': 'node-backend' }, n.backend, h('div', { class: 'small muted' }, `kernel ${n.kernel}`)),
    h('td', { class: 'num' }, `${n.gflops} GFLOP/s`),
    h('td', {}, h('span', { class: `badge ${n.state}` }, n.state === 'busy' ? `busy (${n.running})` : 'idle'),
      // Verification mode only: the node's trust, in words under its state.
      n.trust ? h('div', { class: 'small muted', 'data-testid': 'node-trust', 'data-trust': n.trust }, trustText(n)) : null),
    h('td', { class: 'num', 'data-testid': 'node-tasks' }, formatInt(n.tasksDone), n.tasksFailed ? h('span', { class: 'warn' }, ` (${n.tasksFailed} failed)`) : null),
    h('td', { class: 'num', title: 'bytes sent to the node / received from it' }, `${formatBytes(n.bytesOut)} / ${formatBytes(n.bytesIn)}`),
    onRemove ? h('td', {}, n.kind === 'volunteer'
      ? h('button', { type: 'button', class: 'small', 'data-testid': 'remove-node', 'data-remove': n.id, 'aria-label': `Remove volunteer ${n.name}`, onclick: () => onRemove(n.id) }, 'Remove')
      : null) : null,
  ));
  replace(root,
    h('h2', {}, `Nodes `, h('span', { class: 'muted small', 'data-testid': 'node-count' }, `${nodes.length} node(s), ${slots} slot(s)`)),
    h('table', { class: 'grid', 'data-testid': 'nodes-table' },
      h('thead', {}, h('tr', {}, ...['Node', 'Slots', 'Backend', 'Speed', 'State', 'Tasks', 'Bytes out / in', ...(onRemove ? [''] : [])].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...rows),
    ),
    nodes.length === 0 ? h('p', { class: 'muted' }, 'No slots: jobs wait until a volunteer joins.') : null,
  );
  if (focused) root.querySelector<HTMLElement>(`[data-remove="${CSS.escape(focused)}"]`)?.focus();
}
