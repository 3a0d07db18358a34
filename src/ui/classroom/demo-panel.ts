/**
 * The guided demo: one card per paradigm with its explanation, its Spark counterpart, one Run
 * button and the result as a picture. Running a step again (after slowing or removing a device)
 * compares its result with the run before, so the class sees that faults changed nothing.
 */
import { FabricError, type Fabric } from '../../index';
import { h, replace } from '../dom';
import { compareRuns, verdictText } from './compare';
import { DEMO_STEPS, type DemoStep, type StepContext } from './demo-steps';
import type { JobStatus } from './job-status';

/** Runs one job at a time across the demo and the sample check, so buttons agree on what is running. */
export class JobLock {
  private busy = false;
  private readonly listeners: ((busy: boolean) => void)[] = [];

  get running(): boolean {
    return this.busy;
  }

  onChange(cb: (busy: boolean) => void): void {
    this.listeners.push(cb);
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.busy) throw new FabricError('bad-input', 'A demo job is already running: wait for it to finish, then press Run again.');
    this.set(true);
    try {
      return await job();
    } finally {
      this.set(false);
    }
  }

  private set(busy: boolean): void {
    this.busy = busy;
    for (const cb of this.listeners) cb(busy);
  }
}

/** Mounts the four steps. */
export function mountDemoPanel(root: HTMLElement, fabric: Fabric, jobs: JobStatus, lock: JobLock, showError: (e: unknown) => void): void {
  const memory: StepContext['memory'] = {};
  const cards = DEMO_STEPS.map((step) => stepCard(step, fabric, jobs, lock, memory, showError));
  replace(root,
    h('h2', {}, 'Guided demo: Spark\'s four ways of scaling ML, on this room\'s devices'),
    h('ol', { class: 'steps' }, ...cards),
  );
}

function stepCard(step: DemoStep, fabric: Fabric, jobs: JobStatus, lock: JobLock, memory: StepContext['memory'], showError: (e: unknown) => void): HTMLElement {
  const figure = h('div', { class: 'step-figure', 'data-testid': `step-figure-${step.id}` });
  const result = h('p', { class: 'step-result', 'data-testid': `step-result-${step.id}`, 'aria-live': 'polite' });
  const compare = h('p', { class: 'step-compare', 'data-testid': `step-compare-${step.id}` });
  let previous: ArrayLike<number> | null = null;
  const button = h('button', { type: 'button', class: 'primary big', 'data-testid': `step-run-${step.id}` }, `Run ${step.title.replace(/^\d+\. /, '').toLowerCase()}`);
  const card = h('li', { class: 'step', 'data-testid': `step-${step.id}`, 'data-state': 'ready' },
    h('h3', {}, step.title, ' ', h('span', { class: 'spark' }, `Spark: ${step.spark}`)),
    h('p', { class: 'explain' }, step.explain),
    h('div', { class: 'row' }, button),
    figure, result, compare,
  );
  lock.onChange((busy) => (button.disabled = busy));
  button.addEventListener('click', () => {
    if (!fabric.dataset) {
      showError(new FabricError('no-dataset', 'The dataset is still loading: wait for "3,000,000 rows", then press Run again.'));
      return;
    }
    card.setAttribute('data-state', 'running');
    replace(result, 'Running…');
    jobs.begin(step.title);
    void lock.run(() => step.run({ fabric, figure, memory, report: (text, fraction) => jobs.progress(text, fraction) })).then((outcome) => {
      replace(result, `✓ ${outcome.summary}`);
      jobs.end(outcome.summary, true);
      if (outcome.values && previous) {
        const c = compareRuns(previous, outcome.values);
        replace(compare, h('strong', {}, c.agree ? 'Same result as the run before: ' : 'Different from the run before: '), verdictText(c));
        compare.setAttribute('data-agree', String(c.agree));
      } else {
        replace(compare, outcome.values ? 'Run it again after slowing or removing a device: the result is compared with this one.' : 'Not compared between runs: parallel search picks its next trials from whichever trials finish first.');
        compare.removeAttribute('data-agree');
      }
      if (outcome.values) previous = Array.from(outcome.values);
      card.setAttribute('data-state', 'done');
    }, (e: unknown) => {
      const err = FabricError.from(e);
      replace(result, `✕ ${err.message}`);
      jobs.end(err.message, false);
      card.setAttribute('data-state', 'failed');
      showError(err);
    });
  });
  return card;
}
