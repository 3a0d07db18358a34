/**
 * The notice a panel shows when the page opens with an interrupted job of its kind:
 * "A training run (logistic, 23 of 50 iterations, saved 2 min ago) was interrupted. Resume / Discard".
 * Both are buttons (keyboard-reachable, Enter or Space); the notice is a status region, so a
 * screen reader announces it. A job on a user's file asks for the file when Resume is pressed.
 */
import type { CheckpointSummary, Fabric } from '../../index';
import { h, replace } from '../dom';

/** "just now", "40 s ago", "2 min ago", "3 h ago", or the date. */
export function ago(savedAt: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - savedAt) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `on ${new Date(savedAt).toLocaleDateString('en-US')}`;
}

/** The sentence of the notice. */
export function describeCheckpoint(c: CheckpointSummary, now = Date.now()): string {
  const what = c.kind === 'train' ? 'A training run' : 'A tuning run';
  return `${what} (${c.name}, ${c.done} of ${c.total} ${c.unit}, saved ${ago(c.savedAt, now)}) was interrupted.`;
}

/**
 * Fills `box` with a notice for each checkpoint of `kind` (newest first), or empties it. `resume`
 * is called with the checkpoint and, for a job on a user's file, the file the user chose again.
 */
export async function offerResume(box: HTMLElement, fabric: Fabric, kind: CheckpointSummary['kind'], resume: (c: CheckpointSummary, file?: File) => void, showError: (e: unknown) => void): Promise<void> {
  const list = (await fabric.checkpoints().catch((e: unknown) => {
    showError(e);
    return [];
  })).filter((c) => c.kind === kind);
  replace(box, ...list.map((c) => notice(c)));

  function notice(c: CheckpointSummary): HTMLElement {
    const file = h('input', { type: 'file', hidden: true, accept: '.parquet,.arrow,.arrows,.ipc,.feather,.csv' });
    const start = (chosen?: File): void => {
      el.remove();
      resume(c, chosen);
    };
    const resumeButton = h('button', { type: 'button', class: 'primary', 'data-testid': `${kind}-resume` }, c.needsFile ? `Resume (choose ${c.dataset ?? 'the file'})` : 'Resume');
    resumeButton.addEventListener('click', () => (c.needsFile ? file.click() : start()));
    file.addEventListener('change', () => file.files?.[0] && start(file.files[0]));
    const discard = h('button', { type: 'button', 'data-testid': `${kind}-discard` }, 'Discard');
    discard.addEventListener('click', () => {
      el.remove();
      void fabric.discardCheckpoint(c.id).catch(showError);
    });
    const el = h('div', { class: 'notice', role: 'status', 'data-testid': `${kind}-resume-notice`, 'data-checkpoint': c.id },
      h('span', {}, describeCheckpoint(c), c.needsFile ? ` It ran on your file ${c.dataset ?? ''}; Resume asks for it again and checks it is the same.` : ''), ' ',
      resumeButton, ' ', discard, file);
    return el;
  }
}
