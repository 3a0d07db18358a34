/**
 * The projector's live grid of devices: one card per node with its name, backend, speed, tasks
 * done and share of the work (a number and a bar with a text label), and the fault-demo buttons.
 * Cards are kept and updated in place, not redrawn, so a focused button keeps the keyboard focus.
 */
import type { NodeInfo } from '../../index';
import { h, replace } from '../dom';
import { formatInt } from '../format';

/** What the teacher can do to a device from its card. */
export interface DeviceActions {
  /** Slows the device by `factor` (1 is normal speed). */
  readonly slow: (node: NodeInfo, factor: number) => void;
  readonly remove: (node: NodeInfo) => void;
}

/** The factor the "slow" button applies: 5x, as the straggler demo in e2e/straggler.spec.ts. */
export const SLOW_FACTOR = 5;

interface Card {
  readonly root: HTMLElement;
  readonly name: HTMLElement;
  readonly backend: HTMLElement;
  readonly state: HTMLElement;
  readonly tasks: HTMLElement;
  readonly shareText: HTMLElement;
  readonly bar: HTMLElement;
  readonly slowButton: HTMLButtonElement;
}

/** The grid; call {@link DeviceGrid.update} with the nodes table whenever it changes. */
export class DeviceGrid {
  private readonly cards = new Map<string, Card>();
  private readonly list: HTMLElement;
  private readonly count: HTMLElement;
  /** Devices the teacher slowed, by id: the card says so in words. */
  private readonly slowed = new Map<string, number>();
  /** The latest row per id, for the buttons' handlers. */
  private readonly current = new Map<string, NodeInfo>();

  constructor(root: HTMLElement, private readonly actions: DeviceActions) {
    this.count = h('span', { class: 'device-count', 'data-testid': 'device-count' }, '0 devices');
    this.list = h('ul', { class: 'devices', 'data-testid': 'device-grid', 'aria-label': 'Devices computing' });
    replace(root, h('h2', {}, 'Devices ', this.count), this.list);
  }

  /** Marks a device slowed (or back to normal, factor 1) once the coordinator has told it. */
  markSlowed(id: string, factor: number): void {
    if (factor > 1) this.slowed.set(id, factor);
    else this.slowed.delete(id);
  }

  update(nodes: readonly NodeInfo[]): void {
    const total = nodes.reduce((s, n) => s + n.tasksDone, 0);
    const live = new Set(nodes.map((n) => n.id));
    for (const [id, card] of this.cards) {
      if (!live.has(id)) {
        card.root.remove();
        this.cards.delete(id);
        this.slowed.delete(id);
        this.current.delete(id);
      }
    }
    for (const n of nodes) {
      let card = this.cards.get(n.id);
      if (!card) {
        card = this.makeCard(n);
        this.cards.set(n.id, card);
        this.list.append(card.root);
      }
      this.fill(card, n, total);
    }
    this.count.textContent = `${nodes.length} device${nodes.length === 1 ? '' : 's'}, ${formatInt(total)} tasks done`;
  }

  private makeCard(n: NodeInfo): Card {
    const name = h('h3', { class: 'device-name', 'data-testid': 'device-name' });
    const backend = h('p', { class: 'device-backend', 'data-testid': 'device-backend' });
    const state = h('p', { class: 'device-state', 'data-testid': 'device-state' });
    const tasks = h('span', { 'data-testid': 'device-tasks' });
    const shareText = h('span', { class: 'share-text', 'data-testid': 'device-share' });
    const bar = h('span', { class: 'share-bar-fill' });
    const slowButton = h('button', { type: 'button', 'data-testid': 'device-slow', onclick: () => {
      const node = this.current.get(n.id);
      if (node) this.actions.slow(node, this.slowed.has(n.id) ? 1 : SLOW_FACTOR);
    } });
    const removeButton = n.kind === 'local' ? null : h('button', { type: 'button', class: 'danger', 'data-testid': 'device-remove', 'aria-label': `Remove ${n.name}`, onclick: () => {
      const node = this.current.get(n.id);
      if (node) this.actions.remove(node);
    } }, 'Remove');
    const root = h('li', { class: 'device', 'data-testid': 'device-card', 'data-node-id': n.id, 'data-kind': n.kind },
      name, backend,
      h('p', { class: 'device-tasks' }, tasks),
      h('div', { class: 'share' }, h('span', { class: 'share-bar', 'aria-hidden': 'true' }, bar), shareText),
      state,
      h('div', { class: 'row device-actions' }, slowButton, removeButton),
    );
    return { root, name, backend, state, tasks, shareText, bar, slowButton };
  }

  private fill(card: Card, n: NodeInfo, total: number): void {
    this.current.set(n.id, n);
    const share = total > 0 ? n.tasksDone / total : 0;
    const slowed = this.slowed.get(n.id);
    card.name.textContent = n.kind === 'local' ? `${n.name} (teacher's laptop)` : n.name;
    card.backend.textContent = `${n.backend} · ${n.gflops} GFLOP/s · ${n.slots} slot${n.slots === 1 ? '' : 's'}`;
    card.tasks.textContent = `${formatInt(n.tasksDone)} tasks done`;
    card.shareText.textContent = `${(share * 100).toFixed(0)}% of the work`;
    card.bar.style.width = `${(share * 100).toFixed(1)}%`;
    card.state.textContent = `${n.state === 'busy' ? `● working (${n.running} running)` : '○ idle'}${slowed ? ` · slowed ${slowed}×` : ''}`;
    card.root.setAttribute('data-state', n.state);
    card.root.setAttribute('data-slowed', slowed ? String(slowed) : '');
    const label = slowed ? 'Normal speed' : `Slow ×${SLOW_FACTOR}`;
    if (card.slowButton.textContent !== label) card.slowButton.textContent = label;
    card.slowButton.setAttribute('aria-label', `${label}: ${n.name}`);
  }
}
