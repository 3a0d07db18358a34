/**
 * The model chooser of the score panel: the model trained above (`window.lastTrain`), or a
 * TensorFlow.js LayersModel given as files (model.json and its .bin shards) or as the URL of its
 * model.json, with the numeric columns it takes. Problems with the model show here, beside the
 * controls, as well as in the page's error bar.
 */
import { FabricError, type Fabric, type PreparedModel, type ScorableModel, type TrainedModel } from '../../index';
import { h, replace } from '../dom';
import { formatBytes, formatInt } from '../format';

/** What the score sections ask of the chooser. */
export interface ModelPicker {
  /** The controls, to place in the panel. */
  readonly element: HTMLElement;
  /** The chosen model, loading an external one first (cached until its files, URL or columns change). */
  resolve(): Promise<ScorableModel>;
  /** The chosen model if it is ready without loading, for the real-time form's columns. */
  current(): ScorableModel | undefined;
  /** Shows a scoring error beside the model controls when it is about the model or its inputs. */
  report(e: unknown): void;
  /** Calls `fn` whenever the chosen model changes. */
  onChange(fn: () => void): void;
  /** Looks again for a model trained on the page (the panel calls it when it gets attention). */
  refresh(): void;
}

/** A trained model's short name: "logistic regression" or "MLP [32]". */
export function trainedName(m: TrainedModel): string {
  return m.format === 'fabric-glm' ? `${m.kind} regression` : `MLP ${JSON.stringify(m.arch.hidden)} (${m.kind} head)`;
}

/** The dataset columns a model reads, in order: its feature plan's columns, or its numeric columns. */
export function inputColumnsOf(m: ScorableModel): string[] {
  const plan = 'prepared' in m ? ('plan' in m.header.inputs ? m.header.inputs.plan : undefined) : m.plan;
  if (!plan && 'prepared' in m && 'columns' in m.header.inputs) return [...m.header.inputs.columns];
  return [...new Set((plan?.features ?? []).map((f) => f.spec.column))];
}

function describeModel(m: ScorableModel): string {
  if ('prepared' in m) {
    const cols = inputColumnsOf(m);
    return `${m.name} (${m.header.type === 'glm' ? 'GLM' : 'tfjs LayersModel'}): ${formatBytes(m.bytes.byteLength)}, inputs ${cols.join(', ')}`;
  }
  // The artifact a slot receives also holds the feature plan (one-hot categories and all), so it is larger.
  return `${trainedName(m)} trained on ${m.dataset.name}: ${formatInt(m.params.length)} parameters (${formatBytes(m.params.byteLength)} of weights, plus its feature plan), inputs ${inputColumnsOf(m).join(', ')}`;
}

const isModelError = (code: string): boolean => code === 'bad-input' || code === 'schema-mismatch';

/** Builds the chooser. */
export function createModelPicker(fabric: Fabric, showError: (e: unknown) => void): ModelPicker {
  const trainedRadio = h('input', { type: 'radio', name: 'score-source', id: 'score-source-trained', value: 'trained', checked: true, 'data-testid': 'score-source-trained' });
  const layersRadio = h('input', { type: 'radio', name: 'score-source', id: 'score-source-layers', value: 'layers', 'data-testid': 'score-source-layers' });
  const trainedHint = h('span', { class: 'small muted', id: 'score-trained-hint' });
  const refresh = h('button', { type: 'button', class: 'link', 'data-testid': 'score-refresh' }, 'Refresh');
  const files = h('input', { type: 'file', id: 'score-model-files', multiple: true, accept: '.json,.bin', 'data-testid': 'score-model-files' });
  const url = h('input', { type: 'url', id: 'score-model-url', size: 30, placeholder: 'https://…/model.json', 'data-testid': 'score-model-url' });
  const columns = h('input', { type: 'text', id: 'score-model-columns', size: 24, placeholder: 'distance, …', 'data-testid': 'score-model-columns', 'aria-describedby': 'score-columns-note' });
  const load = h('button', { type: 'button', 'data-testid': 'score-model-load' }, 'Load model');
  const external = h('fieldset', { class: 'score-external', disabled: true },
    h('legend', { class: 'visually-hidden' }, 'tfjs LayersModel'),
    h('label', { for: 'score-model-files' }, 'Files (model.json and its .bin shards)'), files,
    h('label', { for: 'score-model-url' }, 'or the URL of model.json'), url,
    h('label', { for: 'score-model-columns' }, 'Input columns'), h('span', {}, columns,
      h('span', { class: 'small muted', id: 'score-columns-note' }, ' numeric, comma-separated, in the order the model takes them')),
    h('span'), h('span', {}, load),
  );
  const info = h('p', { class: 'small', 'data-testid': 'score-model-info', 'aria-live': 'polite' });
  const inlineError = h('p', { class: 'inline-error', role: 'alert', 'data-testid': 'score-model-error' });
  const listeners: (() => void)[] = [];

  let loaded: { key: string; model: PreparedModel } | undefined;
  let loading: { key: string; promise: Promise<PreparedModel> } | undefined;
  let lastTrain: TrainedModel | undefined;

  const externalKey = (): string => {
    const list = [...(files.files ?? [])].map((f) => `${f.name}:${f.size}:${f.lastModified}`).join('|');
    return `${list}#${list ? '' : url.value.trim()}#${columns.value}`;
  };
  const columnList = (): string[] | undefined => {
    const list = columns.value.split(',').map((c) => c.trim()).filter((c) => c !== '');
    return list.length > 0 ? list : undefined;
  };
  const changed = (): void => listeners.forEach((fn) => fn());
  const clearError = (): void => replace(inlineError);
  const showInline = (e: unknown): void => {
    const err = FabricError.from(e);
    replace(inlineError, h('strong', {}, `✕ ${err.code}: `), err.message);
  };

  const showInfo = (): void => {
    if (trainedRadio.checked) {
      replace(info, lastTrain ? h('span', {}, 'Model: ', h('strong', {}, describeModel(lastTrain))) : h('span', { class: 'muted' }, 'No model yet: train one above, then press Refresh.'));
    } else if (loaded && loaded.key === externalKey()) {
      replace(info, 'Model: ', h('strong', {}, describeModel(loaded.model)));
    } else {
      replace(info, h('span', { class: 'muted' }, loading ? 'Loading the model…' : 'Choose the files or a URL and the input columns, then Load model (or Score).'));
    }
  };

  /** Re-reads `window.lastTrain`: the train panel sets it when a run finishes. */
  const checkTrained = (): void => {
    const m = window.lastTrain;
    const fresh = m !== lastTrain;
    lastTrain = m;
    trainedRadio.disabled = !m;
    replace(trainedHint, m ? '' : ' (none yet: train one above)');
    if (!m && trainedRadio.checked) {
      trainedRadio.checked = false;
      layersRadio.checked = true;
      syncSource();
    } else if (m && fresh && !trainedRadio.checked && !loaded && !loading && (files.files?.length ?? 0) === 0 && url.value.trim() === '') {
      // A first trained model, and nothing external chosen: that is the model to score.
      trainedRadio.checked = true;
      syncSource();
    }
    showInfo();
    if (fresh) changed();
  };

  const syncSource = (): void => {
    external.disabled = !layersRadio.checked;
    clearError();
    showInfo();
    changed();
  };

  const loadExternal = (): Promise<PreparedModel> => {
    const key = externalKey();
    if (loaded?.key === key) return Promise.resolve(loaded.model);
    if (loading?.key === key) return loading.promise;
    const list = [...(files.files ?? [])];
    const source = list.length > 0 ? list : url.value.trim();
    if (source === '') return Promise.reject(new FabricError('bad-input', 'score: choose the model\'s files (model.json and its .bin shards) or type the URL of its model.json'));
    const cols = columnList();
    const promise = fabric.model(source, cols ? { columns: cols } : {});
    loading = { key, promise };
    clearError();
    showInfo();
    return promise.then((model) => {
      loaded = { key, model };
      return model;
    }).finally(() => {
      if (loading?.key === key) loading = undefined;
      showInfo();
      changed();
    });
  };
  const loadAndReport = (): void => {
    void loadExternal().catch((e: unknown) => {
      showInline(e);
      showError(e);
    });
  };

  trainedRadio.addEventListener('change', syncSource);
  layersRadio.addEventListener('change', syncSource);
  refresh.addEventListener('click', checkTrained);
  files.addEventListener('change', () => {
    if ((files.files?.length ?? 0) > 0) loadAndReport();
  });
  // On input, not change: change fires on blur, and a layout shift between the press and the
  // release of a click on Score (the error line going away) would swallow that click.
  for (const el of [url, columns]) el.addEventListener('input', () => {
    clearError();
    showInfo();
  });
  load.addEventListener('click', loadAndReport);

  const element = h('div', { class: 'score-model' },
    h('fieldset', { class: 'score-source' },
      h('legend', {}, 'Model'),
      h('label', { class: 'check' }, trainedRadio, ' the model trained above', trainedHint), ' ', refresh,
      h('br'),
      h('label', { class: 'check' }, layersRadio, ' a tfjs LayersModel (files or URL)'),
      external),
    info, inlineError,
  );
  checkTrained();
  // The train panel has no event for a finished run. It sets window.lastTrain just after the run's
  // last log line, so look again a moment after each log line, and whenever attention comes here.
  fabric.on('log', () => setTimeout(checkTrained, 0));

  return {
    element,
    resolve: async () => {
      checkTrained();
      clearError();
      if (trainedRadio.checked) {
        if (!lastTrain) throw new FabricError('bad-input', 'score: no model has been trained on this page yet; train one in the panel above, or choose a tfjs LayersModel');
        return lastTrain;
      }
      return loadExternal();
    },
    current: () => (trainedRadio.checked ? lastTrain : loaded?.key === externalKey() ? loaded.model : undefined),
    report: (e) => {
      if (isModelError(FabricError.from(e).code)) showInline(e);
    },
    onChange: (fn) => listeners.push(fn),
    refresh: checkTrained,
  };
}
