/**
 * The score panel: Spark's pandas iterator UDF, where a model is loaded once per worker and
 * batches are streamed through it; and the three ways the talk deploys a model: batch (every row
 * of the dataset), streaming (micro-batches arriving at a rate) and real time (one record).
 */
import { FabricError, type Fabric, type ScoreOutput, type ScoreProgress } from '../../index';
import { h, replace } from '../dom';
import { formatInt, formatMs } from '../format';
import { createModelPicker, trainedName } from './score-model-picker';
import { createRealtimeSection } from './score-realtime';
import { renderRuns, renderScoreResult, type ScoreRun } from './score-result';
import { createStreamSection } from './score-stream-panel';

declare global {
  interface Window {
    lastScore?: ScoreOutput;
  }
}

/** Progress of a running score: a bar of rows done, and rows per second so far. */
function renderScoreProgress(root: HTMLElement, p: ScoreProgress | undefined, elapsedMs: number): void {
  if (!p) {
    replace(root, h('p', { class: 'small' }, `Sending the model and the first batches to the slots… ${formatMs(elapsedMs)}`));
    return;
  }
  replace(root, h('div', { class: 'row small' },
    h('label', { for: 'score-progress-bar' }, 'Rows scored'),
    h('progress', { id: 'score-progress-bar', max: Math.max(1, p.rows), value: p.rowsDone }),
    h('span', { 'data-testid': 'score-progress-text', 'data-rows-done': p.rowsDone },
      `${formatInt(p.rowsDone)} / ${formatInt(p.rows)} rows, ${formatInt(Math.round(p.rowsPerSecond))} rows/s, ${formatMs(elapsedMs)}`)));
}

/** Builds the panel into `root`. */
export function mountScorePanel(root: HTMLElement, fabric: Fabric, showError: (e: unknown) => void): void {
  const picker = createModelPicker(fabric, showError);
  const batchSize = h('input', { type: 'number', id: 'score-batch-size', value: '25000', min: '1', step: '1', 'data-testid': 'score-batch-size' });
  const reload = h('input', { type: 'checkbox', id: 'score-reload', 'data-testid': 'score-reload' });
  const button = h('button', { type: 'button', class: 'primary', 'data-testid': 'score-button' }, 'Score');
  const stop = h('button', { type: 'button', disabled: true, 'data-testid': 'score-stop' }, 'Stop');
  const progress = h('div', { class: 'score-progress', 'data-testid': 'score-progress' });
  const result = h('div', { 'data-testid': 'score-result' });
  const runsBox = h('div');
  const runs: ScoreRun[] = [];

  let controller: AbortController | undefined;
  stop.addEventListener('click', () => controller?.abort());
  button.addEventListener('click', () => {
    const ctl = new AbortController();
    controller = ctl;
    button.disabled = true;
    stop.disabled = false;
    result.removeAttribute('data-state');
    replace(result);
    const started = performance.now();
    let latest: ScoreProgress | undefined;
    const draw = (): void => renderScoreProgress(progress, latest, performance.now() - started);
    const timer = setInterval(draw, 250); // the elapsed time moves between progress reports
    draw();
    const size = Number(batchSize.value);
    const reloading = reload.checked;
    let name = '';
    void picker.resolve().then((model) => {
      name = 'prepared' in model ? model.name : trainedName(model);
      return fabric.score(model, { batchSize: size, reload: reloading, signal: ctl.signal, onProgress: (p) => { latest = p; draw(); } });
    }).then((out) => {
      window.lastScore = out;
      const run: ScoreRun = { model: name, batchSize: size, reload: reloading, out };
      runs.push(run);
      replace(progress);
      replace(result, ...renderScoreResult(run, showError));
      replace(runsBox, renderRuns(runs));
      result.setAttribute('data-state', 'done');
    }).catch((e: unknown) => {
      if (!ctl.signal.aborted && FabricError.from(e).code !== 'cancelled') {
        replace(progress);
        picker.report(e);
        showError(e);
      } else replace(progress, h('p', { class: 'small warn', role: 'status' }, `Stopped after ${formatMs(performance.now() - started)}.`));
    }).finally(() => {
      clearInterval(timer);
      button.disabled = false;
      stop.disabled = true;
    });
  });

  replace(root,
    h('h2', {}, 'Score ', h('span', { class: 'small muted' }, '(pandas iterator UDF: model loaded once per slot)')),
    picker.element,
    h('section', { class: 'score-section', 'aria-labelledby': 'score-batch-heading' },
      h('h3', { id: 'score-batch-heading' }, 'Batch: every row of the dataset'),
      h('div', { class: 'form' },
        h('label', { for: 'score-batch-size' }, 'Batch size'), h('span', {}, batchSize, ' rows per task'),
        h('span', { class: 'label' }, 'Baseline'), h('label', { class: 'check', for: 'score-reload' }, reload,
          ' reload the model for every batch ', h('span', { class: 'small muted' }, '(the baseline the talk warns about: each task loads the model again)')),
      ),
      h('div', { class: 'row' }, button, stop, h('span', { class: 'small muted' }, 'Each slot receives the model once and scores every batch sent to it.')),
      progress, result, runsBox),
    createStreamSection(fabric, picker, showError),
    createRealtimeSection(fabric, picker, showError),
  );
  root.addEventListener('focusin', picker.refresh);
  root.addEventListener('pointerenter', picker.refresh);
}
