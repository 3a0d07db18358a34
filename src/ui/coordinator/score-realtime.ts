/**
 * The real-time section of the score panel: one record, typed as JSON, answered by a model kept
 * hot on a slot of this machine; and the p50 and p99 of every answer so far.
 */
import type { ColumnInfo, Fabric, PredictRow, ScorableModel } from '../../index';
import { FabricError } from '../../index';
import { h, replace } from '../dom';
import { formatInt } from '../format';
import { inputColumnsOf, type ModelPicker } from './score-model-picker';

/** Predictions made by "Predict N times", enough for a p99 that is not just the maximum. */
const REPEAT = 200;

/** Values of a typical flight, used where the model reads these columns. */
const FLIGHT_SAMPLE: Readonly<Record<string, number | string>> = { distance: 500, date: '2001-01-15T08:30:00Z', origin: 'SFO', destination: 'LAX', delay: 0 };

const isTime = (c: ColumnInfo | undefined): boolean => c !== undefined && (c.type.startsWith('Timestamp') || c.type.startsWith('Date'));

/** A sample row for `columns`: a flight's values where known, else a value of the column's type. */
function sampleRow(columns: readonly string[], info: readonly ColumnInfo[]): Record<string, number | string> {
  const row: Record<string, number | string> = {};
  for (const name of columns) {
    const c = info.find((i) => i.name === name);
    row[name] = FLIGHT_SAMPLE[name] ?? (isTime(c) ? '2001-01-15T08:30:00Z' : c && !c.numeric ? '' : 0);
  }
  return row;
}

/** Parses the JSON row; ISO text in a timestamp or date column becomes a Date. */
function parseRow(text: string, info: readonly ColumnInfo[]): PredictRow {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new FabricError('bad-input', `predict: the row is not valid JSON (${(e as Error).message}); write it like {"distance": 500, "origin": "SFO"}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new FabricError('bad-input', 'predict: the row must be a JSON object of column values, like {"distance": 500}');
  const row: Record<string, PredictRow[string]> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v === 'string' && isTime(info.find((c) => c.name === k))) {
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) throw new FabricError('bad-input', `predict: "${k}" is a time column, but "${v}" is not a date; write it like "2001-01-15T08:30:00Z"`);
      row[k] = d;
    } else row[k] = v as PredictRow[string];
  }
  return row;
}

/** Names for a prediction's values: probability, prediction, or p(class) per class. */
function outputNames(m: ScorableModel, outputs: number): string[] {
  const kind = 'prepared' in m ? (m.header.type === 'glm' ? m.header.kind : m.header.head) : m.kind;
  const labels = 'prepared' in m ? m.header.labels : m.labels;
  if (outputs === 1) return [kind === 'logistic' ? 'probability' : 'prediction'];
  return Array.from({ length: outputs }, (_, k) => `p(${labels[k] ?? k})`);
}

const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(v < 10 ? 2 : 1)} ms` : '—');

/** Builds the real-time section. */
export function createRealtimeSection(fabric: Fabric, picker: ModelPicker, showError: (e: unknown) => void): HTMLElement {
  const input = h('textarea', { id: 'predict-row', rows: 4, spellcheck: 'false', 'data-testid': 'predict-row', 'aria-describedby': 'predict-row-note' });
  const reset = h('button', { type: 'button', class: 'link', 'data-testid': 'predict-reset' }, 'Reset to a sample row');
  const predict = h('button', { type: 'button', class: 'primary', 'data-testid': 'predict-button' }, 'Predict');
  const repeat = h('button', { type: 'button', 'data-testid': 'predict-repeat' }, `Predict ${REPEAT} times`);
  const output = h('p', { class: 'predict-output', 'data-testid': 'predict-output', 'aria-live': 'polite' });
  const stats = h('p', { class: 'small', 'data-testid': 'predict-stats', 'aria-live': 'polite' });

  // The row follows the model's columns until it is edited by hand.
  let filledFor = '';
  let edited = false;
  input.addEventListener('input', () => (edited = true));
  const fill = (force: boolean): void => {
    const m = picker.current();
    const columns = m ? inputColumnsOf(m) : ['distance', 'date', 'origin'];
    const key = columns.join(',');
    if (!force && (edited || key === filledFor)) return;
    input.value = JSON.stringify(sampleRow(columns, fabric.dataset?.columns ?? []), null, 2);
    input.rows = Math.min(12, columns.length + 2);
    filledFor = key;
    edited = false;
  };
  reset.addEventListener('click', () => fill(true));
  picker.onChange(() => fill(false));

  const showStats = (): void => {
    const s = fabric.predictStats();
    stats.setAttribute('data-count', String(s.count));
    replace(stats, s.count === 0 ? 'No predictions yet.' : `${formatInt(s.count)} predictions so far: p50 ${ms(s.p50)}, p99 ${ms(s.p99)} (round trip from this page to a slot's hot model and back).`);
  };

  const run = async (times: number): Promise<void> => {
    const model = await picker.resolve();
    const row = parseRow(input.value, fabric.dataset?.columns ?? []);
    let values: Float64Array = new Float64Array(0);
    let last = 0;
    for (let i = 0; i < times; i++) {
      const t0 = performance.now();
      values = await fabric.predict(model, row);
      last = performance.now() - t0;
      if (times > 1 && (i + 1) % 20 === 0) {
        replace(output, `${i + 1} / ${times}…`);
        showStats();
      }
    }
    const names = outputNames(model, values.length);
    replace(output, ...names.flatMap((n, k) => [k > 0 ? ', ' : '', h('strong', {}, n), ` = ${Number(values[k]).toPrecision(5)}`]),
      h('span', { class: 'small muted' }, ` (${times > 1 ? `last of ${times}, ` : ''}${ms(last)})`));
    output.setAttribute('data-values', Array.from(values).join(','));
  };
  const click = (times: number): void => {
    predict.disabled = true;
    repeat.disabled = true;
    void run(times).catch((e: unknown) => {
      replace(output, h('span', { class: 'inline-error' }, h('strong', {}, '✕ '), FabricError.from(e).message));
      picker.report(e);
      showError(e);
    }).finally(() => {
      predict.disabled = false;
      repeat.disabled = false;
      showStats();
    });
  };
  predict.addEventListener('click', () => click(1));
  repeat.addEventListener('click', () => click(REPEAT));
  fill(true);
  showStats();

  return h('section', { class: 'score-section', 'aria-labelledby': 'score-realtime-heading' },
    h('h3', { id: 'score-realtime-heading' }, 'Real time: one record, answered by a hot model'),
    h('label', { for: 'predict-row' }, 'Row (JSON: the model\'s input columns) '), reset,
    input,
    h('p', { class: 'small muted', id: 'predict-row-note' }, 'Times are ISO 8601 text, such as "2001-01-15T08:30:00Z".'),
    h('div', { class: 'row' }, predict, repeat),
    output, stats,
  );
}
