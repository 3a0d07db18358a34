/**
 * The projector's event strip: what the scheduler did about faults, from the coordinator's log
 * (devices joining and leaving, straggler copies, tasks queued again), newest first. A straggler's
 * late duplicate is left out: it follows every copy and says nothing new to a class.
 */
import type { Fabric, LogEntry } from '../../index';
import { h, replace } from '../dom';

/** Log lines the class should see, with a word for each: the word, not a colour, carries the kind. */
const KINDS: readonly { readonly test: RegExp; readonly label: string }[] = [
  { test: /^straggler /, label: 'Speculation' },
  { test: /was lost with \d+ task\(s\) running; they were queued again/, label: 'Re-assigned' },
  { test: /^volunteer .* joined/, label: 'Joined' },
  { test: /^volunteer .* removed by the coordinator: /, label: 'Removed' },
  // A removed node's link closing says "[removed]": already shown as Removed.
  { test: /node .* removed: \[(?!removed\])/, label: 'Left' },
  { test: /slowed down \d+x$/, label: 'Slowed' },
  { test: /set back to normal speed$/, label: 'Normal speed' },
];

/** How many events stay on screen: enough to follow a demo, few enough to read from afar. */
const KEEP = 8;

/** Mounts the strip and follows the log. */
export function mountEventStrip(root: HTMLElement, fabric: Fabric): void {
  const list = h('ol', { class: 'events', 'data-testid': 'event-strip', 'aria-live': 'polite' });
  replace(root, h('h2', {}, 'What the scheduler did'), list);
  const add = (e: LogEntry): void => {
    const kind = KINDS.find((k) => k.test.test(e.text));
    if (!kind) return;
    const time = new Date(e.time).toLocaleTimeString('en-US', { hour12: false });
    list.prepend(h('li', { 'data-kind': kind.label }, h('strong', {}, `${kind.label}: `), e.text, h('span', { class: 'small' }, ` (${time})`)));
    while (list.children.length > KEEP) list.lastElementChild?.remove();
  };
  for (const e of fabric.logs()) add(e);
  fabric.on('log', add);
}
