/** The final panel of a training run: held-out metrics, coefficients with names, and export. */
import type { TrainedModel } from '../../index';
import { exportGlm, exportMlp } from '../../index';
import { h, replace } from '../dom';
import { formatMs } from '../format';

const METRIC_NAMES: Record<string, string> = { rmse: 'RMSE', r2: 'R²', logLoss: 'log loss', accuracy: 'accuracy', auc: 'AUC' };

function download(name: string, data: string | ArrayBuffer): void {
  const url = URL.createObjectURL(new Blob([data], { type: typeof data === 'string' ? 'application/json' : 'application/octet-stream' }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Renders a trained model. */
export function renderTrainResult(root: HTMLElement, model: TrainedModel): void {
  const metrics = Object.entries(model.metrics).filter(([k]) => k !== 'rows');
  const metricCards = h('div', { class: 'metrics', 'data-testid': 'train-metrics' }, ...metrics.map(([k, v]) =>
    h('div', { class: 'metric', 'data-metric': k, 'data-value': String(v) }, h('div', { class: 'metric-value' }, Number(v).toFixed(4)), h('div', { class: 'small muted' }, `held-out ${METRIC_NAMES[k] ?? k}`))));
  if (model.format === 'fabric-mlp') {
    const sizes = [model.arch.inputs, ...model.arch.hidden, model.arch.outputs].join(' → ');
    replace(root,
      h('p', { class: 'small' }, `MLP ${sizes} (${model.arch.activation}, ${model.model.optimizer}), ${model.params.length.toLocaleString('en-US')} weights, ${model.history.length} steps in ${formatMs(model.ms)}; `,
        `${model.plan.counts.trainRows.toLocaleString('en-US')} training rows, ${model.metrics.rows.toLocaleString('en-US')} held out.`),
      metricCards,
      h('button', {
        type: 'button', 'data-testid': 'export-model',
        onclick: () => void exportMlp(model).then((a) => {
          download('model.json', a.modelJson);
          download('weights.bin', a.weights);
        }),
      }, 'Export model (tfjs LayersModel: model.json + weights.bin)'),
    );
    return;
  }
  const coefficients = model.names.map((name, i) => ({ name, value: model.params[i]! }));
  const filter = h('input', { type: 'search', placeholder: 'filter by name', 'aria-label': 'Filter coefficients' });
  const body = h('tbody');
  const draw = (): void => {
    const q = filter.value.trim().toLowerCase();
    const rows = coefficients.filter((c) => c.name.toLowerCase().includes(q)).sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
    replace(body, ...rows.slice(0, 200).map((c) => h('tr', {}, h('td', {}, h('code', {}, c.name)), h('td', { class: 'num' }, c.value.toPrecision(6)))));
  };
  filter.addEventListener('input', draw);
  draw();
  replace(root,
    h('p', { class: 'small' }, `${model.kind} regression, ${model.history.length - 1} iterations (${model.converged ? 'converged' : model.reason}), ${formatMs(model.ms)}; `,
      `${model.plan.counts.trainRows.toLocaleString('en-US')} training rows, ${model.metrics.rows.toLocaleString('en-US')} held out.`),
    metricCards,
    h('div', { class: 'row' },
      h('h3', {}, `Coefficients (${coefficients.length}, largest first; features standardized)`),
      filter,
      h('button', { type: 'button', 'data-testid': 'export-model', onclick: () => download(`fabric-${model.kind}-${model.dataset.name}.json`, exportGlm(model)) }, 'Export model (JSON)'),
    ),
    h('div', { class: 'scroll' }, h('table', { class: 'grid compact', 'data-testid': 'coefficients' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Parameter'), h('th', { scope: 'col', class: 'num' }, 'Value'))), body)),
  );
}
