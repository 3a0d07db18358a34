/**
 * The streaming section of the score panel: the loaded dataset replayed in row order at a set
 * rate as micro-batches, each scored as it arrives. Start, Stop, and a live view fed by the
 * stream's batches (per-batch latency) and by its statistics, polled four times a second.
 */
import { FabricError, type Fabric, type ScoreStream, type StreamStats } from '../../index';
import { h } from '../dom';
import type { ModelPicker } from './score-model-picker';
import { StreamView } from './score-stream-view';

declare global {
  interface Window {
    lastStream?: StreamStats;
  }
}

/** Statistics polled this often: 4 Hz reads as live and costs little (as the other live panels). */
const POLL_MS = 250;

/** Builds the streaming section. */
export function createStreamSection(fabric: Fabric, picker: ModelPicker, showError: (e: unknown) => void): HTMLElement {
  const rate = h('input', { type: 'number', id: 'stream-rate', value: '20000', min: '1', step: '1', 'data-testid': 'stream-rate' });
  const batchRows = h('input', { type: 'number', id: 'stream-batch-rows', value: '2000', min: '1', step: '1', 'data-testid': 'stream-batch-rows', 'aria-describedby': 'stream-batch-note' });
  const rows = h('input', { type: 'number', id: 'stream-rows', value: '200000', min: '1', step: '1', 'data-testid': 'stream-rows' });
  const start = h('button', { type: 'button', class: 'primary', 'data-testid': 'stream-start' }, 'Start');
  const stop = h('button', { type: 'button', disabled: true, 'data-testid': 'stream-stop' }, 'Stop');
  const view = h('div', { class: 'stream-view', 'data-testid': 'stream-view', 'aria-live': 'off' });

  // The batch follows the rate (a batch every 100 ms) until it is set by hand.
  let batchEdited = false;
  batchRows.addEventListener('input', () => (batchEdited = true));
  rate.addEventListener('input', () => {
    if (!batchEdited && Number(rate.value) > 0) batchRows.value = String(Math.max(1, Math.round(Number(rate.value) / 10)));
  });

  let stream: ScoreStream | undefined;
  let stopped = false;
  stop.addEventListener('click', () => {
    stopped = true;
    stop.disabled = true;
    stream?.stop();
  });

  start.addEventListener('click', () => {
    const r = Number(rate.value);
    const options = { rate: r, batchRows: Number(batchRows.value), rows: Number(rows.value) };
    start.disabled = true;
    stopped = false;
    void picker.resolve().then(async (model) => {
      const s = fabric.scoreStream(model, options);
      stream = s;
      // Read through the iterator below; this keeps a failed start from being an unhandled rejection too.
      s.finished.catch(() => undefined);
      stop.disabled = false;
      const live = new StreamView(view, r);
      const timer = setInterval(() => live.update(s.stats()), POLL_MS);
      try {
        for await (const b of s) live.push(b);
        const final = await s.finished;
        window.lastStream = final;
        live.finish(final, stopped);
      } catch (e) {
        live.fail(FabricError.from(e).message);
        throw e;
      } finally {
        clearInterval(timer);
      }
    }).catch((e: unknown) => {
      picker.report(e);
      showError(e);
    }).finally(() => {
      stream = undefined;
      start.disabled = false;
      stop.disabled = true;
    });
  });

  return h('section', { class: 'score-section', 'aria-labelledby': 'score-stream-heading' },
    h('h3', { id: 'score-stream-heading' }, 'Streaming: micro-batches as they arrive'),
    h('div', { class: 'form' },
      h('label', { for: 'stream-rate' }, 'Arrival rate'), h('span', {}, rate, ' rows/s'),
      h('label', { for: 'stream-batch-rows' }, 'Rows per batch'), h('span', {}, batchRows, h('span', { class: 'small muted', id: 'stream-batch-note' }, ' (rate / 10: a batch every 100 ms)')),
      h('label', { for: 'stream-rows' }, 'Rows to replay'), h('span', {}, rows, h('span', { class: 'small muted' }, ' from the first row of the dataset, in order')),
    ),
    h('div', { class: 'row' }, start, stop, h('span', { class: 'small muted' }, 'Stop ends arrivals; batches already arrived are still scored.')),
    view,
  );
}
