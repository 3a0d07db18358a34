/** The coordinator's log: joins, losses, retries, rejected links. */
import type { LogEntry } from '../../index';
import { h } from '../dom';

const SHOW = 200;

/** Appends one line, newest at the top. */
export function appendLog(list: HTMLElement, e: LogEntry): void {
  const time = new Date(e.time).toLocaleTimeString('en-GB');
  list.prepend(h('li', { class: `log ${e.level}`, 'data-level': e.level }, h('span', { class: 'muted' }, time), ' ', h('strong', {}, e.level.toUpperCase()), ' ', e.text));
  while (list.children.length > SHOW) list.lastElementChild?.remove();
}
