/**
 * The search-space editor of the tune panel: one row per hyperparameter (name, distribution, its
 * arguments), built into a `Space` of `hp.*` nodes. Log-scale bounds are typed in natural units
 * (1e-4 … 1e-1) and passed to `hp.loguniform` as their logs, as hyperopt expects.
 */
import { FabricError, hp, validateSpace, type HpNode, type Space } from '../../index';
import { h, replace } from '../dom';

/** A distribution of the editor (hyperopt's names). */
export type HpKind = HpNode['kind'];

const KINDS: readonly HpKind[] = ['uniform', 'loguniform', 'quniform', 'qloguniform', 'normal', 'lognormal', 'randint', 'choice'];
/** The argument inputs each distribution shows. */
const ARGS: Readonly<Record<HpKind, readonly Arg[]>> = {
  uniform: ['low', 'high'], quniform: ['low', 'high', 'q'], loguniform: ['low', 'high'], qloguniform: ['low', 'high', 'q'],
  normal: ['mu', 'sigma'], lognormal: ['mu', 'sigma'], randint: ['low', 'high'], choice: ['options'],
};
type Arg = 'low' | 'high' | 'q' | 'mu' | 'sigma' | 'options';

/** One row's initial values; arguments are the text typed (natural units for log bounds). */
export interface SpaceRowInit {
  readonly name: string;
  readonly kind: HpKind;
  readonly args: Partial<Readonly<Record<Arg, string>>>;
}

/** What the editor builds: the space, and per label its distribution (for the plots' axes). */
export interface BuiltSpace {
  readonly space: Space;
  readonly kinds: ReadonlyMap<string, HpKind>;
}

const row = (name: string, kind: HpKind, args: SpaceRowInit['args']): SpaceRowInit => ({ name, kind, args });

/** The default rows of a built-in objective (one uniform row for an app's own objective). */
export function defaultRows(objective: string): SpaceRowInit[] {
  if (objective === 'mlp') {
    return [
      row('layers', 'randint', { low: '1', high: '4' }), row('units', 'quniform', { low: '8', high: '128', q: '8' }),
      row('lr', 'loguniform', { low: '1e-4', high: '1e-1' }), row('batchSize', 'choice', { options: '128, 256, 512' }),
      row('l2', 'loguniform', { low: '1e-6', high: '1e-2' }), row('dropout', 'uniform', { low: '0', high: '0.5' }),
      row('epochs', 'quniform', { low: '1', high: '3', q: '1' }),
    ];
  }
  if (objective === 'glm') return [row('l2', 'loguniform', { low: '1e-6', high: '1' }), row('maxIter', 'quniform', { low: '10', high: '100', q: '10' })];
  if (objective === 'wait') return [row('ms', 'choice', { options: '200' }), row('x', 'uniform', { low: '0', high: '1' }), row('y', 'uniform', { low: '0', high: '1' })];
  return [row('x', 'uniform', { low: '0', high: '1' })];
}

const isLog = (k: HpKind): boolean => k === 'loguniform' || k === 'qloguniform';

function argLabel(kind: HpKind, arg: Arg): string {
  if (isLog(kind) && (arg === 'low' || arg === 'high')) return `${arg} (natural units)`;
  if (kind === 'randint' && arg === 'high') return 'high (exclusive)';
  if (kind === 'lognormal' && (arg === 'mu' || arg === 'sigma')) return `${arg} of log(value)`;
  if (arg === 'options') return 'options (comma-separated)';
  return arg;
}

/** A choice option: a number when it reads as one, else true/false, else the trimmed text. */
function parseOption(text: string): number | string | boolean {
  const t = text.trim();
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  return t === 'true' ? true : t === 'false' ? false : t;
}

interface Row {
  readonly tr: HTMLTableRowElement;
  readonly name: HTMLInputElement;
  readonly kind: HTMLSelectElement;
  readonly inputs: Readonly<Record<Arg, HTMLInputElement>>;
  readonly labels: Readonly<Record<Arg, HTMLLabelElement>>;
  readonly note: HTMLElement;
}

/** The editor: a table of rows with add/remove buttons; {@link SpaceEditor.build} reads it. */
export class SpaceEditor {
  /** The editor's element, to place in the panel. */
  readonly element: HTMLElement;
  private readonly body = h('tbody');
  private readonly error = h('p', { class: 'small space-error', role: 'alert', 'data-testid': 'tune-space-error' });
  private rows: Row[] = [];
  private nextId = 0;

  constructor() {
    const add = h('button', { type: 'button', 'data-testid': 'tune-space-add', onclick: () => this.addRow(row('', 'uniform', { low: '0', high: '1' }), true) }, '+ Add hyperparameter');
    this.element = h('div', { class: 'space-editor' },
      h('h3', { id: 'tune-space-title' }, 'Search space ', h('span', { class: 'small muted' }, '(one row per hyperparameter, hyperopt hp.*)')),
      h('p', { class: 'small muted' }, 'For loguniform and qloguniform, type the bounds in natural units (1e-4, 0.1): the panel passes Math.log of them, as hyperopt expects.'),
      h('div', { class: 'scroll-x' }, h('table', { class: 'grid compact space', 'data-testid': 'tune-space', 'aria-labelledby': 'tune-space-title' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'name'), h('th', { scope: 'col' }, 'distribution'), h('th', { scope: 'col' }, 'arguments'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'remove')))),
        this.body)),
      h('div', { class: 'row' }, add), this.error);
  }

  /** Replaces every row. */
  setRows(rows: readonly SpaceRowInit[]): void {
    this.rows = [];
    replace(this.body);
    replace(this.error);
    for (const r of rows) this.addRow(r, false);
  }

  private addRow(init: SpaceRowInit, focus: boolean): void {
    const id = `tune-hp-${this.nextId++}`;
    const name = h('input', { id: `${id}-name`, type: 'text', size: 9, value: init.name, 'aria-label': 'hyperparameter name', 'data-testid': 'tune-hp-name', spellcheck: 'false' });
    const kind = h('select', { 'aria-label': 'distribution', 'data-testid': 'tune-hp-kind' }, ...KINDS.map((k) => h('option', { value: k, selected: k === init.kind }, k)));
    const argNames: readonly Arg[] = ['low', 'high', 'q', 'mu', 'sigma', 'options'];
    const inputs = {} as Record<Arg, HTMLInputElement>;
    const labels = {} as Record<Arg, HTMLLabelElement>;
    for (const a of argNames) {
      inputs[a] = h('input', { type: 'text', size: a === 'options' ? 16 : 6, value: init.args[a] ?? '', 'data-arg': a, spellcheck: 'false' });
      labels[a] = h('label', { class: 'arg' }, h('span', { class: 'small muted' }, a), inputs[a]);
    }
    const note = h('div', { class: 'small hp-note', 'aria-live': 'polite' });
    const remove = h('button', { type: 'button', class: 'link', 'data-testid': 'tune-hp-remove' }, 'Remove');
    const tr = h('tr', { 'data-testid': 'tune-hp-row' },
      h('td', {}, name), h('td', {}, kind), h('td', {}, h('div', { class: 'args' }, ...argNames.map((a) => labels[a])), note), h('td', {}, remove));
    const r: Row = { tr, name, kind, inputs, labels, note };
    const relabel = (): void => {
      const k = kind.value as HpKind;
      for (const a of argNames) {
        labels[a].hidden = !ARGS[k].includes(a);
        labels[a].firstElementChild!.textContent = argLabel(k, a);
      }
      remove.setAttribute('aria-label', `Remove ${name.value || 'this row'}`);
      this.check(r);
    };
    kind.addEventListener('change', relabel);
    name.addEventListener('input', relabel);
    for (const a of argNames) inputs[a].addEventListener('input', () => this.check(r));
    remove.addEventListener('click', () => {
      this.rows = this.rows.filter((x) => x !== r);
      tr.remove();
    });
    this.rows.push(r);
    this.body.append(tr);
    relabel();
    if (focus) name.focus();
  }

  /** The node of one row, or a bad-input error naming the row. */
  private nodeOf(r: Row): HpNode {
    const label = r.name.value.trim();
    const k = r.kind.value as HpKind;
    const num = (a: Arg): number => {
      const t = r.inputs[a].value.trim();
      const v = t === '' ? NaN : Number(t);
      if (!Number.isFinite(v)) throw new FabricError('bad-input', `${label || 'this row'}: ${a} must be a number, got "${t}"`);
      return v;
    };
    const logOf = (a: Arg): number => {
      const v = num(a);
      if (!(v > 0)) throw new FabricError('bad-input', `${label}: ${k} bounds are typed in natural units and must be > 0 (their log is taken), got ${a} = ${v}`);
      return Math.log(v);
    };
    switch (k) {
      case 'uniform': return hp.uniform(label, num('low'), num('high'));
      case 'quniform': return hp.quniform(label, num('low'), num('high'), num('q'));
      case 'loguniform': return hp.loguniform(label, logOf('low'), logOf('high'));
      case 'qloguniform': return hp.qloguniform(label, logOf('low'), logOf('high'), num('q'));
      case 'normal': return hp.normal(label, num('mu'), num('sigma'));
      case 'lognormal': return hp.lognormal(label, num('mu'), num('sigma'));
      case 'randint': return hp.randint(label, num('low'), num('high'));
      case 'choice': {
        const options = r.inputs.options.value.split(',').filter((o) => o.trim() !== '').map(parseOption);
        if (options.length === 0) throw new FabricError('bad-input', `${label}: choice needs at least one option, e.g. "128, 256, 512"`);
        return hp.choice(label, options);
      }
    }
  }

  /** Checks one row and shows either what it means or what is wrong beside it. */
  private check(r: Row): HpNode | undefined {
    try {
      const node = this.nodeOf(r);
      r.tr.removeAttribute('data-invalid');
      r.name.removeAttribute('aria-invalid');
      replace(r.note, describeNode(node));
      return node;
    } catch (e) {
      r.tr.setAttribute('data-invalid', 'true');
      r.name.setAttribute('aria-invalid', 'true');
      replace(r.note, h('span', { class: 'bad' }, `✕ ${FabricError.from(e).message}`));
      return undefined;
    }
  }

  /** Builds and validates the space; on a problem marks the rows, shows why, and returns undefined. */
  build(): BuiltSpace | undefined {
    replace(this.error);
    const space: Record<string, Space> = {};
    const kinds = new Map<string, HpKind>();
    let ok = this.rows.length > 0;
    for (const r of this.rows) {
      const node = this.check(r);
      if (!node) ok = false;
      else if (kinds.has(node.label)) {
        ok = false;
        r.tr.setAttribute('data-invalid', 'true');
        replace(r.note, h('span', { class: 'bad' }, `✕ the name "${node.label}" is used by another row; names must be unique`));
      } else {
        space[node.label] = node;
        kinds.set(node.label, node.kind);
      }
    }
    if (this.rows.length === 0) replace(this.error, h('span', { class: 'bad' }, '✕ Add at least one hyperparameter.'));
    if (!ok) return undefined;
    try {
      validateSpace(space);
    } catch (e) {
      replace(this.error, h('span', { class: 'bad' }, `✕ ${FabricError.from(e).message}`));
      return undefined;
    }
    return { space, kinds };
  }
}

const fmt = (v: number): string => (Math.abs(v) !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5) ? v.toExponential(1) : String(+v.toPrecision(4)));

/** A short reading of a node in natural units, e.g. "log-uniform on [1e-4, 0.1]: hp.loguniform('lr', -9.21, -2.3)". */
function describeNode(n: HpNode): string {
  switch (n.kind) {
    case 'uniform': return `uniform on [${fmt(n.low)}, ${fmt(n.high)}]`;
    case 'quniform': return `multiples of ${fmt(n.q)} from ${fmt(n.low)} to ${fmt(n.high)}`;
    case 'loguniform': return `log-uniform on [${fmt(Math.exp(n.low))}, ${fmt(Math.exp(n.high))}]: hp.loguniform('${n.label}', ${n.low.toFixed(2)}, ${n.high.toFixed(2)})`;
    case 'qloguniform': return `log-uniform on [${fmt(Math.exp(n.low))}, ${fmt(Math.exp(n.high))}] rounded to ${fmt(n.q)}: hp.qloguniform('${n.label}', ${n.low.toFixed(2)}, ${n.high.toFixed(2)}, ${fmt(n.q)})`;
    case 'normal': return `normal, mean ${fmt(n.mu)}, sd ${fmt(n.sigma)}`;
    case 'lognormal': return `exp of normal(${fmt(n.mu)}, ${fmt(n.sigma)}): median ${fmt(Math.exp(n.mu))}`;
    case 'randint': return n.high - n.low <= 6 ? `an integer of ${Array.from({ length: n.high - n.low }, (_, i) => n.low + i).join(', ')}` : `an integer from ${n.low} to ${n.high - 1}`;
    case 'choice': return `one of ${n.options.length} option${n.options.length === 1 ? '' : 's'}`;
  }
}
