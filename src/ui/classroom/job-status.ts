/** The projector's "now running" line: the job's name, what it has done, and a labelled bar. */
import { h, replace } from '../dom';

/** Shows one job at a time: the demo steps and the sample check report to it. */
export class JobStatus {
  private readonly name = h('strong', { 'data-testid': 'job-name' }, 'No job yet');
  private readonly detail = h('span', { class: 'job-detail', 'data-testid': 'job-detail' }, 'Press a step\'s Run button below.');
  private readonly bar = h('progress', { max: 1, value: 0, 'aria-label': 'Job progress' });

  constructor(private readonly root: HTMLElement) {
    replace(root, h('h2', {}, 'Now running'), h('p', { class: 'job-line' }, this.name, ' ', this.detail), this.bar);
    root.setAttribute('data-state', 'idle');
  }

  begin(name: string): void {
    this.name.textContent = name;
    this.detail.textContent = 'starting…';
    this.bar.value = 0;
    this.bar.removeAttribute('value'); // indeterminate until a fraction is known
    this.root.setAttribute('data-state', 'running');
  }

  /** What the job has done; `fraction` moves the bar when the job knows it. */
  progress(text: string, fraction?: number): void {
    this.detail.textContent = text;
    if (fraction !== undefined && Number.isFinite(fraction)) this.bar.value = Math.min(1, Math.max(0, fraction));
  }

  end(text: string, ok: boolean): void {
    this.detail.textContent = `${ok ? '✓ done' : '✕ failed'}: ${text}`;
    this.bar.value = ok ? 1 : 0;
    this.root.setAttribute('data-state', ok ? 'done' : 'failed');
  }
}
