/**
 * The tune panel: hyperopt's `fmin` with `SparkTrials`. Choose an objective, its data and a search
 * space, press Tune, and watch trials run on the slots in parallel while TPE suggests the next
 * points; then train the best point as a full model.
 */
import {
  FabricError, linearRegression, logisticRegression, mlp, mlpTrialParams, flattenParams, objectiveNames, validateSpace,
  type Fabric, type Liar, type Trial, type TrainOptions, type TuneData, type TuneOptions, type TuneResult,
} from '../../index';
import { h, replace } from '../dom';
import { formatInt } from '../format';
import { renderTrainResult } from './train-result';
import { BestLossPlot, ParamPlot } from './tune-plots';
import { defaultRows, SpaceEditor } from './tune-space';
import { formatParam, renderTuneSummary, TrialsTable } from './tune-table';
import { offerResume } from './resume-notice';

declare global {
  interface Window {
    lastTune?: TuneResult;
  }
}

const FEATURES = ['distance', 'hour(date)', 'dayofweek(date)', 'month(date)', 'onehot(origin)', 'onehot(destination)'];
const DEFAULT_FEATURES = new Set(['distance', 'hour(date)', 'dayofweek(date)']);
/** Objectives whose best point "Train best as a model" knows how to turn into a model spec. */
const TRAINABLE = new Set(['mlp', 'glm']);

/** Live views redraw at most this often: trials finish many times a second, and 4 Hz reads as live. */
const REDRAW_MS = 250;

/**
 * Most distributed steps "Train best" starts from by default. Measured with 2 local wasm slots on
 * flights-3m: batch 128 ran ~30 steps a second (884 in 28 s), so the trial's own batch on every row
 * would be 56,000 steps, half an hour; batch 19,200 ran 375 steps in 80 s.
 */
const MAX_STEPS = 2000;

/** `fn` of the latest argument, at most once per {@link REDRAW_MS}. */
function throttleLast<T>(fn: (arg: T) => void): (arg: T) => void {
  let latest: T;
  const run = throttle(() => fn(latest), REDRAW_MS);
  return (arg: T) => {
    latest = arg;
    run();
  };
}

/** Calls `fn` at most once per `ms`, always once after the last call. */
function throttle(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = 0;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      last = performance.now();
      fn();
    }, Math.max(0, last + ms - performance.now()));
  };
}

/** A labelled field: the label wraps its control, so clicking the text focuses it. */
const field = (label: string, control: HTMLElement, hint?: string, wide = false): HTMLElement =>
  h('label', { class: wide ? 'field wide' : 'field' }, h('span', { class: 'field-label' }, label), control, hint ? h('span', { class: 'small muted' }, hint) : null);

/** The number in `input`, undefined when empty; bad-input naming `name` otherwise. */
function optionalNumber(input: HTMLInputElement, name: string, check: (v: number) => boolean = () => true, expected = 'a number'): number | undefined {
  const t = input.value.trim();
  if (t === '') return undefined;
  const v = Number(t);
  if (!Number.isFinite(v) || !check(v)) throw new FabricError('bad-input', `Tune: ${name} must be ${expected} (or empty), got "${t}"`);
  return v;
}

/** What the page does with the panel once it is built. */
export interface TunePanel {
  /** Shows the "was interrupted: Resume / Discard" notice when a tune job has a checkpoint. */
  offerResume(): Promise<void>;
}

/** Builds the panel into `root`. Runs write checkpoints, so a reload can resume them. */
export function mountTunePanel(root: HTMLElement, fabric: Fabric, showError: (e: unknown) => void): TunePanel {
  const num = (id: string, value: string, attrs: Record<string, string> = {}): HTMLInputElement =>
    h('input', { id, type: 'number', value, step: 'any', 'data-testid': id, ...attrs });
  const objective = h('select', { id: 'tune-objective', 'data-testid': 'tune-objective' }, ...objectiveNames().map((n) => h('option', { value: n, selected: n === 'mlp' }, n)));
  const target = h('input', { id: 'tune-target', type: 'text', value: 'delay', size: 10, 'data-testid': 'tune-target' });
  const threshold = h('input', { id: 'tune-threshold', type: 'text', value: '15', size: 5, placeholder: 'none', 'data-testid': 'tune-threshold' });
  const boxes = FEATURES.map((f) => h('input', { type: 'checkbox', value: f, checked: DEFAULT_FEATURES.has(f), 'data-testid': `tune-feature-${f}` }));
  const extra = h('input', { id: 'tune-extra-features', type: 'text', size: 18, placeholder: 'e.g. onehot(carrier)', 'data-testid': 'tune-extra-features' });
  const rows = num('tune-rows', '50000', { min: '100', step: '1' });
  const space = new SpaceEditor();
  const algo = h('select', { id: 'tune-algo', 'data-testid': 'tune-algo' }, h('option', { value: 'tpe' }, 'tpe'), h('option', { value: 'random' }, 'random'), h('option', { value: 'grid' }, 'grid'));
  const maxEvals = num('tune-max-evals', '24', { min: '1', step: '1' });
  const parallelism = num('tune-parallelism', '', { min: '1', step: '1', placeholder: 'all slots' });
  const seed = num('tune-seed', '1', { step: '1' });
  const timeout = num('tune-timeout', '', { min: '0', placeholder: 'none' });
  const lossThreshold = num('tune-loss-threshold', '', { placeholder: 'none' });
  const earlyStop = num('tune-early-stop', '', { min: '1', step: '1', placeholder: 'none' });
  const liar = h('select', { id: 'tune-liar', 'data-testid': 'tune-liar', 'aria-describedby': 'tune-liar-hint' }, ...['max', 'mean', 'min', 'none'].map((l) => h('option', { value: l }, l)));
  const button = h('button', { type: 'button', class: 'primary', 'data-testid': 'tune-button' }, 'Tune');
  const stop = h('button', { type: 'button', disabled: true, 'data-testid': 'tune-stop' }, 'Stop');
  const status = h('p', { class: 'small', role: 'status', 'data-testid': 'tune-status' });
  const result = h('div', { class: 'tune-result', 'data-testid': 'tune-result' });
  const table = new TrialsTable();
  const bestBox = h('div', { class: 'tune-plot', 'data-testid': 'tune-best-plot' });
  const paramBox = h('div');
  const bestActions = h('div', { class: 'tune-best' });
  const notices = h('div');
  const data = h('fieldset', { class: 'tune-fields' }, h('legend', {}, 'Data (a sample of the loaded dataset)'),
    field('Target column', target), field('Threshold', threshold, 'empty: regression'),
    field('Sample rows', rows),
    h('div', { class: 'field wide', role: 'group', 'aria-label': 'Features' }, h('span', { class: 'field-label' }, 'Features'),
      h('span', { class: 'checks' }, ...boxes.map((b) => h('label', { class: 'check' }, b, ` ${b.value}`))), field('More features (comma-separated)', extra)));

  const onObjective = (): void => {
    space.setRows(defaultRows(objective.value));
    // The wait objective sleeps and scores a quadratic: it reads no data.
    data.disabled = objective.value === 'wait';
  };
  objective.addEventListener('change', onObjective);

  const tuneData = (): TuneData => {
    const t = threshold.value.trim();
    const th = t === '' ? undefined : Number(t);
    if (th !== undefined && !Number.isFinite(th)) throw new FabricError('bad-input', `Tune: the threshold must be a number or empty, got "${t}"`);
    const column = target.value.trim();
    const features = [...boxes.filter((b) => b.checked).map((b) => b.value), ...extra.value.split(',').map((f) => f.trim()).filter((f) => f !== '')];
    if (features.length === 0) throw new FabricError('bad-input', 'Tune: choose at least one feature');
    const n = optionalNumber(rows, 'sample rows', (v) => Number.isInteger(v) && v >= 1, 'a whole number ≥ 1');
    return { target: th === undefined ? column : { column, threshold: th }, features, ...(n !== undefined ? { rows: n } : {}) };
  };

  let controller: AbortController | undefined;
  stop.addEventListener('click', () => controller?.abort());

  const trainBest = (r: TuneResult, obj: string, d: TuneData): void => {
    const best = r.best;
    if (!best) return;
    const out = h('div', { 'data-testid': 'tune-train-result' });
    const go = h('button', { type: 'button', 'data-testid': 'tune-train-best' }, 'Train best as a model');
    const p = flattenParams(best.params);
    const m = obj === 'mlp' ? mlpTrialParams(best.params) : undefined;
    const batch = h('input', { id: 'tune-best-batch', type: 'number', min: '1', step: '1', 'data-testid': 'tune-best-batch', 'aria-describedby': 'tune-best-steps' });
    const epochs = h('input', { id: 'tune-best-epochs', type: 'number', min: '1', step: '1', value: m?.epochs ?? 1, 'data-testid': 'tune-best-epochs', 'aria-describedby': 'tune-best-steps' });
    const steps = h('span', { id: 'tune-best-steps', class: 'small', 'aria-live': 'polite' });
    // train holds out 0.2 of all rows, a trial 0.2 (TuneData.holdout) of its sample.
    const fullRows = 0.8 * (fabric.dataset?.numRows ?? 0);
    const sampleRows = (1 - (d.holdout ?? 0.2)) * Math.min(d.rows ?? 50_000, fabric.dataset?.numRows ?? Infinity);
    const scaled = m ? Math.round(m.batchSize * Math.max(1, fullRows / sampleRows)) : 0;
    const countSteps = (): void => {
      const n = Math.round(fullRows / Math.max(1, Number(batch.value))) * Math.max(1, Number(epochs.value));
      replace(steps, `≈ ${formatInt(n)} synchronous steps on the slots (each one pass over every partition)`,
        n > MAX_STEPS && m ? h('span', { class: 'warn' }, ` ! slow; batch ${formatInt(scaled)} keeps the trial's steps per epoch`) : '');
    };
    if (m) {
      // The trial's own batch on the whole dataset can be tens of thousands of steps: then start
      // from the batch that gives the trial's steps per epoch, and say so.
      const exact = Math.round(fullRows / m.batchSize) * m.epochs;
      batch.value = String(exact > MAX_STEPS ? scaled : m.batchSize);
      batch.addEventListener('input', countSteps);
      epochs.addEventListener('input', countSteps);
      countSteps();
    }
    go.addEventListener('click', () => {
      let options: TrainOptions;
      try {
        const target = d.target;
        if (m) {
          const model = mlp({ hidden: Array<number>(m.layers).fill(m.units), learningRate: m.lr, batchSize: Number(batch.value), epochs: Number(epochs.value), l2: m.l2, activation: m.activation });
          options = { target, features: d.features, model };
        } else {
          const l2 = typeof p.l2 === 'number' ? p.l2 : 0;
          options = { target, features: d.features, model: typeof target === 'string' ? linearRegression({ l2 }) : logisticRegression({ l2 }), ...(typeof p.maxIter === 'number' ? { maxIter: Math.round(p.maxIter) } : {}) };
        }
      } catch (e) {
        showError(e);
        return;
      }
      controller = new AbortController();
      go.disabled = button.disabled = true;
      stop.disabled = false;
      result.removeAttribute('data-train-state');
      replace(out, h('p', { class: 'small' }, `Training trial ${best.trial}'s parameters on the whole dataset…`));
      let ended = false;
      void fabric.train({ ...options, signal: controller.signal, onIteration: throttleLast((it) => !ended && replace(out, h('p', { class: 'small', 'data-testid': 'tune-train-progress' }, `Training trial ${best.trial}'s parameters: step ${formatInt(it.iteration)} / ${formatInt(it.maxIter)}, held-out loss ${it.holdoutLoss.toFixed(5)}`))) })
        .then((trained) => {
          ended = true;
          window.lastTrain = trained;
          renderTrainResult(out, trained);
          result.setAttribute('data-train-state', 'done');
        }).catch((e: unknown) => {
          ended = true;
          if (FabricError.from(e).code !== 'cancelled') showError(e);
          replace(out, h('p', { class: 'small warn' }, '! Training stopped.'));
        }).finally(() => {
          go.disabled = button.disabled = false;
          stop.disabled = true;
        });
    });
    replace(bestActions,
      h('h3', {}, `Train trial ${best.trial}'s parameters as a model on the whole dataset`),
      m ? h('p', { class: 'small muted' }, `MLP ${Array<number>(m.layers).fill(m.units).join(' × ')} units, lr ${formatParam(m.lr)}, l2 ${formatParam(m.l2)}, ${m.activation} (train has no dropout). The trial used batch ${m.batchSize} on ${formatInt(Math.round(sampleRows))} rows${
        batch.value === String(m.batchSize) ? '' : `; the batch below is scaled to the whole dataset's ${formatInt(Math.round(fullRows))} training rows so an epoch has as many steps (type ${m.batchSize} for the trial's own)`}.`)
        : h('p', { class: 'small muted' }, `${typeof d.target === 'string' ? 'Linear' : 'Logistic'} regression, l2 ${formatParam(p.l2)}${typeof p.maxIter === 'number' ? `, at most ${Math.round(p.maxIter)} iterations` : ''}.`),
      m ? h('div', { class: 'row small' }, h('label', { for: 'tune-best-batch' }, 'Batch size'), batch, h('label', { for: 'tune-best-epochs' }, 'Epochs'), epochs, steps) : null,
      h('div', { class: 'row' }, go), out);
  };

  button.addEventListener('click', () => {
    replace(status);
    const built = space.build();
    if (!built) {
      replace(status, h('span', { class: 'bad' }, '✕ Fix the search space first (see the rows marked ✕).'));
      return;
    }
    let options: TuneOptions;
    try {
      const obj = objective.value;
      const evals = optionalNumber(maxEvals, 'maxEvals', (v) => Number.isInteger(v) && v >= 1, 'a whole number ≥ 1');
      if (evals === undefined) throw new FabricError('bad-input', 'Tune: maxEvals is required, e.g. 24');
      const timeoutS = optionalNumber(timeout, 'timeout', (v) => v > 0, 'seconds > 0');
      options = {
        space: built.space, objective: obj, algo: algo.value as 'tpe' | 'random' | 'grid', maxEvals: evals,
        parallelism: optionalNumber(parallelism, 'parallelism', (v) => Number.isInteger(v) && v >= 1, 'a whole number ≥ 1'),
        seed: optionalNumber(seed, 'seed', Number.isInteger, 'an integer') ?? 1,
        timeoutMs: timeoutS === undefined ? undefined : timeoutS * 1000,
        lossThreshold: optionalNumber(lossThreshold, 'loss threshold'),
        earlyStop: optionalNumber(earlyStop, 'early stop', (v) => Number.isInteger(v) && v >= 1, 'a whole number ≥ 1'),
        liar: liar.value as Liar,
        data: obj === 'wait' ? undefined : tuneData(),
        // On the page every run keeps a checkpoint (written off the job's path), so a reload can resume it.
        checkpoint: { every: 1 },
      };
    } catch (e) {
      showError(e);
      return;
    }
    replace(notices);
    run(options, built.kinds, (hooks) => fabric.tune({ ...options, ...hooks }), `Sampling data and starting trials on the slots (${options.objective})…`);
  });

  /** Runs a search (new or resumed) with the live view: trials table, plots, summary, "train best". */
  const run = (options: Omit<TuneOptions, 'signal' | 'onTrial'>, kinds: ConstructorParameters<typeof ParamPlot>[0], start: (hooks: Required<Pick<TuneOptions, 'signal' | 'onTrial'>>) => Promise<TuneResult>, first: string): void => {
    const obj = options.objective;
    const started = performance.now();
    controller = new AbortController();
    button.disabled = true;
    stop.disabled = false;
    result.removeAttribute('data-state');
    result.removeAttribute('data-train-state');
    replace(bestActions);
    replace(bestBox);
    const bestPlot = new BestLossPlot(bestBox);
    const paramPlot = new ParamPlot(kinds);
    replace(paramBox, paramPlot.element);
    let latest: readonly Trial[] = [];
    const draw = (r?: TuneResult): void => {
      const trials = r?.trials ?? latest;
      table.update(trials);
      bestPlot.update(trials);
      paramPlot.update(trials);
      renderTuneSummary(result, trials, options.maxEvals, performance.now() - started, r);
    };
    let ended = false;
    // A redraw still pending when the run resolves would draw the live trials over the result.
    const redraw = throttle(() => !ended && draw(), REDRAW_MS);
    draw();
    replace(status, first);
    void start({ signal: controller.signal, onTrial: (_t, trials) => {
      latest = trials;
      redraw();
    } }).then((r) => {
      ended = true;
      window.lastTune = r;
      draw(r);
      replace(status);
      if (r.best && TRAINABLE.has(obj) && options.data) trainBest(r, obj, options.data);
      result.setAttribute('data-state', 'done');
    }).catch((e: unknown) => {
      ended = true;
      if (FabricError.from(e).code !== 'cancelled') showError(e);
      replace(status, h('span', { class: 'warn' }, '! Tune ended without a result (the error is shown at the top of the page).'));
    }).finally(() => {
      button.disabled = false;
      stop.disabled = true;
    });
  };

  const resume = (id: string, options: Omit<TuneOptions, 'signal' | 'onTrial'>, file?: File): void =>
    run(options, new Map(validateSpace(options.space).map((n) => [n.label, n.kind])), async (hooks) => {
      const r = await fabric.resume(id, { ...hooks, ...(file ? { file } : {}) });
      if (!('trials' in r)) throw new FabricError('internal', `checkpoint ${id} is not a tune job`);
      return r;
    }, 'Resuming the search from its checkpoint…');

  replace(root,
    h('h2', {}, 'Tune ', h('span', { class: 'small muted' }, '(hyperopt + SparkTrials: TPE)')),
    h('p', { class: 'small muted' }, 'Each trial trains one model on a slot; trials run in parallel on every slot, and TPE picks the next points from the losses so far.'),
    h('div', { class: 'tune-fields' }, field('Objective', objective, 'mlp: a tfjs MLP; glm: logistic or linear regression; wait: sleeps params.ms (a timing test, no data)', true)),
    data,
    space.element,
    h('fieldset', { class: 'tune-fields' }, h('legend', {}, 'Run'),
      field('Algorithm', algo), field('maxEvals', maxEvals), field('Parallelism', parallelism, 'empty: every slot'), field('Seed', seed),
      field('Timeout (seconds)', timeout), field('Loss threshold', lossThreshold, 'stop at or below'), field('Early stop after N', earlyStop, 'trials without improving'),
      h('label', { class: 'field wide' }, h('span', { class: 'field-label' }, 'Liar (pending trials)'), liar,
        h('span', { id: 'tune-liar-hint', class: 'small muted' }, "how pending trials enter TPE: 'none' lets parallel TPE repeat itself"))),
    notices, h('div', { class: 'row' }, button, stop), status,
    result, table.element,
    h('div', { class: 'tune-plots' }, bestBox, paramBox),
    bestActions,
  );
  onObjective();
  return { offerResume: () => offerResume(notices, fabric, 'tune', (c, file) => c.kind === 'tune' && resume(c.id, c.options, file), showError) };
}
