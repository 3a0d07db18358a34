/**
 * The synthetic IoT loader in the "Load data" panel: devices, readings per device, a seed and a
 * size spread, and a button that generates the table on the loader worker (`synthetic.iot`). The
 * last source is kept so the groups panel can compare fitted coefficients with the hidden ones.
 */
import { synthetic, type Fabric, type SyntheticSource } from '../../index';
import { h, replace } from '../dom';
import { formatInt } from '../format';

let last: SyntheticSource | undefined;

/** The synthetic source this form last loaded successfully, if any. */
export function lastSynthetic(): SyntheticSource | undefined {
  return last;
}

function numberInput(id: string, value: string, min: string, step: string): HTMLInputElement {
  return h('input', { id, type: 'number', value, min, step, required: true, 'data-testid': id });
}

/** Builds the form into `root`. */
export function mountSyntheticForm(root: HTMLElement, fabric: Fabric, showError: (e: unknown) => void): void {
  const devices = numberInput('iot-devices', '1000', '1', '1');
  const rows = numberInput('iot-rows', '2000', '1', '1');
  const seed = numberInput('iot-seed', '7', '0', '1');
  const spread = numberInput('iot-spread', '0', '0', 'any');
  const button = h('button', { type: 'submit', 'data-testid': 'iot-button' }, 'Generate IoT dataset');
  const status = h('span', { class: 'small muted', role: 'status', 'data-testid': 'iot-status' });

  const form = h('form', { class: 'synthetic', 'aria-label': 'Generate a synthetic IoT dataset' },
    h('p', { class: 'small' }, 'Or generate the IoT case: each device has its own hidden linear model ',
      h('code', {}, 'y = b₀ + b·x + noise'), ', to fit with one model per ', h('code', {}, 'device'), '.'),
    h('div', { class: 'row small' },
      h('label', { for: 'iot-devices' }, 'Devices'), devices,
      h('label', { for: 'iot-rows' }, 'Rows per device'), rows,
      h('label', { for: 'iot-seed' }, 'Seed'), seed,
      h('label', { for: 'iot-spread' }, 'Size spread'), spread,
    ),
    h('div', { class: 'row' }, button, status),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    let source: SyntheticSource;
    try {
      source = synthetic.iot({ devices: Number(devices.value), rowsPerDevice: Number(rows.value), seed: Number(seed.value), sizeSpread: Number(spread.value) });
    } catch (e) {
      showError(e);
      return;
    }
    const total = source.truth().reduce((s, t) => s + t.rows, 0);
    button.disabled = true;
    replace(status, `Generating ${formatInt(total)} rows…`);
    // Set before loading: the dataset event, on which the groups panel redraws, fires inside load.
    const previous = last;
    last = source;
    void fabric.load(source).then(() => {
      replace(status, `Loaded ${formatInt(source.options.devices)} devices, ${formatInt(total)} rows.`);
    }).catch((e: unknown) => {
      last = previous;
      replace(status);
      showError(e);
    }).finally(() => {
      button.disabled = false;
    });
  });
  replace(root, form);
}
