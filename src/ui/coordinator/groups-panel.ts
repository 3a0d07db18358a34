/**
 * The groups panel: Spark's `groupBy(key).applyInPandas(fn)`. Choose a key, a target, features and
 * a model, press "Fit groups", and get one model per group as a table, two plots and downloads; or
 * run one of the app's own group tasks on every group.
 */
import {
  FabricError, groupTaskNames, logisticRegression, ols, ridge, softmaxRegression,
  type DatasetInfo, type Fabric, type GlmSpec, type GroupBy, type GroupJobOptions, type GroupProgress, type GroupResults, type TargetSpec,
} from '../../index';
import { h, replace } from '../dom';
import { formatInt, formatMs } from '../format';
import { renderGroupPlots } from './groups-plots';
import { renderGroupsSummary, renderGroupsTable } from './groups-table';
import { lastSynthetic } from './synthetic-form';

declare global {
  interface Window {
    lastGroups?: GroupResults;
  }
}

/** Checked when present: the flights example (delay by distance and hour) and the IoT sensors. */
const DEFAULT_FEATURES = /^(distance|hour\(date\)|x\d+)$/;
const DATE_PARTS = ['hour', 'dayofweek', 'month'] as const;

const isTime = (type: string): boolean => type.startsWith('Timestamp') || type.startsWith('Date');
const isInteger = (type: string): boolean => /^U?Int\d*$/.test(type);

/** Progress of a running job: a bar of groups done, rows fitted, and the time so far. */
function renderGroupsProgress(root: HTMLElement, key: string, p: GroupProgress | undefined, elapsedMs: number): void {
  if (!p) {
    replace(root, h('p', { class: 'small' }, `Shuffling rows by ${key} so each group is on one slot… ${formatMs(elapsedMs)}`));
    return;
  }
  replace(root,
    h('div', { class: 'row small' },
      h('label', { for: 'groups-progress-bar' }, 'Groups done'),
      h('progress', { id: 'groups-progress-bar', max: Math.max(1, p.groups), value: p.groupsDone }),
      h('span', { 'data-testid': 'groups-progress-text', 'data-done': p.groupsDone, 'data-groups': p.groups, 'data-rows': p.rowsFitted },
        `${formatInt(p.groupsDone)} / ${formatInt(p.groups)} groups, ${formatInt(p.rowsFitted)} of ${formatInt(p.rows)} rows fitted, ${formatMs(elapsedMs)}`)),
  );
}

function pick(candidates: readonly string[], preferred: readonly string[]): string {
  return preferred.find((p) => candidates.includes(p)) ?? candidates[0] ?? '';
}

function modelSpec(kind: string, l2: number): GlmSpec {
  if (kind === 'ols') return ols();
  if (kind === 'ridge') return ridge({ l2 });
  return kind === 'softmax' ? softmaxRegression({ l2 }) : logisticRegression({ l2 });
}

function targetSpec(column: string, threshold: string, kind: string): TargetSpec | string {
  const t = threshold.trim();
  if (t === '') return column;
  const numbers = t.split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
  if (numbers.some((v) => !Number.isFinite(v)) || (kind !== 'softmax' && numbers.length > 1)) {
    throw new FabricError('bad-input', `Fit groups: the threshold must be one number (or, for softmax, bin edges like "0, 15, 60"), got "${t}"`);
  }
  return kind === 'softmax' ? { column, bins: numbers } : { column, threshold: numbers[0]! };
}

/** Builds the panel into `root`; it follows the loaded dataset. */
export function mountGroupsPanel(root: HTMLElement, fabric: Fabric, showError: (e: unknown) => void): void {
  const key = h('select', { id: 'groups-key', 'data-testid': 'groups-key' });
  const target = h('input', { id: 'groups-target', type: 'text', size: 10, 'data-testid': 'groups-target' });
  const threshold = h('input', { id: 'groups-threshold', type: 'text', size: 8, placeholder: 'none', 'data-testid': 'groups-threshold', 'aria-describedby': 'groups-threshold-note' });
  const model = h('select', { id: 'groups-model', 'data-testid': 'groups-model' },
    h('option', { value: 'ols' }, 'OLS'), h('option', { value: 'ridge' }, 'ridge'),
    h('option', { value: 'logistic' }, 'logistic regression (IRLS)'), h('option', { value: 'softmax' }, 'softmax regression'));
  const l2 = h('input', { id: 'groups-l2', type: 'number', value: '0.001', step: 'any', min: '0', 'data-testid': 'groups-l2' });
  const missing = h('select', { id: 'groups-missing', 'data-testid': 'groups-missing' },
    h('option', { value: 'error' }, 'mark the group non-finite'), h('option', { value: 'drop' }, 'drop those rows'));
  const budget = h('input', { id: 'groups-budget', type: 'number', value: '256', min: '1', step: '1', 'data-testid': 'groups-budget' });
  const features = h('span', { class: 'checks', role: 'group', 'aria-label': 'Features' });
  const button = h('button', { type: 'button', class: 'primary', 'data-testid': 'groups-button' }, 'Fit groups');
  const stop = h('button', { type: 'button', disabled: true, 'data-testid': 'groups-stop' }, 'Stop');
  const tasks = groupTaskNames();
  const task = h('select', { id: 'groups-task', 'data-testid': 'groups-task', disabled: tasks.length === 0 },
    ...(tasks.length > 0 ? tasks.map((t) => h('option', { value: t }, t)) : [h('option', { value: '' }, 'none defined')]));
  const apply = h('button', { type: 'button', 'data-testid': 'groups-apply', disabled: tasks.length === 0 }, 'Apply');
  const progress = h('div', { 'data-testid': 'groups-progress' });
  const result = h('div', { 'data-testid': 'groups-result' });

  const syncModel = (): void => {
    l2.disabled = model.value === 'ols';
  };
  model.addEventListener('change', syncModel);
  threshold.addEventListener('input', () => {
    // A threshold makes a two-class target: least squares on 0/1 is not what anyone means.
    if (threshold.value.trim() !== '' && (model.value === 'ols' || model.value === 'ridge')) model.value = 'logistic';
    syncModel();
  });
  const syncFeatures = (): void => {
    for (const box of features.querySelectorAll('input')) box.disabled = box.value === target.value.trim() || box.value === key.value;
  };
  target.addEventListener('input', syncFeatures);
  key.addEventListener('change', syncFeatures);

  const showDataset = (d: DatasetInfo | undefined): void => {
    const cols = d?.columns ?? [];
    const keys = cols.filter((c) => !c.numeric || isInteger(c.type)).map((c) => c.name);
    const numeric = cols.filter((c) => c.numeric && !isTime(c.type)).map((c) => c.name);
    replace(key, ...keys.map((k) => h('option', { value: k }, k)));
    key.value = pick(keys, ['origin', 'device']);
    target.value = pick(numeric, ['delay', 'y']);
    const names = [...numeric, ...cols.filter((c) => isTime(c.type)).flatMap((c) => DATE_PARTS.map((p) => `${p}(${c.name})`))];
    replace(features, ...names.map((n) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: n, id: `groups-feature-${n}`, 'data-testid': `groups-feature-${n}`, checked: DEFAULT_FEATURES.test(n) }), ` ${n}`)));
    syncFeatures();
    button.disabled = keys.length === 0 || fabric.dataset === undefined;
  };
  fabric.on('dataset', showDataset);

  let controller: AbortController | undefined;
  stop.addEventListener('click', () => controller?.abort());
  const run = (job: (g: GroupBy, o: GroupJobOptions) => Promise<GroupResults>): void => {
    const ctl = new AbortController();
    controller = ctl;
    for (const b of [button, apply]) b.disabled = true;
    stop.disabled = false;
    result.removeAttribute('data-state');
    replace(result);
    const started = performance.now();
    const by = key.value;
    let latest: GroupProgress | undefined;
    const draw = (): void => renderGroupsProgress(progress, by, latest, performance.now() - started);
    const timer = setInterval(draw, 250); // the elapsed time moves between progress reports
    draw();
    const budgetBytes = Math.round(Number(budget.value) * 1024 * 1024);
    const options: GroupJobOptions = { budgetBytes, signal: ctl.signal, onProgress: (p) => { latest = p; draw(); } };
    // Inside the promise, so a key that groupBy rejects lands in catch like any other failure.
    void Promise.resolve().then(() => job(fabric.groupBy(by), options)).then((r) => {
      window.lastGroups = r;
      replace(progress);
      showResults(r);
    }).catch((e: unknown) => {
      // An aborted signal means Stop, whatever the error says.
      if (!ctl.signal.aborted && FabricError.from(e).code !== 'cancelled') {
        replace(progress);
        showError(e);
      } else replace(progress, h('p', { class: 'small warn', role: 'status' }, `Stopped after ${formatMs(performance.now() - started)}.`));
    }).finally(() => {
      clearInterval(timer);
      button.disabled = fabric.dataset === undefined;
      apply.disabled = tasks.length === 0;
      stop.disabled = true;
    });
  };

  const showResults = (r: GroupResults): void => {
    const synth = lastSynthetic();
    const truth = synth && r.key === 'device' && fabric.dataset?.name.startsWith('synthetic-iot') ? synth.truth() : undefined;
    const plots = h('div', { class: 'group-plots' });
    const table = h('div');
    replace(result,
      renderGroupsSummary(r, showError), plots, table);
    renderGroupPlots(plots, r, truth);
    renderGroupsTable(table, r);
    result.setAttribute('data-state', 'done');
  };

  button.addEventListener('click', () => {
    let options: Parameters<GroupBy['fit']>[0];
    try {
      options = {
        target: targetSpec(target.value.trim(), threshold.value, model.value),
        features: [...features.querySelectorAll('input')].filter((b) => b.checked && !b.disabled).map((b) => b.value),
        model: modelSpec(model.value, Number(l2.value)),
        missing: missing.value as 'error' | 'drop',
      };
    } catch (e) {
      showError(e);
      return;
    }
    run((g, o) => g.fit({ ...options, ...o }));
  });
  apply.addEventListener('click', () => run((g, o) => g.apply(task.value, o)));

  replace(root,
    h('h2', {}, 'Fit groups (groupBy → applyInPandas) ', h('span', { class: 'small muted' }, '(one model per group)')),
    h('div', { class: 'form' },
      h('label', { for: 'groups-key' }, 'Group key'), key,
      h('label', { for: 'groups-target' }, 'Target'), h('span', {}, target, ' > ', threshold,
        h('span', { class: 'small muted', id: 'groups-threshold-note' }, ' (threshold: empty for a regression; bin edges such as 0, 15, 60 for softmax)')),
      h('label', { for: 'groups-model' }, 'Model'), h('span', {}, model, ' ', h('label', { for: 'groups-l2' }, 'L2 '), l2),
      h('label', { for: 'groups-missing' }, 'Rows with NaN'), missing,
      h('label', { for: 'groups-budget' }, 'Memory budget'), h('span', {}, budget, ' MiB per group ',
        h('span', { class: 'small muted' }, '(a larger group is reported as group-too-large)')),
      h('span', { class: 'label' }, 'Features'), features,
    ),
    h('div', { class: 'row' }, button, stop,
      h('span', { class: 'small muted' }, 'or run a group task'), h('label', { for: 'groups-task', class: 'visually-hidden' }, 'Group task'), task, apply),
    progress, result,
  );
  syncModel();
  showDataset(fabric.dataset);
}
