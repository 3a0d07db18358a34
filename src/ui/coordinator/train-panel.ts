/**
 * The train panel: choose a target, features and a model (two flights presets), press Train, and
 * watch iterations, the loss curve and which nodes computed each pass; then metrics and export.
 */
import { FabricError, linearRegression, logisticRegression, mlp, softmaxRegression, type Fabric, type GlmOptions, type TrainedModel, type TrainIteration, type TrainOptions } from '../../index';
import { offerResume } from './resume-notice';
import { h, replace } from '../dom';
import { colorOf } from './palette';
import { LossChart } from './train-chart';
import { renderTrainResult } from './train-result';

declare global {
  interface Window {
    lastTrain?: TrainedModel;
  }
}

const FEATURES = ['distance', 'hour(date)', 'dayofweek(date)', 'month(date)', 'onehot(origin)', 'onehot(destination)'];
const PRESETS = {
  delayed: { label: 'Delayed more than 15 minutes (logistic)', model: 'logistic', target: 'delay', threshold: '15' },
  minutes: { label: 'Delay in minutes (linear)', model: 'linear', target: 'delay', threshold: '' },
} as const;

function nodeStrip(it: TrainIteration): HTMLElement {
  const total = Object.values(it.nodes).reduce((a, b) => a + b, 0) || 1;
  const text = Object.entries(it.nodes).map(([n, c]) => `${n} ${c}`).join(', ');
  return h('div', { class: 'strip', title: `iteration ${it.iteration}: ${text}`, 'aria-label': `iteration ${it.iteration}: ${text}` },
    ...Object.entries(it.nodes).map(([n, c]) => h('div', { style: `height:${(100 * c) / total}%;background:${colorOf(n)}` })));
}

/** What the page does with the panel once it is built. */
export interface TrainPanel {
  /** Shows the "was interrupted: Resume / Discard" notice when a train job has a checkpoint. */
  offerResume(): Promise<void>;
}

/** What a run of the panel needs from the job: its signal and live callback. */
type RunHooks = Required<Pick<TrainOptions, 'signal' | 'onIteration'>>;

/** Builds the panel into `root`. Runs write checkpoints, so a reload can resume them. */
export function mountTrainPanel(root: HTMLElement, fabric: Fabric, showError: (e: unknown) => void): TrainPanel {
  const preset = h('select', { id: 'train-preset', 'data-testid': 'train-preset' },
    ...Object.entries(PRESETS).map(([k, p]) => h('option', { value: k }, p.label)));
  const target = h('input', { id: 'train-target', type: 'text', value: 'delay', size: 10, 'data-testid': 'train-target' });
  const threshold = h('input', { id: 'train-threshold', type: 'text', value: '15', size: 5, 'data-testid': 'train-threshold', placeholder: 'none' });
  const model = h('select', { id: 'train-model', 'data-testid': 'train-model' },
    h('option', { value: 'logistic' }, 'logistic regression'), h('option', { value: 'linear' }, 'linear regression'), h('option', { value: 'softmax' }, 'softmax regression'),
    h('option', { value: 'mlp' }, 'MLP (tfjs layers, Adam)'));
  const hidden = h('input', { id: 'train-hidden', type: 'text', value: '32', size: 8, 'data-testid': 'train-hidden' });
  const epochs = h('input', { id: 'train-epochs', type: 'number', value: '1', min: '1', max: '100', 'data-testid': 'train-epochs' });
  const batch = h('input', { id: 'train-batch', type: 'number', value: '16384', min: '1', 'data-testid': 'train-batch' });
  const lr = h('input', { id: 'train-lr', type: 'number', value: '0.003', step: 'any', min: '0', 'data-testid': 'train-lr' });
  const mlpRow = h('span', { class: 'small' }, 'hidden ', hidden, ' epochs ', epochs, ' batch ', batch, ' learning rate ', lr);
  const l2 = h('input', { id: 'train-l2', type: 'number', value: '0.001', step: 'any', min: '0', 'data-testid': 'train-l2' });
  const l1 = h('input', { id: 'train-l1', type: 'number', value: '0', step: 'any', min: '0' });
  const maxIter = h('input', { id: 'train-maxiter', type: 'number', value: '50', min: '1', max: '1000', 'data-testid': 'train-maxiter' });
  const optimizer = h('select', { id: 'train-optimizer' }, h('option', { value: 'lbfgs' }, 'L-BFGS (OWL-QN with L1)'), h('option', { value: 'gd' }, 'gradient descent'));
  const boxes = FEATURES.map((f) => h('input', { type: 'checkbox', value: f, checked: true, id: `feat-${f}`, 'data-testid': `feature-${f}` }));
  const button = h('button', { type: 'button', class: 'primary', 'data-testid': 'train-button' }, 'Train');
  const stop = h('button', { type: 'button', disabled: true }, 'Stop');
  const progress = h('div');
  const chartBox = h('div', { 'data-testid': 'loss-chart' });
  const strips = h('div', { class: 'strips', 'data-testid': 'train-nodes' });
  const result = h('div', { 'data-testid': 'train-result' });
  const notices = h('div');

  const mlpLabel = h('label', { for: 'train-hidden' }, 'MLP');
  const iterLabel = h('label', { for: 'train-maxiter' }, 'Max iterations');
  const showModelFields = (): void => {
    const isMlp = model.value === 'mlp';
    for (const el of [mlpLabel, mlpRow]) el.hidden = !isMlp;
    for (const el of [iterLabel, maxIter, optimizer, l1]) el.hidden = isMlp;
  };
  model.addEventListener('change', showModelFields);
  preset.addEventListener('change', () => {
    const p = PRESETS[preset.value as keyof typeof PRESETS];
    model.value = p.model;
    target.value = p.target;
    threshold.value = p.threshold;
    showModelFields();
  });

  let controller: AbortController | undefined;
  stop.addEventListener('click', () => controller?.abort());
  /** Runs a job (new or resumed) with the live view: progress, loss curve, nodes per pass, result. */
  const run = (start: (hooks: RunHooks) => Promise<TrainedModel>, first: string): void => {
    controller = new AbortController();
    button.disabled = true;
    stop.disabled = false;
    root.removeAttribute('data-state');
    replace(result);
    replace(strips);
    replace(chartBox);
    const chart = new LossChart(chartBox);
    replace(progress, h('p', { class: 'small' }, first));
    void start({
      signal: controller.signal,
      onIteration: (it) => {
        chart.push(it);
        strips.append(nodeStrip(it));
        const pct = Math.round((100 * it.iteration) / it.maxIter);
        replace(progress,
          h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': it.maxIter, 'aria-valuenow': it.iteration, 'data-testid': 'train-progress' }, h('div', { class: 'bar', style: `width:${pct}%` })),
          h('p', { class: 'small', 'data-testid': 'train-progress-text' }, `iteration ${it.iteration} / ${it.maxIter} (at most): objective ${it.trainLoss.toFixed(5)}, held-out ${it.holdoutLoss.toFixed(5)}, ${it.evaluations} passes over the data`));
      },
    }).then((trained) => {
      window.lastTrain = trained;
      renderTrainResult(result, trained);
      root.setAttribute('data-state', 'done');
    }).catch((e: unknown) => {
      if (FabricError.from(e).code !== 'cancelled') showError(e);
      else replace(progress, h('p', { class: 'small warn' }, 'Stopped.'));
    }).finally(() => {
      button.disabled = false;
      stop.disabled = true;
    });
  };

  button.addEventListener('click', () => {
    const opts: GlmOptions = { l2: Number(l2.value), l1: Number(l1.value), optimizer: optimizer.value as 'lbfgs' | 'gd' };
    const t = threshold.value.trim();
    let options: TrainOptions;
    try {
      const spec = model.value === 'mlp'
        ? mlp({ hidden: hidden.value.split(',').map((v) => Number(v.trim())).filter((v) => v > 0), epochs: Number(epochs.value), batchSize: Number(batch.value), learningRate: Number(lr.value), l2: Number(l2.value) })
        : model.value === 'linear' ? linearRegression(opts) : model.value === 'softmax' ? softmaxRegression(opts) : logisticRegression(opts);
      options = {
        target: t === '' ? target.value.trim() : { column: target.value.trim(), threshold: Number(t) },
        features: boxes.filter((b) => b.checked).map((b) => b.value),
        model: spec,
        maxIter: Number(maxIter.value),
        // On the page every run keeps a checkpoint (written off the job's path), so a reload can resume it.
        checkpoint: { every: 1 },
      };
    } catch (e) {
      showError(e);
      return;
    }
    replace(notices);
    run((hooks) => fabric.train({ ...options, ...hooks }), 'Computing feature statistics on the slots…');
  });

  const resume = (id: string, file?: File): void => run(async (hooks) => {
    const r = await fabric.resume(id, { ...hooks, ...(file ? { file } : {}) });
    if (!('format' in r)) throw new FabricError('internal', `checkpoint ${id} is not a train job`);
    return r;
  }, 'Resuming from the checkpoint (reloading the dataset if needed)…');

  replace(root,
    h('h2', {}, 'Train one model on all partitions ', h('span', { class: 'small muted' }, '(Spark MLlib)')),
    h('div', { class: 'form' },
      h('label', { for: 'train-preset' }, 'Preset'), preset,
      h('label', { for: 'train-target' }, 'Target'), h('span', {}, target, ' > ', threshold, h('span', { class: 'small muted' }, ' (threshold: empty for a regression)')),
      h('label', { for: 'train-model' }, 'Model'), h('span', {}, model, ' ', optimizer),
      h('label', { for: 'train-l2' }, 'L2 / L1'), h('span', {}, l2, ' ', l1),
      iterLabel, maxIter,
      mlpLabel, mlpRow,
      h('span', { class: 'label' }, 'Features'), h('span', { class: 'checks' }, ...boxes.map((b) => h('label', { class: 'check' }, b, ` ${b.value}`))),
    ),
    h('div', { class: 'row' }, button, stop, h('span', { class: 'small muted' }, 'Features are standardized by a distributed pass; 20% of rows are held out.')),
    notices, progress, chartBox,
    h('p', { class: 'small muted' }, 'Tasks per node in each pass (one bar per iteration, coloured as in the nodes table):'),
    strips, result,
  );
  showModelFields();
  return { offerResume: () => offerResume(notices, fabric, 'train', (c, file) => resume(c.id, file), showError) };
}
